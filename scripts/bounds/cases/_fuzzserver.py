# Loopback servers that never give fuzz a usable answer, for the bounds
# cases. Usage: python3 _fuzzserver.py MODE PORTFILE
#   closed  bind a port, write it, close it (nothing listens there)
#   slow    answer every request after 30 s
#   429     answer every request 429 with Retry-After: 3600
#   cors    answer at once, reflecting Origin with credentials
import socket, sys, threading, time

mode, portfile = sys.argv[1], sys.argv[2]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
if mode == "closed":
    s.close()
    open(portfile, "w").write(str(port))
    sys.exit(0)
s.listen(128)
open(portfile, "w").write(str(port))

def serve(c):
    try:
        while True:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = c.recv(65536)
                if not chunk:
                    return
                data += chunk
            origin = ""
            for line in data.split(b"\r\n"):
                if line.lower().startswith(b"origin:"):
                    origin = line.split(b":", 1)[1].strip().decode("latin-1")
            if mode == "slow":
                time.sleep(30)
                head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
            elif mode == "429":
                head = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3600\r\nContent-Length: 0\r\n"
            else:
                time.sleep(0.02)
                head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
                if origin:
                    head += "Access-Control-Allow-Origin: %s\r\nAccess-Control-Allow-Credentials: true\r\nVary: Origin\r\n" % origin
            c.sendall((head + "\r\n").encode("latin-1"))
    except OSError:
        pass
    finally:
        c.close()

while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
