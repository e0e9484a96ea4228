package fuzz

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/spec"
)

// Replayed is one re-sent exchange and how its CORS answer compares with
// the recorded one.
type Replayed struct {
	Then driver.Exchange `json:"then"`
	Now  driver.Exchange `json:"now"`
	// Same is true when the CORS headers (and the status class) are as
	// recorded.
	Same bool `json:"same"`
	// Granted is whether a browser on the request's Origin may read the
	// new response (credentialed when the request carried credentials).
	Granted bool `json:"granted"`
}

// ReplayResult says whether a saved finding still reproduces.
type ReplayResult struct {
	RuleID    string     `json:"ruleId"`
	Target    string     `json:"target"`
	Witness   string     `json:"witness,omitempty"`
	Exchanges []Replayed `json:"exchanges"`
	// Reproduced is true when every exchange got the same CORS answer.
	Reproduced bool `json:"reproduced"`
}

// ReplayHosts returns the hosts a set of results talks to: the scope a
// replay needs (and the only hosts it may contact).
func ReplayHosts(rs []Result) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		for _, ex := range r.Exchanges {
			if u, err := url.Parse(ex.Request.URL); err == nil && !seen[u.Hostname()] {
				seen[u.Hostname()] = true
				out = append(out, u.Hostname())
			}
		}
	}
	return out
}

// Replay re-sends one finding's requests (with the client's current
// credentials in place of REDACTED) and compares the CORS answers.
func Replay(ctx context.Context, c *driver.Client, r Result) (*ReplayResult, error) {
	if len(r.Exchanges) == 0 {
		return nil, fmt.Errorf("%s on %s: the finding carries no requests to replay", r.RuleID, r.Target)
	}
	out := &ReplayResult{RuleID: r.RuleID, Target: r.Target, Witness: r.Witness, Reproduced: true}
	for _, then := range r.Exchanges {
		now, err := c.Send(ctx, c.Unredact(then.Request))
		if err != nil {
			return nil, err
		}
		now.Curl = c.Curl(now.Request)
		rep := Replayed{Then: then, Now: now, Same: sameCORS(then.Response, now.Response)}
		if now.Response != nil {
			if o := now.Request.Header.Get("Origin"); o != "" || len(now.Request.Header.Values("Origin")) > 0 {
				rep.Granted = spec.CORSCheck(now.Response.Header, o, then.Request.Credentials).OK
			}
		}
		out.Reproduced = out.Reproduced && rep.Same
		out.Exchanges = append(out.Exchanges, rep)
	}
	return out, nil
}

func sameCORS(a, b *driver.Received) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if a.Status/100 != b.Status/100 {
		return false
	}
	for _, name := range rules.CORSHeaders {
		if name == rules.HeaderVary {
			continue
		}
		if strings.Join(a.Header.Values(name), ",") != strings.Join(b.Header.Values(name), ",") {
			return false
		}
	}
	return true
}

// Text renders a replay for people.
func (r *ReplayResult) Text() string {
	var b strings.Builder
	verdict := "reproduced"
	if !r.Reproduced {
		verdict = "NOT reproduced (the answer changed)"
	}
	fmt.Fprintf(&b, "%s on %s: %s\n", r.RuleID, r.Target, verdict)
	for _, x := range r.Exchanges {
		fmt.Fprintf(&b, "\n> %s\n", x.Now.Curl)
		if x.Now.Response == nil {
			fmt.Fprintf(&b, "< error: %s\n", x.Now.Error)
			continue
		}
		fmt.Fprintf(&b, "< %d (recorded %d)\n", x.Now.Response.Status, statusOf(x.Then))
		for _, name := range corsResponseHeaders {
			for _, v := range x.Now.Response.Header.Values(name) {
				fmt.Fprintf(&b, "< %s: %s\n", name, v)
			}
		}
	}
	return b.String()
}

func statusOf(ex driver.Exchange) int {
	if ex.Response == nil {
		return 0
	}
	return ex.Response.Status
}
