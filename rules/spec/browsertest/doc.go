// Package browsertest proves the rules/spec browser oracle against a real
// browser. Its only content is TestOracleMatchesChromium: a table of CORS
// vectors (grouped like the web-platform-tests files that inspired them) is
// served by two loopback origins, a page on the first one fetch()es every
// vector from the second one in headless Chromium, and each verdict the browser
// reaches (allowed or blocked, whether it sent a preflight and with which
// Access-Control-Request-* headers, whether a response header was readable) is
// compared with spec.Evaluate(spec.Chromium, ...).
//
// Where the oracle and Chromium disagree the vector stays in the table, marked
// as a known disagreement with the reason, so the difference stays visible
// and the test fails if it ever stops reproducing.
//
// The test needs /usr/bin/chromium (or chromium on PATH) and skips otherwise.
// All traffic stays on 127.0.0.1.
package browsertest
