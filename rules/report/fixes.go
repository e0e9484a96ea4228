package report

import (
	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/corsguard/corsguard/rules"
)

// Fixable tells whether a finding carries edits that --fix applies (lint/fix
// fills them in only for fixes it has proved).
func Fixable(f rules.Finding) bool { return f.Remedy != nil && len(f.Edits) > 0 }

func countFixable(fs []rules.Finding) int {
	n := 0
	for _, f := range fs {
		if Fixable(f) {
			n++
		}
	}
	return n
}

// sarifFix is a finding's edits as a SARIF fix: one artifactChange per
// file, one replacement per edit, each with its region in lines and
// columns and as charOffset/charLength (byte offsets, the same as
// characters in the ASCII configuration files are written in), and the
// inserted text. Nil when the finding has no edits.
func sarifFix(f rules.Finding) *sarif.Fix {
	if !Fixable(f) {
		return nil
	}
	fx := sarif.NewFix().WithDescriptionText(f.Remedy.Summary)
	changes := map[string]*sarif.ArtifactChange{}
	for _, e := range f.Edits {
		ch, ok := changes[e.File]
		if !ok {
			ch = sarif.NewArtifactChange(sarif.NewSimpleArtifactLocation(artifactURI(e.File)))
			changes[e.File] = ch
			fx.AddArtifactChanges(ch)
		}
		region := sarif.NewRegion().WithCharOffset(e.Start).WithCharLength(e.End - e.Start)
		if e.Range.Line > 0 {
			region.WithStartLine(e.Range.Line).WithStartColumn(max(e.Range.Col, 1)).
				WithEndLine(max(e.Range.EndLine, e.Range.Line)).WithEndColumn(max(e.Range.EndCol, 1))
		}
		ch.WithReplacement(sarif.NewReplacement(region).WithInsertedContent(sarif.NewArtifactContent().WithText(e.New)))
	}
	return fx
}
