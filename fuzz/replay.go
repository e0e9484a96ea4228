package fuzz

import (
	"context"
	"fmt"
	"sort"
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

// ReplayOrigins returns the origins a replay file's requests go to. They
// are only shown to the user: a replay's scope is what the user names on
// the command line, never what the file says, because a file can be
// edited to send the user's credentials anywhere.
func ReplayOrigins(rs []Result) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		for _, ex := range r.Exchanges {
			o, err := driver.ParseOrigin(ex.Request.URL)
			if err != nil {
				continue
			}
			if s := o.String(); !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out
}

// CheckReplayScope refuses a replay file any of whose requests goes
// outside the client's scope, before anything is sent: half a replay to
// the named host and half to wherever an edited file points is no better.
func CheckReplayScope(c *driver.Client, rs []Result) error {
	for i, r := range rs {
		for j, ex := range r.Exchanges {
			if err := c.InScope(ex.Request.URL); err != nil {
				return fmt.Errorf("result %d, request %d: %v: not replayed (only the targets named on the command line are contacted)",
					i+1, j+1, err)
			}
		}
	}
	return nil
}

// Replay re-sends one finding's requests (with the client's current
// credentials in place of REDACTED) and compares the CORS answers. Every
// request must be in the client's scope (CheckReplayScope); none is sent
// otherwise.
func Replay(ctx context.Context, c *driver.Client, r Result) (*ReplayResult, error) {
	if len(r.Exchanges) == 0 {
		return nil, fmt.Errorf("%s on %s: the finding carries no requests to replay", r.RuleID, r.Target)
	}
	if err := CheckReplayScope(c, []Result{r}); err != nil {
		return nil, err
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
