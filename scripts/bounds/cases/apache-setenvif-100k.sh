# A generated Apache allowlist: 100,000 `SetEnvIf Origin` lines that set one
# variable, echoed by one Header line.
describe() { echo 'Apache: 100,000 `SetEnvIf Origin` lines setting one variable (6 MB)'; }
gen() {
  {
    echo '<VirtualHost *:443>'
    echo 'ServerName api.example.com'
    awk 'BEGIN { for (i = 0; i < 100000; i++) printf "SetEnvIf Origin \"^https://app%d\\.example\\.com$\" ORIGIN_OK=$0\n", i }'
    echo 'Header always set Access-Control-Allow-Origin "%{ORIGIN_OK}e" env=ORIGIN_OK'
    echo 'Header always set Vary Origin'
    echo '</VirtualHost>'
  } >site.conf
}
run() { "$CORSGUARD" lint site.conf; }
