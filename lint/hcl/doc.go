// Package hcl is corsguard's HCL front end. It turns Terraform modules
// (*.tf, *.tf.json, with *.tfvars as inputs) and Nomad/Consul agent
// configurations into rules.Policy values, one per CORS-bearing resource
// block, with attribute ranges as evidence. Values are evaluated the way
// Terraform would at plan time as far as the module itself allows: literals
// exactly, var.* from defaults and tfvars, local.* from locals, dynamic
// blocks expanded; anything else is reported as unknown with the reason.
//
// It also loads corsguard's own policy file (.corsguard.hcl, schema in
// rules.PolicyFile) with HCL's diagnostics, finds it from a directory
// upward, and writes the starter file for `corsguard init`.
//
// The package never prints: syntax and schema errors come back as
// rules.Diagnostic values with file:line:col.
package hcl
