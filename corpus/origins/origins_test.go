package origins

import (
	"slices"
	"strings"
	"testing"
)

func TestSeedLists(t *testing.T) {
	tests := []struct {
		name string
		list []string
		must []string
	}{
		{"suffixes", SharedHostingSuffixes(), []string{"github.io", "herokuapp.com", "vercel.app", "netlify.app", "pages.dev", "azurewebsites.net", "cloudfront.net", "s3.amazonaws.com", "appspot.com", "web.app", "ngrok.io"}},
		{"hosts", SharedHostingHosts(), []string{"codepen.io", "jsfiddle.net"}},
		{"localhost", Localhost(), []string{"http://localhost", "http://127.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, m := range tt.must {
				if !slices.Contains(tt.list, m) {
					t.Errorf("%s lacks %q", tt.name, m)
				}
			}
			seen := map[string]bool{}
			for _, e := range tt.list {
				if seen[e] {
					t.Errorf("duplicate entry %q", e)
				}
				seen[e] = true
				if strings.ContainsAny(e, " \t*#") || e != strings.ToLower(e) {
					t.Errorf("malformed entry %q", e)
				}
			}
		})
	}
}
