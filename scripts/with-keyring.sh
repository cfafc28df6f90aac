#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked GNOME Keyring, so the
# keychain tests talk to a real Secret Service without touching the user's own keyring.
# HOME and XDG dirs point at a throwaway folder for the same reason.
set -euo pipefail
if [ "${MIST_IN_KEYRING_SESSION:-}" != 1 ]; then
  sandbox=$(mktemp -d -t mist-keyring-XXXXXX)
  trap 'rm -rf "$sandbox"' EXIT
  mkdir -p "$sandbox/home" "$sandbox/runtime"
  chmod 700 "$sandbox/runtime"
  export HOME="$sandbox/home" XDG_RUNTIME_DIR="$sandbox/runtime" \
         XDG_CONFIG_HOME="$sandbox/home/.config" XDG_DATA_HOME="$sandbox/home/.local/share"
  export MIST_IN_KEYRING_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
# Inside the session: start the keyring with a known password, which also unlocks it.
eval "$(printf 'mist-test' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
export GNOME_KEYRING_CONTROL
export MIST_REQUIRE_KEYCHAIN=1
exec "$@"
