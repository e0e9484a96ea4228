package nginx

import (
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// constraint is a test the request Origin must pass for a value to be
// chosen: a regex (`if ($http_origin ~* re)`, map `~re` keys), an exact
// string (`= "https://x"`, map string keys), a hostnames glob, or a negated
// test (which constrains nothing an attacker cares about).
type constraint struct {
	kind consKind
	expr string
	ci   bool
	// fromMap: a map key's test, reached by every policy that reads the
	// map (its Pattern is worth sharing).
	fromMap bool
	ev      rules.Evidence
}

type consKind uint8

const (
	consRegex consKind = iota
	consExact
	consGlob
	consNegated
)

// alt is one possible value of an expression together with the origin
// constraints (a conjunction) under which it is produced.
type alt struct {
	lit      string // when reflects and unknown are empty
	reflects string // request header echoed ("Origin", ...)
	unknown  string // reason, when the value cannot be resolved
	guard    []constraint
	conds    []string // human-readable conditions on the way (if, map)
	ev       []rules.Evidence
	// entry is the map entry whose line is ev[0], when the value's first
	// evidence is one (rules.OriginRule.Entry).
	entry *mapEntry
	// notFor: method classes (notOptions, notSimple) whose requests
	// never get this value (flags.go).
	notFor uint8
}

func (a alt) isEmpty() bool { return a.lit == "" && a.reflects == "" && a.unknown == "" }

// withGuard returns copies of a, one per conjunction of the disjunction d.
func (a alt) withGuard(d []guardSet, cond string, ev *rules.Evidence) []alt {
	return a.appendGuarded(make([]alt, 0, len(d)), d, cond, ev, nil)
}

// appendGuarded appends withGuard(d, cond, ev) to out, each copy's evidence
// ending with last when it is not nil (the directive that used the value).
// Every copy owns its slices, allocated at their final size.
func (a alt) appendGuarded(out []alt, d []guardSet, cond string, ev, last *rules.Evidence) []alt {
	for _, g := range d {
		b := a
		b.guard = append(append(make([]constraint, 0, len(a.guard)+len(g.cons)), a.guard...), g.cons...)
		if cond != "" {
			b.conds = append(append(make([]string, 0, len(a.conds)+1), a.conds...), cond)
		}
		n := len(a.ev) + len(g.ev)
		if ev != nil {
			n++
		}
		if last != nil {
			n++
		}
		b.ev = append(make([]rules.Evidence, 0, n), a.ev...)
		if ev != nil {
			b.ev = append(b.ev, *ev)
		}
		b.ev = append(b.ev, g.ev...)
		if last != nil {
			b.ev = append(b.ev, *last)
		}
		out = append(out, b)
	}
	return out
}

// guardSet is one conjunction of origin constraints (empty: no origin
// constraint) with the evidence that leads to it.
type guardSet struct {
	cons []constraint
	ev   []rules.Evidence
}

// unconstrained is the disjunction "always" (no origin validation).
var unconstrained = []guardSet{{}}

// requestHeaderReflect names the request headers whose $http_ variable is
// tracked as a reflection.
var requestHeaderReflect = map[string]string{
	"http_origin":                         "Origin",
	"http_access_control_request_headers": "Access-Control-Request-Headers",
	"http_access_control_request_method":  "Access-Control-Request-Method",
}

// builtinVars are nginx variables whose value depends on the request or
// the server, never on this configuration's data flow.
var builtinVars = map[string]bool{
	"host": true, "hostname": true, "scheme": true, "server_name": true, "server_port": true,
	"server_addr": true, "remote_addr": true, "remote_port": true, "remote_user": true,
	"request_method": true, "request_uri": true, "uri": true, "document_uri": true,
	"args": true, "query_string": true, "is_args": true, "request": true, "request_id": true,
	"https": true, "server_protocol": true, "content_type": true, "content_length": true,
	"realpath_root": true, "document_root": true, "binary_remote_addr": true,
	"proxy_host": true, "proxy_port": true, "proxy_add_x_forwarded_for": true,
	"msec": true, "time_iso8601": true, "time_local": true, "status": true,
	"request_filename": true, "request_body": true, "pid": true, "connection": true,
	"ssl_client_s_dn": true, "ssl_client_verify": true, "ssl_server_name": true,
}

// varRef is one `$name` or `${name}` occurrence in an argument.
type varRef struct {
	name       string
	start, end int
}

// appendVars appends the variable references in the nginx argument s to
// refs (callers pass a small stack array: most arguments have one or two).
func appendVars(refs []varRef, s string) []varRef {
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			continue
		}
		if s[i+1] == '{' {
			if j := strings.IndexByte(s[i+2:], '}'); j > 0 {
				refs = append(refs, varRef{name: s[i+2 : i+2+j], start: i, end: i + 3 + j})
				i += 2 + j
			}
			continue
		}
		j := i + 1
		for j < len(s) && isVarChar(s[j]) {
			j++
		}
		if j > i+1 {
			refs = append(refs, varRef{name: s[i+1 : j], start: i, end: j})
			i = j - 1
		}
	}
	return refs
}

func isVarChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// mapDef is one `map $src $dst { ... }` block.
type mapDef struct {
	n         *node
	src       string // source expression as written ("$http_origin")
	hostnames bool
	entries   []mapEntry
	def       *mapEntry
}

type mapEntry struct {
	key   string
	value string
	n     *node
}

// setter records a variable assigned outside this configuration's data
// flow (perl_set, js_set, set_by_lua, geo, split_clients...).
type setter struct {
	reason string
	// readsOrigin: the code reads the request's Origin.
	readsOrigin bool
}

// env is the data-flow state of rewrite-module variables (`set`) for one
// request path: server rewrite phase, then the location's.
type env struct {
	vars map[string][]alt
}

func (e *env) put(name string, v []alt) {
	if e.vars == nil {
		e.vars = map[string][]alt{}
	}
	e.vars[name] = v
}

func (e *env) clone() *env {
	c := &env{vars: make(map[string][]alt, len(e.vars))}
	for k, v := range e.vars {
		c.vars[k] = v
	}
	return c
}

// resolver evaluates expressions against maps, external setters and an env.
type resolver struct {
	maps    map[string]*mapDef
	setters map[string]setter
	// declared are variables some `set` assigns: where no set ran on the
	// request's path they are empty (nginx's uninitialized variable).
	declared map[string]bool
	depth    int
	// cache holds resolve results that do not depend on the env.
	cache map[string][]alt
	// mapCache holds the values of maps that do not depend on `set`
	// variables (the usual case), evaluated once per configuration.
	mapCache map[*mapDef][]alt
	mapDeps  map[*mapDef]bool
	// varCache holds the values of variables outside the data flow
	// (built-ins, request headers, module-set variables).
	varCache map[string][]alt
	// gated: some `if` gates the Origin (see gate), so $http_origin
	// depends on the request's path like a `set` variable.
	gated bool
	// site is the directive whose argument is being resolved: where an
	// expansion budget that runs out is reported.
	site rules.Range
}

// The expansion budget of one value. `set $a "$a$a"` doubles a value per
// line (60 lines of about 1 KB ask for 2^60 bytes and as many evidence
// entries); no real header value comes near these sizes.
const (
	maxValueBytes = 64 << 10 // bytes of one literal value
	maxValueParts = 4096     // evidence, guards and conditions of one value
)

// budgetExceeded is the value a resolution gets once the expansion budget
// runs out: unknown, naming the directive, never expanded further.
func (r *resolver) budgetExceeded() []alt {
	return []alt{{unknown: "expansion budget exceeded at " + r.site.String()}}
}

// overBudget reports whether one value is beyond the expansion budget.
func overBudget(a *alt) bool {
	return len(a.lit) > maxValueBytes || len(a.ev)+len(a.guard)+len(a.conds) > maxValueParts
}

const maxResolveDepth = 16

// resolve returns the possible values of an nginx argument. Results that
// cannot depend on `set` variables are cached by text: the callers treat
// alternatives as read-only (withGuard and set copy before changing).
func (r *resolver) resolve(s string, e *env) []alt {
	v, _ := r.resolveCached(s, e)
	return v
}

// resolveCached is resolve that also says whether the result is the
// shared cached slice.
func (r *resolver) resolveCached(s string, e *env) ([]alt, bool) {
	if v, ok := r.cache[s]; ok {
		return v, true
	}
	var buf [4]varRef // most values read a variable or two
	refs := appendVars(buf[:0], s)
	free := true
	for _, ref := range refs {
		name := ref.name
		if r.pathDependent(name) {
			free = false
		} else if m, ok := r.maps[name]; ok && r.mapDependsOnEnv(m) {
			free = false
		}
	}
	if e != nil && len(e.vars) > 0 {
		for _, ref := range refs {
			if _, ok := e.vars[ref.name]; ok {
				free = false
			}
		}
	}
	v := r.resolveRefs(s, refs, e)
	if free && r.depth == 0 {
		if r.cache == nil {
			r.cache = map[string][]alt{}
		}
		v = v[:len(v):len(v)]
		r.cache[s] = v
		return v, true
	}
	return v, false
}

