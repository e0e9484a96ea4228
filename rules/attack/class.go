package attack

// Class names one origin mutation class of ATTACKS.md. Rules map classes to
// rule IDs (PostDomain → CG103, ...); the fuzzer reports them as they are.
type Class string

// The classes, one per row of ATTACKS.md.
const (
	Arbitrary        Class = "arbitrary"          // https://evil.test: reflection
	Null             Class = "null"               // the opaque origin
	PostDomain       Class = "post-domain"        // https://app.example.com.evil.test
	NoDotPostDomain  Class = "no-dot-post-domain" // https://app.example.comevil.test
	PreDomain        Class = "pre-domain"         // https://evilexample.com
	SiblingSubdomain Class = "sibling-subdomain"  // https://evil.example.com
	NestedSubdomain  Class = "nested-subdomain"   // https://evil.app.example.com
	UnescapedDot     Class = "unescaped-dot"      // https://appxexample.com
	Substring        Class = "substring"          // https://xample.com
	HTTPDowngrade    Class = "http-downgrade"     // http://app.example.com
	SpecialChars     Class = "special-chars"      // https://app.example.com`.evil.test
	SpecialLabel     Class = "special-label"      // https://app.example.com.$.evil.test
	SharedHosting    Class = "shared-hosting"     // https://evil.github.io
	Extension        Class = "extension"          // chrome-extension://<anyone's extension>
	Localhost        Class = "localhost"          // http://localhost
	Port             Class = "port"               // https://app.example.com:1337
	Case             Class = "case"               // https://APP.EXAMPLE.COM
	TrailingDot      Class = "trailing-dot"       // https://app.example.com.
	IDN              Class = "idn"                // homoglyphs, xn-- forms
	Userinfo         Class = "userinfo"           // https://app.example.com@evil.test
	IPLiteral        Class = "ip-literal"         // http://[::1], http://2130706433
	Whitespace       Class = "whitespace"         // lists and padding
	Empty            Class = "empty"              // an empty Origin header
)

// Classes lists every class in report order.
var Classes = []Class{
	Arbitrary, Null, PostDomain, NoDotPostDomain, PreDomain, SiblingSubdomain,
	NestedSubdomain, UnescapedDot, Substring, HTTPDowngrade, SpecialChars,
	SpecialLabel, SharedHosting, Extension, Localhost, Port, Case, TrailingDot, IDN,
	Userinfo, IPLiteral, Whitespace, Empty,
}

// order returns the position of c in Classes (len(Classes) if unknown), so
// that candidates and witnesses sort in report order.
func (c Class) order() int {
	for i, k := range Classes {
		if k == c {
			return i
		}
	}
	return len(Classes)
}

// BrowserSendable reports whether a hostile page can make a browser send
// origins of this class to a server, without already controlling a trusted
// host. Search only reports such classes; Generate returns every class.
//
//   - Case: browsers lower-case scheme and host.
//   - Whitespace, Empty, Userinfo: an Origin header is one serialised origin
//     (or "null"); browsers never add spaces, lists, userinfo, or send it empty.
//   - Port, TrailingDot: a browser does send these, but only for a page on the
//     trusted host itself (app.example.com:1337, app.example.com.), so an
//     attacker who can use them already controls that host.
//
// IDN and IPLiteral are sendable, but only in their serialised forms
// (xn-- labels, canonical IP addresses); Search filters the rest.
// SpecialChars and SpecialLabel are sendable as generated: Safari sends
// hosts with `, {, }, !, ~, $ and similar characters, and every browser
// sends `_`.
func (c Class) BrowserSendable() bool {
	switch c {
	case Case, Whitespace, Empty, Userinfo, Port, TrailingDot:
		return false
	}
	return c.order() < len(Classes)
}
