package nginx

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// spellCase is one line of the speller's specification: a file, a remedy
// citing one of its directives, and the file as fixed (or why not).
type spellCase struct {
	name string
	// ctx is where the source sits in a whole nginx.conf, for `nginx -t`:
	// "main" (it is one), "http" (the http block's body), "server",
	// "location" (the body of a location in a server).
	ctx  string
	src  string
	r    rules.Remedy
	want string // the fixed source
	err  string // or: a substring of the error
}

func at(line int, text string) rules.Evidence {
	return rules.Evidence{Range: rules.Range{File: "cors.conf", Line: line}, Text: text}
}

func replace(line int, text, old, repl string) rules.Remedy {
	return rules.Remedy{Kind: rules.ReplaceValue, Format: "nginx", At: at(line, text), Old: old, New: repl}
}

func remedy(kind rules.RemedyKind, line int, text string) rules.Remedy {
	return rules.Remedy{Kind: kind, Format: "nginx", At: at(line, text)}
}

func withHeaders(r rules.Remedy, hs ...string) rules.Remedy {
	for i := 0; i+1 < len(hs); i += 2 {
		r.Headers = append(r.Headers, rules.HeaderLine{Name: hs[i], Value: hs[i+1]})
	}
	return r
}

func echo(line int, text string, origins ...string) rules.Remedy {
	r := remedy(rules.ReplaceEcho, line, text)
	r.Origins = origins
	return r
}

