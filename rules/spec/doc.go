// Package spec is corsguard's browser oracle: the WHATWG Fetch standard's CORS
// logic written out as pure functions, so that the linter (judging a config)
// and the live fuzzer (judging a response) ask the same question the same way:
// "would a browser page on origin O, in credentials mode M, be allowed to read
// this, and would its preflight pass?".
//
// It owns:
//   - origins: strict parsing of serialised origins ("scheme://host[:port]" or
//     "null"), serialisation, and the origin a browser derives from a page URL;
//   - requests: method normalisation, CORS-safelisted methods and request
//     headers (including the Content-Type MIME essence, Range, 128-byte and
//     1024-byte rules), CORS-unsafe request-header names, the preflight request;
//   - verdicts: the CORS check, the CORS-preflight check, Access-Control-Max-Age,
//     Access-Control-Expose-Headers, and the whole browser flow (Evaluate), each
//     explained step by step with browser-console-like messages and a fix.
//
// Where real browsers deviate from the standard the deviation is a Profile
// (spec, chromium, firefox, webkit). Functional questions ("will my app work in
// Firefox?") use one profile; security questions ("can an attacker read it?")
// use MostPermissive, which allows when any profile allows.
//
// The package does no I/O and imports only the standard library. Two known
// limitations follow from that: IDNA is approximated (ASCII lower-casing,
// Unicode lower-casing plus RFC 3492 Punycode instead of full UTS #46 mapping
// and normalisation), and Private Network Access is modelled only as the
// Access-Control-Request-Private-Network / -Allow-Private-Network handshake.
package spec
