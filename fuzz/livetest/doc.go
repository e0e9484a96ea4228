// Package livetest holds the fuzzer's end-to-end tests against real web
// servers: nginx and Apache httpd (the Debian packages) are started by the
// tests on a loopback port, each serving CORS configurations taken from
// corsguard's corpus idioms, and fuzz.Engine must report exactly the rules
// that name each mistake. The same nginx configuration is also linted, and
// its policies are passed to the fuzzer as the expected policy, so that the
// config-vs-live comparison (corsguard fuzz --expect-from) is tested on a
// server that really runs that configuration.
//
// The package's only non-test code starts and stops those servers
// (servers.go). Tests skip, with the reason, when a binary is not
// installed; CI installs both (.ci/run). No test touches the network
// beyond 127.0.0.1: target URLs name example.com hosts and the driver's
// --resolve-style dialling sends them to the local server.
package livetest
