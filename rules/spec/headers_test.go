package spec

import (
	"fmt"
	"net/http"
	"testing"
)

// headerNamed finds a name's values exactly as grouping every header does:
// any key spelling, keys in sorted order, non-ASCII names lower-cased the
// way strings.ToLower does (U+212A KELVIN SIGN becomes k; U+017F LONG S
// stays itself).
func TestHeaderNamedAgreesWithGrouping(t *testing.T) {
	h := http.Header{
		"Access-Control-Allow-Origin": {"https://a.example"},
		"access-control-allow-origin": {"https://b.example"},
		"ACCESS-CONTROL-ALLOW-ORIGIN": {"x", "y"},
		"Vary":                        {"Origin"},
		"X-\u212Aey":                  {"kelvin"},
		"X-\u017Fey":                  {"long s"},
		"Empty":                       {},
	}
	_, groups := headerGroups(h)
	for _, name := range []string{"access-control-allow-origin", "vary", "x-key", "x-\u017Fey", "x-sey", "empty", "absent", "access-control-allow-originx", "access-control-allow-origi"} {
		got, want := fmt.Sprint(headerNamed(h, name)), fmt.Sprint(groups[name])
		if got != want {
			t.Errorf("%q: %s, want %s", name, got, want)
		}
	}
}
