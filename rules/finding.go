package rules

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Canonical names of the CORS headers.
const (
	HeaderAllowOrigin      = "Access-Control-Allow-Origin"
	HeaderAllowCredentials = "Access-Control-Allow-Credentials"
	HeaderAllowMethods     = "Access-Control-Allow-Methods"
	HeaderAllowHeaders     = "Access-Control-Allow-Headers"
	HeaderExposeHeaders    = "Access-Control-Expose-Headers"
	HeaderMaxAge           = "Access-Control-Max-Age"
	HeaderAllowPNA         = "Access-Control-Allow-Private-Network"
	HeaderVary             = "Vary"
)

// CORSHeaders lists the response headers the model tracks.
var CORSHeaders = []string{
	HeaderAllowOrigin, HeaderAllowCredentials, HeaderAllowMethods, HeaderAllowHeaders,
	HeaderExposeHeaders, HeaderMaxAge, HeaderAllowPNA, HeaderVary,
}

// CanonicalCORSHeader returns the canonical spelling of a tracked header
// name and true, or "" and false when the name is not one of them.
func CanonicalCORSHeader(name string) (string, bool) {
	for _, h := range CORSHeaders {
		if strings.EqualFold(h, name) {
			return h, true
		}
	}
	return "", false
}

// Severity is what an attacker gains.
type Severity uint8

const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string { return severityNames[s] }

// Raise returns the severity one step up (credentials make everything worse).
func (s Severity) Raise() Severity {
	if s < Critical {
		return s + 1
	}
	return s
}

// ParseSeverity reads a severity name.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(n, s) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames[:], ", "))
}

func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

func (s *Severity) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	v, err := ParseSeverity(str)
	*s = v
	return err
}

// Confidence is how sure the finding is.
type Confidence uint8

const (
	Certain      Confidence = iota
	Likely                  // depends on facts the config strongly suggests
	NeedsRuntime            // depends on values only a live probe can see
)

func (c Confidence) String() string {
	return [...]string{"certain", "likely", "needs-runtime"}[c]
}

func (c Confidence) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

func (c *Confidence) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	for _, v := range []Confidence{Certain, Likely, NeedsRuntime} {
		if v.String() == str {
			*c = v
			return nil
		}
	}
	return fmt.Errorf("unknown confidence %q", str)
}

// Finding is one problem in one scope.
type Finding struct {
	RuleID     string     `json:"ruleId"`
	Slug       string     `json:"slug"`
	Severity   Severity   `json:"severity"`
	Confidence Confidence `json:"confidence"`
	// Credentials is true when the grant includes credentials (the severity
	// has been raised for it).
	Credentials bool   `json:"credentials"`
	Message     string `json:"message"`
	// Witness is a concrete origin an attacker can use, when one exists.
	Witness      string     `json:"witness,omitempty"`
	WitnessClass string     `json:"witnessClass,omitempty"`
	Range        Range      `json:"range"`
	Scope        string     `json:"scope,omitempty"`
	Fix          string     `json:"fix,omitempty"`
	Related      []Evidence `json:"related,omitempty"`
	// Remedy is the mechanical change that removes the finding, when the
	// rule can derive one (see remedy.go); Edits are that change spelled
	// in the file's syntax, filled in by lint/fix.
	Remedy *Remedy `json:"remedy,omitempty"`
	Edits  []Edit  `json:"edits,omitempty"`
}
