#!/usr/bin/env python3
"""A global discovery server that lies about sizes and formats: HTTPS
with the given certificate (so the pin passes) and answers chosen to break
a careless client. HealthSync must bound and refuse them, never crash.

usage: hostile_discovery.py CERT KEY PORT MODE
MODE: huge (a lookup answer of 1 MiB), garbage (not JSON), many (1000
addresses, most of them junk), eager (announcements answered 204 with
Reannounce-After: 999999999, lookups 429).
Prints "ready" once it listens; stops after 30 s or on SIGTERM.
"""
import http.server, json, os, signal, ssl, sys, threading

# Ends at once on SIGTERM, whatever mask the parent left it.
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])

cert, key, port, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = min(int(self.headers.get("Content-Length", "0")), 65536)
        self.rfile.read(length)
        if mode == "eager":
            self.answer(204, headers=[("Reannounce-After", "999999999")])
        else:
            self.answer(204, headers=[("Reannounce-After", "-5")])

    def do_GET(self):
        if mode == "huge":
            self.answer(200, json.dumps({"addresses": ["tcp://10.0.0.1:8443"] * 40000}).encode())
        elif mode == "garbage":
            self.answer(200, b"\x00\xffnot json{")
        elif mode == "many":
            junk = ["quic://10.0.0.1:22000", "tcp://", "tcp://:0", "relay://x", "tcp://[::1", "x" * 100]
            addresses = [junk[i % len(junk)] for i in range(990)] + ["tcp://10.0.0.%d:8443" % i for i in range(1, 11)]
            self.answer(200, json.dumps({"addresses": addresses}).encode())
        else:
            self.answer(429, headers=[("Retry-After", "nonsense")])

server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Timer(30, lambda: os._exit(0)).start()
print("ready", flush=True)
server.serve_forever()
