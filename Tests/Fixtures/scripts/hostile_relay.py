#!/usr/bin/env python3
"""A relay that lies: it speaks Syncthing relay protocol v1 well enough to
be joined and asked, then terminates the TLS of every relayed session
itself with its own certificate (a man in the middle). HealthSync must
refuse what it presents (the pinned CA does not match) and issue nothing.

usage: hostile_relay.py CERT KEY PORT SESSION_PORT
Prints "ready" once both ports listen; stops after 30 s or on SIGTERM.
"""
import os, signal, socket, ssl, struct, sys, threading, time

# Ends at once on SIGTERM, whatever mask the parent left it.
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])

MAGIC = 0x9E79BC40
cert, key, port, session_port = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
seen = {"sessions": 0, "client_hellos": 0}

def frame(kind, body=b""):
    return struct.pack(">III", MAGIC, kind, len(body)) + body

def opaque(data):
    return struct.pack(">I", len(data)) + data + b"\0" * ((4 - len(data) % 4) % 4)

def read_frame(conn):
    header = b""
    while len(header) < 12:
        chunk = conn.recv(12 - len(header))
        if not chunk:
            return None, None
        header += chunk
    magic, kind, length = struct.unpack(">III", header)
    if magic != MAGIC or length > 1024:
        return None, None
    body = b""
    while len(body) < length:
        chunk = conn.recv(length - len(body))
        if not chunk:
            return None, None
        body += chunk
    return kind, body

def protocol(conn):
    try:
        while True:
            kind, body = read_frame(conn)
            if kind is None:
                return
            if kind == 0:      # ping
                conn.sendall(frame(1))
            elif kind == 2:    # join relay: welcome, and keep it open
                conn.sendall(frame(4, struct.pack(">i", 0) + opaque(b"success")))
            elif kind == 5:    # connect request: invite to our own session port
                invitation = opaque(body[4:36]) + opaque(os.urandom(32)) + opaque(bytes([127, 0, 0, 1])) \
                    + struct.pack(">II", session_port, 0)
                conn.sendall(frame(6, invitation))
                conn.close()
                return
    except OSError:
        return

def session(raw):
    try:
        kind, body = read_frame(raw)
        if kind != 3:
            return
        raw.sendall(frame(4, struct.pack(">i", 0) + opaque(b"success")))
        seen["sessions"] += 1
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        tls = context.wrap_socket(raw, server_side=True)
        seen["client_hellos"] += 1
        tls.settimeout(5)
        tls.recv(1)
    except (OSError, ssl.SSLError):
        pass
    finally:
        raw.close()

def serve(listener, handler, wrap):
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        if wrap:
            try:
                conn = wrap.wrap_socket(conn, server_side=True)
            except (OSError, ssl.SSLError):
                conn.close()
                continue
        threading.Thread(target=handler, args=(conn,), daemon=True).start()

protocol_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
protocol_tls.load_cert_chain(cert, key)
listeners = []
for number, handler, wrap in [(port, protocol, protocol_tls), (session_port, session, None)]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", number))
    listener.listen(16)
    listeners.append(listener)
    threading.Thread(target=serve, args=(listener, handler, wrap), daemon=True).start()
print("ready", flush=True)
deadline = time.time() + 30
while time.time() < deadline:
    time.sleep(0.2)
    print("sessions=%d handshakes=%d" % (seen["sessions"], seen["client_hellos"]), flush=True)
