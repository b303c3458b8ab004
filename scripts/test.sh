#!/usr/bin/env bash
# The README's test command: installs missing system packages, builds, and
# runs every test suite (Swift Testing).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/setup-system.sh)"

# Python tools the tests drive, in a venv of their own: python-zeroconf (an
# mDNS implementation written by others, for the multicast DNS tests), the
# magic-wormhole mailbox server (code pairing at a distance), which the
# tests start on ports and in namespaces of their own and stop, the peer
# importer healthkit-to-sqlite and the FHIR validator fhir.resources.
if [ ! -x .venv-test/bin/python ] || ! .venv-test/bin/python -c "import zeroconf, wormhole_mailbox_server, healthkit_to_sqlite, fhir.resources" 2>/dev/null; then
  [ -x .venv-test/bin/python ] || python3 -m venv .venv-test >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo";
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null; python3 -m venv .venv-test; }
  .venv-test/bin/pip install -q "zeroconf==0.154.0" "magic-wormhole-mailbox-server==0.8.0" \
    "healthkit-to-sqlite==1.0.1" "fhir.resources==8.3.0"
fi
export HEALTHSYNC_TEST_PYTHON="$PWD/.venv-test/bin/python"

swift build --build-tests
# The man page from the commands, for the install test (`make install` copies it).
make -s man CONFIGURATION=debug >/dev/null
# A stalled test fails the run rather than using up CI's time.
timeout 1200 swift test --skip-build 2>&1 | tee .build/test-output.txt
