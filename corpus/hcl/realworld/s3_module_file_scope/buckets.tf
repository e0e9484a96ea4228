# A module split over files, as terraform-aws-modules lay theirs out: the
# origins come from locals.tf, the finding is located here.
resource "aws_s3_bucket_cors_configuration" "media" {
  bucket = "media"

  cors_rule {
    allowed_origins = local.media_origins  # want CG102 "null"
    allowed_methods = ["GET"]
  }
}
