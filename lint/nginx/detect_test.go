package nginx

import "testing"

func TestDetect(t *testing.T) {
	tests := []struct {
		path string
		head string
		want bool
	}{
		{"/etc/nginx/nginx.conf", "", true},
		{"deploy/site.nginx", "", true},
		{"/etc/nginx/conf.d/api.conf", "", true},
		{"/etc/nginx/sites-available/default", "server {\n listen 80;\n}", true},
		{"nginx/sites-enabled/app.conf", "", true},
		{"snippets/cors.conf", "add_header Access-Control-Allow-Origin *;", true},
		{"config/app.conf", "server {\n  listen 443 ssl;\n  location / { proxy_pass http://a; }\n}", true},
		{"cors.inc", "add_header Access-Control-Allow-Origin $http_origin;\nadd_header Vary Origin;", true},
		{"maps.txt", "map $http_origin $cors {\n default \"\";\n}\nadd_header X 1;", true},
		// Not nginx: Apache, HCL, prose.
		{"/etc/apache2/apache2.conf", "", false},
		{"/etc/httpd/conf/httpd.conf", "", false},
		{"site/.htaccess", "Header set Access-Control-Allow-Origin *", false},
		{"/etc/apache2/sites-available/site.conf", "<VirtualHost *:443>\n ServerName a.test\n</VirtualHost>", false},
		{"/etc/nginx/conf.d/apache-ish.conf", "Header always set Access-Control-Allow-Origin \"*\"", false},
		{"main.tf", "resource \"aws_s3_bucket_cors_configuration\" \"x\" {\n}", false},
		{"policy.hcl", "locals {\n  a = 1\n}", false},
		{"conf/app.conf", "key = value\nother = 2\n", false},
		{"README.md", "This server { is described } here.", false},
		{"docs/cors.md", "server {\n  listen 443 ssl;\n  add_header Access-Control-Allow-Origin *;\n}", false},
	}
	for _, tc := range tests {
		if got := Detect(tc.path, []byte(tc.head)); got != tc.want {
			t.Errorf("Detect(%q, %q) = %v, want %v", tc.path, tc.head, got, tc.want)
		}
	}
}
