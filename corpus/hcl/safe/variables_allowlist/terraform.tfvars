app_origin = "https://app.example.com"
