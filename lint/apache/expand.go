package apache

import (
	"sort"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// Expansion budgets. A kilobyte of configuration can ask for more than any
// machine holds: `Define A ${A}${A}` doubles A each time, and macros that
// Use other macros ten times each multiply by ten per level. httpd itself
// reads a configuration line of up to 16 MiB (VARBUF_MAX_LEN in
// server/config.c; 8 KiB, HUGE_STRING_LEN, in .htaccess files), but
// ap_resolve_env puts no limit on what ${VAR} expands to; mod_macro refuses
// a macro that uses itself ("recursive use of macro '%s' is invalid") and
// limits each substituted line to MAX_STRING_LEN, but not the fan-out.
// Real configurations stay far below these budgets (a farm of 2,000
// VirtualHosts from a 30-line macro expands to 60k lines): a directive
// longer than 1 MiB, or more than 128k lines of expanded macros, is an
// attack or a mistake, and saying so beats running out of memory.
const (
	maxDirectiveExpansion = 1 << 20  // bytes one directive may grow to through ${VAR}
	maxDefineExpansion    = 64 << 20 // bytes all ${VAR} substitutions together may produce
	maxMacroLines         = 1 << 17  // lines all Use expansions together may produce
	maxMacroBytes         = 16 << 20 // bytes of those lines
	maxUseDepth           = 32       // Use inside Use, as a last resort (recursion is caught by name)
)

// budgets are the limits one parse works within.
type budgets struct {
	directive, define      int // bytes
	macroLines, macroBytes int
	files                  int   // files read
	bytes                  int64 // bytes of the files read
}

var defaultBudgets = budgets{
	directive: maxDirectiveExpansion, define: maxDefineExpansion,
	macroLines: maxMacroLines, macroBytes: maxMacroBytes,
	files: maxFiles, bytes: maxTreeSize,
}

// expansion is what the loader has spent of its budgets.
type expansion struct {
	limit       budgets
	defineBytes int
	macroLines  int
	macroBytes  int
	// dropped counts directives left out once a budget ran out, after the
	// first one (which has its own diagnostic); first is where that was.
	dropped int
	first   rules.Range
	active  []string // macros being expanded, outermost first
}

// overBudget records a directive dropped for exceeding an expansion budget:
// the first gets a diagnostic of its own, the rest are counted, so that a
// bomb does not turn into millions of diagnostics.
func (l *loader) overBudget(at rules.Range, format string, args ...any) {
	if l.exp.first.File == "" {
		l.exp.first = at
		l.errorf(at, format, args...)
		return
	}
	l.exp.dropped++
}

// finishExpansion reports how many more directives a budget cost.
func (l *loader) finishExpansion() {
	if l.exp.dropped > 0 {
		l.errorf(l.exp.first, "%d more directive(s) after this one were left out: the budget above is spent", l.exp.dropped)
	}
}

// inside names the macros being expanded, for a diagnostic at the
// outermost Use: " inside M7 > M6".
func (l *loader) inside() string {
	if len(l.exp.active) == 0 {
		return ""
	}
	return " inside " + strings.Join(l.exp.active, " > ")
}

// substitute expands ${NAME} from Define. Undefined names stay as written,
// as httpd leaves them (with a warning at startup). The size of the result
// is computed before it is built; ok is false (and a diagnostic names the
// directive at rng) when it would exceed the budget, and the directive must
// then be left out.
func (l *loader) substitute(s string, rng rules.Range) (string, bool) {
	size, culprit := 0, ""
	for rest := s; ; {
		name, before, after, found := nextVar(rest)
		if !found {
			size += len(rest)
			break
		}
		size += len(before)
		if v, ok := l.defines[name]; ok {
			size += len(v)
			if culprit == "" || len(v) > len(l.defines[culprit]) {
				culprit = name
			}
		} else {
			size += len(name) + 3
		}
		rest = after
	}
	switch {
	case size > l.exp.limit.directive:
		l.overBudget(rng, "Define expansion exceeds %d bytes: ${%s} makes this directive %d bytes long (a Define that doubles itself?); directive left out", l.exp.limit.directive, culprit, size)
		return "", false
	case l.exp.defineBytes+size > l.exp.limit.define:
		l.overBudget(rng, "Define expansion exceeds %d bytes in total at ${%s}; directive left out", l.exp.limit.define, culprit)
		return "", false
	}
	l.exp.defineBytes += size
	var b strings.Builder
	b.Grow(size)
	for {
		name, before, after, found := nextVar(s)
		if !found {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(before)
		if v, ok := l.defines[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString("${" + name + "}")
		}
		s = after
	}
}

// nextVar finds the next `${NAME}` in s.
func nextVar(s string) (name, before, after string, found bool) {
	i := strings.Index(s, "${")
	if i < 0 {
		return "", "", "", false
	}
	j := strings.IndexByte(s[i:], '}')
	if j < 0 {
		return "", "", "", false
	}
	return s[i+2 : i+j], s[:i], s[i+j+1:], true
}

// macro is a mod_macro template: its body lines, expanded at each Use.
type macro struct {
	name   string
	params []string
	file   string
	lines  []logicalLine
}

// expand reads a macro's body in place of a Use directive, its parameters
// replaced by the arguments as mod_macro does: textually, longest first.
// Nested expansions report at the outermost Use (its range is use.rng).
func (l *loader) expand(use *node, parent *node) {
	at := use.rng.r()
	if len(use.args) == 0 {
		l.errorf(at, "Use without a macro name")
		return
	}
	m, ok := l.macros[strings.ToLower(use.args[0])]
	switch {
	case !ok:
		l.errorf(at, "Use of undefined macro %q", use.args[0])
		return
	case len(use.args)-1 != len(m.params):
		l.errorf(at, "macro %q takes %d argument(s), Use gives %d", m.name, len(m.params), len(use.args)-1)
		return
	}
	for _, a := range l.exp.active {
		if a == m.name {
			l.errorf(at, "recursive use of macro %q is invalid (%s)", m.name, strings.Join(append(l.exp.active, m.name), " -> "))
			return
		}
	}
	if len(l.exp.active) >= maxUseDepth {
		l.errorf(at, "macro %q: Use nested deeper than %d levels", m.name, maxUseDepth)
		return
	}
	if l.exp.macroLines+len(m.lines) > l.exp.limit.macroLines {
		l.overBudget(at, "macro expansion exceeds %d lines at Use %s%s (macros that use other macros multiply); Use left out", l.exp.limit.macroLines, use.args[0], l.inside())
		return
	}
	order := make([]int, len(m.params))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return len(m.params[order[a]]) > len(m.params[order[b]]) })
	lines := make([]logicalLine, len(m.lines))
	for i, ll := range m.lines {
		for _, k := range order {
			p, arg := m.params[k], use.args[k+1]
			if p == "" {
				continue
			}
			// Size first: one line may name a long argument many times.
			grown := len(ll.text) + strings.Count(ll.text, p)*(len(arg)-len(p))
			if l.exp.macroBytes+grown > l.exp.limit.macroBytes {
				l.overBudget(at, "macro expansion exceeds %d bytes at Use %s%s; Use left out", l.exp.limit.macroBytes, use.args[0], l.inside())
				return
			}
			ll.text = strings.ReplaceAll(ll.text, p, arg)
		}
		l.exp.macroBytes += len(ll.text)
		lines[i] = ll
	}
	l.exp.macroLines += len(lines)
	l.exp.active = append(l.exp.active, m.name)
	use.args = append([]string(nil), use.args...) // kept for evidence text
	l.parseLines(m.file, "", lines, parent, use)
	l.exp.active = l.exp.active[:len(l.exp.active)-1]
}