var replaceValueCases = []spellCase{
	{name: "if regex in double quotes: anchored and escaped, quotes and ~* kept", ctx: "location",
		src:  "if ($http_origin ~* \"^https://app.example.com\") {\n    add_header Access-Control-Allow-Origin $http_origin;\n}\n",
		r:    replace(1, "", "^https://app.example.com", `^https://app\.example\.com$`),
		want: "if ($http_origin ~* \"^https://app\\.example\\.com$\") {\n    add_header Access-Control-Allow-Origin $http_origin;\n}\n"},
	{name: "if regex bare, glued to the closing parenthesis", ctx: "location",
		src:  "if ($http_origin ~ ^https://app\\.example\\.com) {\n    add_header Access-Control-Allow-Origin $http_origin;\n}\n",
		r:    replace(1, `if ($http_origin ~ ^https://app\.example\.com) {`, `^https://app\.example\.com`, `^https://app\.example\.com$`),
		want: "if ($http_origin ~ ^https://app\\.example\\.com$) {\n    add_header Access-Control-Allow-Origin $http_origin;\n}\n"},
	{name: "if regex bare gets quotes when the new pattern has braces", ctx: "location",
		src:  "if ($http_origin ~* ^https://[a-z]+.example.com) { add_header Access-Control-Allow-Origin $http_origin; }\n",
		r:    replace(1, "if ($http_origin ~* ^https://[a-z]+.example.com) {", "^https://[a-z]+.example.com", `^https://[a-z]{1,63}\.example\.com$`),
		want: "if ($http_origin ~* \"^https://[a-z]{1,63}\\.example\\.com$\") { add_header Access-Control-Allow-Origin $http_origin; }\n"},
	{name: "negated gate regex in single quotes", ctx: "location",
		src:  "if ($http_origin !~ '^https://app\\.example\\.com') { return 403; }\nadd_header Access-Control-Allow-Origin $http_origin;\n",
		r:    replace(1, `if ($http_origin !~ ^https://app\.example\.com) {`, `^https://app\.example\.com`, `^https://app\.example\.com$`),
		want: "if ($http_origin !~ '^https://app\\.example\\.com$') { return 403; }\nadd_header Access-Control-Allow-Origin $http_origin;\n"},
	{name: "map regex key bare: the ~ marker stays", ctx: "http",
		src:  "map $http_origin $cors {\n    default \"\";\n    ~^https://app\\.example\\.com $http_origin;\n}\n",
		r:    replace(3, "", `^https://app\.example\.com`, `^https://app\.example\.com$`),
		want: "map $http_origin $cors {\n    default \"\";\n    ~^https://app\\.example\\.com$ $http_origin;\n}\n"},
	{name: "map regex key in single quotes with ~*", ctx: "http",
		src:  "map $http_origin $cors {\n\tdefault '';\n\t'~*^https?://app.example.com' $http_origin;\n}\n",
		r:    replace(3, "", "^https?://app.example.com", `^https?://app\.example\.com$`),
		want: "map $http_origin $cors {\n\tdefault '';\n\t'~*^https?://app\\.example\\.com$' $http_origin;\n}\n"},
	{name: "map regex key bare gets quotes around the marker too", ctx: "http",
		src:  "map $http_origin $cors { default \"\"; ~^https://(a|b).example.com $http_origin; }\n",
		r:    replace(1, `~^https://(a|b).example.com $http_origin;`, "^https://(a|b).example.com", `^https://(a|b)\.example\.com$ # {x}`),
		want: "map $http_origin $cors { default \"\"; \"~^https://(a|b)\\.example\\.com$ # {x}\" $http_origin; }\n"},
	{name: "map exact key: canonical origin", ctx: "http",
		src:  "map $http_origin $cors {\n    default \"\";\n    \"https://App.example.com/\" $http_origin;\n}\n",
		r:    replace(3, "", "https://App.example.com/", "https://app.example.com"),
		want: "map $http_origin $cors {\n    default \"\";\n    \"https://app.example.com\" $http_origin;\n}\n"},
	{name: "a comment repeating the value is not a token", ctx: "http",
		src:  "map $http_origin $cors {\n    default \"\"; # was ~^https://a.example.com\n    \"~^https://a.example.com\" $http_origin; # ~^https://a.example.com\n}\n",
		r:    replace(3, "", "^https://a.example.com", `^https://a\.example\.com$`),
		want: "map $http_origin $cors {\n    default \"\"; # was ~^https://a.example.com\n    \"~^https://a\\.example\\.com$\" $http_origin; # ~^https://a.example.com\n}\n"},
	{name: "escaped quote inside the quoted key survives", ctx: "http",
		src:  "map $http_origin $cors { default \"\"; \"~^https://\\\"q\\\".example.com\" $http_origin; }\n",
		r:    replace(1, `~^https://"q".example.com $http_origin;`, `^https://"q".example.com`, `^https://"q"\.example\.com$`),
		want: "map $http_origin $cors { default \"\"; \"~^https://\\\"q\\\"\\.example\\.com$\" $http_origin; }\n"},
	{name: "add_header literal origin: default port and slash dropped", ctx: "location",
		src:  "add_header Access-Control-Allow-Origin http://example.com:80/ always;\n",
		r:    replace(1, "", "http://example.com:80/", "http://example.com"),
		want: "add_header Access-Control-Allow-Origin http://example.com always;\n"},
	{name: "Max-Age capped, a braced variable and # in quotes elsewhere on the line", ctx: "location",
		src:  "add_header X-Note \"${scheme}#not-a-comment\"; add_header Access-Control-Max-Age 31536000;\n",
		r:    replace(1, "add_header Access-Control-Max-Age 31536000;", "31536000", "7200"),
		want: "add_header X-Note \"${scheme}#not-a-comment\"; add_header Access-Control-Max-Age 7200;\n"},
	{name: "multi-line directive, tabs, CRLF", ctx: "location",
		src:  "\tadd_header\r\n\t\tAccess-Control-Max-Age\r\n\t\t\"86400\"\r\n\t\talways;\r\n",
		r:    replace(1, "", "86400", "7200"),
		want: "\tadd_header\r\n\t\tAccess-Control-Max-Age\r\n\t\t\"7200\"\r\n\t\talways;\r\n"},
	{name: "headers-more: Max-Age inside a \"Name: value\" argument", ctx: "location",
		src:  "more_set_headers -s 200 \"Access-Control-Max-Age:  86400\";\n",
		r:    replace(1, "", "86400", "600"),
		want: "more_set_headers -s 200 \"Access-Control-Max-Age:  600\";\n"},
	{name: "unsure: headers-more argument with escapes (offsets would not map)", ctx: "location",
		src: "more_set_headers \"Access-Control-Max-Age: 86400 \\\"s\\\"\";\n",
		r:   replace(1, "", `86400 "s"`, "600"),
		err: "has no value"},
	{name: "unsure: the value is written twice", ctx: "http",
		src: "map $http_origin $cors { default \"\"; \"https://a.example.com/\" \"https://a.example.com/\"; }\n",
		r:   replace(1, "https://a.example.com/ https://a.example.com/;", "https://a.example.com/", "https://a.example.com"),
		err: `has the value "https://a.example.com/" 2 times`},
	{name: "unsure: the value is not in the directive", ctx: "location",
		src: "add_header Access-Control-Allow-Origin https://b.example.com;\n",
		r:   replace(1, "", "https://a.example.com/", "https://a.example.com"),
		err: `has no value "https://a.example.com/"`},
	{name: "unsure: no directive on the cited line", ctx: "location",
		src: "# comment\nadd_header Access-Control-Max-Age 86400;\n",
		r:   replace(1, "", "86400", "7200"),
		err: "cors.conf:1: replace-value: no directive starts on line 1"},
	{name: "unsure: several directives on the line and no text to tell them apart", ctx: "location",
		src: "add_header Access-Control-Max-Age 86400; add_header X-Max 86400;\n",
		r:   replace(1, "", "86400", "7200"),
		err: "holds 2 directives"},
	{name: "unsure: the file changed since it was linted", ctx: "location",
		src: "add_header Access-Control-Max-Age 600;\n",
		r:   replace(1, "add_header Access-Control-Max-Age 86400;", "86400", "7200"),
		err: `does not hold "add_header Access-Control-Max-Age 86400;"`},
	{name: "unsure: a backslash escape nginx reads differently", ctx: "http",
		src: "map $http_origin $cors { default \"\"; ~^https://a.example.com $http_origin; }\n",
		r:   replace(1, "~^https://a.example.com $http_origin;", "^https://a.example.com", `^https://a\\.example\.com$`),
		err: "nginx and the linter read differently"},
	{name: "unsure: a $ in a header value would be a variable", ctx: "location",
		src: "add_header Access-Control-Allow-Origin https://a.example.com/;\n",
		r:   replace(1, "", "https://a.example.com/", "https://a.example.com$"),
		err: "reads as a variable"},
	{name: "Lua blocks are one token, as the front end reads them (braces in Lua strings)", ctx: "location",
		src:  "set_by_lua_block $pf { return \"{\" }\naccess_by_lua_block {\n  if ngx.var.x then ngx.say('}') end\n}\nadd_header Access-Control-Max-Age 86400;\n",
		r:    replace(5, "", "86400", "7200"),
		want: "set_by_lua_block $pf { return \"{\" }\naccess_by_lua_block {\n  if ngx.var.x then ngx.say('}') end\n}\nadd_header Access-Control-Max-Age 7200;\n"},
	{name: "unsure: a Lua block name that does not start a directive", ctx: "location",
		src: "add_header Access-Control-Max-Age 86400; # see content_by_lua_block\n",
		r:   replace(1, "", "86400", "7200"),
		err: "not exact here"},
	{name: "unsure: an unclosed Lua block", ctx: "location",
		src: "add_header Access-Control-Max-Age 86400;\ncontent_by_lua_block { ngx.say('x') \n",
		r:   replace(1, "", "86400", "7200"),
		err: "never closed"},
	{name: "unsure: unbalanced braces", ctx: "location",
		src: "location / {\nadd_header Access-Control-Max-Age 86400;\n",
		r:   replace(2, "", "86400", "7200"),
		err: "never closed"},
}

