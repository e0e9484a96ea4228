package rules

// A Remedy is the mechanical change that removes a finding, said in terms
// of the policy model ("write this pattern instead of that one", "send
// this header on every status"). The rules decide what the change is,
// once, for every format; each front end only knows how its own syntax
// spells it (lint/<format>/fix.go turns a Remedy into Edits), and lint/fix
// applies the edits, proves them by linting the result again and writes
// or shows them. Rules leave Remedy nil when no edit can be derived from
// the configuration alone; Finding.Fix still says in words what to do.

// RemedyKind is what a remedy does.
type RemedyKind uint8

const (
	// ReplaceValue writes New in place of the value Old as it appears in
	// the directive or attribute At: a pattern (anchored, dots escaped),
	// an allowlisted origin (no trailing slash, path or default port,
	// lower case), a header value (a capped Max-Age).
	ReplaceValue RemedyKind = iota + 1
	// AddAlways makes the header directive At sent on every status
	// (nginx `add_header … always`, Apache `Header always …`).
	AddAlways
	// RemoveDirective deletes the directive At (a duplicate Allow-Origin).
	RemoveDirective
	// AddHeaders declares Headers in the scope of At, next to it:
	// `Vary: Origin` where the grant varies, or the CORS headers a nested
	// nginx scope drops by declaring an add_header of its own.
	AddHeaders
	// ReplaceEcho replaces the unvalidated echo of the request Origin at
	// At by an allowlist of Origins (an nginx `map`, Apache `SetEnvIf` +
	// `env=`, a Terraform list). Only derived when trusted origins are
	// declared.
	ReplaceEcho
	// AnswerPreflight answers OPTIONS in the scope of At with 204 and
	// Headers, before anything else handles the request.
	AnswerPreflight
)

var remedyKindNames = [...]string{"", "replace-value", "add-always", "remove-directive", "add-headers", "replace-echo", "answer-preflight"}

func (k RemedyKind) String() string {
	if int(k) < len(remedyKindNames) {
		return remedyKindNames[k]
	}
	return "unknown"
}

// MarshalText spells the kind in JSON.
func (k RemedyKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// HeaderLine is one response header a remedy adds.
type HeaderLine struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Remedy is one mechanical change; see the comment at the top of the file.
type Remedy struct {
	Kind RemedyKind `json:"kind"`
	// Format is the policy's format (nginx, apache, terraform): which
	// front end spells the edit.
	Format string `json:"format"`
	// At is the directive or attribute changed, or the one the new
	// directives go next to.
	At Evidence `json:"at"`
	// Old and New are the value as written and its replacement
	// (ReplaceValue).
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Headers are added (AddHeaders) or sent with the preflight answer
	// (AnswerPreflight).
	Headers []HeaderLine `json:"headers,omitempty"`
	// Origins are the allowlist that replaces an echo (ReplaceEcho).
	Origins []string `json:"origins,omitempty"`
	// Unsafe is set when the change decides who may read (drops
	// credentials, removes an origin, narrows a scheme): shown by --diff,
	// applied only with --fix-unsafe.
	Unsafe bool `json:"unsafe,omitempty"`
	// Summary says in one line what the edit does, for the diff header
	// and the SARIF fix description.
	Summary string `json:"summary"`
}

// Edit is one replacement of bytes in one file: what --fix writes,
// --diff shows and SARIF carries as a fix. Offsets are into the file as
// read; Range gives the same span in lines and columns (1-based, EndCol
// exclusive) for formats that want them. An insertion has Start == End.
type Edit struct {
	File  string `json:"file"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	New   string `json:"new"`
	Range Range  `json:"range"`
}