func (r *resolver) resolveRefs(s string, refs []varRef, e *env) []alt {
	if len(refs) == 0 {
		return []alt{{lit: s}}
	}
	if len(refs) == 1 && refs[0].start == 0 && refs[0].end == len(s) {
		return r.lookup(refs[0].name, e)
	}
	// Mixed text and variables: every combination of literal values
	// (`set $cors "${cors}options"` after `set $cors "origin"` in an if),
	// unknown as soon as a part is not a literal.
	combos := []alt{{}}
	pos := 0
	for _, ref := range refs {
		text := s[pos:ref.start]
		pos = ref.end
		alts := r.lookup(ref.name, e)
		if len(alts)*len(combos) > maxCombos {
			return []alt{{unknown: "value " + quoteArg(s) + " has too many possible values to follow"}}
		}
		var next []alt
		for _, c := range combos {
			for _, v := range alts {
				if v.reflects != "" || v.unknown != "" {
					return []alt{{unknown: mixedReason(s, ref.name, v)}}
				}
				n := c
				if len(c.lit)+len(text)+len(v.lit) > maxValueBytes ||
					len(c.ev)+len(v.ev)+len(c.guard)+len(v.guard)+len(c.conds)+len(v.conds) > maxValueParts {
					return r.budgetExceeded() // checked before anything is built
				}
				n.notFor = c.notFor | v.notFor
				if n.notFor == notAny {
					continue // no request gets both parts
				}
				n.lit = c.lit + text + v.lit
				n.guard = append(append([]constraint{}, c.guard...), v.guard...)
				n.conds = append(append([]string{}, c.conds...), v.conds...)
				n.ev = append(append([]rules.Evidence{}, c.ev...), v.ev...)
				next = append(next, n)
			}
		}
		combos = next
	}
	for i := range combos {
		combos[i].lit += s[pos:]
	}
	return combos
}

// mixedReason says why text mixed with a variable that is not a literal is
// unknown. A reason that is already long (a chain of such mixes) is kept
// as it is rather than wrapped once more per directive: reasons stay
// bounded however long the chain.
func mixedReason(s, name string, v alt) string {
	if v.unknown != "" && (len(v.unknown) > 200 || strings.HasPrefix(v.unknown, "expansion budget exceeded")) {
		return v.unknown
	}
	why := "value " + quoteArg(s) + " mixes text with $" + name
	if v.unknown != "" {
		return why + " (" + v.unknown + ")"
	}
	return why + " (the request's " + v.reflects + " header)"
}

// maxCombos bounds the values followed for one expression.
const maxCombos = 64

// lookup returns the possible values of one variable.
func (r *resolver) lookup(name string, e *env) []alt {
	if e != nil {
		if v, ok := e.vars[name]; ok {
			return v
		}
	}
	if v, ok := r.varCache[name]; ok {
		return v
	}
	v := r.lookupGlobal(name, e)
	if !r.pathDependent(name) && r.depth == 0 {
		if _, isMap := r.maps[name]; !isMap {
			if r.varCache == nil {
				r.varCache = map[string][]alt{}
			}
			v = v[:len(v):len(v)]
			r.varCache[name] = v
		}
	}
	return v
}

// pathDependent reports whether a variable's value depends on the
// rewrite directives on the request's path (set, regex captures, gates).
func (r *resolver) pathDependent(name string) bool {
	return r.declared[name] || isCapture(name) || r.gated && strings.EqualFold(name, "http_origin")
}

// isCapture reports a regex capture reference ($1..$9).
func isCapture(name string) bool {
	return len(name) == 1 && name[0] >= '0' && name[0] <= '9'
}

// lookupGlobal resolves a variable the env does not hold.
func (r *resolver) lookupGlobal(name string, e *env) []alt {
	lower := strings.ToLower(name)
	if h, ok := requestHeaderReflect[lower]; ok {
		return []alt{{reflects: h}}
	}
	if m, ok := r.maps[name]; ok {
		if v, ok := r.mapCache[m]; ok {
			return v
		}
		if !r.mapDependsOnEnv(m) {
			v := r.evalMap(m, nil)
			if r.mapCache == nil {
				r.mapCache = map[*mapDef][]alt{}
			}
			r.mapCache[m] = v
			return v
		}
		return r.evalMap(m, e)
	}
	if s, ok := r.setters[name]; ok {
		return []alt{{unknown: "variable $" + name + " is " + s.reason}}
	}
	if r.declared[name] {
		return []alt{{}}
	}
	return []alt{{unknown: describeVar(name, lower)}}
}