var addAlwaysCases = []spellCase{
	{name: "always after a bare value", ctx: "server",
		src:  "add_header Access-Control-Allow-Origin $cors;\nadd_header Vary Origin;\n",
		r:    remedy(rules.AddAlways, 1, "add_header Access-Control-Allow-Origin $cors;"),
		want: "add_header Access-Control-Allow-Origin $cors always;\nadd_header Vary Origin;\n"},
	{name: "always after a quoted value, before a comment", ctx: "server",
		src:  "    add_header Access-Control-Allow-Methods \"GET, POST\"; # methods\n",
		r:    remedy(rules.AddAlways, 1, ""),
		want: "    add_header Access-Control-Allow-Methods \"GET, POST\" always; # methods\n"},
	{name: "multi-line CRLF directive keeps its layout", ctx: "server",
		src:  "add_header\r\n    Access-Control-Allow-Credentials\r\n    'true'\r\n    ;\r\n",
		r:    remedy(rules.AddAlways, 1, ""),
		want: "add_header\r\n    Access-Control-Allow-Credentials\r\n    'true' always\r\n    ;\r\n"},
	{name: "unsure: already always", ctx: "server",
		src: "add_header Access-Control-Allow-Origin $cors always;\n",
		r:   remedy(rules.AddAlways, 1, ""),
		err: "already has always"},
	{name: "unsure: not an add_header", ctx: "server",
		src: "more_set_headers 'Access-Control-Allow-Origin: $cors';\n",
		r:   remedy(rules.AddAlways, 1, ""),
		err: "not an add_header"},
}

