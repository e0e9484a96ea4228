# A map of 2,000 distinct origin regexes with unescaped dots (CG105): each
# fix is a corrected pattern searched again for witnesses before it is
# offered, then the file is linted again with all of them.
describe() { echo "\`lint --diff\` on a map of 2k distinct regexes with unescaped dots"; }
gen() {
  {
    echo 'map $http_origin $cors_origin {'
    echo ' default "";'
    for i in $(seq 1 2000); do echo " \"~^https://app$i.example.com\$\" \$http_origin;"; done
    echo '}'
    echo 'server {'
    echo ' listen 443 ssl;'
    echo ' server_name api.example.com;'
    echo ' location / { add_header Access-Control-Allow-Origin $cors_origin always; add_header Vary Origin always; }'
    echo '}'
  } >api.conf
}
run() { "$CORSGUARD" lint --diff api.conf; }
