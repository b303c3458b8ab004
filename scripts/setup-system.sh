#!/usr/bin/env bash
# Installs the Debian packages HealthSync builds and tests against, when
# they are missing. Uses sudo when not root.
set -euo pipefail

packages=(pkg-config libssl-dev openssl libyaml-dev libsqlite3-dev sqlite3 curl libqrencode-dev libpng-dev libzbar-dev zbar-tools libxml2-dev zlib1g-dev python3 iproute2 procps syncthing-relaysrv syncthing-discosrv)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "export PATH=/opt/swift/usr/bin:\$PATH" 
  else
    echo "swift is not installed: install the Swift 6.3 toolchain (https://www.swift.org/install/linux/)" >&2
    exit 1
  fi
fi
