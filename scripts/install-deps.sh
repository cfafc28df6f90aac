#!/usr/bin/env bash
# Installs the Debian 12 / Ubuntu 24.04 packages Mist Desktop needs to build, run and test.
# Uses sudo for apt-get when not run as root. Does nothing when everything is present.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config git ccache
  # Qt 6 and its tools
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  qt6-qpa-plugins libgl-dev fonts-dejavu-core
  # libraries
  qtkeychain-qt6-dev libsqlite3-dev libvirt-dev libssh-dev libvterm-dev
  qt6-websockets-dev qt6-charts-dev libqt6opengl6-dev libyaml-cpp-dev
  # tests: HTTP fixture servers that answer as the vendor APIs document
  qt6-httpserver-dev
  # tests: a real Secret Service in a private D-Bus session
  dbus gnome-keyring
  # tests: a real OpenSSH server on loopback, ssh-keygen for its keys
  openssh-server openssh-client
  # tests: TLS certificates made per run (Docker over tcp://)
  openssl
  # tests: a real Docker-API engine on a temp unix socket (podman system service)
  podman
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install packages" >&2; exit 1; }
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
