#!/usr/bin/env bash
# capture-strongswan.sh - regenerate the IKEv1 key-schedule vectors strongswan-*.vec from two
# real strongSwan 5.9 charons negotiating with each other (Main Mode PSK + Quick Mode), so that
# unit_ikecrypto can recompute every derived key with our RFC 2409 key schedule and compare.
#
# usage (root): tests/vectors/ike/capture-strongswan.sh [OUTDIR]    (default: this directory)
#   KEEP=1 keeps the work directory (charon logs, pcaps) for inspection.
#
# What it does, per case (see CASES below):
#   * two network namespaces ik-ssw-i / ik-ssw-r joined by a veth pair (198.51.100.1/.2,
#     TEST-NET-2; 192.0.2.1 and 203.0.113.1 on lo for the tunnel's subnets), deleted on exit;
#   * one charon-systemd per namespace with a private strongswan.conf (kernel-libipsec, no
#     kernel ESP needed) and file logging at level 4 for ike, lib and chd: charon then dumps
#     the DH shared secret, SKEYID, SKEYID_d/a/e, the encryption key and the child SA keys;
#   * tcpdump in the initiator's namespace records the IKE datagrams (UDP 500 and 4500);
#   * the initiator starts Main Mode + Quick Mode; once the responder shows the CHILD_SA
#     INSTALLED, everything is stopped and extract.py writes one [case] section.
# The vectors are committed data: the unit test never needs strongSwan.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
NSI=ik-ssw-i
NSR=ik-ssw-r
VI=vik-ssw-i
VR=vik-ssw-r
ADDR_I=198.51.100.1
ADDR_R=198.51.100.2
PSK="ipseckit-vector-psk"
# name | IKE proposal | ESP proposal (a DH group there = PFS)
CASES=(
  "psk-aes128-sha1-modp2048|aes128-sha1-modp2048|aes128-sha1"
  "psk-3des-sha1-modp1024|3des-sha1-modp1024|3des-sha1-modp1024"
  "psk-aes256-sha256-ecp256|aes256-sha256-ecp256|aes256-sha256-ecp256"
  "psk-aes128-sha1-modp2048-pfs|aes128-sha1-modp2048|aes128-sha1-modp2048"
)

[ "$(id -u)" = 0 ] || { echo "capture-strongswan.sh: run as root" >&2; exit 2; }
PKGS=(charon-systemd strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins tcpdump iproute2)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >&2
fi
command -v python3 >/dev/null || { echo "capture-strongswan.sh: python3 is needed" >&2; exit 2; }

