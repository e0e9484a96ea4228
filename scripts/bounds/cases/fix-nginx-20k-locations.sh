# 20,000 locations, each with an Allow-Origin header that is not sent on
# errors (CG402: one fix each), in one file: `lint --diff` spells, merges
# and proves 20k edits of one file.
describe() { echo "\`lint --diff\` on 20k locations each needing \`always\` (20k edits in one file)"; }
gen() {
  {
    echo 'server {'
    echo ' listen 443 ssl;'
    echo ' server_name api.example.com;'
    for i in $(seq 1 20000); do echo " location /v$i/ { add_header Access-Control-Allow-Origin \"https://app.example.com\"; }"; done
    echo '}'
  } >api.conf
}
run() { "$CORSGUARD" lint --diff api.conf; }
