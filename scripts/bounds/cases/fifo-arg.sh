# A FIFO nobody writes to, /dev/stdin and a process substitution named on the
# command line: refused by type before being opened (pipe a stream to `-`).
describe() { echo "FIFO, \`/dev/stdin\` and \`<(cat api.conf)\` on the command line"; }
gen() {
  mkfifo pipe.conf
  printf 'server {\n  location / { add_header Access-Control-Allow-Origin $http_origin; }\n}\n' >api.conf
}
run() { "$CORSGUARD" lint pipe.conf /dev/stdin <(cat api.conf) api.conf < <(sleep 60); }
