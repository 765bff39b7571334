#!/bin/sh
# Installs everything ipseckit needs to build and test, from Debian 12 packages only.
set -eu
PKGS="build-essential cmake ninja-build pkg-config clang lld libclang-rt-14-dev
libcli11-dev libfmt-dev doctest-dev libssl-dev libpcap-dev nlohmann-json3-dev libsqlite3-dev
iproute2 socat sqlite3 python3 tcpdump tshark iputils-ping nftables"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
