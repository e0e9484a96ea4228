package attack

import (
	"slices"
	"testing"
)

func BenchmarkZZParts(b *testing.B) {
	for _, expr := range []string{`example\.org$`, `https://*.example.com`, `^https://[a-z0-9-]+\.github\.io$`} {
		d := PCRE
		if expr[0] == 'h' && expr[5] == '/' && expr[8] == '*' {
			d = Glob
		}
		p := Prepare(expr, d, false)
		sources := slices.Concat(p.Intended(), p.Literals())
		never := func(string) bool { return false }
		b.Run(expr+"/dfa", func(b *testing.B) {
			for b.Loop() {
				p.autoDone = false
				p.automaton()
			}
		})
		b.Run(expr+"/ctx", func(b *testing.B) {
			for b.Loop() {
				ctx := newClassContext(sources, never)
				ctx.targets(nil)
			}
		})
		pat, _ := p.automaton()
		ctx := newClassContext(sources, never)
		ts := ctx.targets(nil)
		ts = slices.DeleteFunc(ts, func(t target) bool { return ctx.ruledOut(t, pat.suffix) })
		xs := make([]cx, len(ts))
		for i, t := range ts {
			xs[i] = t.x
		}
		b.Run(expr+"/nfa", func(b *testing.B) {
			for b.Loop() {
				newClassNFA(xs)
			}
		})
		cls := newClassNFA(xs)
		want := func(t int, w string) bool { return ctx.meansFor(ts[t].class, ts[t].src, w) }
		b.Run(expr+"/searchWarm", func(b *testing.B) {
			for b.Loop() {
				productSearch(pat, cls, uint64(1)<<len(ts)-1, want)
			}
		})
		b.Run(expr+"/searchCold", func(b *testing.B) {
			for b.Loop() {
				p.autoDone = false
				pat, _ := p.automaton()
				productSearch(pat, cls, uint64(1)<<len(ts)-1, want)
			}
		})
		b.Run(expr+"/all", func(b *testing.B) {
			for b.Loop() {
				p.autoDone = false
				automatonWitnessesOf(p.automaton, p.Matcher(), sources, never, nil, nil)
			}
		})
	}
}
