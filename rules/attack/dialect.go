package attack

// Dialect is the regular-expression or glob language of an origin pattern.
type Dialect uint8

const (
	PCRE Dialect = iota // nginx, Apache (PCRE2)
	RE2                 // Go regexp
	Glob                // `*` wildcards as cloud APIs and rs/cors use them
)

func (d Dialect) String() string { return [...]string{"pcre", "re2", "glob"}[d] }
