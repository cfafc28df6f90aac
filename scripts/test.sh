#!/usr/bin/env bash
# One command: install what is needed, build with warnings as errors, and run every test
# (inside a private D-Bus session with an unlocked GNOME Keyring for the keychain tests).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${MIST_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" -DMIST_WARNINGS_AS_ERRORS=ON -DMIST_BUILD_TESTS=ON
cd "$build"
export QT_QPA_PLATFORM=offscreen
"$root/scripts/with-keyring.sh" ctest --output-on-failure --timeout 300 -j"$(nproc)" "$@"
