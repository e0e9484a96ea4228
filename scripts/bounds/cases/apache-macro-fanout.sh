# mod_macro fan-out of about 1 KB: seven levels of macros, each using the
# one below ten times, ask for 10^7 expanded lines. The linter stops at its
# expansion budget and names the Use line (exit 2).
describe() { echo 'Apache: mod_macro `Use` fan-out, 7 levels x 10 uses (1 KB)'; }
gen() {
  {
    echo '<Macro M0 $o>'
    echo 'Header append Access-Control-Allow-Origin "$o"'
    echo '</Macro>'
    for l in 1 2 3 4 5 6 7; do
      echo "<Macro M$l \$o>"
      for _ in $(seq 10); do echo "Use M$((l - 1)) \$o"; done
      echo '</Macro>'
    done
    echo 'Use M7 https://app.example.com'
  } >site.conf
}
run() { "$CORSGUARD" lint site.conf; }
