#!/usr/bin/env python3
"""A pairing-code guesser at full speed, for tests (issue #10).

Speaks HealthSync's code path over TLS 1.3 with Python's ssl module: from
several loopback source addresses it sends well-formed SPAKE2+ shares (the
P-256 generator, a valid point) followed by a wrong confirmation, and from one
more address malformed shares ({"shareP":"zz"}). Runs until DURATION seconds
pass or STOPFILE exists; prints a progress line per 10 requests and a final
JSON summary.

usage: pairing_guesser.py HOST PORT DURATION STOPFILE
"""
import http.client
import json
import os
import ssl
import sys
import time

GX = "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
GY = "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5"
GUESSERS = ["127.0.0.%d" % n for n in range(2, 7)]
MALFORMED = "127.0.0.7"


def context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_alpn_protocols(["healthsync/1", "http/1.1"])
    return ctx


def post(conn, path, body):
    conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    return response.status, response.read()


def main():
    host, port, duration, stopfile = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    ctx = context()
    deadline = time.monotonic() + min(duration, 120)
    counts = {"requests": 0, "evaluated": 0, "refused": 0, "errors": 0}
    n = 0
    while time.monotonic() < deadline and not os.path.exists(stopfile):
        source = MALFORMED if n % 6 == 5 else GUESSERS[n % 5]
        n += 1
        try:
            conn = http.client.HTTPSConnection(host, port, context=ctx, timeout=5, source_address=(source, 0))
            if source == MALFORMED:
                status, _ = post(conn, "/api/v1/pair/code/share", {"shareP": "zz", "name": "guesser"})
                counts["refused"] += status != 200
            else:
                status, body = post(conn, "/api/v1/pair/code/share", {"shareP": "04" + GX + GY, "name": "guesser"})
                if status == 200:
                    counts["evaluated"] += 1
                    post(conn, "/api/v1/pair/code/confirm", {
                        "confirmP": "00" * 32, "joiner": {"name": "guesser", "csr": "x", "caCertificate": "x"}})
                else:
                    counts["refused"] += 1
            conn.close()
        except Exception:
            counts["errors"] += 1
        counts["requests"] += 1
        if counts["requests"] % 10 == 0:
            print("progress %d" % counts["requests"], flush=True)
    print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    main()
