frontend_origin = "https://app.example.com"
