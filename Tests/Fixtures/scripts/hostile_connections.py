#!/usr/bin/env python3
"""Hostile clients for the connection-limit tests (issue #10).

usage: hostile_connections.py silent HOST PORT SOURCE COUNT WAIT
         COUNT TCP connections from SOURCE that never send a byte; reports
         how many the server closed and when (seconds after connecting).
       hostile_connections.py drip HOST PORT SOURCE WAIT
         a TLS 1.3 handshake, then a request head one byte every 50 ms;
         reports when the server cut the connection off.
       hostile_connections.py flood HOST PORT COUNT SECONDS
         COUNT TCP connections spread over source addresses 127.1.x.y (at
         most 250 each), each sending one byte every 5 s (slowloris) for
         SECONDS; reports how many opened, how many the server closed.
Prints one JSON object. Every wait is bounded by WAIT seconds.
"""
import json
import select
import socket
import ssl
import sys
import time


def silent(host, port, source, count, wait):
    start = time.monotonic()
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind((source, 0))
        s.connect((host, port))
        sockets.append((s, time.monotonic()))
    # For a test that must act only once every connection is in (on stderr: stdout is the one JSON result).
    print("connected %d" % count, file=sys.stderr, flush=True)
    closed = {}
    deadline = start + wait
    while len(closed) < count and time.monotonic() < deadline:
        ready, _, _ = select.select([s for s, _ in sockets if s.fileno() not in closed], [], [], 0.05)
        for s in ready:
            try:
                data = s.recv(1024)
            except OSError:
                data = b""
            if not data:
                opened = next(t for x, t in sockets if x is s)
                closed[s.fileno()] = round(time.monotonic() - opened, 3)
    times = sorted(closed.values())
    for s, _ in sockets:
        s.close()
    return {"opened": count, "closed": len(times), "times": times}


def drip(host, port, source, wait):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    raw = socket.socket()
    raw.bind((source, 0))
    raw.connect((host, port))
    tls = ctx.wrap_socket(raw)
    start = time.monotonic()
    head = b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n" + b"X-Padding: " + b"a" * 4000
    sent = 0
    try:
        while time.monotonic() - start < wait and sent < len(head):
            tls.send(head[sent:sent + 1])
            sent += 1
            time.sleep(0.05)
        cut = None
    except OSError:
        cut = round(time.monotonic() - start, 3)
    return {"sent": sent, "cutAfter": cut}


def flood(host, port, count, seconds):
    # poll, not select: there are far more than 1024 descriptors.
    start = time.monotonic()
    sockets, refused, closed = {}, 0, 0
    poller = select.poll()
    for i in range(count):
        source = "127.1.%d.%d" % (i // 250, i % 250 + 1)
        s = socket.socket()
        s.setblocking(False)
        try:
            s.bind((source, 0))
            s.connect_ex((host, port))
        except OSError:
            refused += 1
            s.close()
            continue
        sockets[s.fileno()] = s
        poller.register(s, select.POLLIN)
    deadline = start + seconds
    next_drip = time.monotonic()
    while time.monotonic() < deadline and sockets:
        if time.monotonic() >= next_drip:
            for s in list(sockets.values()):
                try:
                    s.send(b"G")
                except OSError:
                    pass
            next_drip = time.monotonic() + 5
        for fd, _ in poller.poll(200):
            s = sockets.get(fd)
            if s is None:
                continue
            try:
                data = s.recv(1024)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                poller.unregister(fd)
                del sockets[fd]
                s.close()
                closed += 1
    still = len(sockets)
    for s in sockets.values():
        s.close()
    return {"attempted": count, "refusedAtConnect": refused, "closedByServer": closed, "stillOpen": still}


def main():
    mode = sys.argv[1]
    host, port = sys.argv[2], int(sys.argv[3])
    if mode == "flood":
        print(json.dumps(flood(host, port, int(sys.argv[4]), min(float(sys.argv[5]), 120))), flush=True)
        return
    source = sys.argv[4]
    if mode == "silent":
        result = silent(host, port, source, int(sys.argv[5]), min(float(sys.argv[6]), 30))
    else:
        result = drip(host, port, source, min(float(sys.argv[5]), 30))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
