# A 100 MB file given as --baseline: refused by its size, before reading.
describe() { echo "\`--baseline\` of 100 MB (over the 32 MB cap)"; }
gen() {
  head -c $((100 << 20)) /dev/zero | tr '\0' ' ' >baseline.json
  printf 'server {\n  listen 80;\n}\n' >api.conf
}
run() { "$CORSGUARD" lint --baseline baseline.json api.conf; }
