package attack

import (
	"slices"
	"testing"
)

func TestDotWitnesses(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`^https://pr-[0-9]+\.preview.example\.com$`, []string{"https://pr-0.previewxexample.com"}},
		{`^https://app.example.com$`, []string{"https://appxexample.com", "https://app.examplexcom"}},
		{`(example.com)`, []string{"examplexcom"}},
		{`^https://(www\.)?api.example\.com$`, []string{"https://apixexample.com"}},
		{`^https://(app|admin).example\.com$`, []string{"https://appxexample.com"}},
		// Near misses: nothing to escape.
		{`^https://app\.example\.com$`, nil},
		{`^https://.*\.example\.com$`, nil},
		{`^https://(.+\.)?example\.com$`, nil},
		{`(?<=x)y`, nil}, // not RE2 syntax: no sample, no guess
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got := DotWitnesses(tt.expr, PCRE)
			if !slices.Equal(got, tt.want) {
				t.Errorf("DotWitnesses(%q) = %q, want %q", tt.expr, got, tt.want)
			}
			m, err := Compile(tt.expr, PCRE, false)
			if err != nil {
				return
			}
			for _, w := range got {
				if ok, _ := m.Match(w); !ok {
					t.Errorf("witness %q is not accepted by its own pattern", w)
				}
			}
		})
	}
}
