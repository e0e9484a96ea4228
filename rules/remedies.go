package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/corsguard/corsguard/rules/spec"
)

// The derivations of Finding.Remedy (see remedy.go). Each rule calls one
// of these at the point where it reports; a derivation returns nil when
// the configuration alone does not say what the change must be, and the
// finding keeps its advice in words only.

// MaxAgeCap is the Access-Control-Max-Age a capped value is set to: the
// longest any Chromium browser honours.
const MaxAgeCap = 7200

// patternFixRules are the rules whose mistake one corrected pattern
// removes: an anchor, an escaped dot, a class that lets specials through
// (the corrected pattern is then searched again and must come out clean).
var patternFixRules = map[string]bool{"CG103": true, "CG104": true, "CG105": true, "CG106": true, "CG110": true}

// correctPattern is the one correction of an origin regex: every top-level
// alternative loses its own anchors, the alternatives are grouped and
// anchored at both ends, and the literal dots of host names are escaped.
// Every finding on the same pattern gets this same text, so their edits
// are one. False for globs, for a pattern that cannot be split safely
// (an unbalanced group or class), and when nothing changes.
func correctPattern(expr string, d Dialect) (string, bool) {
	if d == Glob || expr == "" {
		return "", false
	}
	alts, ok := topLevelAlternatives(expr)
	if !ok {
		return "", false
	}
	for i, a := range alts {
		a = strings.TrimPrefix(a, "^")
		if strings.HasSuffix(a, "$") && !escapedAt(a, len(a)-1) {
			a = a[:len(a)-1]
		}
		if a == "" {
			return "", false // an empty alternative matches everything: no mechanical fix
		}
		alts[i] = a
	}
	body := alts[0]
	if len(alts) > 1 {
		body = "(?:" + strings.Join(alts, "|") + ")"
	}
	fixed := escapeDots("^" + body + "$")
	return fixed, fixed != expr
}

// topLevelAlternatives splits a regex at the `|` outside groups and
// classes; false when groups or classes do not balance.
func topLevelAlternatives(expr string) ([]string, bool) {
	var out []string
	depth, inClass, start := 0, false, 0
	for i := 0; i < len(expr); i++ {
		switch ch := expr[i]; {
		case ch == '\\':
			i++
		case inClass:
			if ch == ']' {
				inClass = false
			}
		case ch == '[':
			inClass = true
			if i+1 < len(expr) && expr[i+1] == ']' {
				i++ // `[]...]`: a leading ] is literal
			} else if i+2 < len(expr) && expr[i+1] == '^' && expr[i+2] == ']' {
				i += 2
			}
		case ch == '(':
			depth++
		case ch == ')':
			if depth--; depth < 0 {
				return nil, false
			}
		case ch == '|' && depth == 0:
			out = append(out, expr[start:i])
			start = i + 1
		}
	}
	if depth != 0 || inClass {
		return nil, false
	}
	return append(out, expr[start:]), true
}

