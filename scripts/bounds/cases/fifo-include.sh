# nginx and Apache includes of a FIFO nobody writes to, and of /dev/stdin and
# /dev/zero: refused by type at the include line, never opened.
describe() { echo "FIFO, \`/dev/stdin\` and \`/dev/zero\` as nginx and Apache include targets"; }
gen() {
  mkfifo pipe.conf
  mkdir -p nginx apache
  cat >nginx/nginx.conf <<CONF
http {
    include $PWD/pipe.conf;
    include /dev/stdin;
    include /dev/zero;
    server { location / { add_header Access-Control-Allow-Origin *; } }
}
CONF
  cat >apache/httpd.conf <<CONF
Include $PWD/pipe.conf
Include /dev/stdin
Header always set Access-Control-Allow-Origin "*"
CONF
}
# stdin is a pipe nobody writes to or closes: reading /dev/stdin would block.
run() { "$CORSGUARD" lint nginx/nginx.conf apache/httpd.conf < <(sleep 60); }
