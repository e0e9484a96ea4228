package spec

import (
	"strings"
	"testing"
)

// Serialised origins as the URL standard writes them (and the values that
// cors/origin.htm expects to pass the byte-for-byte comparison): ParseOrigin
// accepts them and String gives them back unchanged.
var validOrigins = []struct {
	in   string
	want Origin
}{
	{"https://example.com", Origin{Scheme: "https", Host: "example.com"}},
	{"http://example.com", Origin{Scheme: "http", Host: "example.com"}},
	{"http://" + wptHost, Origin{Scheme: "http", Host: "web-platform.test", Port: 8000}},
	{"https://example.com:8443", Origin{Scheme: "https", Host: "example.com", Port: 8443}},
	{"http://example.com:443", Origin{Scheme: "http", Host: "example.com", Port: 443}},
	{"null", Origin{Opaque: true}},
	{"http://127.0.0.1", Origin{Scheme: "http", Host: "127.0.0.1"}},
	{"http://127.0.0.1:3000", Origin{Scheme: "http", Host: "127.0.0.1", Port: 3000}},
	{"http://[::1]", Origin{Scheme: "http", Host: "[::1]"}},
	{"http://[::1]:8080", Origin{Scheme: "http", Host: "[::1]", Port: 8080}},
	{"http://[2001:db8::1]", Origin{Scheme: "http", Host: "[2001:db8::1]"}},
	{"https://xn--lve-6lad.example", Origin{Scheme: "https", Host: "xn--lve-6lad.example"}},
	{"https://xn--bcher-kva.example", Origin{Scheme: "https", Host: "xn--bcher-kva.example"}},
	{"chrome-extension://abcdefghijklmnopabcdefghijklmnop", Origin{Scheme: "chrome-extension", Host: "abcdefghijklmnopabcdefghijklmnop"}},
	{"capacitor://localhost", Origin{Scheme: "capacitor", Host: "localhost"}},
	// An app or extension scheme's host is opaque: its case is kept, and
	// Safari writes extension UUIDs in upper case.
	{"safari-web-extension://6F1C2B3A-9D8E-4F7A-B6C5-D4E3F2A1B0C9", Origin{Scheme: "safari-web-extension", Host: "6F1C2B3A-9D8E-4F7A-B6C5-D4E3F2A1B0C9"}},
	{"moz-extension://6f1c2b3a-9d8e-4f7a-b6c5-d4e3f2a1b0c9", Origin{Scheme: "moz-extension", Host: "6f1c2b3a-9d8e-4f7a-b6c5-d4e3f2a1b0c9"}},
	{"ionic://localhost", Origin{Scheme: "ionic", Host: "localhost"}},
	{"tauri://localhost", Origin{Scheme: "tauri", Host: "localhost"}},
	{"wss://socket.example", Origin{Scheme: "wss", Host: "socket.example"}},
	{"https://a_b.example", Origin{Scheme: "https", Host: "a_b.example"}},
	{"https://example.com.", Origin{Scheme: "https", Host: "example.com."}},
}

