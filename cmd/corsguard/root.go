package main

import (
	"github.com/spf13/cobra"
)

// subcommands lets each subcommand file register itself, so that adding a
// subcommand is adding a file.
var subcommands []func() *cobra.Command

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "corsguard",
		Short:         "Find unsafe CORS before attackers do",
		Long:          "corsguard lints nginx, Apache httpd and Terraform/HCL configurations for unsafe CORS,\nand probes live endpoints with hostile origins and preflights.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	versionFlag(root)
	for _, mk := range subcommands {
		root.AddCommand(mk())
	}
	return root
}
