package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// JUnitSuites is JUnit XML, the subset CI systems (GitLab, Jenkins, Azure
// Pipelines) read. Lint writes one test suite per file, one failing test
// case per finding at or above the threshold, a passing case for a file
// without any, and an errored case per input error; fuzz writes the same
// shapes per target.
type JUnitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Tests   int          `xml:"tests,attr"`
	Fails   int          `xml:"failures,attr"`
	Errors  int          `xml:"errors,attr"`
	Suites  []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one file or target.
type JUnitSuite struct {
	Name   string      `xml:"name,attr"`
	Tests  int         `xml:"tests,attr"`
	Fails  int         `xml:"failures,attr"`
	Errors int         `xml:"errors,attr"`
	Cases  []JUnitCase `xml:"testcase"`
}

// JUnitCase is one finding, clean input, or error.
type JUnitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *JUnitFailure `xml:"failure,omitempty"`
	Error     *JUnitFailure `xml:"error,omitempty"`
}

// JUnitFailure is a <failure> or <error> element.
type JUnitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit writes a lint run as JUnit XML. files are every file linted, so
// that clean files show as passed; findings below failOn are left out
// (they do not fail the run).
func JUnit(w io.Writer, in Input, files []string, failOn rules.Severity) error {
	suites := map[string]*JUnitSuite{}
	suite := func(file string) *JUnitSuite {
		if s, ok := suites[file]; ok {
			return s
		}
		s := &JUnitSuite{Name: file}
		suites[file] = s
		return s
	}
	for _, f := range files {
		suite(f)
	}
	for _, f := range in.Findings {
		if f.Severity < failOn {
			continue
		}
		s := suite(f.Range.File)
		var text strings.Builder
		fmt.Fprintf(&text, "%s: %s\n", f.Range, f.Message)
		if line, ok := in.line(f); ok {
			fmt.Fprintf(&text, "    %d | %s\n", f.Range.Line, strings.TrimRight(line, " \t\r"))
		}
		if f.Witness != "" {
			fmt.Fprintf(&text, "exploit origin: %s\n", f.Witness)
		}
		if f.Fix != "" {
			fmt.Fprintf(&text, "fix: %s\n", f.Fix)
		}
		fmt.Fprintf(&text, "explain: corsguard explain %s\n", f.RuleID)
		s.Cases = append(s.Cases, JUnitCase{
			Name:      fmt.Sprintf("%s %s at line %d", f.RuleID, f.Slug, f.Range.Line),
			ClassName: f.Range.File, File: f.Range.File, Line: f.Range.Line,
			Failure: &JUnitFailure{Message: f.Message, Type: f.Severity.String(), Text: text.String()},
		})
		s.Fails++
	}
	for _, d := range in.Errors {
		s := suite(d.Range.File)
		s.Cases = append(s.Cases, JUnitCase{
			Name: "parse", ClassName: d.Range.File, File: d.Range.File, Line: d.Range.Line,
			Error: &JUnitFailure{Message: d.Message, Type: "error", Text: d.Error()},
		})
		s.Errors++
	}
	names := make([]string, 0, len(suites))
	for n := range suites {
		names = append(names, n)
	}
	sort.Strings(names)
	doc := JUnitSuites{Name: "corsguard " + in.Tool}
	for _, n := range names {
		s := suites[n]
		if len(s.Cases) == 0 {
			s.Cases = append(s.Cases, JUnitCase{Name: "corsguard", ClassName: n, File: n})
		}
		doc.Add(*s)
	}
	return doc.Write(w)
}

// Add appends a suite, counting its cases into the document's totals.
func (doc *JUnitSuites) Add(s JUnitSuite) {
	s.Tests = len(s.Cases)
	doc.Tests += s.Tests
	doc.Fails += s.Fails
	doc.Errors += s.Errors
	doc.Suites = append(doc.Suites, s)
}

// Write writes the document as indented XML with its header.
func (doc *JUnitSuites) Write(w io.Writer) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
