// Package report renders findings: text like a compiler diagnostic with a
// source snippet, a stable JSON document, and SARIF 2.1.0 for code
// scanning. It serves lint and fuzz alike and never decides exit codes.
package report
