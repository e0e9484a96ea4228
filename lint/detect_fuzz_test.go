package lint

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"unicode"
)

// FuzzDetect checks format detection on arbitrary bytes under names of
// every kind. Properties: it finishes (it reads at most headSize bytes, so
// a 10 MB input costs what 8 KB does); it depends only on the first
// headSize bytes (the walker decides on the head of a file too big to
// read); and XML is never Apache, whether the bytes are XML under an XML
// name or an XML document built from them under a .conf name.
func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		"server {\n  listen 80;\n  add_header Access-Control-Allow-Origin *;\n}\n",
		"# Header set Access-Control-Allow-Origin *\nadd_header Access-Control-Allow-Origin *;\n",
		"if ($http_origin ~ x) {\n set $cors 1;\n}\n",
		"<VirtualHost *:443>\nHeader set Access-Control-Allow-Origin \"*\"\n</VirtualHost>\n",
		"<Project Sdk=\"Microsoft.NET.Sdk\">\n<PropertyGroup>\n</PropertyGroup>\n</Project>\n",
		"<?xml version=\"1.0\"?>\n<configuration>\n<location path=\"x\">\n</location>\n</configuration>\n",
		"<Directory>\nHeader set A b\nServerName a\nRewriteEngine on\n</Directory>\n",
		"resource \"aws_s3_bucket_cors_configuration\" \"x\" {\n}\n",
		"[program:api]\ncommand=/usr/bin/api\n",
		"\x00\x01binary",
	} {
		f.Add([]byte(s), "conf/app.conf")
		f.Add([]byte(s), "App.csproj")
	}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		if strings.ContainsAny(name, "\x00") || len(name) > 255 {
			return
		}
		got := detect(name, data)
		if len(data) > headSize {
			if head := detect(name, data[:headSize]); head != got {
				t.Fatalf("detect depends on more than the first %d bytes: %v vs %v", headSize, formatName(got), formatName(head))
			}
		}
		for _, xmlName := range []string{"App.csproj", "web.config", "pom.xml", "site.xml"} {
			if f := detect(xmlName, data); f != nil && f.Name == "apache" {
				t.Fatalf("%s claimed as Apache:\n%q", xmlName, data)
			}
		}
		doc := xmlDocument(t, data)
		for _, confName := range []string{"conf/app.conf", "apache2/sites-enabled/x.conf", "httpd-extra.conf", "x"} {
			if f := detect(confName, doc); f != nil && f.Name == "apache" {
				t.Fatalf("XML document under %s claimed as Apache:\n%s", confName, doc)
			}
		}
	})
}

func formatName(f *Format) string {
	if f == nil {
		return "none"
	}
	return f.Name
}

// xmlDocument builds a well-formed XML document from fuzz bytes, with
// encoding/xml: a root element named from the bytes, their text inside a
// child, and one attribute.
func xmlDocument(t *testing.T, data []byte) []byte {
	t.Helper()
	name := xmlName(string(data))
	var buf bytes.Buffer
	if len(data)%2 == 0 {
		buf.WriteString(xml.Header)
	}
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	root := xml.StartElement{Name: xml.Name{Local: name}, Attr: []xml.Attr{{Name: xml.Name{Local: "Sdk"}, Value: string(data)}}}
	child := xml.StartElement{Name: xml.Name{Local: "Item"}}
	for _, tok := range []xml.Token{root, child, xml.CharData(data), child.End(), root.End()} {
		if err := enc.EncodeToken(tok); err != nil {
			return nil // bytes XML cannot carry (invalid UTF-8 runes are replaced, control bytes refused)
		}
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// xmlName turns arbitrary text into an XML name (letters and digits,
// starting with a letter); it may well be an Apache section's name: the
// property is about XML documents, and a document's root decides.
func xmlName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (unicode.IsLetter(r) || b.Len() > 0 && unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
		if b.Len() == 16 {
			break
		}
	}
	if b.Len() == 0 {
		return "Project"
	}
	return b.String()
}
