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

// A file is nginx by its statements, whatever its comments quote; snippets
// of only if/set/add_header/location/server are nginx; Apache and XML are
// not.
func TestDetectReadsStatementsNotComments(t *testing.T) {
	tests := []struct {
		name, path, head string
		want             bool
	}{
		{"comment quoting Apache's Header set", "deploy/api.conf",
			"# Apache equivalent: Header set Access-Control-Allow-Origin \"*\"\n# <VirtualHost *:443>\nserver {\n  listen 443 ssl;\n  add_header Access-Control-Allow-Origin *; # not Header always set\n}\n", true},
		{"comment quoting Apache in a conf.d file", "/etc/nginx/conf.d/x.conf",
			"# was: Header always set Access-Control-Allow-Origin \"*\"\nadd_header Access-Control-Allow-Origin *;\n", true},
		{"snippet of if and set", "cors-snippet",
			"if ($http_origin ~* ^https://app\\.example\\.com$) {\n  set $cors $http_origin;\n}\n", true},
		{"one add_header line", "cors.inc", "add_header Access-Control-Allow-Origin $http_origin always;\n", true},
		{"one set line", "vars.inc", "set $cors_origin \"\";\n", true},
		{"location block alone", "api.loc", "location /api/ {\n  proxy_pass http://backend;\n}\n", true},
		{"directive split over lines", "h.inc", "add_header Access-Control-Allow-Origin\n    $http_origin always;\nadd_header Vary Origin;\n", true},
		{"hash inside quotes is not a comment", "q.inc", "add_header X-Frag \"#top\";\nadd_header Vary Origin;\n", true},
		{"Apache file quoting nginx in comments", "site.conf",
			"# nginx: add_header Access-Control-Allow-Origin *;\n<VirtualHost *:443>\n  ServerName a.test\n  Header set Access-Control-Allow-Origin \"*\"\n</VirtualHost>\n", false},
		{"XML project file", "App/App.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n  </PropertyGroup>\n</Project>\n", false},
		{"XML with no telling name", "build.conf", "<?xml version=\"1.0\"?>\n<configuration>\n  <location path=\"x\">\n  </location>\n</configuration>\n", false},
		{"supervisord", "ops/supervisord.conf", "[program:api]\ncommand=/usr/bin/api --port 8080\nautorestart=true\n", false},
		{"prose with one nginx-looking line", "notes", "We moved the API.\nThe old box still runs\nlisten 80;\nuntil Friday.\n", false},
		{"prose starting with a directive's name", "notes.conf", "server_name is what I would write\n", false},
		{"prose lines starting with directive names", "todo", "listen to the on-call\nreturn the laptop\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(tt.path, []byte(tt.head)); got != tt.want {
				t.Errorf("Detect(%q) = %v, want %v (score %+v)", tt.path, got, tt.want, scoreStatements([]byte(tt.head)))
			}
		})
	}
}
