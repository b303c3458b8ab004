#!/usr/bin/env python3
"""python-zeroconf (written by others) as a HealthSync peer on multicast DNS.

usage: zeroconf_peer.py browse SECONDS [ADDRESS]
         browses _healthsync._tcp.local. and prints one JSON object:
         {"services": [{"name", "port", "addresses", "properties"}]}
       zeroconf_peer.py register NAME DEVICE_ID PORT SECONDS [ADDRESS]
         announces NAME._healthsync._tcp.local. (TXT v=1, id=, ver=) on
         ADDRESS (default 127.0.0.1) for SECONDS, as the HealthSync iOS app
         does, then unregisters it; prints "registered" once it is announced.
"""
import json
import socket
import sys
import time

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, Zeroconf

SERVICE = "_healthsync._tcp.local."


def browse(seconds, address="127.0.0.1"):
    zc = Zeroconf(interfaces=[address], ip_version=IPVersion.V4Only)
    found = {}

    class Listener:
        def add_service(self, zc, type_, name):
            info = zc.get_service_info(type_, name, timeout=2000)
            if info:
                found[name] = {
                    "name": name,
                    "port": info.port,
                    "addresses": info.parsed_addresses(),
                    "properties": {k.decode(): (v.decode() if v is not None else None) for k, v in info.properties.items()},
                }

        def update_service(self, zc, type_, name):
            self.add_service(zc, type_, name)

        def remove_service(self, zc, type_, name):
            pass

    ServiceBrowser(zc, SERVICE, Listener())
    time.sleep(min(seconds, 30))
    zc.close()
    print(json.dumps({"services": list(found.values())}), flush=True)


def register(name, device_id, port, seconds, address="127.0.0.1"):
    zc = Zeroconf(interfaces=[address], ip_version=IPVersion.V4Only)
    info = ServiceInfo(SERVICE, name + "." + SERVICE, addresses=[socket.inet_aton(address)], port=port,
                       properties={"v": "1", "id": device_id, "ver": "ios-1.0"}, server="iphone-test.local.")
    zc.register_service(info)
    print("registered", flush=True)
    time.sleep(min(seconds, 60))
    zc.unregister_service(info)
    zc.close()


if __name__ == "__main__":
    if sys.argv[1] == "browse":
        browse(float(sys.argv[2]), *sys.argv[3:4])
    else:
        register(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), *sys.argv[6:7])
