package apache

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// spellCase is one specification line of the speller: a file, the remedy
// the rules would attach (At is the first line that starts with at), and
// the file after the edits, or the reason the speller refuses.
type spellCase struct {
	name    string
	file    string // "httpd.conf" unless set (".htaccess" is read in directory context)
	src     string
	at      string
	remedy  rules.Remedy
	want    string
	wantErr string
}

var spellCases = []spellCase{
	// ReplaceValue: the one argument, regex or string whose value is Old.
	{
		name:   "SetEnvIf regex in double quotes gets its anchors",
		src:    "<VirtualHost *:80>\n    SetEnvIf Origin \"https://app\\.example\\.com\" ORIGIN=$0\n    Header always set Access-Control-Allow-Origin %{ORIGIN}e env=ORIGIN\n</VirtualHost>\n",
		at:     "SetEnvIf",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: `https://app\.example\.com`, New: `^https://app\.example\.com$`},
		want:   "<VirtualHost *:80>\n    SetEnvIf Origin \"^https://app\\.example\\.com$\" ORIGIN=$0\n    Header always set Access-Control-Allow-Origin %{ORIGIN}e env=ORIGIN\n</VirtualHost>\n",
	},
	{
		name:   "a bare regex stays bare, its dots escaped with one backslash",
		src:    "SetEnvIf Origin ^https://app.example.com$ ORIGIN=$0\n",
		at:     "SetEnvIf",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: `^https://app.example.com$`, New: `^https://app\.example\.com$`},
		want:   "SetEnvIf Origin ^https://app\\.example\\.com$ ORIGIN=$0\n",
	},
	{
		name:   "an exact origin written as an anchored regex is rewritten in that spelling",
		src:    "SetEnvIf Origin \"^https://App\\.example\\.com$\" ORIGIN=$0\n",
		at:     "SetEnvIf",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: "https://App.example.com", New: "https://app.example.com"},
		want:   "SetEnvIf Origin \"^https://app\\.example\\.com$\" ORIGIN=$0\n",
	},
	{
		name:   "the same in an <If> regex",
		src:    "<If \"%{HTTP:Origin} =~ m#^https://app\\.example\\.com/$#\">\n</If>\n",
		at:     "<If",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: "https://app.example.com/", New: "https://app.example.com"},
		want:   "<If \"%{HTTP:Origin} =~ m#^https://app\\.example\\.com$#\">\n</If>\n",
	},
	{
		name:   "SetEnvIfNoCase in single quotes keeps them",
		src:    "\tSetEnvIfNoCase Origin '^https://(www\\.)?example.com' ORIGIN=$0\n",
		at:     "SetEnvIfNoCase",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: `^https://(www\.)?example.com`, New: `^https://(www\.)?example\.com$`},
		want:   "\tSetEnvIfNoCase Origin '^https://(www\\.)?example\\.com$' ORIGIN=$0\n",
	},
	{
		name:   "the regex of an <If> expression, m#…# delimiters kept",
		src:    "<If \"%{HTTP:Origin} =~ m#^https://.*\\.example\\.com#\">\n    Header always set Access-Control-Allow-Origin \"expr=%{req:Origin}\"\n</If>\n",
		at:     "<If",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: `^https://.*\.example\.com`, New: `^https://.*\.example\.com$`},
		want:   "<If \"%{HTTP:Origin} =~ m#^https://.*\\.example\\.com$#\">\n    Header always set Access-Control-Allow-Origin \"expr=%{req:Origin}\"\n</If>\n",
	},
	{
		name:   "a regex written with \\\\ in the quoted <If> is rewritten so that httpd reads New",
		src:    "<If \"%{HTTP:Origin} =~ m#^https://app\\\\.example\\\\.com#\">\n</If>\n",
		at:     "<If",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: `^https://app\.example\.com`, New: `^https://app\.example\.com$`},
		want:   "<If \"%{HTTP:Origin} =~ m#^https://app\\.example\\.com$#\">\n</If>\n",
	},
	{
		name:   "an allowlisted origin in an ap_expr string loses its trailing slash",
		src:    "<If \"%{HTTP:Origin} == 'https://app.example.com/'\">\n    Header always set Access-Control-Allow-Origin \"https://app.example.com/\"\n</If>\n",
		at:     "<If",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: "https://app.example.com/", New: "https://app.example.com"},
		want:   "<If \"%{HTTP:Origin} == 'https://app.example.com'\">\n    Header always set Access-Control-Allow-Origin \"https://app.example.com/\"\n</If>\n",
	},
	{
		name:   "one entry of an -in list",
		src:    "<If \"%{HTTP:Origin} -in {'https://a.example.com', 'https://B.example.com'}\">\n</If>\n",
		at:     "<If",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: "https://B.example.com", New: "https://b.example.com"},
		want:   "<If \"%{HTTP:Origin} -in {'https://a.example.com', 'https://b.example.com'}\">\n</If>\n",
	},
	{
		name:   "a Header literal origin, quoted",
		src:    "Header always set Access-Control-Allow-Origin \"http://Example.com:80/\"\n",
		at:     "Header",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: "http://Example.com:80/", New: "http://example.com"},
		want:   "Header always set Access-Control-Allow-Origin \"http://example.com\"\n",
	},
	{
		name:   "a Header literal origin, bare",
		src:    "Header set Access-Control-Allow-Origin https://app.example.com/\n",
		at:     "Header",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: "https://app.example.com/", New: "https://app.example.com"},
		want:   "Header set Access-Control-Allow-Origin https://app.example.com\n",
	},
	{
		name:   "a capped Max-Age",
		src:    "<Location /api>\n  Header always set Access-Control-Max-Age 86400000\n</Location>\n",
		at:     "Header",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: "86400000", New: "7200"},
		want:   "<Location /api>\n  Header always set Access-Control-Max-Age 7200\n</Location>\n",
	},
	{
		name:   "RewriteCond keeps its ! prefix",
		src:    "RewriteEngine On\nRewriteCond %{HTTP:Origin} !^https://app.example.com$\nRewriteRule ^ - [F]\n",
		at:     "RewriteCond",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: `^https://app.example.com$`, New: `^https://app\.example\.com$`},
		want:   "RewriteEngine On\nRewriteCond %{HTTP:Origin} !^https://app\\.example\\.com$\nRewriteRule ^ - [F]\n",
	},
	{
		name:   "SetEnvIfExpr's regex",
		src:    "SetEnvIfExpr \"%{HTTP:Origin} =~ /example.com$/\" ORIGIN_OK\n",
		at:     "SetEnvIfExpr",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: `example.com$`, New: `\.example\.com$`},
		want:   "SetEnvIfExpr \"%{HTTP:Origin} =~ /\\.example\\.com$/\" ORIGIN_OK\n",
	},
	{
		name:   "a new regex holding the expression's delimiter is written as m#…#",
		src:    "SetEnvIfExpr \"%{HTTP:Origin} =~ /example.com$/i\" ORIGIN_OK\n",
		at:     "SetEnvIfExpr",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: `example.com$`, New: `^https://([a-z0-9-]+\.)?example\.com$`},
		want:   "SetEnvIfExpr \"%{HTTP:Origin} =~ m#^https://([a-z0-9-]+\\.)?example\\.com$#i\" ORIGIN_OK\n",
	},
	{
		name:   "and m#…# holding # becomes m|…|",
		src:    "<If \"%{HTTP:Origin} =~ m#^https://app#\">\n</If>\n",
		at:     "<If",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: `^https://app`, New: `^https://app#$`},
		want:   "<If \"%{HTTP:Origin} =~ m|^https://app#$|\">\n</If>\n",
	},
	{
		name:    "a new string holding the expression's quote is not written",
		src:     "<If \"%{HTTP:Origin} == 'https://a.example.com/'\">\n</If>\n",
		at:      "<If",
		remedy:  rules.Remedy{Kind: rules.ReplaceValue, Old: "https://a.example.com/", New: "https://a.example.com'"},
		wantErr: "holds the expression's quote",
	},
	{
		name:   "a regex in a Header expr= condition",
		src:    "Header always set Access-Control-Allow-Origin \"expr=%{req:Origin}\" \"expr=%{req:Origin} =~ m#^https://app\\.example\\.com#\"\n",
		at:     "Header",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: `^https://app\.example\.com`, New: `^https://app\.example\.com$`},
		want:   "Header always set Access-Control-Allow-Origin \"expr=%{req:Origin}\" \"expr=%{req:Origin} =~ m#^https://app\\.example\\.com$#\"\n",
	},
	{
		name:   "a directive continued over lines",
		src:    "SetEnvIf Origin \\\n    \"https://app\\.example\\.com\" \\\n    ORIGIN=$0\nHeader always set Access-Control-Allow-Origin %{ORIGIN}e env=ORIGIN\n",
		at:     "SetEnvIf",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: `https://app\.example\.com`, New: `^https://app\.example\.com$`},
		want:   "SetEnvIf Origin \\\n    \"^https://app\\.example\\.com$\" \\\n    ORIGIN=$0\nHeader always set Access-Control-Allow-Origin %{ORIGIN}e env=ORIGIN\n",
	},
	{
		name:   "CRLF line endings are kept",
		src:    "<Directory /srv>\r\n\tSetEnvIf Origin \"^https://app.example.com$\" ORIGIN=$0\r\n</Directory>\r\n",
		at:     "SetEnvIf",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, Old: `^https://app.example.com$`, New: `^https://app\.example\.com$`},
		want:   "<Directory /srv>\r\n\tSetEnvIf Origin \"^https://app\\.example\\.com$\" ORIGIN=$0\r\n</Directory>\r\n",
	},
	{
		name:    "the same value twice is a guess",
		src:     "<If \"%{HTTP:Origin} == 'https://a.example.com/' || %{HTTP:Origin} == 'https://a.example.com/'\">\n</If>\n",
		at:      "<If",
		remedy:  rules.Remedy{Kind: rules.ReplaceValue, Old: "https://a.example.com/", New: "https://a.example.com"},
		wantErr: "appears 2 times",
	},
	{
		name:    "a value built from a Define is fixed at the Define, not here",
		src:     "Define ORIGIN_RE https://app.example.com\nSetEnvIf Origin ${ORIGIN_RE} ORIGIN=$0\n",
		at:      "SetEnvIf",
		remedy:  rules.Remedy{Kind: rules.ReplaceValue, Old: "https://app.example.com", New: `^https://app\.example\.com$`},
		wantErr: "built from a ${VAR}",
	},
	{
		name:    "a Header value with % is a format string, not a literal",
		src:     "Header always set Access-Control-Allow-Origin \"%{ORIGIN}e/\"\n",
		at:      "Header",
		remedy:  rules.Remedy{Kind: rules.ReplaceValue, Old: "%{ORIGIN}e/", New: "%{ORIGIN}e"},
		wantErr: "format specifier",
	},
	{
		name:    "a file changed since it was linted",
		src:     "# SetEnvIf Origin \"https://app.example.com\" ORIGIN=$0\n",
		at:      "# SetEnvIf",
		remedy:  rules.Remedy{Kind: rules.ReplaceValue, Old: "https://app.example.com", New: `^https://app\.example\.com$`},
		wantErr: "holds no directive",
	},
	{
		name:    "a directive from a macro body is fixed in the macro",
		src:     "<Macro CORS $re>\n  SetEnvIf Origin $re ORIGIN=$0\n</Macro>\nUse CORS https://app.example.com\nUndefMacro CORS\n",
		at:      "Use",
		remedy:  rules.Remedy{Kind: rules.ReplaceValue, At: rules.Evidence{Text: "SetEnvIf Origin https://app.example.com ORIGIN=$0"}, Old: "https://app.example.com", New: `^https://app\.example\.com$`},
		wantErr: "mod_macro Use",
	},

	// AddAlways: the header goes to the table sent on every status.
	{
		name:   "Header set becomes Header always set",
		src:    "<VirtualHost *:80>\n    Header set Access-Control-Allow-Origin \"https://app.example.com\"\n</VirtualHost>\n",
		at:     "Header",
		remedy: rules.Remedy{Kind: rules.AddAlways},
		want:   "<VirtualHost *:80>\n    Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n</VirtualHost>\n",
	},
	{
		name:   "Header onsuccess becomes always",
		src:    "header onsuccess merge Access-Control-Expose-Headers X-Total\n",
		at:     "header",
		remedy: rules.Remedy{Kind: rules.AddAlways},
		want:   "header always merge Access-Control-Expose-Headers X-Total\n",
	},
	{
		name:   "a continued Header with an env= condition",
		src:    "Header set \\\n  Access-Control-Allow-Credentials true env=ORIGIN\r\n",
		at:     "Header",
		remedy: rules.Remedy{Kind: rules.AddAlways},
		want:   "Header always set \\\n  Access-Control-Allow-Credentials true env=ORIGIN\r\n",
	},
	{
		name:    "already always",
		src:     "Header always set Access-Control-Allow-Origin *\n",
		at:      "Header",
		remedy:  rules.Remedy{Kind: rules.AddAlways},
		wantErr: "already in the always table",
	},
	{
		name:    "not a Header directive",
		src:     "RequestHeader set Origin https://app.example.com\n",
		at:      "RequestHeader",
		remedy:  rules.Remedy{Kind: rules.AddAlways},
		wantErr: "not a mod_headers Header directive",
	},

	// RemoveDirective: the directive's lines go, the rest stays.
	{
		name:   "a duplicate Allow-Origin line",
		src:    "<VirtualHost *:80>\n    Header set Access-Control-Allow-Origin \"https://app.example.com\"\n    Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n</VirtualHost>\n",
		at:     "Header set",
		remedy: rules.Remedy{Kind: rules.RemoveDirective},
		want:   "<VirtualHost *:80>\n    Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n</VirtualHost>\n",
	},
	{
		name:   "the last line without a line ending",
		src:    "Header always set Access-Control-Allow-Origin \"https://app.example.com\"\r\nHeader always add Access-Control-Allow-Origin \"https://app.example.com\"",
		at:     "Header always add",
		remedy: rules.Remedy{Kind: rules.RemoveDirective},
		want:   "Header always set Access-Control-Allow-Origin \"https://app.example.com\"\r\n",
	},
	{
		name:   "all lines of a continued directive",
		src:    "Header always set \\\n    Access-Control-Allow-Origin *\nHeader always set Access-Control-Allow-Origin \"https://app.example.com\"\n",
		at:     "Header always set \\",
		remedy: rules.Remedy{Kind: rules.RemoveDirective},
		want:   "Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n",
	},
	{
		name:    "a section is not removed",
		src:     "<If \"%{HTTP:Origin} == 'https://a.example.com'\">\n</If>\n",
		at:      "<If",
		remedy:  rules.Remedy{Kind: rules.RemoveDirective},
		wantErr: "opens a section",
	},

	// AddHeaders: next to the directive, with its indentation.
	{
		name:   "Vary: Origin merged after the echo",
		src:    "<VirtualHost *:80>\n    SetEnvIf Origin \"^https://app\\.example\\.com$\" ORIGIN=$0\n    Header always set Access-Control-Allow-Origin %{ORIGIN}e env=ORIGIN\n</VirtualHost>\n",
		at:     "Header",
		remedy: rules.Remedy{Kind: rules.AddHeaders, Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		want:   "<VirtualHost *:80>\n    SetEnvIf Origin \"^https://app\\.example\\.com$\" ORIGIN=$0\n    Header always set Access-Control-Allow-Origin %{ORIGIN}e env=ORIGIN\n    Header always merge Vary Origin\n</VirtualHost>\n",
	},
	{
		name:   "headers at the top of a section's body, tab-indented, CRLF",
		src:    "<Location /api>\r\n\tHeader always set Access-Control-Allow-Origin \"https://app.example.com\"\r\n</Location>\r\n",
		at:     "<Location",
		remedy: rules.Remedy{Kind: rules.AddHeaders, Headers: []rules.HeaderLine{{Name: "Access-Control-Allow-Methods", Value: "GET, POST"}, {Name: "Access-Control-Allow-Headers", Value: "Content-Type"}}},
		want:   "<Location /api>\r\n\tHeader always set Access-Control-Allow-Methods \"GET, POST\"\r\n\tHeader always set Access-Control-Allow-Headers \"Content-Type\"\r\n\tHeader always set Access-Control-Allow-Origin \"https://app.example.com\"\r\n</Location>\r\n",
	},
	{
		name:   "after the last line of a file that has no line ending",
		src:    "Header always set Access-Control-Allow-Origin %{HTTP_ORIGIN}e",
		file:   ".htaccess",
		at:     "Header",
		remedy: rules.Remedy{Kind: rules.AddHeaders, Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		want:   "Header always set Access-Control-Allow-Origin %{HTTP_ORIGIN}e\nHeader always merge Vary Origin\n",
	},
	{
		name:   "Vary goes after the whole <If> chain the echo sits in, so that every answer carries it",
		src:    "<VirtualHost *:80>\n    <If \"%{HTTP:Origin} == 'https://app.example.com'\">\n        Header always set Access-Control-Allow-Origin \"expr=%{req:Origin}\"\n    </If>\n    <Else>\n        Header always set X-Other 1\n    </Else>\n</VirtualHost>\n",
		at:     "Header always set Access-Control-Allow-Origin",
		remedy: rules.Remedy{Kind: rules.AddHeaders, Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		want:   "<VirtualHost *:80>\n    <If \"%{HTTP:Origin} == 'https://app.example.com'\">\n        Header always set Access-Control-Allow-Origin \"expr=%{req:Origin}\"\n    </If>\n    <Else>\n        Header always set X-Other 1\n    </Else>\n    Header always merge Vary Origin\n</VirtualHost>\n",
	},
	{
		name:    "not inside <Limit>",
		src:     "<Directory /srv>\n<Limit GET>\n    Require all granted\n</Limit>\n</Directory>\n",
		at:      "Require",
		remedy:  rules.Remedy{Kind: rules.AddHeaders, Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		wantErr: "<limit> (line 2) holds only access control",
	},

	// ReplaceEcho: SetEnvIf allowlist + env=.
	{
		name:   "the CGI-style echo becomes an allowlist",
		src:    "<VirtualHost *:80>\n    Header set Access-Control-Allow-Origin \"%{HTTP_ORIGIN}e\"\n    Header set Access-Control-Allow-Credentials true\n</VirtualHost>\n",
		at:     "Header set Access-Control-Allow-Origin",
		remedy: rules.Remedy{Kind: rules.ReplaceEcho, Origins: []string{"https://app.example.com", "https://admin.example.com:8443"}},
		want: "<VirtualHost *:80>\n    SetEnvIf Origin \"^(https://app\\.example\\.com|https://admin\\.example\\.com:8443)$\" CORS_ALLOW_ORIGIN=$0\n" +
			"    Header always set Access-Control-Allow-Origin \"%{CORS_ALLOW_ORIGIN}e\" env=CORS_ALLOW_ORIGIN\n    Header set Access-Control-Allow-Credentials true\n</VirtualHost>\n",
	},
	{
		name:   "an expr= echo, a taken variable name",
		src:    "SetEnv CORS_ALLOW_ORIGIN x\nHeader always set Access-Control-Allow-Origin expr=%{req:Origin}\n",
		at:     "Header",
		remedy: rules.Remedy{Kind: rules.ReplaceEcho, Origins: []string{"https://app.example.com"}},
		want:   "SetEnv CORS_ALLOW_ORIGIN x\nSetEnvIf Origin \"^(https://app\\.example\\.com)$\" CORS_ALLOW_ORIGIN_2=$0\nHeader always set Access-Control-Allow-Origin \"%{CORS_ALLOW_ORIGIN_2}e\" env=CORS_ALLOW_ORIGIN_2\n",
	},
	{
		name:    "an echo under its own condition",
		src:     "Header always set Access-Control-Allow-Origin %{HTTP_ORIGIN}e env=API\n",
		at:      "Header",
		remedy:  rules.Remedy{Kind: rules.ReplaceEcho, Origins: []string{"https://app.example.com"}},
		wantErr: "has a condition or option (env=API)",
	},
	{
		name:    "a Header without a value",
		src:     "Header always set Access-Control-Allow-Origin\n",
		at:      "Header",
		remedy:  rules.Remedy{Kind: rules.ReplaceEcho, Origins: []string{"https://app.example.com"}},
		wantErr: "has no value",
	},
	{
		name:    "no trusted origins declared",
		src:     "Header always set Access-Control-Allow-Origin %{HTTP_ORIGIN}e\n",
		at:      "Header",
		remedy:  rules.Remedy{Kind: rules.ReplaceEcho},
		wantErr: "no trusted origins are declared",
	},
	{
		name:    "a trusted origin with a path",
		src:     "Header always set Access-Control-Allow-Origin %{HTTP_ORIGIN}e\n",
		at:      "Header",
		remedy:  rules.Remedy{Kind: rules.ReplaceEcho, Origins: []string{"https://app.example.com/app"}},
		wantErr: "not a serialised origin",
	},

	// AnswerPreflight: mod_rewrite 204 and the headers, marked.
	{
		name: "a virtual host that answers no preflight",
		src:  "<VirtualHost *:80>\n    Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n</VirtualHost>\n",
		at:   "Header",
		remedy: rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{
			{Name: "Access-Control-Allow-Origin", Value: "https://app.example.com"},
			{Name: "Access-Control-Allow-Methods", Value: "GET, PUT"},
			{Name: "Access-Control-Max-Age", Value: "600"},
		}},
		want: "<VirtualHost *:80>\n    Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n" +
			"    RewriteEngine On\n    RewriteCond %{REQUEST_METHOD} OPTIONS\n    RewriteRule ^ - [R=204,L,E=CORS_PREFLIGHT:1]\n" +
			"    Header always set Access-Control-Allow-Methods \"GET, PUT\" env=CORS_PREFLIGHT\n" +
			"    Header always set Access-Control-Max-Age \"600\" env=CORS_PREFLIGHT\n</VirtualHost>\n",
	},
	{
		name: "before the section's own rewrite rules, its RewriteEngine kept",
		src:  "<Directory /srv/api>\n  RewriteEngine on\n  RewriteCond %{REQUEST_FILENAME} !-f\n  RewriteRule ^ index.php [L]\n  Header set Access-Control-Allow-Origin \"https://app.example.com\"\n</Directory>\n",
		at:   "Header",
		remedy: rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{
			{Name: "Access-Control-Allow-Origin", Value: "https://app.example.com"},
			{Name: "Access-Control-Allow-Headers", Value: "Content-Type"},
		}},
		want: "<Directory /srv/api>\n  RewriteEngine on\n  RewriteCond %{REQUEST_METHOD} OPTIONS\n  RewriteRule ^ - [R=204,L,E=CORS_PREFLIGHT:1]\n" +
			"  Header always set Access-Control-Allow-Origin \"https://app.example.com\" env=CORS_PREFLIGHT\n" +
			"  Header always set Access-Control-Allow-Headers \"Content-Type\" env=CORS_PREFLIGHT\n" +
			"  RewriteCond %{REQUEST_FILENAME} !-f\n  RewriteRule ^ index.php [L]\n  Header set Access-Control-Allow-Origin \"https://app.example.com\"\n</Directory>\n",
	},
	{
		name:   "an .htaccess",
		file:   ".htaccess",
		src:    "Header always set Access-Control-Allow-Origin \"https://app.example.com\"\nHeader always set Vary Origin\n",
		at:     "Header always set Vary",
		remedy: rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{{Name: "Access-Control-Allow-Origin", Value: "https://app.example.com"}, {Name: "Access-Control-Allow-Methods", Value: "DELETE"}}},
		want: "Header always set Access-Control-Allow-Origin \"https://app.example.com\"\nHeader always set Vary Origin\nRewriteEngine On\nRewriteCond %{REQUEST_METHOD} OPTIONS\nRewriteRule ^ - [R=204,L,E=CORS_PREFLIGHT:1]\n" +
			"Header always set Access-Control-Allow-Methods \"DELETE\" env=CORS_PREFLIGHT\n",
	},
	{
		name:    "RewriteEngine Off in the section",
		src:     "<Directory /srv>\n    RewriteEngine Off\n    RewriteRule ^old$ /new [R=301]\n    Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n</Directory>\n",
		at:      "Header",
		remedy:  rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{{Name: "Access-Control-Allow-Methods", Value: "PUT"}}},
		wantErr: "RewriteEngine is Off in this section (line 2)",
	},
	{
		name:    "new per-directory rules would replace another section's",
		src:     "<Directory /srv>\n    RewriteEngine On\n    RewriteRule ^old$ /new [R=301]\n</Directory>\n<Directory /srv/api>\n    Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n</Directory>\n",
		at:      "Header",
		remedy:  rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{{Name: "Access-Control-Allow-Methods", Value: "PUT"}}},
		wantErr: "<directory> (line 1) has rewrite rules of its own",
	},
	{
		name:    "server-wide rules would not reach the virtual hosts",
		src:     "Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n<VirtualHost *:80>\n    ServerName api.example.com\n</VirtualHost>\n",
		at:      "Header",
		remedy:  rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{{Name: "Access-Control-Allow-Methods", Value: "PUT"}}},
		wantErr: "do not reach the virtual hosts (line 2)",
	},
	{
		name:    "per-directory rules run after access control",
		src:     "<Directory /srv/api>\n    Header always set Access-Control-Allow-Methods \"GET, PUT\"\n    <LimitExcept GET PUT>\n        Require all denied\n    </LimitExcept>\n</Directory>\n",
		at:      "Header",
		remedy:  rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{{Name: "Access-Control-Allow-Methods", Value: "GET, PUT"}}},
		wantErr: "httpd checks access (Require all denied, line 4) before per-directory rewrite rules run",
	},
	{
		name: "a <Location> that refuses OPTIONS is answered in its virtual host, before access control",
		src:  "<VirtualHost *:80>\n    ServerName api.example.com\n    <Location /api>\n        AllowMethods GET POST PUT\n        Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n        Header always set Access-Control-Allow-Methods \"GET, POST, PUT\"\n    </Location>\n</VirtualHost>\n",
		at:   "Header always set Access-Control-Allow-Methods",
		remedy: rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{
			{Name: "Access-Control-Allow-Origin", Value: "https://app.example.com"},
			{Name: "Access-Control-Allow-Methods", Value: "GET, POST, PUT"},
		}},
		want: "<VirtualHost *:80>\n    ServerName api.example.com\n    RewriteEngine On\n    RewriteCond %{REQUEST_METHOD} OPTIONS\n    RewriteRule ^/api(/|$) - [R=204,L,E=CORS_PREFLIGHT:1]\n" +
			"    Header always set Access-Control-Allow-Origin \"https://app.example.com\" env=CORS_PREFLIGHT\n" +
			"    Header always set Access-Control-Allow-Methods \"GET, POST, PUT\" env=CORS_PREFLIGHT\n" +
			"    <Location /api>\n        AllowMethods GET POST PUT\n        Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n        Header always set Access-Control-Allow-Methods \"GET, POST, PUT\"\n    </Location>\n</VirtualHost>\n",
	},
	{
		name:    "mod_allowmethods without OPTIONS",
		file:    ".htaccess",
		src:     "AllowMethods GET PUT\nHeader always set Access-Control-Allow-Methods \"GET, PUT\"\n",
		at:      "Header",
		remedy:  rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{{Name: "Access-Control-Allow-Methods", Value: "GET, PUT"}}},
		wantErr: "httpd checks access (AllowMethods GET PUT, line 1)",
	},
	{
		name:   "a <Limit> that leaves OPTIONS out does not stand in the way",
		src:    "<Directory /srv/api>\n    Header always set Access-Control-Allow-Methods \"GET, PUT\"\n    <Limit PUT>\n        Require all denied\n    </Limit>\n</Directory>\n",
		at:     "Header",
		remedy: rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{{Name: "Access-Control-Allow-Methods", Value: "GET, PUT"}}},
		want: "<Directory /srv/api>\n    Header always set Access-Control-Allow-Methods \"GET, PUT\"\n    RewriteEngine On\n    RewriteCond %{REQUEST_METHOD} OPTIONS\n    RewriteRule ^ - [R=204,L,E=CORS_PREFLIGHT:1]\n" +
			"    <Limit PUT>\n        Require all denied\n    </Limit>\n</Directory>\n",
	},
	{
		name:    "not in <Files>",
		src:     "<Files api.php>\n    Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n</Files>\n",
		at:      "Header",
		remedy:  rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{{Name: "Access-Control-Allow-Methods", Value: "PUT"}}},
		wantErr: "<files> (line 1) is no place",
	},
}