var removeCases = []spellCase{
	{name: "the duplicate's whole line goes, comment included", ctx: "location",
		src:  "    add_header Access-Control-Allow-Origin $cors always;\n    add_header Access-Control-Allow-Origin * always; # legacy\n    add_header Vary Origin always;\n",
		r:    remedy(rules.RemoveDirective, 2, ""),
		want: "    add_header Access-Control-Allow-Origin $cors always;\n    add_header Vary Origin always;\n"},
	{name: "CRLF line", ctx: "location",
		src:  "add_header Access-Control-Allow-Origin $cors;\r\nadd_header Access-Control-Allow-Origin *;\r\nreturn 204;\r\n",
		r:    remedy(rules.RemoveDirective, 2, ""),
		want: "add_header Access-Control-Allow-Origin $cors;\r\nreturn 204;\r\n"},
	{name: "last line without a newline", ctx: "location",
		src:  "add_header Access-Control-Allow-Origin $cors;\nadd_header Access-Control-Allow-Origin *;",
		r:    remedy(rules.RemoveDirective, 2, ""),
		want: "add_header Access-Control-Allow-Origin $cors;"},
	{name: "one of several on a line, chosen by its text", ctx: "server",
		src:  "location / { add_header Access-Control-Allow-Origin *; add_header Access-Control-Allow-Origin $http_origin; return 204; }\n",
		r:    remedy(rules.RemoveDirective, 1, "add_header Access-Control-Allow-Origin $http_origin;"),
		want: "location / { add_header Access-Control-Allow-Origin *; return 204; }\n"},
	{name: "multi-line directive", ctx: "location",
		src:  "add_header Access-Control-Allow-Origin $cors;\nadd_header\n    Access-Control-Allow-Origin\n    \"*\";\nreturn 204;\n",
		r:    remedy(rules.RemoveDirective, 2, "add_header Access-Control-Allow-Origin *;"),
		want: "add_header Access-Control-Allow-Origin $cors;\nreturn 204;\n"},
	{name: "unsure: two identical directives on the line", ctx: "server",
		src: "location / { add_header Vary Origin; add_header Vary Origin; return 204; }\n",
		r:   remedy(rules.RemoveDirective, 1, "add_header Vary Origin;"),
		err: "2 times"},
}

