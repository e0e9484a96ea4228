# 200 origin regexes with catastrophic backtracking: a nested repetition
# ([a-z0-9.-]+)+ that fails on every origin not ending in the trusted name,
# behind a lookahead so that it runs on the backtracking engine (regexp2).
describe() { echo "200 catastrophic-backtracking origin regexes (\`^https://(?=[a-z])([a-z0-9.-]+)+\\.svcN…\$\`, nginx map)"; }

gen() {
  {
    echo 'map $http_origin $cors_origin {'
    echo '    default "";'
    for i in $(seq 1 200); do
      printf '    "~^https://(?=[a-z])([a-z0-9.-]+)+\\.internal-services-platform-%03d\\.example\\.com$" $http_origin;\n' "$i"
    done
    echo '}'
    echo 'server {'
    echo '    listen 443 ssl;'
    echo '    server_name api.example.com;'
    echo '    location / {'
    echo '        add_header Access-Control-Allow-Origin $cors_origin always;'
    echo '        add_header Access-Control-Allow-Credentials true always;'
    echo '        add_header Vary Origin always;'
    echo '    }'
    echo '}'
  } >nginx.conf
}

run() { "$CORSGUARD" lint nginx.conf; }
