package apache

import (
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// TestHeaderTables: mod_headers' two tables (onsuccess, always) and the
// actions that add, merge, replace and remove entries.
func TestHeaderTables(t *testing.T) {
	cases := []struct {
		name       string
		body       string
		wantACAO   int // ACAO entries on the actual response
		wantAlways []bool
	}{
		{"set in both tables gives two headers on success", `Header set Access-Control-Allow-Origin "https://a.test"
Header always set Access-Control-Allow-Origin "https://a.test"
`, 2, []bool{false, true}},
		{"set twice in one table replaces", `Header set Access-Control-Allow-Origin "https://a.test"
Header set Access-Control-Allow-Origin "https://b.test"
`, 1, []bool{false}},
		{"append when present gives two values", `Header set Access-Control-Allow-Origin "https://a.test"
Header append Access-Control-Allow-Origin "https://b.test"
`, 2, []bool{false, false}},
		{"add always adds", `Header always add Access-Control-Allow-Origin "*"
Header always add Access-Control-Allow-Origin "*"
`, 2, []bool{true, true}},
		{"merge of the same value is a no-op", `Header set Access-Control-Allow-Origin "https://a.test"
Header merge Access-Control-Allow-Origin "https://a.test"
`, 1, []bool{false}},
		{"setifempty does not add a second", `Header set Access-Control-Allow-Origin "https://a.test"
Header setifempty Access-Control-Allow-Origin "https://b.test"
`, 1, []bool{false}},
		{"unset removes its own table", `Header always set Access-Control-Allow-Origin "*"
Header always unset Access-Control-Allow-Origin
`, 0, nil},
		{"near miss: unset (onsuccess) does not touch the always table", `Header always set Access-Control-Allow-Origin "*"
Header unset Access-Control-Allow-Origin
`, 1, []bool{true}},
		{"onsuccess / always keywords", `Header onsuccess set Access-Control-Allow-Origin "*"
`, 1, []bool{false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := parseConf(t, "site.conf", host(c.body))
			noDiagnostics(t, res)
			p := scope(t, res, vh)
			h := headers(p.Actual, rules.HeaderAllowOrigin)
			if len(h) != c.wantACAO {
				t.Fatalf("ACAO headers = %+v, want %d", h, c.wantACAO)
			}
			for i, a := range c.wantAlways {
				if h[i].Always != a {
					t.Fatalf("header %d always = %v, want %v", i, h[i].Always, a)
				}
			}
		})
	}
}

// TestMergeOrder: the effective headers of each scope follow httpd's merge
// order, and nested scopes that remove inherited CORS headers say so.
func TestMergeOrder(t *testing.T) {
	conf := `Header always set Access-Control-Allow-Methods "GET"
<Directory /var/www/api/v1>
    Header set Access-Control-Allow-Origin "https://deep.test"
</Directory>
<Directory /var/www>
    Header set Access-Control-Allow-Origin "https://shallow.test"
</Directory>
<VirtualHost *:443>
    ServerName api.example.com
    ServerAlias www.api.example.com
    DocumentRoot /var/www/api
    Header always set Access-Control-Allow-Credentials "true"
    <Location /v1>
        Header always unset Access-Control-Allow-Credentials
        Header set Access-Control-Allow-Origin "https://location.test"
    </Location>
    <Location /v2>
        Header unset Access-Control-Allow-Credentials
    </Location>
    <If "%{REQUEST_URI} =~ m#^/beta#">
        Header set Access-Control-Allow-Origin "https://beta.test"
    </If>
</VirtualHost>
<VirtualHost *:80>
    ServerName plain.example.com
    DocumentRoot /var/www/api/v1
</VirtualHost>
`
	res := parseConf(t, "httpd.conf", conf)
	noDiagnostics(t, res)

	t.Run("vhost sees server config and the Directory covering its DocumentRoot", func(t *testing.T) {
		p := scope(t, res, vh)
		if o := onlyOrigin(t, p.Actual); o.Values[0] != "https://shallow.test" {
			t.Fatalf("rule = %+v", o)
		}
		if len(headers(p.Actual, rules.HeaderAllowMethods)) != 1 || len(headers(p.Actual, rules.HeaderAllowCredentials)) != 1 {
			t.Fatalf("headers = %+v", p.Actual.Headers)
		}
		if p.HTTPS != rules.Known || len(p.Hosts) != 2 || p.Hosts[0] != "api.example.com" || p.Hosts[1] != "www.api.example.com" {
			t.Fatalf("https %v hosts %v", p.HTTPS, p.Hosts)
		}
		if p.Scope.Range.Line != 8 || p.Scope.Range.EndLine != 23 {
			t.Fatalf("range = %+v", p.Scope.Range)
		}
	})
	t.Run("Location merges after Directory and replaces in its table", func(t *testing.T) {
		p := scope(t, res, vh+" > Location /v1")
		if o := onlyOrigin(t, p.Actual); o.Values[0] != "https://location.test" {
			t.Fatalf("rule = %+v", p.Actual.Origins)
		}
		if len(p.Dropped) != 1 || p.Dropped[0].Header != rules.HeaderAllowCredentials || p.Dropped[0].Inherited.Range.Line != 12 || p.Dropped[0].DroppedBy.Range.Line != 14 {
			t.Fatalf("dropped = %+v", p.Dropped)
		}
	})
	t.Run("near miss: an onsuccess unset does not drop an always header", func(t *testing.T) {
		p := scope(t, res, vh+" > Location /v2")
		if len(p.Dropped) != 0 || len(headers(p.Actual, rules.HeaderAllowCredentials)) != 1 {
			t.Fatalf("dropped %+v headers %+v", p.Dropped, p.Actual.Headers)
		}
	})
	t.Run("a path-like If is its own scope, merged last", func(t *testing.T) {
		p := scope(t, res, vh+` > If %{REQUEST_URI} =~ m#^/beta#`)
		if o := onlyOrigin(t, p.Actual); o.Values[0] != "https://beta.test" {
			t.Fatalf("rule = %+v", p.Actual.Origins)
		}
	})
	t.Run("deeper Directory applies after the shallower one regardless of file order", func(t *testing.T) {
		p := scope(t, res, "VirtualHost *:80 plain.example.com")
		if o := onlyOrigin(t, p.Actual); o.Values[0] != "https://deep.test" {
			t.Fatalf("rule = %+v", p.Actual.Origins)
		}
		if p.HTTPS != rules.Absent {
			t.Fatalf("https = %v", p.HTTPS)
		}
	})
	t.Run("server-config sections covered by a vhost are not reported twice", func(t *testing.T) {
		for _, p := range res.Policies {
			if p.Scope.Name == "server config > Directory /var/www" {
				t.Fatal("covered Directory reported on its own")
			}
		}
	})
}

// TestScopes: which scopes become policies and how they are named.
func TestScopes(t *testing.T) {
	cases := []struct {
		name string
		conf string
		want []string
	}{
		{"server config alone", `Header set Access-Control-Allow-Origin "*"
`, []string{"server config"}},
		{"vhost without CORS still has a policy", `<VirtualHost 10.0.0.1:8080>
DocumentRoot /srv
</VirtualHost>
`, []string{"VirtualHost 10.0.0.1:8080"}},
		{"sections without CORS facts are not scopes", host(`<Directory /srv>
    Options -Indexes
</Directory>
<FilesMatch "\.(woff2?|ttf)$">
    Header set Access-Control-Allow-Origin "*"
</FilesMatch>
`), []string{vh, vh + ` > FilesMatch \.(woff2?|ttf)$`}},
		{"origin and method Ifs fold into their scope", host(`<Location /api>
    <If "%{HTTP:Origin} == 'https://a.test'">
        Header set Access-Control-Allow-Origin "https://a.test"
    </If>
</Location>
`), []string{vh, vh + " > Location /api"}},
		{"section that only adds auth to a CORS scope is a scope", host(`Header set Access-Control-Allow-Origin "*"
<Location /admin>
    AuthType Basic
    Require valid-user
</Location>
`), []string{vh, vh + " > Location /admin"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := parseConf(t, "site.conf", c.conf)
			noDiagnostics(t, res)
			var got []string
			for _, p := range res.Policies {
				got = append(got, p.Scope.Name)
				if p.Format != "apache" {
					t.Fatalf("format = %q", p.Format)
				}
			}
			if len(got) != len(c.want) {
				t.Fatalf("scopes = %q, want %q", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("scopes = %q, want %q", got, c.want)
				}
			}
		})
	}
}
