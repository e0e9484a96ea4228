package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/rules"
)

// version is the tool's version as reports print it. A release build may
// set it with -ldflags "-X main.version=v1.2.3"; otherwise init fills it
// from the module version the Go toolchain stamped into the binary
// (`go install …@v1.2.3` gives v1.2.3, a build from a clone a
// pseudo-version derived from the VCS revision).
var version = "dev"

// buildDate may be set by a release build (-ldflags "-X main.buildDate=…");
// the toolchain stamps only the commit time.
var buildDate = ""

// buildIdentity is read once, at start-up.
var buildIdentity identity

// identity is what `corsguard version` prints: enough to tell which
// source a binary was built from when a user reports a finding.
type identity struct {
	Version   string // module version, or "dev"
	Revision  string // VCS revision, "" when not stamped
	Dirty     bool   // built from a tree with uncommitted changes
	Committed string // commit time of Revision (RFC 3339), "" when unknown
	Built     string // build date, when the release build set one
	GoVersion string
}

func init() {
	buildIdentity = readIdentity(debug.ReadBuildInfo, version)
	buildIdentity.Built = buildDate
	version = buildIdentity.Version
}

// readIdentity reads the build information; read is debug.ReadBuildInfo
// (a parameter so tests can give other stamps) and ldflags the version a
// release build set, "dev" when none.
func readIdentity(read func() (*debug.BuildInfo, bool), ldflags string) identity {
	id := identity{Version: ldflags}
	bi, ok := read()
	if !ok {
		return id
	}
	id.GoVersion = bi.GoVersion
	// "(devel)" is what the toolchain says when it knows no version (a
	// build with -buildvcs=false, or outside a module); an -ldflags value
	// wins over anything stamped.
	if v := bi.Main.Version; ldflags == "dev" && v != "" && v != "(devel)" {
		id.Version = v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			id.Revision = s.Value
		case "vcs.modified":
			id.Dirty = s.Value == "true"
		case "vcs.time":
			id.Committed = s.Value
		}
	}
	if id.Version == "dev" && id.Revision != "" {
		id.Version = "dev-" + shortRevision(id.Revision)
		if id.Dirty {
			id.Version += "+dirty"
		}
	}
	return id
}

func shortRevision(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// write prints the identity, one fact a line, leaving out what is unknown.
func (id identity) write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "corsguard %s\n", id.Version)
	if id.Revision != "" {
		rev := id.Revision
		if id.Dirty {
			rev += " (dirty: uncommitted changes)"
		}
		fmt.Fprintf(&b, "  revision  %s\n", rev)
	}
	if id.Committed != "" {
		fmt.Fprintf(&b, "  committed %s\n", id.Committed)
	}
	if id.Built != "" {
		fmt.Fprintf(&b, "  built     %s\n", id.Built)
	}
	if id.GoVersion != "" {
		fmt.Fprintf(&b, "  go        %s\n", id.GoVersion)
	}
	fmt.Fprintf(&b, "  rules     %d\n", len(rules.All()))
	_, err := io.WriteString(w, b.String())
	return err
}

func init() { subcommands = append(subcommands, newVersionCmd) }

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, VCS revision and Go version of this binary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return buildIdentity.write(cmd.OutOrStdout())
		},
	}
}

// versionFlag makes `corsguard --version` print the same as `corsguard
// version`, the way cobra offers it.
func versionFlag(root *cobra.Command) {
	root.Version = version
	var b strings.Builder
	_ = buildIdentity.write(&b)
	// The text is a template: keep any braces literal.
	root.SetVersionTemplate(`{{"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(b.String()) + `"}}`)
}
