# A --baseline of 100,000 accepted findings (about 19 MB), applied to a lint run.
describe() { echo "\`--baseline\` of 100k entries (19 MB)"; }
gen() {
  python3 - <<'PY'
import json
entries = [{"fingerprint": "%016x:1" % i, "ruleId": "CG101", "file": "conf/site%d.conf" % i,
            "line": 5, "message": "Access-Control-Allow-Origin reflects the request Origin unvalidated"} for i in range(100000)]
json.dump({"schemaVersion": 1, "tool": "corsguard lint", "version": "dev", "baseline": entries}, open("baseline.json", "w"), indent=2)
PY
  printf 'server {\n  listen 443 ssl;\n  server_name api.example.com;\n  location / {\n    add_header Access-Control-Allow-Origin $http_origin always;\n  }\n}\n' >api.conf
}
run() { "$CORSGUARD" lint --baseline baseline.json api.conf; }
