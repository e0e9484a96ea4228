// Command genbig writes the generated nginx configs the lint benchmarks
// use (lint/nginx.GenerateRegexConfig): N servers each with its own origin
// regex, and the same config with exact origins. scripts/bench-regex-lint.sh
// runs the CLI on both.
//
//	go run ./scripts/genbig -servers 2000 -out DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/corsguard/corsguard/lint/nginx"
)

func main() {
	servers := flag.Int("servers", 2000, "number of server blocks (one origin regex each)")
	out := flag.String("out", ".", "directory to write regex.conf and exact.conf into")
	flag.Parse()
	for name, exact := range map[string]bool{"regex.conf": false, "exact.conf": true} {
		if err := os.WriteFile(filepath.Join(*out, name), nginx.GenerateRegexConfig(*servers, exact), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "genbig:", err)
			os.Exit(2)
		}
	}
}