// escapedAt tells whether the byte at i is escaped by an odd run of
// backslashes before it.
func escapedAt(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// patternRemedy is the ReplaceValue that writes the corrected pattern in
// place of o's, when the correction is proved here: the corrected pattern
// still accepts every trusted or site origin the old one accepted, and its
// own witness search finds nothing the old one was not already reported
// for under another rule (those findings stay; only the fixable mistakes
// go).
func (c *checkContext) patternRemedy(o *OriginRule, a patternAnalysis) *Remedy {
	fixed, ok := correctPattern(o.Pattern.Expr, o.Pattern.Dialect)
	if !ok {
		return nil
	}
	if !c.replacementHolds(o, a, fixed, patternFixRules) {
		return nil
	}
	return &Remedy{Kind: ReplaceValue, Format: c.p.Format, At: originEvidence(o), Old: o.Pattern.Expr, New: fixed,
		Summary: fmt.Sprintf("%s: %s", correctionSummary(o.Pattern.Expr, fixed), quote(fixed))}
}

// correctionSummary says what correctPattern changed: the anchors, the
// dots, or both.
func correctionSummary(expr, fixed string) string {
	anchored := strings.HasPrefix(expr, "^") && strings.HasSuffix(expr, "$") && !escapedAt(expr, len(expr)-1) &&
		strings.Contains(fixed, "(?:") == strings.Contains(expr, "(?:")
	dots := strings.Count(fixed, `\.`) > strings.Count(expr, `\.`)
	switch {
	case anchored:
		return "escape the literal dots of the origin pattern"
	case dots:
		return "anchor the origin pattern at both ends and escape its literal dots"
	}
	return "anchor the origin pattern at both ends"
}

// replacementHolds searches a replacement pattern: it must compile, be
// complete within the budget, keep accepting what the old one accepted of
// the trusted and site origins, and have no witness for the rules in
// removed, nor for a rule the old pattern was not reported for.
func (c *checkContext) replacementHolds(o *OriginRule, a patternAnalysis, expr string, removed map[string]bool) bool {
	if a.matcher == nil || a.err != nil || a.budget != nil {
		return false
	}
	np := *o.Pattern
	np.Expr = expr
	tmp := OriginRule{Kind: OriginPattern, Echo: o.Echo, Pattern: &np, Evidence: o.Evidence}
	na := c.search(&tmp)
	if na.err != nil || na.never || na.budget != nil || na.matcher == nil {
		return false
	}
	for id := range na.byRule {
		if removed[id] || len(a.byRule[id]) == 0 {
			return false
		}
	}
	for _, t := range append(slices.Clone(a.trusted), c.siteOrigins()...) {
		if old, _ := a.matcher.Match(t); old {
			if now, _ := na.matcher.Match(t); !now {
				return false
			}
		}
	}
	return true
}

// downgradeRemedy drops plain http from an origin: `https?://` and
// `http(s)?://` become `https://` in a pattern, `http://host` becomes
// `https://host` in a list. Unsafe: it decides who may read.
func (c *checkContext) downgradeRemedy(o *OriginRule, a *patternAnalysis, value string) *Remedy {
	if o.Kind == OriginList {
		up := "https://" + strings.TrimPrefix(value, "http://")
		if c.listed(up) || !spec.IsSerialisedOrigin(up) {
			return nil // the https twin is already there: removing the entry is a person's call
		}
		return &Remedy{Kind: ReplaceValue, Format: c.p.Format, At: originEvidence(o), Old: value, New: up, Unsafe: true,
			Summary: fmt.Sprintf("trust %s instead of plain-http %s", up, value)}
	}
	// The safe corrections of the same pattern are part of this one: both
	// remedies rewrite the same token, and this one must not undo them.
	expr, removed := o.Pattern.Expr, map[string]bool{"CG107": true}
	if corrected, ok := correctPattern(expr, o.Pattern.Dialect); ok && c.replacementHolds(o, *a, corrected, patternFixRules) {
		expr = corrected
		for id := range patternFixRules {
			removed[id] = true
		}
	}
	var fixed string
	for _, form := range []string{"https?://", "http(s)?://", "http[s]?://"} {
		if strings.Count(expr, form) == 1 && fixed == "" {
			fixed = strings.Replace(expr, form, "https://", 1)
		}
	}
	if fixed == "" || !c.replacementHolds(o, *a, fixed, removed) {
		return nil
	}
	return &Remedy{Kind: ReplaceValue, Format: c.p.Format, At: originEvidence(o), Old: o.Pattern.Expr, New: fixed, Unsafe: true,
		Summary: fmt.Sprintf("trust https only: %s", quote(fixed))}
}

// canonicalRemedy writes an allowlisted origin the way browsers send it;
// not when the allowlist already has that origin (the entry is then a
// duplicate to remove, which a person decides: nginx refuses duplicate map
// keys).
func (c *checkContext) canonicalRemedy(o *OriginRule, value, canonical string) *Remedy {
	if c.listed(canonical) {
		return nil
	}
	return &Remedy{Kind: ReplaceValue, Format: c.p.Format, At: originEvidence(o), Old: value, New: canonical,
		Summary: fmt.Sprintf("write the origin as browsers send it: %s", canonical)}
}

// maxAgeRemedy caps a numeric Max-Age beyond Chromium's cap.
func (c *checkContext) maxAgeRemedy(h Header, n int64, err error) *Remedy {
	if err != nil || n <= MaxAgeCap || h.Value.State != Known || h.Value.Reflects != "" {
		return nil
	}
	return &Remedy{Kind: ReplaceValue, Format: c.p.Format, At: h.Evidence, Old: h.Value.Literal, New: strconv.Itoa(MaxAgeCap),
		Summary: fmt.Sprintf("cap Access-Control-Max-Age at %d seconds", MaxAgeCap)}
}

// duplicateRemedy removes one of two Allow-Origin headers sent together:
// the one not sent on errors when its twin is, else the later one. When
// the two values differ the choice decides who may read: unsafe.
func (c *checkContext) duplicateRemedy(g []Header) *Remedy {
	if len(g) != 2 {
		return nil // one removal would leave a duplicate
	}
	for _, h := range g {
		if h.Value.State != Known || h.Evidence.Range.File == "" {
			return nil // an upstream's header is not a directive to delete
		}
	}
	drop, keep := g[1], g[0]
	if !g[0].Always && g[1].Always {
		drop, keep = g[0], g[1]
	}
	if drop.Evidence.Range == keep.Evidence.Range {
		return nil // one directive, reached twice (a snippet included twice)
	}
	unsafe := drop.Value.Literal != keep.Value.Literal || drop.Value.Reflects != keep.Value.Reflects
	return &Remedy{Kind: RemoveDirective, Format: c.p.Format, At: drop.Evidence, Unsafe: unsafe,
		Summary: fmt.Sprintf("remove the second Access-Control-Allow-Origin (keep the one at %s)", keep.Evidence.Range)}
}

// alwaysRemedy makes a header directive also apply to error responses.
// Not for an origin-dependent Allow-Origin whose Vary: Origin is sent on
// success only: errors would then carry the grant without the Vary (CG401
// on cached errors), and one remedy changes one directive.
func (c *checkContext) alwaysRemedy(h Header, what string) *Remedy {
	if isCloud(c.p.Format) || h.Value.State != Known || h.Evidence.Range.File == "" {
		return nil
	}
	if h.Name == HeaderAllowOrigin {
		if dep, _ := originDependent(c.p.Actual); dep && varyState(c.p.Actual) == Known && !varyAlways(c.p.Actual) {
			return nil
		}
	}
	return &Remedy{Kind: AddAlways, Format: c.p.Format, At: h.Evidence,
		Summary: fmt.Sprintf("send %s on error responses too", what)}
}

// varyRemedy adds Vary: Origin next to the Allow-Origin header; a managed
// service has no directive to add it with.
func (c *checkContext) varyRemedy(at Evidence) *Remedy {
	if isCloud(c.p.Format) || at.Range.File == "" {
		return nil
	}
	return &Remedy{Kind: AddHeaders, Format: c.p.Format, At: at, Headers: []HeaderLine{{Name: HeaderVary, Value: "Origin"}},
		Summary: "add Vary: Origin next to the Allow-Origin header"}
}

// droppedRemedy re-declares, next to the directive that drops them, every
// CORS header inherited from the enclosing scope and lost there. Every
// finding about the same directive gets the same remedy (their edits are
// one). Nil when a dropped header's value cannot be read back from its
// directive, or the drop is on purpose (Apache `Header unset`).
func (c *checkContext) droppedRemedy(by Evidence) *Remedy {
	var hs []HeaderLine
	for _, d := range c.p.Dropped {
		if d.DroppedBy.Range != by.Range {
			continue
		}
		if d.Explicit {
			return nil
		}
		v := d.Written
		if v == "" {
			return nil
		}
		if !slices.Contains(hs, HeaderLine{Name: d.Header, Value: v}) {
			hs = append(hs, HeaderLine{Name: d.Header, Value: v})
		}
	}
	if len(hs) == 0 || isCloud(c.p.Format) {
		return nil
	}
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.Name
	}
	return &Remedy{Kind: AddHeaders, Format: c.p.Format, At: by, Headers: hs,
		Summary: "repeat the inherited " + strings.Join(names, ", ") + " in this scope"}
}

