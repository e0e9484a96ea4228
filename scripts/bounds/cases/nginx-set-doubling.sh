# An expansion bomb of about 1 KB: `set $a "$a$a"` doubles the value each
# line (2^60 bytes if expanded), also through an if and a map value.
describe() { echo "nginx \`set \$a \"\$a\$a\"\` doubling, 60 times (1 KB)"; }
gen() {
  {
    echo 'http {'
    echo ' map $http_origin $m { default "$a$a"; }'
    echo ' server {'
    echo '  listen 80;'
    echo '  location / {'
    echo '   set $a "https://x.example.org";'
    for i in $(seq 1 30); do echo '   set $a "$a$a";'; done
    echo '   if ($http_origin) { set $a "$m$a"; }'
    for i in $(seq 1 30); do echo '   set $a "$a$a";'; done
    echo '   add_header Access-Control-Allow-Origin $a;'
    echo '  }'
    echo ' }'
    echo '}'
  } >nginx.conf
}
run() { "$CORSGUARD" lint nginx.conf; }
