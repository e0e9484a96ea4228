package driver

import (
	"strings"
	"testing"
)

// FuzzRedactorString: the Redactor's shortcut (a string holding no secret
// is returned as it is) changes nothing: String gives what the replacer
// gives, for any secrets and any text, and a text it returns unchanged
// holds none of them.
func FuzzRedactorString(f *testing.F) {
	f.Add("Bearer tok-123456", "sid=cookie-abcdef", "x: Bearer tok-123456; sid=cookie-abcdef")
	f.Add("REDACT", "EDACTED", "REDACTED REDACT")
	f.Add("aaaaaa", "aaaaaaa", "aaaaaaaaaaaaa")
	f.Add("secret%20value", "", "/path?q=secret%20value&r=secret value")
	f.Fuzz(func(t *testing.T, a, b, text string) {
		if len(a)+len(b)+len(text) > 4<<10 {
			return
		}
		r := NewRedactor(a, b)
		got := r.String(text)
		want := text
		if r.Active() {
			want = r.r.Replace(text)
		}
		if got != want {
			t.Fatalf("String(%q) = %q, the replacer gives %q", text, got, want)
		}
		if got == text && r.Active() {
			for _, v := range r.values {
				if strings.Contains(text, v) {
					t.Fatalf("String(%q) kept the secret %q", text, v)
				}
			}
		}
	})
}