// echoRemedy replaces an unvalidated echo of Origin by an allowlist of the
// declared trusted origins. Without declared exact origins there is
// nothing to write; the finding's Fix says what is needed.
func (c *checkContext) echoRemedy(o *OriginRule) (*Remedy, string) {
	trusted := slices.Clone(c.checker.opts.TrustedOrigins)
	if len(trusted) == 0 {
		return nil, "declare the origins that may read (--trusted-origin or " + PolicyFileName + "): --fix then replaces the echo by an allowlist of them"
	}
	slices.Sort(trusted)
	at, ok := c.headerEvidence(o)
	if !ok {
		return nil, ""
	}
	return &Remedy{Kind: ReplaceEcho, Format: c.p.Format, At: at, Origins: slices.Compact(trusted),
		Summary: "echo the Origin only for " + strings.Join(trusted, ", ")}, ""
}

// headerEvidence is the directive that sends an origin rule's value: the
// Allow-Origin header for servers, the origins attribute for cloud
// resources.
func (c *checkContext) headerEvidence(o *OriginRule) (Evidence, bool) {
	for i := len(o.Evidence) - 1; i >= 0; i-- {
		if strings.Contains(strings.ToLower(o.Evidence[i].Text), "access-control-allow-origin") {
			return o.Evidence[i], true
		}
	}
	if isCloud(c.p.Format) && len(o.Evidence) > 0 {
		return originEvidence(o), true
	}
	return Evidence{}, false
}

