#!/usr/bin/env bash
# The README's test command: installs missing system packages, builds, and
# runs every test suite (Swift Testing).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/setup-system.sh)"

swift build --build-tests
swift test --skip-build 2>&1 | tee .build/test-output.txt
