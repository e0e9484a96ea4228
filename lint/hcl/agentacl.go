package hcl

import (
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// agentAccess reads what the agent's API asks of callers from the same
// file: the `acl` block (Nomad and Consul: `enabled`, Consul also
// `default_policy`) and Consul's pre-1.4 top-level `acl_datacenter` /
// `acl_default_policy`. An agent merges every file of its config
// directory, so a file without ACL settings is ACLUnset, not off.
func agentAccess(format, path string, src []byte, from, to int) *rules.AgentAccess {
	a := &rules.AgentAccess{Product: "Nomad", TokenHeader: "X-Nomad-Token"}
	if format == "consul" {
		a.Product, a.TokenHeader = "Consul", "X-Consul-Token"
	}
	evAt := func(off, end int) rules.Evidence {
		return rules.Evidence{Range: rules.Range{File: path, Line: posAt(src, off).Line, Col: posAt(src, off).Column},
			Text: strings.TrimSpace(string(src[off:end]))}
	}
	enabled, policy := "", ""
	var enabledAt, policyAt [2]int
	if _, open, close, ok := findPath(src, from, to, []string{"acl"}); ok {
		enabled, enabledAt[0], enabledAt[1], _ = findScalar(src, open+1, close, "enabled")
		policy, policyAt[0], policyAt[1], _ = findScalar(src, open+1, close, "default_policy")
	}
	if format == "consul" && enabled == "" {
		if dc, s, e, ok := findScalar(src, from, to, "acl_datacenter"); ok && dc != "" {
			enabled, enabledAt = "true", [2]int{s, e}
		}
	}
	if format == "consul" && policy == "" {
		policy, policyAt[0], policyAt[1], _ = findScalar(src, from, to, "acl_default_policy")
	}
	switch {
	case enabled == "false":
		a.ACL, a.Evidence = rules.ACLOff, evAt(enabledAt[0], enabledAt[1])
	case enabled == "true" && format == "consul" && policy == "allow":
		// Consul's default_policy "allow" answers anonymous requests in full.
		a.ACL, a.Evidence = rules.ACLOff, evAt(policyAt[0], policyAt[1])
	case enabled == "true":
		// Nomad denies by default; Consul's default_policy defaults to
		// "allow" but the recommended, documented setup is "deny": only
		// an explicit "deny" counts for Consul.
		if format == "consul" && policy != "deny" {
			a.Evidence = evAt(enabledAt[0], enabledAt[1])
			if policy == "" {
				a.ACL = rules.ACLOff
				return a
			}
			return a // an unresolved default_policy: unset
		}
		a.ACL, a.Evidence = rules.ACLOn, evAt(enabledAt[0], enabledAt[1])
	}
	return a
}

// findScalar finds `key = value` or `"key": value` at nesting depth zero
// of src[from:to] and returns the value unquoted (true, false, a string)
// with the offsets of the whole setting; "" when the value is not a
// literal.
func findScalar(src []byte, from, to int, key string) (val string, start, end int, ok bool) {
	eachTopLevelKey(src, from, to, func(name string, s, i int) bool {
		if name != key {
			return false
		}
		j := i
		for j < to && (src[j] == ' ' || src[j] == '\t') {
			j++
		}
		if j >= to || (src[j] != '=' && src[j] != ':') {
			return false
		}
		j = skipSpace(src, j+1)
		k := j
		if k < to && src[k] == '"' {
			k = skipString(src, k, to)
			val, start, end, ok = strings.Trim(string(src[j:k]), `"`), s, k, true
			return true
		}
		for k < to && isIdentChar(src[k]) {
			k++
		}
		val = string(src[j:k])
		if val != "true" && val != "false" {
			val = ""
		}
		start, end, ok = s, k, true
		return true
	})
	return val, start, end, ok
}