var addHeadersCases = []spellCase{
	{name: "Vary: Origin right after the grant, same indentation", ctx: "server",
		src:  "    add_header Access-Control-Allow-Origin $cors always;\n    location / { return 200; }\n",
		r:    withHeaders(remedy(rules.AddHeaders, 1, ""), "Vary", "Origin"),
		want: "    add_header Access-Control-Allow-Origin $cors always;\n    add_header Vary Origin always;\n    location / { return 200; }\n"},
	{name: "re-declared headers in a nested location: tabs, CRLF, quoting", ctx: "server",
		src: "\tadd_header Access-Control-Allow-Origin $cors always;\r\n\tlocation /a {\r\n\t\tadd_header X-Frame-Options DENY; # own header\r\n\t\treturn 200;\r\n\t}\r\n",
		r: withHeaders(remedy(rules.AddHeaders, 3, ""), "Access-Control-Allow-Origin", "$cors",
			"Access-Control-Allow-Methods", "GET, POST"),
		want: "\tadd_header Access-Control-Allow-Origin $cors always;\r\n\tlocation /a {\r\n\t\tadd_header X-Frame-Options DENY; # own header\r\n" +
			"\t\tadd_header Access-Control-Allow-Origin $cors always;\r\n\t\tadd_header Access-Control-Allow-Methods \"GET, POST\" always;\r\n\t\treturn 200;\r\n\t}\r\n"},
	{name: "inline block: the new directive follows on the line", ctx: "server",
		src:  "location / { add_header Access-Control-Allow-Origin $cors; return 204; }\n",
		r:    withHeaders(remedy(rules.AddHeaders, 1, "add_header Access-Control-Allow-Origin $cors;"), "Vary", "Origin"),
		want: "location / { add_header Access-Control-Allow-Origin $cors; add_header Vary Origin always; return 204; }\n"},
	{name: "unsure: next to a directive of a server-level if", ctx: "http",
		src: "server {\n    if ($request_method = OPTIONS) {\n        return 204;\n    }\n}\n",
		r:   withHeaders(remedy(rules.AddHeaders, 3, ""), "Vary", "Origin"),
		err: "nginx allows no add_header in the if block"},
	{name: "unsure: a header name that is not a token", ctx: "server",
		src: "add_header Access-Control-Allow-Origin $cors;\n",
		r:   withHeaders(remedy(rules.AddHeaders, 1, ""), "Vary Origin", "x"),
		err: `header name "Vary Origin" is not a token`},
	{name: "unsure: an empty value nginx would not send", ctx: "server",
		src: "add_header Access-Control-Allow-Origin $cors;\n",
		r:   withHeaders(remedy(rules.AddHeaders, 1, ""), "Vary", ""),
		err: "empty value"},
}

