#!/usr/bin/env bash
# One command: install what is needed, build, and launch Mist Desktop.
# Arguments go to the app (e.g. --data-dir DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
exec "${MIST_BUILD_DIR:-$root/build}/app/mist-desktop" "$@"
