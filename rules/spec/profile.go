package spec

import (
	"fmt"
	"strings"
	"time"
)

// Profile names a set of browser behaviours. Spec is the WHATWG Fetch standard
// read literally; the others are what the named engine was measured to do where
// it differs (see /work/shared/CORS-SPEC.md).
type Profile string

const (
	Spec     Profile = "spec"
	Chromium Profile = "chromium"
	Firefox  Profile = "firefox"
	WebKit   Profile = "webkit"
)

// Profiles lists every profile, the standard first. MostPermissive walks them
// in this order.
var Profiles = []Profile{Spec, Chromium, Firefox, WebKit}

// profileAliases lets users type the browser they know rather than its engine.
var profileAliases = map[string]Profile{
	"spec": Spec, "fetch": Spec, "whatwg": Spec,
	"chromium": Chromium, "chrome": Chromium, "edge": Chromium, "blink": Chromium,
	"firefox": Firefox, "gecko": Firefox,
	"webkit": WebKit, "safari": WebKit,
}

// ParseProfile accepts a profile name case-insensitively, plus the common
// browser names (chrome, edge, safari, gecko...).
func ParseProfile(s string) (Profile, error) {
	if p, ok := profileAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return p, nil
	}
	return "", fmt.Errorf("unknown browser profile %q (want one of spec, chromium, firefox, webkit)", s)
}

// String returns the profile's name.
func (p Profile) String() string { return string(p) }

// WildcardCoversAuthorization reports whether `Access-Control-Allow-Headers: *`
// lets a non-credentialed request send Authorization. The standard says never
// (Authorization is the "CORS non-wildcard request-header name"); Chromium was
// measured to allow it.
func (p Profile) WildcardCoversAuthorization() bool { return p == Chromium }

// EnforcesPrivateNetworkAccess reports whether the profile sends the Private
// Network Access preflight (Access-Control-Request-Private-Network) for a
// request flagged PrivateNetwork. Only Chromium shipped it; the others never
// ask, so for them the flag changes nothing.
func (p Profile) EnforcesPrivateNetworkAccess() bool { return p == Chromium }

// MaxAgeCap is the longest a profile keeps a preflight result, or 0 when the
// profile sets no cap (the standard leaves capping to the user agent).
func MaxAgeCap(p Profile) time.Duration {
	switch p {
	case Chromium:
		return 7200 * time.Second
	case WebKit:
		return 600 * time.Second
	case Firefox:
		return 86400 * time.Second
	}
	return 0
}
