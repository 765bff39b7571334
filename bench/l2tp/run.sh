#!/bin/bash
# Builds bench_l2tp, l2tpd and policyagent in Release (in $BUILD_DIR, default <repo>/build-l2tp)
# if needed and measures:
#   (a) in-process session setups per second (L2TP tunnel + call + PPP with MS-CHAPv2 and IPCP,
#       libcore/l2tp + libcore/ppp, no sockets) and
#   (b) 10,000 concurrent sessions on one in-process LNS node: RSS per session and sessions per
#       GiB (target: 10,000 within 1 GiB) -- both by bench_l2tp (extra arguments go to it);
#   (c) as root: TCP throughput (iperf3, 5 s) through an `l2tpd serve/connect --no-ipsec` PPP
#       session between two network namespaces next to the bare veth path between the same
#       namespaces, in the same run (skip with L2TP_BENCH_NO_NETNS=1).
# The last line is PASS or FAIL (exit 0/1). Not a ctest test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$repo/build-l2tp}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if ! log=$(ninja -C "$build" -j2 bench_l2tp l2tpd policyagent 2>&1); then
  printf '%s\n' "$log" >&2
  echo "run.sh: building failed" >&2
  echo FAIL
  exit 1
fi
BIN="$build/bin"
pass=1
"$BIN/bench_l2tp" "$@" | grep -v '^PASS$\|^FAIL$' || pass=0

if [ -n "${L2TP_BENCH_NO_NETNS:-}" ] || [ "$(id -u)" -ne 0 ] || ! command -v iperf3 >/dev/null; then
  echo "throughput: skipped (needs root and iperf3; L2TP_BENCH_NO_NETNS=${L2TP_BENCH_NO_NETNS:-})"
else
  S=l2bS$$ C=l2bC$$
  WORK=$(mktemp -d /tmp/l2tp-bench.XXXXXX)
  PIDS=""
  cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    ip netns del "$S" 2>/dev/null || true
    ip netns del "$C" 2>/dev/null || true
    rm -rf "$WORK"
  }
  trap cleanup EXIT INT TERM
  ip netns add "$S"
  ip netns add "$C"
  ip link add "v$S" type veth peer name "v$C"
  ip link set "v$S" netns "$S"
  ip link set "v$C" netns "$C"
  ip -n "$S" addr add 198.51.100.1/24 dev "v$S"
  ip -n "$C" addr add 198.51.100.2/24 dev "v$C"
  for n in "$S" "$C"; do ip -n "$n" link set lo up; done
  ip -n "$S" link set "v$S" up
  ip -n "$C" link set "v$C" up
  nsbg() {
    local n=$1 who=$2
    shift 2
    exec ip netns exec "$n" env IPSECKIT_SOCKET="$WORK/$who.sock" IPSECKIT_STATE_DIR="$WORK/$who.state" \
      IPSECKIT_NO_AUTOSTART=1 "$@"
  }
  for a in "$S:srv" "$C:cli"; do
    nsbg "${a%%:*}" "${a#*:}" "$BIN/policyagent" --foreground --socket "$WORK/${a#*:}.sock" \
      --state-dir "$WORK/${a#*:}.state" 2>>"$WORK/agent.log" &
    PIDS="$PIDS $!"
  done
  for _ in $(seq 1 200); do [ -S "$WORK/srv.sock" ] && [ -S "$WORK/cli.sock" ] && break; sleep 0.05; done
  (umask 077 && printf 'alice * "wonder land" *\n' >"$WORK/users" && printf 'wonder land\n' >"$WORK/alice.pw")
  nsbg "$S" srv "$BIN/l2tpd" serve --no-ipsec --listen 198.51.100.1 --pool 192.0.2.10-192.0.2.20 \
    --users "$WORK/users" --tun l2tps0 2>"$WORK/server.log" &
  PIDS="$PIDS $!"
  for _ in $(seq 1 100); do grep -q "LNS listening" "$WORK/server.log" && break; sleep 0.05; done
  nsbg "$C" cli "$BIN/l2tpd" connect 198.51.100.1 --no-ipsec --user alice --password-file "$WORK/alice.pw" \
    --tun l2tpc0 2>"$WORK/client.log" &
  PIDS="$PIDS $!"
  for _ in $(seq 1 200); do ip -n "$C" -4 addr show dev l2tpc0 2>/dev/null | grep -q "inet 192.0.2" && break; sleep 0.05; done
  nsbg "$S" srv iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
  PIDS="$PIDS $!"
  nsbg "$S" srv iperf3 -s -1 -p 5202 >/dev/null 2>&1 &
  PIDS="$PIDS $!"
  sleep 0.3
  gbps() {  # DST PORT
    ip netns exec "$C" iperf3 -c "$1" -p "$2" -t 5 -J 2>/dev/null | python3 -c '
import json, sys
try:
    print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception:
    print("0")'
  }
  bare=$(gbps 198.51.100.1 5201)
  ppp=$(gbps 192.0.2.10 5202)
  echo "throughput: TCP over the bare veth $bare Gbit/s; through L2TP/PPP (l2tpd, no IPsec) $ppp Gbit/s"
  python3 - "$bare" "$ppp" <<'PY' || pass=0
import sys
bare, ppp = float(sys.argv[1]), float(sys.argv[2])
if bare <= 0 or ppp <= 0:
    print("FAIL: a throughput measurement failed (bare %.3f, ppp %.3f Gbit/s)" % (bare, ppp)); sys.exit(1)
print("ratio: PPP session / bare veth = %.3f (%.1f %%; informational, no target set)" % (ppp / bare, 100 * ppp / bare))
PY
fi
if [ $pass -eq 1 ]; then echo PASS; else echo FAIL; exit 1; fi