// evidenceAt builds the evidence the parser would give the first line of
// src that starts with prefix (after blanks).
func evidenceAt(t testing.TB, src, prefix string) rules.Evidence {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return rules.Evidence{Range: rules.Range{File: "httpd.conf", Line: i + 1}, Text: strings.TrimSpace(strings.TrimSuffix(l, "\r"))}
		}
	}
	t.Fatalf("no line starts with %q", prefix)
	return rules.Evidence{}
}

// applyEdits writes edits into src (they do not overlap).
func applyEdits(t *testing.T, src string, edits []rules.Edit) string {
	t.Helper()
	edits = slices.Clone(edits)
	slices.SortFunc(edits, func(a, b rules.Edit) int { return b.Start - a.Start })
	for _, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > len(src) {
			t.Fatalf("edit %+v out of range (len %d)", e, len(src))
		}
		src = src[:e.Start] + e.New + src[e.End:]
	}
	return src
}

func TestSpell(t *testing.T) {
	for _, c := range spellCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := runSpellCase(t, c)
			if c.wantErr != "" {
				if err == nil {
					t.Fatalf("want an error about %q, got edits giving:\n%s", c.wantErr, got)
				}
				if !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %q, want one about %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got:\n%s\nwant:\n%s", got, c.want)
			}
			// The fixed file still reads without a new error.
			name := c.file
			if name == "" {
				name = "httpd.conf"
			}
			before, after := ParseSource(name, []byte(c.src)), ParseSource(name, []byte(got))
			if len(after.Diagnostics) > len(before.Diagnostics) {
				t.Errorf("the fixed file has new diagnostics: %v", after.Diagnostics)
			}
		})
	}
}