var replaceEchoCases = []spellCase{
	{name: "whole nginx.conf: the map goes in http, before the first server", ctx: "main",
		src: "events { worker_connections 16; }\nhttp {\n    include mime.types;\n\n    server {\n        location / {\n" +
			"            add_header Access-Control-Allow-Origin $http_origin always;\n            return 200;\n        }\n    }\n}\n",
		r: echo(7, "", "https://app.example.com", "https://admin.example.com"),
		want: "events { worker_connections 16; }\nhttp {\n    include mime.types;\n\n" +
			"    map $http_origin $cors_allow_origin {\n        default \"\";\n        \"https://app.example.com\" $http_origin;\n        \"https://admin.example.com\" $http_origin;\n    }\n\n" +
			"    server {\n        location / {\n            add_header Access-Control-Allow-Origin $cors_allow_origin always;\n            return 200;\n        }\n    }\n}\n"},
	{name: "conf.d file of servers: at the top, above the server's comment; the name in use gets a number", ctx: "http",
		src: "# the API\nserver {\n  set $cors_allow_origin x;\n  location / {\n    add_header Access-Control-Allow-Origin \"$http_origin\";\n    return 200;\n  }\n}\n",
		r:   echo(5, "", "https://app.example.com"),
		want: "map $http_origin $cors_allow_origin2 {\n  default \"\";\n  \"https://app.example.com\" $http_origin;\n}\n\n" +
			"# the API\nserver {\n  set $cors_allow_origin x;\n  location / {\n    add_header Access-Control-Allow-Origin \"$cors_allow_origin2\";\n    return 200;\n  }\n}\n"},
	{name: "http block with no server of its own (they are included): at its top, CRLF", ctx: "main",
		src: "events {}\r\nhttp {\r\n    add_header Access-Control-Allow-Origin $http_origin;\r\n}\r\n",
		r:   echo(3, "", "https://app.example.com"),
		want: "events {}\r\nhttp {\r\n    map $http_origin $cors_allow_origin {\r\n        default \"\";\r\n        \"https://app.example.com\" $http_origin;\r\n    }\r\n" +
			"    add_header Access-Control-Allow-Origin $cors_allow_origin;\r\n}\r\n"},
	{name: "unsure: a location snippet has no place for a map", ctx: "location",
		src: "add_header Access-Control-Allow-Origin $http_origin;\n",
		r:   echo(1, "", "https://app.example.com"),
		err: "no http context for a map (a snippet included inside a server or location): declare `map $http_origin $cors_allow_origin { default \"\"; \"https://app.example.com\" $http_origin; }` in the http context"},
	{name: "unsure: no trusted origins declared", ctx: "http",
		src: "server { add_header Access-Control-Allow-Origin $http_origin; }\n",
		r:   echo(1, "add_header Access-Control-Allow-Origin $http_origin;"),
		err: "no trusted origins are declared"},
	{name: "unsure: a trusted origin that no browser sends", ctx: "http",
		src: "server { add_header Access-Control-Allow-Origin $http_origin; }\n",
		r:   echo(1, "add_header Access-Control-Allow-Origin $http_origin;", "https://App.example.com/"),
		err: "not a serialised origin"},
	{name: "unsure: not the Allow-Origin header", ctx: "http",
		src: "server { add_header Access-Control-Allow-Headers $http_access_control_request_headers; }\n",
		r:   echo(1, "add_header Access-Control-Allow-Headers $http_access_control_request_headers;", "https://app.example.com"),
		err: "is not an add_header or more_set_headers of Access-Control-Allow-Origin"},
	{name: "headers-more: the value part of the argument, inside its quotes", ctx: "http",
		src: "server {\n    more_set_headers 'Access-Control-Allow-Origin: $http_origin' 'Access-Control-Allow-Credentials: true';\n}\n",
		r:   echo(2, "", "https://app.example.com"),
		want: "map $http_origin $cors_allow_origin {\n    default \"\";\n    \"https://app.example.com\" $http_origin;\n}\n\n" +
			"server {\n    more_set_headers 'Access-Control-Allow-Origin: $cors_allow_origin' 'Access-Control-Allow-Credentials: true';\n}\n"},
}

var preflightHeaders = []string{"Access-Control-Allow-Origin", "$cors", "Access-Control-Allow-Methods", "GET, PUT, DELETE", "Vary", "Origin"}

