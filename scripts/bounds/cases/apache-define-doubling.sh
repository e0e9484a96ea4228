# An expansion bomb of about 1 KB: each `Define A ${A}${A}` doubles A, so 60
# of them ask for 2^60 bytes. The linter stops at its expansion budget and
# names the directive (exit 2), instead of running out of memory.
describe() { echo 'Apache: `Define A ${A}${A}` repeated 60 times (1 KB)'; }
gen() {
  {
    echo 'Define A x'
    for _ in $(seq 60); do echo 'Define A ${A}${A}'; done
    echo 'Header set X-Bomb "${A}"'
    echo 'Header set Access-Control-Allow-Origin "*"'
  } >site.conf
}
run() { "$CORSGUARD" lint site.conf; }
