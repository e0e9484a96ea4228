# 10,000 nested nginx locations (about 150 KB): nesting beyond nginx's own
# limit is reported, the rest analysed in near-linear time.
describe() { echo "10,000 nested nginx \`location\`s (200 KB)"; }
gen() {
  {
    echo 'http {'
    echo ' server {'
    echo '  listen 80;'
    echo '  add_header Access-Control-Allow-Origin "https://app.example.org";'
    for i in $(seq 1 10000); do echo "location /l$i {"; done
    echo 'add_header Access-Control-Allow-Origin $http_origin;'
    for i in $(seq 1 10000); do echo '}'; done
    echo ' }'
    echo '}'
  } >nginx.conf
}
run() { "$CORSGUARD" lint nginx.conf; }
