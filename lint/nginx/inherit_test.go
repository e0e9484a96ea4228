package nginx

import (
	"testing"
)

// add_header inheritance: a level inherits all of its parent's add_header
// only when it declares none of its own.
func TestAddHeaderInheritance(t *testing.T) {
	tests := []struct {
		name        string
		conf        string
		scope       string
		wantHeaders []string
		wantDropped []string // header from <line> by <line>
	}{
		{name: "location without add_header inherits the server's",
			conf: `http {
server {
  server_name a.test;
  add_header Access-Control-Allow-Origin https://a.test always;
  location /api { proxy_pass http://app; }
}
}`,
			scope:       "location /api",
			wantHeaders: []string{`Access-Control-Allow-Origin: "https://a.test" always`}},
		{name: "location with its own add_header drops the server's CORS headers",
			conf: `http {
server {
  server_name a.test;
  add_header Access-Control-Allow-Origin https://a.test always;
  add_header Access-Control-Allow-Credentials true always;
  add_header Vary Origin;
  location /api {
    add_header X-Frame-Options DENY;
    proxy_pass http://app;
  }
}
}`,
			scope: "location /api",
			wantDropped: []string{"Access-Control-Allow-Origin from 4 by 8",
				"Access-Control-Allow-Credentials from 5 by 8", "Vary from 6 by 8"}},
		{name: "a header re-added by the location is not dropped",
			conf: `http {
add_header Access-Control-Allow-Origin *;
add_header Vary Origin;
server {
  location /api {
    add_header Access-Control-Allow-Origin https://a.test;
    return 200;
  }
}
}`,
			scope:       "location /api",
			wantHeaders: []string{`Access-Control-Allow-Origin: "https://a.test"`},
			wantDropped: []string{"Vary from 3 by 6"}},
		{name: "nested location inherits from the enclosing location",
			conf: `http {
server {
  location /api {
    add_header Access-Control-Allow-Origin *;
    location /api/v2 { proxy_pass http://app; }
  }
}
}`,
			scope:       "location /api > location /api/v2",
			wantHeaders: []string{`Access-Control-Allow-Origin: "*"`}},
		{name: "if with its own add_header in a location loses the location's CORS headers",
			conf: `http {
server {
  location /api {
    add_header Access-Control-Allow-Origin *;
    if ($request_uri ~ nocache) {
      add_header Cache-Control no-store;
      add_header Access-Control-Max-Age 0;
    }
    proxy_pass http://app;
  }
}
}`,
			scope:       "location /api > if ($request_uri ~ nocache)",
			wantHeaders: []string{`Access-Control-Max-Age: "0" if $request_uri ~ nocache`},
			wantDropped: []string{"Access-Control-Allow-Origin from 4 by 6"}},
		{name: "if on another method is its own pseudo-location",
			conf: `http {
server {
  location /api {
    if ($request_method = POST) {
      add_header Access-Control-Allow-Origin *;
    }
    proxy_pass http://app;
  }
}
}`,
			scope:       "location /api > if ($request_method = POST)",
			wantHeaders: []string{`Access-Control-Allow-Origin: "*" if $request_method = POST`}},
		{name: "more_set_headers does not take part in add_header inheritance",
			conf: `http {
more_set_headers "Access-Control-Allow-Origin: https://a.test";
server {
  location /api {
    add_header X-Frame-Options DENY;
    proxy_pass http://app;
  }
}
}`,
			scope:       "location /api",
			wantHeaders: []string{`Access-Control-Allow-Origin: "https://a.test" always`}},
		{name: "a header headers-more still sets is not dropped",
			conf: `http {
server {
  add_header Access-Control-Allow-Origin *;
  add_header Vary Origin;
  more_set_headers "Access-Control-Allow-Origin: *";
  location /api {
    add_header X-Frame-Options DENY;
    proxy_pass http://app;
  }
}
}`,
			scope:       "location /api",
			wantHeaders: []string{`Access-Control-Allow-Origin: "*" always`},
			wantDropped: []string{"Vary from 4 by 7"}},
		{name: "add_header_inherit merge keeps the parent's headers",
			conf: `http {
server {
  add_header Access-Control-Allow-Origin *;
  location /api {
    add_header_inherit merge;
    add_header X-Frame-Options DENY;
    proxy_pass http://app;
  }
}
}`,
			scope:       "location /api",
			wantHeaders: []string{`Access-Control-Allow-Origin: "*"`}},
		{name: "server-level policy exists when the server sends CORS headers",
			conf: `http {
add_header Access-Control-Allow-Origin *;
server {
  server_name a.test;
  add_header X-A 1;
  location / { return 200; }
}
}`,
			scope:       "server a.test",
			wantDropped: []string{"Access-Control-Allow-Origin from 2 by 5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := parseConf(t, tc.conf)
			equal(t, "diagnostics", diagnostics(res), nil)
			p := policy(t, res, tc.scope)
			equal(t, "headers", headers(p.Actual), tc.wantHeaders)
			equal(t, "dropped", dropped(p.Dropped), tc.wantDropped)
		})
	}
}

// Snippets linted on their own: conf.d files with bare server blocks,
// location-level snippets with bare add_header.
func TestSnippets(t *testing.T) {
	tests := []struct {
		name   string
		conf   string
		scopes []string
	}{
		{name: "conf.d file with a server block",
			conf:   "server {\n server_name api.test;\n location / { add_header Access-Control-Allow-Origin *; return 204; }\n}",
			scopes: []string{"server api.test > location /"}},
		{name: "server-level snippet with locations",
			conf:   "add_header Access-Control-Allow-Origin *;\nlocation /x { proxy_pass http://a; }",
			scopes: []string{"snippet nginx.conf", "snippet nginx.conf > location /x"}},
		{name: "location-level snippet with bare add_header",
			conf:   "add_header Access-Control-Allow-Origin $http_origin always;\nadd_header Access-Control-Allow-Credentials true always;",
			scopes: []string{"snippet nginx.conf"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := parseConf(t, tc.conf)
			equal(t, "diagnostics", diagnostics(res), nil)
			equal(t, "scopes", scopes(res), tc.scopes)
		})
	}
}

// The per-directive shortcuts of level.init agree with the lists they
// stand for.
func TestTrackedIndex(t *testing.T) {
	for i, name := range trackedNames {
		if got := trackedIndex(name); got != i {
			t.Errorf("trackedIndex(%q) = %d, want %d", name, got, i)
		}
	}
	for _, name := range []string{"add_header", "auth", "try_files_x", ""} {
		if got := trackedIndex(name); got != -1 {
			t.Errorf("trackedIndex(%q) = %d, want -1", name, got)
		}
	}
}

func TestMayHandle(t *testing.T) {
	for name := range handlers {
		if !mayHandle(name) {
			t.Errorf("mayHandle(%q) = false for a content handler", name)
		}
	}
}
