package observe

import (
	"sort"
	"strings"

	"github.com/corsguard/corsguard/rules"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// Render writes a policy in the stable textual form used for diffs: one
// fact per line, sorted within each section, list headers split into one
// item per line (so a diff shows the one method that differs), evidence and
// statuses left out (204 and 200 grant the same). Only the headers that
// matter for each kind of response are rendered: origins, credentials,
// exposed headers and Vary for actual responses; origins, credentials,
// methods, request headers, max-age and private network for preflights.
func Render(p rules.Policy) string {
	var lines []string
	lines = append(lines, section("actual", p.Actual, []string{
		rules.HeaderAllowCredentials, rules.HeaderExposeHeaders, rules.HeaderVary})...)
	pre := "preflight: " + p.Preflight.Kind.String()
	var body []string
	if p.Preflight.Kind == rules.PreflightAnswered || p.Preflight.Kind == rules.PreflightUnknown {
		body = section("preflight", p.Preflight.Grant, []string{
			rules.HeaderAllowCredentials, rules.HeaderAllowMethods, rules.HeaderAllowHeaders,
			rules.HeaderMaxAge, rules.HeaderAllowPNA})
	}
	lines = append(lines, pre)
	lines = append(lines, body...)
	return strings.Join(lines, "\n") + "\n"
}

var labels = map[string]string{
	rules.HeaderAllowCredentials: "credentials",
	rules.HeaderExposeHeaders:    "expose",
	rules.HeaderVary:             "vary",
	rules.HeaderAllowMethods:     "method",
	rules.HeaderAllowHeaders:     "request-header",
	rules.HeaderMaxAge:           "max-age",
	rules.HeaderAllowPNA:         "private-network",
}

func section(name string, g rules.Grant, headers []string) []string {
	var out []string
	add := func(s string) { out = append(out, name+" "+s) }
	for _, o := range g.Origins {
		switch o.Kind {
		case rules.OriginAny:
			add("origin: *")
		case rules.OriginReflect:
			add("origin: (reflects any Origin)")
		case rules.OriginList:
			for _, v := range o.Values {
				if o.Echo {
					add("origin: " + v)
				} else {
					add("origin-literal: " + v)
				}
			}
		case rules.OriginPattern:
			if o.Pattern != nil {
				add("origin-pattern: " + o.Pattern.Dialect.String() + " " + o.Pattern.Expr)
			}
		case rules.OriginUnknown:
			add("origin: (unknown: " + o.Reason + ")")
		}
	}
	for _, h := range headers {
		label := labels[h]
		for _, hv := range g.Find(h) {
			v := hv.Value
			switch {
			case v.State == rules.Unknown:
				add(label + ": (unknown: " + v.Reason + ")")
			case v.State == rules.Absent:
			case v.Reflects != "":
				add(label + ": (reflects " + v.Reflects + ")")
			default:
				for _, item := range items(h, v.Literal) {
					add(label + ": " + item)
				}
			}
		}
	}
	sort.Strings(out)
	return dedupe(out)
}

// items splits list headers; request-header names and Vary compare
// case-insensitively, methods case-sensitively.
func items(h, v string) []string {
	switch h {
	case rules.HeaderAllowMethods, rules.HeaderAllowHeaders, rules.HeaderExposeHeaders, rules.HeaderVary:
		var out []string
		for _, it := range strings.Split(v, ",") {
			it = strings.TrimSpace(it)
			if it == "" {
				continue
			}
			if h != rules.HeaderAllowMethods {
				it = strings.ToLower(it)
			}
			out = append(out, it)
		}
		return out
	}
	return []string{strings.TrimSpace(v)}
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// Line is one line of a diff.
type Line struct {
	Op   byte   // ' ' both, '-' expected only, '+' observed only
	Text string // as rendered, without the op
}

// DiffLines compares two rendered policies line by line with go-diff.
func DiffLines(expected, observed string) []Line {
	dmp := diffmatchpatch.New()
	a, b, table := dmp.DiffLinesToChars(expected, observed)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), table)
	var out []Line
	for _, d := range diffs {
		op := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = '-'
		case diffmatchpatch.DiffInsert:
			op = '+'
		}
		for _, l := range strings.Split(strings.TrimSuffix(d.Text, "\n"), "\n") {
			out = append(out, Line{Op: op, Text: l})
		}
	}
	return out
}

// Format renders diff lines as a unified-style text with context lines
// around each change; "" when nothing differs.
func Format(lines []Line, expectedName, observedName string, context int) string {
	changed := false
	for _, l := range lines {
		if l.Op != ' ' {
			changed = true
			break
		}
	}
	if !changed {
		return ""
	}
	keep := make([]bool, len(lines))
	for i, l := range lines {
		if l.Op == ' ' {
			continue
		}
		for j := max(0, i-context); j <= min(len(lines)-1, i+context); j++ {
			keep[j] = true
		}
	}
	var b strings.Builder
	b.WriteString("--- " + expectedName + "\n+++ " + observedName + "\n")
	skipped := false
	for i, l := range lines {
		if !keep[i] {
			skipped = true
			continue
		}
		if skipped {
			b.WriteString("@@\n")
			skipped = false
		}
		b.WriteByte(l.Op)
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

// Grant reports whether a rendered line gives something away (an origin,
// credentials, a method, a request header, an exposed header, private
// network access), as opposed to caching and hygiene facts. An observed
// grant that is not expected is a security finding; an expected grant that
// is not observed a functional one.
func (l Line) Grant() bool {
	_, rest, _ := strings.Cut(l.Text, " ")
	label, _, _ := strings.Cut(rest, ":")
	switch label {
	case "origin", "origin-literal", "origin-pattern", "credentials", "method", "request-header", "expose", "private-network":
		return true
	}
	return false
}
