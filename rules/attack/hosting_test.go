package attack

import "testing"

func TestIsSharedHosting(t *testing.T) {
	tests := []struct {
		host   string
		suffix string
		ok     bool
	}{
		{"anyone.github.io", "github.io", true},
		{"Anyone.GitHub.io.", "github.io", true},
		{"x.herokuapp.com", "herokuapp.com", true},
		{"bucket.s3.amazonaws.com", "s3.amazonaws.com", true},
		{"s3.amazonaws.com", "s3.amazonaws.com", true}, // path-style buckets
		{"codepen.io", "codepen.io", true},
		{"jsfiddle.net", "jsfiddle.net", true},
		{"a.b.vercel.app", "vercel.app", true},
		{"github.io", "", false}, // the provider's own site
		{"api.github.com", "", false},
		{"example.com", "", false},
		{"notgithub.io", "", false},
		// From the Public Suffix List's private section, in no hand-kept list:
		{"tenant.web.core.windows.net", "web.core.windows.net", true},
		{"site.s3-website-us-east-1.amazonaws.com", "s3-website-us-east-1.amazonaws.com", true},
		{"f.lambda-url.eu-west-1.on.aws", "lambda-url.eu-west-1.on.aws", true},
		{"x.execute-api.us-east-1.amazonaws.com", "execute-api.us-east-1.amazonaws.com", true},
		{"svc.a.run.app", "a.run.app", true}, // PSL *.run.app: a.run.app is itself a suffix
		{"lambda-url.eu-west-1.on.aws", "", false},
		// Seed list only (the PSL does not list them):
		{"anyone.surge.sh", "surge.sh", true},
		{"anyone.glitch.me", "glitch.me", true},
		// Unlisted TLDs fall back to "*" in the PSL, which is not private:
		{"evil.test", "", false},
		{"127.0.0.1", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		suffix, ok := IsSharedHosting(tt.host)
		if suffix != tt.suffix || ok != tt.ok {
			t.Errorf("IsSharedHosting(%q) = %q, %v; want %q, %v", tt.host, suffix, ok, tt.suffix, tt.ok)
		}
	}
}

func TestRegistrableDomain(t *testing.T) {
	tests := []struct{ host, want string }{
		{"app.example.com", "example.com"},
		{"example.com", "example.com"},
		{"a.b.example.co.uk", "example.co.uk"},
		{"anyone.github.io", "anyone.github.io"}, // PSL private section
		{"evil.test", "evil.test"},
		{"github.io", "github.io"}, // a public suffix itself: unchanged
		{"localhost", "localhost"},
		{"127.0.0.1", "127.0.0.1"},
		{"[::1]", "[::1]"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RegistrableDomain(tt.host); got != tt.want {
			t.Errorf("RegistrableDomain(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

// serialise is what a browser puts in the Origin header for a page URL.
func TestSerialise(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://app.example.com", "https://app.example.com", true},
		{"HTTPS://APP.Example.COM", "https://app.example.com", true},
		{"https://example.com/", "https://example.com", true},
		{"https://example.com:443", "https://example.com", true},
		{"http://example.com:80/x?y#z", "http://example.com", true},
		{"https://example.com:8443", "https://example.com:8443", true},
		{"https://user:pw@example.com", "https://example.com", true},
		{"https://example.com.", "https://example.com.", true},
		{"http://2130706433", "http://127.0.0.1", true},
		{"http://0x7f000001", "http://127.0.0.1", true},
		{"http://0177.0.0.1", "http://127.0.0.1", true},
		{"http://127.1", "http://127.0.0.1", true},
		{"http://[0:0:0:0:0:0:0:1]", "http://[::1]", true},
		{"http://[::1]", "http://[::1]", true},
		{"https://www.exаmple.com", "https://www.xn--exmple-4nf.com", true},
		{"https://app_1.example.com", "https://app_1.example.com", true},
		{"null", "null", true},
		{"https://*.example.com", "", false},
		{"https://app.example.com`.evil.test", "", false},
		{"example.com", "", false},
		{"ftp://example.com", "", false},
		{"capacitor://localhost/index.html", "capacitor://localhost", true},
		{"CHROME-EXTENSION://ponmlkjihgfedcbaponmlkjihgfedcba/", "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba", true},
		{"safari-web-extension://6F1C2B3A-9D8E-4F7A-B6C5-D4E3F2A1B0C9/x", "safari-web-extension://6F1C2B3A-9D8E-4F7A-B6C5-D4E3F2A1B0C9", true},
		{"file:///etc/passwd", "", false},
		{"data://x", "", false},
		{"moz-extension://", "", false},
		{"https://example.1", "", false},
		{"http://256.0.0.1", "", false},
	}
	for _, tt := range tests {
		got, ok := serialise(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("serialise(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestClassesAndSendability(t *testing.T) {
	if len(Classes) != 23 {
		t.Fatalf("%d classes, ATTACKS.md has 23 rows (22 and the extension row of docs/measurements/trust.md)", len(Classes))
	}
	notSendable := map[Class]bool{Case: true, Whitespace: true, Empty: true, Userinfo: true, Port: true, TrailingDot: true}
	for i, c := range Classes {
		if c.order() != i {
			t.Errorf("%s: order %d, want %d", c, c.order(), i)
		}
		if c.BrowserSendable() == notSendable[c] {
			t.Errorf("%s: BrowserSendable() = %v", c, c.BrowserSendable())
		}
	}
	if Class("bogus").BrowserSendable() {
		t.Error("an unknown class is sendable")
	}
}

func TestObtainable(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"evil.test", true},
		{"app.example.com.evil.test", true},
		{"appxexample.com", true},
		{"anyone.github.io", true},
		{"evil.co.uk", true},
		{"examplexcom", false},
		{"app.examplexcom", false},
		{"co.uk", false},
		{"127.0.0.1", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Obtainable(tt.host); got != tt.want {
			t.Errorf("Obtainable(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}