WORK=$(mktemp -d /tmp/ik-ssw.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do wait "$p" 2>/dev/null || true; done
  ip netns del "$NSI" 2>/dev/null || true
  ip netns del "$NSR" 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

for ns in "$NSI" "$NSR"; do ip netns del "$ns" 2>/dev/null || true; done
ip netns add "$NSI"
ip netns add "$NSR"
ip link add "$VI" netns "$NSI" type veth peer name "$VR" netns "$NSR"
ip -n "$NSI" addr add "$ADDR_I/24" dev "$VI"
ip -n "$NSR" addr add "$ADDR_R/24" dev "$VR"
for ns in "$NSI" "$NSR"; do ip -n "$ns" link set lo up; done
ip -n "$NSI" link set "$VI" up
ip -n "$NSR" link set "$VR" up
ip -n "$NSI" addr add 192.0.2.1/32 dev lo
ip -n "$NSR" addr add 203.0.113.1/32 dev lo

write_conf() { # dir addr peer lts rts ike esp
  local d=$1 addr=$2 peer=$3 lts=$4 rts=$5 ike=$6 esp=$7
  mkdir -p "$d/swanctl"
  cat > "$d/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl aes sha1 sha2 md5 hmac gmp curve25519 x509 pubkey pkcs1 pem kernel-libipsec kernel-netlink socket-default vici
  retransmit_tries = 3
  filelog {
    vec {
      path = $d/charon.log
      time_format = %H:%M:%S
      ike_name = yes
      append = no
      flush_line = yes
      default = 1
      ike = 4
      lib = 4
      chd = 4
      enc = 1
      net = 1
      cfg = 1
      knl = 1
    }
  }
  plugins {
    vici { socket = unix://$d/charon.vici }
    kernel-libipsec { allow_peer_ts = yes }
    socket-default { fwmark = 0x2a }
    kernel-netlink { fwmark = !0x2a }
  }
}
charon-systemd { journal { default = -1 } }
CONF
  cat > "$d/swanctl/swanctl.conf" <<CONF
connections {
  peer {
    version = 1
    local_addrs = $addr
    remote_addrs = $peer
    proposals = $ike
    encap = yes
    local { auth = psk
      id = $addr }
    remote { auth = psk
      id = $peer }
    children {
      net {
        mode = tunnel
        local_ts = $lts
        remote_ts = $rts
        esp_proposals = $esp
        start_action = none
      }
    }
  }
}
secrets {
  ike-vec {
    id-1 = $addr
    id-2 = $peer
    secret = "$PSK"
  }
}
CONF
}

start_charon() { # ns dir -> PID in $CHARON_PID
  local ns=$1 d=$2
  STRONGSWAN_CONF="$d/strongswan.conf" setsid ip netns exec "$ns" /usr/sbin/charon-systemd > "$d/stdout" 2>&1 < /dev/null &
  CHARON_PID=$!
  PIDS+=("$CHARON_PID")
  for _ in $(seq 1 100); do [ -S "$d/charon.vici" ] && break; sleep 0.1; done
  [ -S "$d/charon.vici" ] || { cat "$d/stdout" >&2; echo "charon did not start in $ns" >&2; exit 1; }
  ip netns exec "$ns" swanctl --load-all --noprompt --file "$d/swanctl/swanctl.conf" --uri "unix://$d/charon.vici" > "$d/load.out"
}

stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

run_case() { # name ike esp
  local name=$1 ike=$2 esp=$3 di="$WORK/$1/i" dr="$WORK/$1/r" pi pr pt
  echo "== $name: IKE $ike, ESP $esp" >&2
  write_conf "$di" "$ADDR_I" "$ADDR_R" 192.0.2.0/24 203.0.113.0/24 "$ike" "$esp"
  write_conf "$dr" "$ADDR_R" "$ADDR_I" 203.0.113.0/24 192.0.2.0/24 "$ike" "$esp"
  start_charon "$NSR" "$dr"; pr=$CHARON_PID
  start_charon "$NSI" "$di"; pi=$CHARON_PID
  ip netns exec "$NSI" tcpdump -i "$VI" --immediate-mode -Z root -U -s 0 -w "$WORK/$name/ike.pcap" 'udp port 500 or udp port 4500' 2> "$WORK/$name/tcpdump.err" &
  pt=$!
  PIDS+=("$pt")
  sleep 1
  ip netns exec "$NSI" swanctl --initiate --child net --timeout 20 --uri "unix://$di/charon.vici" > "$WORK/$name/initiate.out" 2>&1 || true
  for _ in $(seq 1 50); do
    ip netns exec "$NSR" swanctl --list-sas --uri "unix://$dr/charon.vici" 2>/dev/null | grep -q INSTALLED && break
    sleep 0.1
  done
  sleep 0.5
  # The initiator deletes its SAs on SIGTERM: those informational exchanges are recorded too.
  stop_pid "$pi"
  sleep 0.5
  stop_pid "$pt"
  stop_pid "$pr"
  grep -q "CHILD_SA net{1} established" "$di/charon.log" || { tail -30 "$di/charon.log" >&2; echo "$name: negotiation failed" >&2; exit 1; }
  python3 "$HERE/extract.py" --name "$name" --ike "$ike" --esp "$esp" --psk "$PSK" \
    --pcap "$WORK/$name/ike.pcap" --log-i "$di/charon.log" --log-r "$dr/charon.log" --initiator "$ADDR_I" \
    > "$WORK/$name.vec"
}

for c in "${CASES[@]}"; do
  IFS='|' read -r name ike esp <<< "$c"
  run_case "$name" "$ike" "$esp"
done

VERSION=$(dpkg-query -W -f='${Version}' charon-systemd)
{
  echo "# IKEv1 key-schedule vectors from two strongSwan $VERSION charons (Main Mode PSK + Quick Mode),"
  echo "# captured $(date -u +%Y-%m-%d) by capture-strongswan.sh; format: see README.md beside this file."
  for c in "${CASES[@]}"; do IFS='|' read -r name _ _ <<< "$c"; echo; cat "$WORK/$name.vec"; done
} > "$OUT/strongswan-ikev1.vec"
echo "wrote $OUT/strongswan-ikev1.vec" >&2