var answerPreflightCases = []spellCase{
	{name: "at the top of the location cited", ctx: "server",
		src: "location /api {\n    add_header Access-Control-Allow-Origin $cors always;\n    proxy_pass http://127.0.0.1:9;\n}\n",
		r:   withHeaders(remedy(rules.AnswerPreflight, 1, "location /api {"), preflightHeaders...),
		want: "location /api {\n    if ($request_method = OPTIONS) {\n        add_header Access-Control-Allow-Origin $cors always;\n" +
			"        add_header Access-Control-Allow-Methods \"GET, PUT, DELETE\" always;\n        add_header Vary Origin always;\n        return 204;\n    }\n" +
			"    add_header Access-Control-Allow-Origin $cors always;\n    proxy_pass http://127.0.0.1:9;\n}\n"},
	{name: "cited by a directive inside: its block, tabs and CRLF", ctx: "http",
		src: "server {\r\n\tlisten 127.0.0.1:8080;\r\n\tlocation / {\r\n\t\tadd_header Access-Control-Allow-Origin $cors;\r\n\t\tproxy_pass http://127.0.0.1:9;\r\n\t}\r\n}\r\n",
		r:   withHeaders(remedy(rules.AnswerPreflight, 4, ""), "Access-Control-Allow-Origin", "$cors"),
		want: "server {\r\n\tlisten 127.0.0.1:8080;\r\n\tlocation / {\r\n\t\tif ($request_method = OPTIONS) {\r\n\t\t\tadd_header Access-Control-Allow-Origin $cors always;\r\n\t\t\treturn 204;\r\n\t\t}\r\n" +
			"\t\tadd_header Access-Control-Allow-Origin $cors;\r\n\t\tproxy_pass http://127.0.0.1:9;\r\n\t}\r\n}\r\n"},
	{name: "inline location stays on its line", ctx: "server",
		src:  "location / { add_header Access-Control-Allow-Origin *; proxy_pass http://127.0.0.1:9; }\n",
		r:    withHeaders(remedy(rules.AnswerPreflight, 1, "location / {"), "Access-Control-Allow-Origin", "*"),
		want: "location / { if ($request_method = OPTIONS) { add_header Access-Control-Allow-Origin * always; return 204; } add_header Access-Control-Allow-Origin *; proxy_pass http://127.0.0.1:9; }\n"},
	{name: "unsure: the block already branches on the method", ctx: "server",
		src: "location / {\n    if ($request_method = POST) { return 405; }\n    proxy_pass http://127.0.0.1:9;\n}\n",
		r:   withHeaders(remedy(rules.AnswerPreflight, 1, ""), "Access-Control-Allow-Origin", "*"),
		err: "line 2 already branches on $request_method"},
	{name: "unsure: a server scope (nginx allows no add_header in a server-level if)", ctx: "http",
		src: "server {\n    add_header Access-Control-Allow-Origin $cors;\n    location / { proxy_pass http://127.0.0.1:9; }\n}\n",
		r:   withHeaders(remedy(rules.AnswerPreflight, 1, "server {"), "Access-Control-Allow-Origin", "$cors"),
		err: "answer OPTIONS in its locations"},
	{name: "unsure: the scope is a whole snippet file (its block is in the including file)", ctx: "location",
		src: "# CORS for the API\nadd_header Access-Control-Allow-Origin $cors;\n",
		r:   withHeaders(remedy(rules.AnswerPreflight, 1, "snippet cors.conf"), "Access-Control-Allow-Origin", "$cors"),
		err: "the scope is the whole snippet file"},
	{name: "unsure: not in a location or server", ctx: "http",
		src: "add_header Access-Control-Allow-Origin *;\n",
		r:   withHeaders(remedy(rules.AnswerPreflight, 1, ""), "Access-Control-Allow-Origin", "*"),
		err: "not in a location or server block"},
}

// allSpellCases is the whole specification, by kind.
func allSpellCases() map[string][]spellCase {
	return map[string][]spellCase{
		"replace-value": replaceValueCases, "add-always": addAlwaysCases, "remove-directive": removeCases,
		"add-headers": addHeadersCases, "replace-echo": replaceEchoCases, "answer-preflight": answerPreflightCases,
	}
}

func TestSpell(t *testing.T) {
	for kind, cases := range allSpellCases() {
		for _, tc := range cases {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				got, err := spellAndApply(tc.src, tc.r)
				if tc.err != "" {
					if err == nil || !strings.Contains(err.Error(), tc.err) {
						t.Fatalf("error %v, want one containing %q (got source %q)", err, tc.err, got)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Fatalf("fixed source:\n%s\nwant:\n%s", got, tc.want)
				}
				// The front end reads the fixed file without complaint.
				res := ParseSource("cors.conf", []byte(got))
				if d := diagnostics(res); len(d) > 0 {
					t.Errorf("the fixed file does not parse cleanly: %v", d)
				}
			})
		}
	}
}

