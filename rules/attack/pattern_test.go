package attack

import (
	"fmt"
	"reflect"
	"testing"
)

// A prepared pattern parses and compiles once, but answers every analysis
// exactly as the one-shot functions do, in every dialect and with either
// case flag: patterns that Go parses, PCRE-only ones, ones that never
// match, do not compile or accept anything.
func TestPreparedPatternAnswersLikeTheOneShotAnalyses(t *testing.T) {
	exprs := []string{
		`^https://app\.example\.com`, `example\.com$`, `(example.com)`, `^https://app.example.com$`,
		`^https?://app\.example\.com$`, `^https://([a-z0-9-]+\.)*example\.com$`, `^https://(.*\.)?example.com`,
		`^https://[a-z0-9-]+\.github\.io$`, `^https://pr-[0-9]+\.preview.example\.com$`,
		`^https?://(localhost|.*\.example\.com)(:[0-9]+)?$`, `^https://[a-z0-9-]+stats.*example\.org$`,
		`^(https://app\.example\.com|https://admin\.example\.com|https://partner.example.org|http://localhost:3000)$`,
		`http(s)?://(www\.)?(example.com|staging.example.com|partner.example.org)$`,
		`https://*.example.com`, `^https://App\.example\.com$`, `^https://example\.com/$`,
		`^https://(?!admin)[a-z]+\.example\.com$`, `^https://(?=app)[a-z]+\.example\.com/$`,
		`(?P<x>a)(?P=x)`, `^https://(a|b`, `.*`, `~* (.*\.$base_domain)`, `^null$`, `^moz-extension://`,
	}
	trusted := []string{"https://app.example.com"}
	for _, expr := range exprs {
		for d := range Dialect(3) {
			for _, ci := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/ci=%v", expr, d, ci), func(t *testing.T) {
					p := Prepare(expr, d, ci)
					m, err := Compile(expr, d, ci)
					if (err == nil) != (p.Err() == nil) {
						t.Fatalf("Err() = %v, Compile's error = %v", p.Err(), err)
					}
					if got, want := p.Literals(), Literals(expr, d); !reflect.DeepEqual(got, want) {
						t.Errorf("Literals() = %q, want %q", got, want)
					}
					if got, want := p.Intended(), Intended(expr, d); !reflect.DeepEqual(got, want) {
						t.Errorf("Intended() = %q, want %q", got, want)
					}
					never, why := p.NeverMatches()
					wantNever, wantWhy := NeverMatches(expr, d, ci)
					if never != wantNever || why != wantWhy {
						t.Errorf("NeverMatches() = %v %q, want %v %q", never, why, wantNever, wantWhy)
					}
					if got, want := p.DotWitnesses(), DotWitnesses(expr, d); !reflect.DeepEqual(got, want) {
						t.Errorf("DotWitnesses() = %q, want %q", got, want)
					}
					if err != nil {
						return
					}
					got, gotErr := p.SearchWitnesses(trusted)
					want, wantErr := SearchPattern(m, expr, d, ci, trusted, Literals(expr, d))
					if !reflect.DeepEqual(got, want) || (gotErr == nil) != (wantErr == nil) {
						t.Errorf("SearchWitnesses() = %v, %v; want %v, %v", got, gotErr, want, wantErr)
					}
					// Searching again reuses the automaton's states and
					// must not change the answer.
					if again, _ := p.SearchWitnesses(trusted); !reflect.DeepEqual(again, got) {
						t.Errorf("second SearchWitnesses() = %v, first %v", again, got)
					}
				})
			}
		}
	}
}
