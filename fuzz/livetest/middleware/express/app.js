// express + cors scenarios for corsguard's live tests. Each scenario is a
// router under /s/<name>/ with the cors() options its users write; the Go
// test (fuzz/livetest/middleware_test.go) fuzzes /s/<name>/v1/me and
// checks the verdict. Usage: node app.js PORT (prints "ready" when
// listening on 127.0.0.1:PORT).
'use strict';
const express = require('express');
const cors = require('cors');

const allow = ['https://app.example.com', 'https://admin.example.com'];

// requireSession rejects requests without the session cookie, as an auth
// middleware does; browsers never send cookies on a preflight.
function requireSession(req, res, next) {
  if (/(^|;\s*)session=/.test(req.get('cookie') || '')) return next();
  res.status(401).json({ error: 'login required' });
}

const scenarios = {
  // Unsafe: what users write to "make CORS work".
  'reflect-credentials': [cors({ origin: true, credentials: true })],
  'regex-unanchored': [cors({ origin: /https:\/\/app\.example\.com/, credentials: true })],
  'regex-no-end-anchor': [cors({ origin: /^https:\/\/app\.example\.com/, credentials: true })],
  'regex-unescaped-dot': [cors({ origin: /^https:\/\/app.example.com$/, credentials: true })],
  'callback-endswith': [cors({ origin: (o, cb) => cb(null, !!o && o.endsWith('example.com')), credentials: true })],
  'null-allowed': [cors({ origin: ['null', ...allow], credentials: true })],
  // Broken: the trusted origins are blocked.
  'trailing-slash': [cors({ origin: 'https://app.example.com/', credentials: true })],
  'preflight-continue-auth': [cors({ origin: allow, credentials: true, preflightContinue: true }), requireSession],
  // Safe.
  'allowlist': [cors({ origin: allow, credentials: true })],
  'regex-anchored': [cors({ origin: /^https:\/\/(app|admin)\.example\.com$/, credentials: true })],
  'public': [cors()],
};

const app = express();
app.disable('x-powered-by');
for (const [name, mws] of Object.entries(scenarios)) {
  const r = express.Router();
  for (const mw of mws) r.use(mw);
  r.all('/v1/me', (req, res) => res.json({ scenario: name, user: 'alice' }));
  app.use('/s/' + name, r);
}

const port = Number(process.argv[2]);
const server = app.listen(port, '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