func TestParseOrigin_Valid(t *testing.T) {
	for _, tc := range validOrigins {
		got, err := ParseOrigin(tc.in)
		if err != nil {
			t.Errorf("ParseOrigin(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseOrigin(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("ParseOrigin(%q).String() = %q", tc.in, got.String())
		}
		if !IsSerialisedOrigin(tc.in) {
			t.Errorf("IsSerialisedOrigin(%q) = false", tc.in)
		}
	}
}

// Values that configurations put where an origin belongs but that no browser
// ever sends. The error must name the mistake so the linter can quote it.
var invalidOrigins = []struct {
	in   string
	says string
}{
	{"", "empty"},
	{"*", "wildcard"},
	{"NULL", `lower-case "null"`},
	{"https://example.com/", "trailing slash"},
	{"https://example.com/app", "path"},
	{"https://example.com?", "query"},
	{"https://example.com#", "fragment"},
	{"https://example.com:443", "default port"},
	{"http://example.com:80", "default port"},
	{"https://Example.com", "lower-case"},
	{"HTTPS://example.com", "scheme"},
	{" https://example.com", "whitespace"},
	{"https://example.com\t", "whitespace"},
	{`"https://example.com"`, "quotes"},
	{"'https://example.com'", "quotes"},
	{"https://a.example, https://b.example", "list"},
	{"https://a.example https://b.example", "list"},
	{"https://user:pass@example.com", "userinfo"},
	{"https://user@example.com/", "userinfo"},
	{"example.com", "missing scheme"},
	{"//example.com", "missing scheme"},
	{"https://*.example.com", "'*'"},
	{"https://", "empty host"},
	{"https://example.com:", "empty port"},
	{"https://example.com:08443", "leading zeros"},
	{"https://example.com:99999", "out of range"},
	{"https://example.com:0", "port 0"},
	{"https://example.com:abc", "invalid port"},
	{"http://[::0001]", "serialised form"},
	{"http://[0:0:0:0:0:0:0:1]", "serialised form"},
	{"http://[::ffff:1.2.3.4]", "serialised form"},
	{"http://[::1", "unterminated"},
	{"http://[fe80::1%25eth0]", "zone"},
	{"http://0x7f.1", "serialised form"},
	{"http://127.1", "serialised form"},
	{"http://256.0.0.1", "out of range"},
	{"https://bücher.example", "Punycode"},
	{"https://xn--zz.example", "Punycode"},
	{"file://", "opaque"},
	{"data:text/html", "opaque origin"},
	{"about:blank", "opaque origin"},
	{"1http://example.com", "invalid scheme"},
	{"https://exa%6dple.com", "forbidden character"},
	{"https://example.com\x00", "control character"},
}

func TestParseOrigin_Invalid(t *testing.T) {
	for _, tc := range invalidOrigins {
		_, err := ParseOrigin(tc.in)
		if err == nil {
			t.Errorf("ParseOrigin(%q) accepted", tc.in)
			continue
		}
		if !strings.Contains(err.Error(), tc.says) {
			t.Errorf("ParseOrigin(%q) = %q, want it to mention %q", tc.in, err, tc.says)
		}
		if IsSerialisedOrigin(tc.in) {
			t.Errorf("IsSerialisedOrigin(%q) = true", tc.in)
		}
	}
}

// What a browser puts in the Origin header for a page at a URL (URL standard
// "origin" of a URL, host parser and serialiser).
var originOfURLVectors = []struct {
	url  string
	want string
}{
	{"https://example.com/path?q#f", "https://example.com"},
	{"https://EXAMPLE.com/", "https://example.com"},
	{"HTTPS://example.com", "https://example.com"},
	{"https://example.com:443/", "https://example.com"},
	{"https://example.com:0443/", "https://example.com"},
	{"http://example.com:8080/", "http://example.com:8080"},
	{"https://user:pw@example.com/", "https://example.com"},
	{"http://[::1]:3000/", "http://[::1]:3000"},
	{"http://[0:0:0:0:0:0:0:1]/", "http://[::1]"},
	{"http://[2001:DB8:0:0:1:0:0:1]/", "http://[2001:db8::1:0:0:1]"},
	{"http://[::ffff:192.0.2.1]/", "http://[::ffff:c000:201]"},
	{"http://0x7f.1/", "http://127.0.0.1"},
	{"http://2130706433/", "http://127.0.0.1"},
	{"http://0177.0.0.1/", "http://127.0.0.1"},
	{"https://bücher.example/", "https://xn--bcher-kva.example"},
	{"https://BÜCHER.example/", "https://xn--bcher-kva.example"},
	{"https://élève.example/", "https://xn--lve-6lad.example"},
	{"https://evil.test\\@good.test/", "https://evil.test"},
	{"file:///etc/passwd", "null"},
	{"data:text/html,<script>fetch('//x')</script>", "null"},
	{"about:blank", "null"},
	{"blob:https://example.com/8b1a9953-c461", "https://example.com"},
	{"blob:null/8b1a9953", "null"},
	{"chrome-extension://abcdefghijklmnop/popup.html", "chrome-extension://abcdefghijklmnop"},
	{"capacitor://localhost/index.html", "capacitor://localhost"},
	{"safari-web-extension://6F1C2B3A-9D8E-4F7A-B6C5-D4E3F2A1B0C9/popup.html", "safari-web-extension://6F1C2B3A-9D8E-4F7A-B6C5-D4E3F2A1B0C9"},
	{"  https://example.com/  ", "https://example.com"},
	{"wss://example.com:443/socket", "wss://example.com"},
}

func TestOriginOfURL(t *testing.T) {
	for _, tc := range originOfURLVectors {
		got, err := OriginOfURL(tc.url)
		if err != nil {
			t.Errorf("OriginOfURL(%q): %v", tc.url, err)
			continue
		}
		if got.String() != tc.want {
			t.Errorf("OriginOfURL(%q) = %q, want %q", tc.url, got.String(), tc.want)
		}
		if !IsSerialisedOrigin(got.String()) {
			t.Errorf("OriginOfURL(%q) = %q is not a serialised origin", tc.url, got)
		}
	}
}

func TestOriginOfURL_Errors(t *testing.T) {
	for _, in := range []string{"", "example.com", "https://", "http://256.256.256.256/", "https://example.com:99999/", "http://[::1/"} {
		if o, err := OriginOfURL(in); err == nil {
			t.Errorf("OriginOfURL(%q) = %q, want an error", in, o)
		}
	}
}

// Serialisation drops the scheme's default port even when a caller spells it
// out, and the opaque origin is "null".
func TestOriginString(t *testing.T) {
	tests := []struct {
		o    Origin
		want string
	}{
		{Origin{Scheme: "https", Host: "a.test", Port: 443}, "https://a.test"},
		{Origin{Scheme: "https", Host: "a.test", Port: 80}, "https://a.test:80"},
		{Origin{Scheme: "http", Host: "a.test"}, "http://a.test"},
		{Origin{Opaque: true, Scheme: "https", Host: "ignored"}, "null"},
		{Origin{}, ""},
	}
	for _, tc := range tests {
		if got := tc.o.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.o, got, tc.want)
		}
	}
}

func TestDefaultPort(t *testing.T) {
	for scheme, want := range map[string]int{"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21, "HTTPS": 443, "chrome-extension": 0, "file": 0} {
		if got := DefaultPort(scheme); got != want {
			t.Errorf("DefaultPort(%q) = %d, want %d", scheme, got, want)
		}
	}
}

// RFC 3492 section 7.1 sample strings plus everyday labels.
func TestPunycode(t *testing.T) {
	tests := []struct{ unicode, ascii string }{
		{"bücher", "bcher-kva"},
		{"élève", "lve-6lad"},
		{"münchen", "mnchen-3ya"},
		{"他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"},
		{"3年b組金八先生", "3b-ww4c5e180e575a65lsy2b"},
		{"ليهمابتكلموشعربي؟", "egbpdaj6bu4bxfgehfvwxn"},
	}
	for _, tc := range tests {
		enc, err := punycodeEncode(tc.unicode)
		if err != nil || enc != tc.ascii {
			t.Errorf("encode(%q) = %q, %v; want %q", tc.unicode, enc, err, tc.ascii)
		}
		dec, err := punycodeDecode(tc.ascii)
		if err != nil || dec != tc.unicode {
			t.Errorf("decode(%q) = %q, %v; want %q", tc.ascii, dec, err, tc.unicode)
		}
	}
}