// Remedies of one file are spelled one by one against the same contents
// and their edits merged, as lint/fix does: they compose (an `always`
// and a Vary line after the same directive, a map and the header that
// sends it) into the file the README shows.
func TestSpellSeveralRemediesOfOneFile(t *testing.T) {
	src := `map $http_origin $cors_regex {
    default "";
    "~^https://app.example.com" $http_origin;
}

# The API
server {
    listen 443 ssl;
    server_name api.example.com;
    location /v1/ {
        add_header Access-Control-Allow-Origin $cors_regex;
        add_header Access-Control-Max-Age 31536000;
        proxy_pass http://backend;
    }
    location /public/ {
        add_header Access-Control-Allow-Origin $http_origin always;
        add_header Access-Control-Allow-Credentials true always;
        proxy_pass http://backend;
    }
}
`
	ev := func(line int) rules.Evidence { return at(line, "") }
	rs := []rules.Remedy{
		{Kind: rules.ReplaceValue, At: ev(3), Old: "^https://app.example.com", New: `^https://app\.example\.com$`},
		{Kind: rules.AnswerPreflight, At: ev(10), Headers: []rules.HeaderLine{{Name: "Access-Control-Allow-Origin", Value: "$cors_regex"}, {Name: "Access-Control-Allow-Methods", Value: "GET, POST"}}},
		{Kind: rules.AddAlways, At: ev(11)},
		{Kind: rules.AddHeaders, At: ev(11), Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		{Kind: rules.ReplaceValue, At: ev(12), Old: "31536000", New: "7200"},
		{Kind: rules.ReplaceEcho, At: ev(16), Origins: []string{"https://app.example.com", "https://admin.example.com"}},
	}
	var edits []rules.Edit
	for _, r := range rs {
		es, err := Spell("cors.conf", []byte(src), r)
		if err != nil {
			t.Fatal(err)
		}
		edits = append(edits, es...)
	}
	got, err := applyEdits(src, edits)
	if err != nil {
		t.Fatal(err)
	}
	want := `map $http_origin $cors_regex {
    default "";
    "~^https://app\.example\.com$" $http_origin;
}

map $http_origin $cors_allow_origin {
    default "";
    "https://app.example.com" $http_origin;
    "https://admin.example.com" $http_origin;
}

# The API
server {
    listen 443 ssl;
    server_name api.example.com;
    location /v1/ {
        if ($request_method = OPTIONS) {
            add_header Access-Control-Allow-Origin $cors_regex always;
            add_header Access-Control-Allow-Methods "GET, POST" always;
            return 204;
        }
        add_header Access-Control-Allow-Origin $cors_regex always;
        add_header Vary Origin always;
        add_header Access-Control-Max-Age 7200;
        proxy_pass http://backend;
    }
    location /public/ {
        add_header Access-Control-Allow-Origin $cors_allow_origin always;
        add_header Access-Control-Allow-Credentials true always;
        proxy_pass http://backend;
    }
}
`
	if got != want {
		t.Fatalf("fixed file:\n%s\nwant:\n%s", got, want)
	}
	if d := diagnostics(ParseSource("cors.conf", []byte(got))); len(d) > 0 {
		t.Errorf("the fixed file does not parse cleanly: %v", d)
	}
}

// spellAndApply runs Spell on src as the file cors.conf and applies the
// edits the way lint/fix does (in order, none overlapping).
func spellAndApply(src string, r rules.Remedy) (string, error) {
	edits, err := Spell("cors.conf", []byte(src), r)
	if err != nil {
		return "", err
	}
	return applyEdits(src, edits)
}

func applyEdits(src string, edits []rules.Edit) (string, error) {
	if len(edits) == 0 {
		return "", fmt.Errorf("no edit and no error")
	}
	sorted := append([]rules.Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	var b strings.Builder
	last := 0
	for _, e := range sorted {
		if e.File != "cors.conf" || e.Start < last || e.End < e.Start || e.End > len(src) {
			return "", fmt.Errorf("edit %+v out of order, overlapping or outside the %d-byte file", e, len(src))
		}
		b.WriteString(src[last:e.Start])
		b.WriteString(e.New)
		last = e.End
	}
	b.WriteString(src[last:])
	return b.String(), nil
}
