// Package apache is corsguard's Apache httpd front end. It owns reading
// httpd.conf / apache2.conf / vhost snippets / .htaccess files the way httpd
// itself reads them (one directive per line, `\` continuation, `#` comments
// only at the start of a line, quoted arguments, <Section> nesting,
// Include/IncludeOptional globs relative to ServerRoot, Define and ${VAR},
// IfDefine/IfModule), and turning the result into one rules.Policy per
// effective scope: every VirtualHost, and every Directory, Location, Files or
// path-like If section that carries CORS facts.
//
// The semantics that decide CORS are modelled as httpd applies them:
//   - mod_headers keeps two tables: `Header set` (onsuccess, 2xx only) and
//     `Header always set` (every response). Both are sent on success, so
//     setting a CORS header in each yields two headers.
//   - per-directory sections merge in httpd's order (Directory by path
//     length < DirectoryMatch < Files < Location < If) and mod_headers
//     concatenates, so later `unset` removes earlier entries of its own table.
//   - mod_setenvif, SetEnv and mod_rewrite's E= flag carry the request Origin
//     into environment variables that `%{VAR}e` then echoes; the regex that
//     guards that flow becomes the policy's origin Pattern.
//   - OPTIONS handling follows the request phases: server-context mod_rewrite
//     (translate_name) before access control before per-directory rewrite
//     (fixups) before the handler.
//   - an origin check that rejects other origins before the response is
//     built (RewriteCond !allowed + [F], <If !~> Require all denied,
//     SetEnvIf + Require env) is validation: an echo behind it is the
//     check's pattern (gate.go).
//
// Reading is bounded (expand.go): ${VAR} expansion, mod_macro Use
// expansion, ap_expr length, and the files and bytes an entry includes
// each have a budget; one that runs out is a diagnostic naming the
// directive, never an out-of-memory.
//
// Parse never panics on bad input; problems come back as rules.Diagnostic
// with file:line.
//
// Spell (fix*.go) is the other direction, for --fix: it turns a rules.Remedy
// into byte edits of one file in httpd's own syntax (quoting, `\`
// continuations, CRLF kept), or says why the edit would be a guess.
package apache
