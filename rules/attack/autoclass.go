package attack

import (
	"regexp"
	"slices"
	"strings"
)

// The attack classes the automaton search decides, as anchored expressions
// over a source origin (scheme S, host H, registrable domain R, port P):
// each describes every serialised origin of the class that an attacker can
// obtain, under a public suffix (witnesses use the source's own top-level
// label or a few common ones; .test stands for any).
//
//	post-domain         S://H.(label.)*label.TLD P
//	no-dot-post-domain  S://H[a-z0-9-]+(.label)*.TLD P
//	pre-domain          S://(label.)*[a-z0-9-]+R P
//	sibling-subdomain   S://[a-z]+.R P
//	nested-subdomain    S://[a-z]+.H P            (H a subdomain of R)
//
// A subdomain witness has a label of letters only: "any subdomain" means a
// name the attacker picks, not one of a family the pattern spells
// (pr-[0-9]+\.preview\.example\.com trusts pull-request previews, not
// every name).
//
// The classes with finitely many members (downgrade, unescaped dot,
// substring, shared hosting, localhost, IP literals, special characters)
// are tested exactly by Search's candidates and need no automaton.
const autoLabel = `[a-z0-9](?:[a-z0-9-]*[a-z0-9])?`

// autoTLDs are the top-level labels witnesses may end in, besides the
// source's own.
var autoTLDs = []string{"test", "com", "org", "net", "io"}

type autoClass struct {
	class Class
	expr  string
}

// autoClasses returns the class expressions for one source.
func autoClasses(o origin) []autoClass {
	if isIP(o.host) || strings.HasPrefix(o.host, "[") {
		return nil
	}
	h := regexp.QuoteMeta(o.host)
	p := ""
	if o.port != "" {
		p = regexp.QuoteMeta(":" + o.port)
	}
	tlds := slices.Clone(autoTLDs)
	if last := lastLabel(o.host); last != "" && !slices.Contains(tlds, last) {
		tlds = append([]string{last}, tlds...)
	}
	tld := `(?:` + strings.Join(tlds, "|") + `)`
	s := "^" + o.scheme + "://"
	out := []autoClass{
		{PostDomain, s + h + `\.(?:` + autoLabel + `\.)*` + autoLabel + `\.` + tld + p + `$`},
		{NoDotPostDomain, s + h + `[a-z0-9-]+(?:\.` + autoLabel + `)*\.` + tld + p + `$`},
	}
	if !strings.Contains(o.host, ".") {
		return out
	}
	reg := RegistrableDomain(o.host)
	r := regexp.QuoteMeta(reg)
	out = append(out,
		autoClass{PreDomain, s + `(?:` + autoLabel + `\.)*[a-z0-9-]+` + r + p + `$`},
		autoClass{SiblingSubdomain, s + `[a-z]+\.` + r + p + `$`},
	)
	if reg != o.host {
		out = append(out, autoClass{NestedSubdomain, s + `[a-z]+\.` + h + p + `$`})
	}
	return out
}

// maxAutoSources bounds how many sources the automaton search expands.
const maxAutoSources = 8

// automatonWitnesses returns, for each source and each automaton class not
// in skip, the shortest most readable origin of the class that the pattern
// accepts, verified with m (the real engine). It returns nothing for
// patterns Go's parser cannot read (lookarounds, backreferences): those
// rely on Search's candidates alone.
//
// A witness must be what its class means, not only what its expression
// says: outside every registrable domain the sources name for the
// post-domain and pre-domain classes (https://example.com.example.com is a
// subdomain), not starting with the source host for pre-domain and not
// ending with its registrable domain for post-domain (both are the other
// class), under the source's registrable domain with a label the pattern
// does not name for the subdomain classes (admin.example.com in
// (app|admin)\.example\.com is listed, not "any subdomain"), never on
// shared hosting (its own class), never trusted and never a witness Search
// already has.
func automatonWitnesses(expr string, d Dialect, ci bool, m Matcher, sources []string, isTrusted func(string) bool, have map[string]bool, skip map[Class]bool) ([]Witness, error) {
	pat, err := patternDFA(expr, d, ci)
	if err != nil {
		return nil, nil
	}
	var parsed []origin
	var from []string
	regs := map[string]bool{}
	named := map[string]bool{} // labels the pattern's literals spell
	for _, src := range sources {
		if o, ok := parseSource(src); ok && len(parsed) < maxAutoSources {
			parsed = append(parsed, o)
			from = append(from, src)
			regs[RegistrableDomain(o.host)] = true
			for _, l := range strings.Split(o.host, ".") {
				named[l] = true
			}
		}
	}
	under := func(host, reg string) bool { return host == reg || strings.HasSuffix(host, "."+reg) }
	var out []Witness
	for i, o := range parsed {
		reg := RegistrableDomain(o.host)
		for _, ac := range autoClasses(o) {
			if skip[ac.class] {
				continue
			}
			cls, err := compileDFA(ac.expr, false, false)
			if err != nil {
				continue
			}
			want := func(w string) bool {
				if isTrusted(w) || have[w] {
					return false
				}
				wo, ok := parseSource(w)
				if !ok || wo.String() != w {
					return false
				}
				if _, shared := IsSharedHosting(wo.host); shared {
					return false
				}
				switch ac.class {
				case SiblingSubdomain, NestedSubdomain:
					first, _, _ := strings.Cut(wo.host, ".")
					return wo.host != o.host && under(wo.host, reg) && !named[first]
				case PreDomain:
					if strings.HasPrefix(wo.host, o.host) {
						return false
					}
				default:
					if strings.HasSuffix(wo.host, reg) {
						return false
					}
				}
				for r := range regs {
					if under(wo.host, r) {
						return false
					}
				}
				return Obtainable(wo.host)
			}
			w, found, _ := shortestCommon([]*dfa{pat, cls}, want)
			if !found {
				continue
			}
			ok, err := m.Match(w)
			if err != nil {
				return out, err
			}
			if ok {
				out = append(out, Witness{Origin: w, Class: ac.class, From: from[i]})
			}
		}
	}
	return out, nil
}

// patternDFA is the pattern's search automaton, or an error when Go's
// parser does not read it.
func patternDFA(expr string, d Dialect, ci bool) (*dfa, error) {
	switch d {
	case Glob:
		parts := strings.Split(expr, "*")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		return compileDFA(`(?s)\A`+strings.Join(parts, ".*")+`\z`, ci, false)
	default:
		return compileDFA(expr, ci, true)
	}
}
