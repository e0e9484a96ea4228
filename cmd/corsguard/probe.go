package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/fuzz"
	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/rules/report"
	"github.com/corsguard/corsguard/rules/spec"
)

func init() { subcommands = append(subcommands, newProbeCmd) }

type probeFlags struct {
	net            netFlags
	origin         string
	method         string
	credentials    bool
	privateNetwork bool
	always         bool
	profile        string
	format         string
	noColor        bool
}

func newProbeCmd() *cobra.Command {
	var fl probeFlags
	cmd := &cobra.Command{
		Use:   "probe URL --origin ORIGIN",
		Short: "Explain, browser by browser, what stops one cross-origin request",
		Long: `probe answers "what is stopping me?": it sends exactly what a browser would (the preflight
when one is needed, then the actual request), and explains step by step, per browser
profile, which check passes or fails and which header change would fix it.

-H headers are the page's own request headers (they decide whether a preflight is needed);
their values are REDACTED in the output.`,
		Example: `  corsguard probe https://api.example.com/v1/me --origin http://localhost:4300 --credentials --method PUT -H 'X-Token: 1'`,
		Args:    cobra.ExactArgs(1),
		RunE:    func(cmd *cobra.Command, args []string) error { return runProbe(cmd, args[0], fl) },
	}
	fl.net.register(cmd)
	f := cmd.Flags()
	f.StringVar(&fl.origin, "origin", "", "the origin of the page making the request (required)")
	f.StringVarP(&fl.method, "method", "X", "GET", "the method the page uses")
	f.BoolVar(&fl.credentials, "credentials", false, `credentials: "include" (cookies from --cookie are sent)`)
	f.BoolVar(&fl.privateNetwork, "private-network", false, "the target is on a more private network than the page (PNA)")
	f.BoolVar(&fl.always, "always", false, "send the actual request even when every browser would stop at the preflight")
	f.StringVar(&fl.profile, "profile", "spec", "profile for the top-level verdict: spec, chromium, firefox, webkit")
	f.StringVarP(&fl.format, "format", "f", "text", "text or json")
	f.BoolVar(&fl.noColor, "no-color", false, "no colour in text output (also: NO_COLOR set, or stdout not a terminal)")
	_ = cmd.MarkFlagRequired("origin")
	return cmd
}

func runProbe(cmd *cobra.Command, rawURL string, fl probeFlags) error {
	if err := fl.net.check(); err != nil {
		return err
	}
	u, err := fuzz.ParseTargetURL(rawURL)
	if err != nil {
		return usageErr("%w", err)
	}
	if !spec.IsSerialisedOrigin(fl.origin) {
		return usageErr("--origin %q is not an origin a browser sends (want scheme://host[:port] or null)", fl.origin)
	}
	profile, err := spec.ParseProfile(fl.profile)
	if err != nil {
		return usageErr("--profile: %w", err)
	}
	if fl.format != "text" && fl.format != "json" {
		return usageErr("--format %q: want text or json", fl.format)
	}
	pageHeaders, err := parseHeaders("--header", fl.net.headers)
	if err != nil {
		return usageErr("%w", err)
	}
	// The page's headers go on the request itself (they shape the
	// preflight), not as credentials; their values are still secrets.
	cfg := fl.net.config([]string{u.String()}, nil)
	for name, vs := range pageHeaders {
		cfg.Secret = append(cfg.Secret, name)
		cfg.SecretValues = append(cfg.SecretValues, vs...)
	}
	client, err := driver.New(cfg)
	if err != nil {
		return usageErr("%w", err)
	}
	ctx, signalled, stop := interruptContext()
	defer stop()
	res, err := fuzz.Probe(ctx, client, fuzz.ProbeRequest{
		URL: u.String(), Origin: fl.origin, Method: fl.method, Header: pageHeaders,
		Credentials: fl.credentials, PrivateNetwork: fl.privateNetwork, Always: fl.always,
	}, profile)
	if code := signalled(); code != 0 {
		return &exitCodeError{code: code, err: errors.New("interrupted")}
	}
	if err != nil {
		return &exitCodeError{code: exitError, err: err}
	}
	out := cmd.OutOrStdout()
	if fl.format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return &exitCodeError{code: exitError, err: err}
		}
	} else {
		// Render escapes what came from the server or the command line;
		// without colour the whole text is escaped once more, as before.
		if color := !fl.noColor && os.Getenv("NO_COLOR") == "" && isTerminal(os.Stdout); color {
			fmt.Fprint(out, res.Render(true))
		} else {
			fmt.Fprint(out, report.EscapeText(res.Text()))
		}
	}
	if res.NetworkError != "" {
		return &exitCodeError{code: exitError, err: fmt.Errorf("%s: network error (%s): no CORS verdict", u, res.NetworkError)}
	}
	if !res.Allowed {
		// Blocked is the answer, not an error: exit 1 lets scripts test it.
		return &exitCodeError{code: exitFindings}
	}
	return nil
}
