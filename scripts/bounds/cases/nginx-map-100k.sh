# An nginx map of 100,000 exact origins feeding Access-Control-Allow-Origin.
describe() { echo "nginx \`map\` of 100k exact origins"; }
gen() {
  {
    echo 'http {'
    echo ' map $http_origin $cors_origin {'
    echo '  default "";'
    for i in $(seq 1 100000); do echo "  \"https://app$i.example.org\" \$http_origin;"; done
    echo ' }'
    echo ' server {'
    echo '  listen 80;'
    echo '  location / { add_header Access-Control-Allow-Origin $cors_origin; }'
    echo ' }'
    echo '}'
  } >nginx.conf
}
run() { "$CORSGUARD" lint nginx.conf; }
