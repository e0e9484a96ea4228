// Package driver sends the fuzzer's HTTP requests and records them as
// evidence. It owns everything about talking to a live server safely: strict
// scope (no request to a host the user did not name), a per-host rate limit,
// timeouts, retries with backoff on 429/503 honouring Retry-After, a cap on
// how much of a body is read, redirects never followed to another host,
// --resolve style dialling, an explicit proxy, and redaction of the user's
// secrets (custom headers, cookies) in everything it records. It knows
// nothing about CORS verdicts: it returns Exchanges and the caller judges.
package driver
