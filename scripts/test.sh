#!/usr/bin/env bash
# The README's test command: installs missing system packages, builds, and
# runs every test suite (Swift Testing).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/setup-system.sh)"

swift build --build-tests
# A stalled test fails the run rather than using up CI's time.
timeout 1200 swift test --skip-build 2>&1 | tee .build/test-output.txt