// runSpellCase runs the speller on one case and applies its edits.
func runSpellCase(t *testing.T, c spellCase) (string, error) {
	t.Helper()
	r := c.remedy
	r.Format = "apache"
	ev := evidenceAt(t, c.src, c.at)
	if r.At.Text != "" {
		ev.Text = r.At.Text
	}
	r.At = ev
	name := c.file
	if name == "" {
		name = "httpd.conf"
	}
	edits, err := Spell(name, []byte(c.src), r)
	if err != nil {
		return "", err
	}
	for _, e := range edits {
		if e.File != name {
			t.Errorf("edit names file %q", e.File)
		}
	}
	return applyEdits(t, c.src, edits), nil
}

// Every fixed file of the table passes httpd's own configuration test:
// the server config and vhost cases are included from a minimal
// httpd.conf, the .htaccess cases inside a <Directory>. Skipped where
// Debian's apache2 is not installed.
func TestSpellOutputsPassApacheConfigTest(t *testing.T) {
	const bin, mods = "/usr/sbin/apache2", "/usr/lib/apache2/modules"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("apache2 is not installed")
	}
	dir := t.TempDir()
	var load strings.Builder
	for _, m := range []string{"mpm_event", "authz_core", "headers", "setenvif", "env", "rewrite", "macro", "allowmethods"} {
		fmt.Fprintf(&load, "LoadModule %s_module %s/mod_%s.so\n", m, mods, m)
	}
	checked := 0
	for i, c := range spellCases {
		if c.wantErr != "" {
			continue
		}
		got, err := runSpellCase(t, c)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, v := range []struct{ label, text string }{{"before", c.src}, {"after", got}} {
			inc := filepath.Join(dir, fmt.Sprintf("case%d-%s.conf", i, v.label))
			if err := os.WriteFile(inc, []byte(v.text), 0o644); err != nil {
				t.Fatal(err)
			}
			include := "Include " + inc + "\n"
			if c.file == ".htaccess" {
				include = "<Directory " + dir + ">\n" + include + "</Directory>\n"
			}
			conf := filepath.Join(dir, "httpd.conf")
			main := fmt.Sprintf("ServerRoot %s\n%sListen 127.0.0.1:1\nErrorLog %s/error.log\nPidFile %s/httpd.pid\nMutex file:%s default\nDefaultRuntimeDir %s\n%s", dir, load.String(), dir, dir, dir, dir, include)
			if err := os.WriteFile(conf, []byte(main), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, "-t", "-f", conf).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Syntax OK") {
				t.Errorf("%s (%s): apache2 -t: %v\n%s\n%s", c.name, v.label, err, out, v.text)
			}
		}
		checked++
	}
	t.Logf("apache2 -t accepted %d fixed files", checked)
}