// preflightRemedy answers OPTIONS in the scope of at with the CORS headers
// the scope sends on actual responses. Nil when one of them cannot be
// read back from its directive, or there is no Allow-Origin to send.
func (c *checkContext) preflightRemedy(at Evidence) *Remedy {
	if isCloud(c.p.Format) || at.Range.File == "" {
		return nil
	}
	var hs []HeaderLine
	origin := false
	for _, h := range c.p.Actual.Headers {
		if h.Name == HeaderExposeHeaders || h.Name == HeaderVary || h.Value.State == Unknown || h.Condition != "" {
			continue // exposure is for actual responses; a guarded header may not belong to OPTIONS
		}
		if _, ok := CanonicalCORSHeader(h.Name); !ok {
			continue
		}
		v := h.Written
		if v == "" {
			return nil
		}
		origin = origin || h.Name == HeaderAllowOrigin
		if !slices.ContainsFunc(hs, func(x HeaderLine) bool { return x.Name == h.Name }) {
			hs = append(hs, HeaderLine{Name: h.Name, Value: v})
		}
	}
	if !origin {
		return nil
	}
	return &Remedy{Kind: AnswerPreflight, Format: c.p.Format, At: at, Headers: hs,
		Summary: "answer OPTIONS with 204 and the CORS headers before anything else handles it"}
}

// removeRemedy deletes the directive at (unsafe: it changes who may read).
func (c *checkContext) removeRemedy(at Evidence, summary string) *Remedy {
	if at.Range.File == "" || isCloud(c.p.Format) {
		return nil
	}
	return &Remedy{Kind: RemoveDirective, Format: c.p.Format, At: at, Unsafe: true, Summary: summary}
}

// untrustedRemedy removes an allowlisted origin outside the declared trust
// when it has a directive of its own: an Allow-Origin header that sends
// only it, or an nginx map entry. Unsafe.
func (c *checkContext) untrustedRemedy(o *OriginRule, value string) *Remedy {
	at := originEvidence(o)
	if h, ok := c.headerAt(at); ok && h.Name == HeaderAllowOrigin && h.Written == value {
		return c.removeRemedy(at, "stop allowing "+value)
	}
	if o.Entry && len(o.Values) == 1 && o.Values[0] == value {
		return c.removeRemedy(at, "remove "+value+" from the map")
	}
	return nil
}

// headerAt is the header of the policy's grants that the directive at
// sets.
func (c *checkContext) headerAt(at Evidence) (Header, bool) {
	if at.Range.File == "" {
		return Header{}, false
	}
	for _, g := range []Grant{c.p.Actual, c.p.Preflight.Grant} {
		for _, h := range g.Headers {
			if h.Evidence.Range == at.Range {
				return h, true
			}
		}
	}
	return Header{}, false
}

// credentialsRemedy drops the Allow-Credentials header (unsafe: pages that
// relied on cookies stop getting them).
func (c *checkContext) credentialsRemedy() *Remedy {
	if c.credHeader == nil || c.credHeader.Written == "" {
		return nil
	}
	return c.removeRemedy(c.credHeader.Evidence, "drop Access-Control-Allow-Credentials and keep the public `*`")
}

// listed tells whether an exact origin is in the actual grant's allowlist.
func (c *checkContext) listed(origin string) bool {
	for _, o := range c.p.Actual.Origins {
		if o.Kind == OriginList && slices.Contains(o.Values, origin) {
			return true
		}
	}
	return false
}
