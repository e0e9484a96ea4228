"""Flask + flask-cors scenarios for corsguard's live tests.

Each scenario is the flask-cors resource configuration its users write,
served under /s/<name>/; the Go test (fuzz/livetest/middleware_test.go)
fuzzes /s/<name>/v1/me and checks the verdict. Written for Debian's
python3-flask-cors (3.0.10). Usage: python3 app.py PORT.
"""
import logging
import sys

from flask import Flask, abort, jsonify, request
from flask_cors import CORS

ALLOW = ["https://app.example.com", "https://admin.example.com"]

SCENARIOS = {
    # Unsafe: what users write to "make CORS work".
    "credentials-any": {"origins": "*", "supports_credentials": True},
    # The default, CORS(app): every origin echoed, without credentials.
    "default-reflect": {},
    "regex-no-end-anchor": {"origins": [r"https://app\.example\.com"], "supports_credentials": True},
    "regex-any-subdomain": {"origins": [r"https://.*\.example\.com$"], "supports_credentials": True},
    "regex-unescaped-dot": {"origins": [r"^https://app.example.com$"], "supports_credentials": True},
    # Broken: the trusted origins are blocked.
    "trailing-slash": {"origins": ["https://app.example.com/"], "supports_credentials": True},
    "preflight-auth": {"origins": ALLOW, "supports_credentials": True},
    # Safe.
    "allowlist": {"origins": ALLOW, "supports_credentials": True},
    "regex-anchored": {"origins": [r"^https://(app|admin)\.example\.com$"], "supports_credentials": True},
    "public": {"origins": "*", "send_wildcard": True},
}

app = Flask(__name__)
CORS(app, resources={r"/s/%s/.*" % name: opts for name, opts in SCENARIOS.items()})


@app.before_request
def require_session():
    # An auth check that runs before everything, preflights included:
    # browsers never send cookies on a preflight.
    if request.path.startswith("/s/preflight-auth/") and "session" not in request.cookies:
        abort(401)


@app.route("/s/<name>/v1/me", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def me(name):
    if name not in SCENARIOS:
        abort(404)
    return jsonify(scenario=name, user="alice")


if __name__ == "__main__":
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", int(sys.argv[1]), app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()