func describeVar(name, lower string) string {
	switch {
	case builtinVars[lower]:
		return "built-in variable $" + name + " depends on the request"
	case strings.HasPrefix(lower, "http_"):
		return "variable $" + name + " is the client-controlled request header " + headerName(lower[5:])
	case strings.HasPrefix(lower, "upstream_http_"):
		return "variable $" + name + " is set by the upstream response header " + headerName(lower[14:])
	case strings.HasPrefix(lower, "sent_http_"):
		return "variable $" + name + " is the response header " + headerName(lower[10:]) + " as sent"
	case strings.HasPrefix(lower, "arg_"):
		return "variable $" + name + " is the client-controlled query argument " + lower[4:]
	case strings.HasPrefix(lower, "cookie_"):
		return "variable $" + name + " is the client-controlled cookie " + lower[7:]
	case len(lower) == 1 && lower[0] >= '0' && lower[0] <= '9':
		return "regex capture $" + name + " depends on the request"
	default:
		return "variable $" + name + " is not defined in this configuration (set by a module or at runtime)"
	}
}

// headerName turns a variable suffix (access_control_allow_origin) into a
// header name (Access-Control-Allow-Origin).
func headerName(s string) string {
	parts := strings.Split(s, "_")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

// evalMap returns the alternatives of a map's result variable: one per
// entry, each guarded by what the entry's key requires of the source.
func (r *resolver) evalMap(m *mapDef, e *env) []alt {
	if r.depth >= maxResolveDepth {
		return []alt{{unknown: "map " + m.src + " chain is too deep to resolve"}}
	}
	r.depth++
	defer func() { r.depth-- }()

	srcIsOrigin := strings.EqualFold(m.src, "$http_origin") || strings.EqualFold(m.src, "${http_origin}")
	var srcAlts []alt
	if !srcIsOrigin {
		srcAlts = r.resolve(m.src, e)
	}
	var out []alt
	for i := range m.entries {
		en := &m.entries[i]
		ev := en.n.evidence()
		var d []guardSet
		key := en.key
		switch {
		case srcIsOrigin:
			c := keyConstraint(key, m.hostnames, ev)
			c.fromMap = true
			d = []guardSet{{cons: []constraint{c}}}
		default:
			d = filterAlts(srcAlts, keyPredicate(key, m.hostnames))
		}
		ee := e
		if srcIsOrigin && strings.HasPrefix(key, "~") && strings.Contains(en.value, "$") {
			ee = captureEnv(e, strings.TrimPrefix(strings.TrimPrefix(key, "~"), "*"))
		}
		saved := r.site
		r.site = en.n.rng()
		vals := r.resolve(en.value, ee)
		r.site = saved
		for _, v := range vals {
			from := len(out)
			out = append(out, v.withGuard(d, m.src+" matches "+quoteArg(key), &ev)...)
			if len(v.ev) == 0 {
				// The entry's line is the first evidence of what it gives
				// (evidence is only ever appended to).
				for j := from; j < len(out); j++ {
					out[j].entry = en
				}
			}
		}
	}
	// The default applies to whatever no entry matched: no origin
	// constraint can be expressed for "none of the above", so it is
	// unconstrained (sound: it is at least as broad as the truth).
	if m.def != nil {
		ev := m.def.n.evidence()
		saved := r.site
		r.site = m.def.n.rng()
		defVals := r.resolve(m.def.value, e)
		r.site = saved
		for _, v := range defVals {
			out = append(out, v.withGuard(unconstrained, "", &ev)...)
		}
	} else {
		out = append(out, alt{})
	}
	return out
}

// mapDependsOnEnv reports whether a map's source or values read variables
// that `set` assigns (their value depends on the request's path).
func (r *resolver) mapDependsOnEnv(m *mapDef) bool {
	if v, ok := r.mapDeps[m]; ok {
		return v
	}
	v := r.computeMapDeps(m)
	if r.depth == 0 {
		if r.mapDeps == nil {
			r.mapDeps = map[*mapDef]bool{}
		}
		r.mapDeps[m] = v
	}
	return v
}

func (r *resolver) computeMapDeps(m *mapDef) bool {
	check := func(s string) bool {
		var buf [4]varRef
		for _, ref := range appendVars(buf[:0], s) {
			if r.pathDependent(ref.name) {
				return true
			}
			if mm, ok := r.maps[ref.name]; ok && mm != m && r.depth < maxResolveDepth {
				r.depth++
				dep := r.mapDependsOnEnv(mm)
				r.depth--
				if dep {
					return true
				}
			}
		}
		return false
	}
	if check(m.src) {
		return true
	}
	for _, e := range m.entries {
		if check(e.value) {
			return true
		}
	}
	return m.def != nil && check(m.def.value)
}

// keyedBy reports whether the value's first evidence is a map entry whose
// key is exactly origin (rules.OriginRule.Entry: removing that line stops
// granting origin).
func (a alt) keyedBy(origin string) bool {
	return a.entry != nil && a.entry.key == origin
}
