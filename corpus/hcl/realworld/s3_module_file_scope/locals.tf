locals {
  media_origins = ["https://www.example.com", "null"]
}
