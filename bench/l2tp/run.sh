#!/bin/bash
# Builds bench_l2tp, l2tpd, policyagent, ikeview and espd in Release (in $BUILD_DIR, default
# <repo>/build-l2tp) if needed and measures:
#   (a) in-process session setups per second (L2TP tunnel + call + PPP with MS-CHAPv2 and IPCP,
#       libcore/l2tp + libcore/ppp, no sockets) and
#   (b) 10,000 concurrent sessions on one in-process LNS node: RSS per session and sessions per
#       GiB (target: 10,000 within 1 GiB) -- both by bench_l2tp (extra arguments go to it);
#   (c) as root: TCP throughput (iperf3, 5 s) through an `l2tpd serve/connect --no-ipsec` PPP
#       session between two network namespaces next to the bare veth path between the same
#       namespaces, in the same run (skip with L2TP_BENCH_NO_THROUGHPUT=1);
#   (d) as root: session setups per second of real l2tpd processes in the same two namespaces,
#       L2TP_BENCH_SETUPS (default 10) sequential `l2tpd connect` runs each (start, PPP up after
#       MS-CHAPv2 and IPCP, SIGTERM, exit; setup_rate.py): plain L2TP (--no-ipsec), then L2TP/IPsec
#       (ikeview + espd on both sides, PSK) with a fresh IKE Main Mode + Quick Mode for every setup
#       (the client's ikeview is restarted, untimed, between setups), then L2TP/IPsec with the
#       client's IKE and ESP SAs reused across connects; the ratios to plain L2TP follow.
#   (c) and (d) are skipped with L2TP_BENCH_NO_NETNS=1; L2TP_BENCH_KEEP=1 keeps the work dir (logs).
# The last line is PASS or FAIL (exit 0/1). Not a ctest test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$repo/build-l2tp}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if ! log=$(ninja -C "$build" -j2 bench_l2tp l2tpd policyagent ikeview espd 2>&1); then
  printf '%s\n' "$log" >&2
  echo "run.sh: building failed" >&2
  echo FAIL
  exit 1
fi
BIN="$build/bin"
pass=1
"$BIN/bench_l2tp" "$@" | grep -v '^PASS$\|^FAIL$' || pass=0

K=${L2TP_BENCH_SETUPS:-10}
if [ -n "${L2TP_BENCH_NO_NETNS:-}" ] || [ "$(id -u)" -ne 0 ]; then
  echo "namespaces (throughput, l2tpd setup rates): skipped (needs root; L2TP_BENCH_NO_NETNS=${L2TP_BENCH_NO_NETNS:-})"
else
  S=l2bS$$ C=l2bC$$
  WORK=$(mktemp -d /tmp/l2tp-bench.XXXXXX)
  PIDS=""
  cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    if [ -s "$WORK/cli.ikeview.pid" ]; then  # started by ike.sh (not our child): SIGTERM, wait for its log
      kill -TERM "$(cat "$WORK/cli.ikeview.pid")" 2>/dev/null || true
      for _ in $(seq 1 200); do
        grep -q "ikeview\[ike\] stopped" "$WORK/cli.ikeview.$(cat "$WORK/ike.n").log" 2>/dev/null && break
        sleep 0.01
      done
    fi
    ip netns del "$S" 2>/dev/null || true
    ip netns del "$C" 2>/dev/null || true
    if [ -n "${L2TP_BENCH_KEEP:-}" ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
  }
  trap cleanup EXIT
  trap 'exit 1' INT TERM
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
  stop() {  # PID WHAT: SIGTERM, exit 0 expected; PID leaves PIDS
    local rc=0
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" || rc=$?
    local p rest=""
    for p in $PIDS; do [ "$p" = "$1" ] || rest="$rest $p"; done
    PIDS=$rest
    [ $rc -eq 0 ] || { echo "$2 exited $rc on SIGTERM" >&2; pass=0; }
  }
  for a in "$S:srv" "$C:cli"; do
    nsbg "${a%%:*}" "${a#*:}" "$BIN/policyagent" --foreground --socket "$WORK/${a#*:}.sock" \
      --state-dir "$WORK/${a#*:}.state" 2>>"$WORK/agent.log" &
    PIDS="$PIDS $!"
  done
  for _ in $(seq 1 200); do [ -S "$WORK/srv.sock" ] && [ -S "$WORK/cli.sock" ] && break; sleep 0.05; done
  (umask 077 && printf 'alice * "wonder land" *\n' >"$WORK/users" && printf 'wonder land\n' >"$WORK/alice.pw" &&
    printf 'l2tp-bench-shared-key\n' >"$WORK/psk")
  nsbg "$S" srv "$BIN/l2tpd" serve --no-ipsec --listen 198.51.100.1 --pool 192.0.2.10-192.0.2.250 \
    --users "$WORK/users" --tun l2tps0 2>"$WORK/server.log" &
  SERVER=$!
  PIDS="$PIDS $SERVER"
  for _ in $(seq 1 100); do grep -qs "LNS listening" "$WORK/server.log" && break; sleep 0.05; done
  if [ -z "${L2TP_BENCH_NO_THROUGHPUT:-}" ] && command -v iperf3 >/dev/null; then
    nsbg "$C" cli "$BIN/l2tpd" connect 198.51.100.1 --no-ipsec --user alice --password-file "$WORK/alice.pw" \
      --tun l2tpc0 2>"$WORK/client.log" &
    CLIENT=$!
    PIDS="$PIDS $CLIENT"
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
    stop "$CLIENT" "l2tpd connect (throughput)"
  else
    echo "throughput: skipped (needs iperf3; L2TP_BENCH_NO_THROUGHPUT=${L2TP_BENCH_NO_THROUGHPUT:-})"
  fi

  # (d) setup rates of real l2tpd processes, K sequential `l2tpd connect` runs each: start, wait
  # for "connected to" (PPP up after MS-CHAPv2 and IPCP), SIGTERM, wait for exit 0 (setup_rate.py).
  connect_cmd() {  # extra l2tpd connect arguments
    echo ip netns exec "$C" env IPSECKIT_SOCKET="$WORK/cli.sock" IPSECKIT_STATE_DIR="$WORK/cli.state" \
      IPSECKIT_NO_AUTOSTART=1 "$BIN/l2tpd" connect 198.51.100.1 --user alice --password-file "$WORK/alice.pw" \
      --tun l2tpc1 "$@"
  }
  rate() { sed -n 's/.*: \([0-9.]*\) setups\/s.*/\1/p' <<<"$1"; }
  # shellcheck disable=SC2046  # $WORK and $BIN contain no blanks (mktemp, build dir)
  plain=$(python3 "$here/setup_rate.py" "setups, l2tpd without IPsec" "$K" "$WORK/plain.log" -- \
    $(connect_cmd --no-ipsec)) || pass=0
  echo "$plain"
  stop "$SERVER" "l2tpd serve --no-ipsec"
  # IPsec: ikeview + espd on the server, espd on the client; the client's ikeview is started (and
  # restarted) by $WORK/ike.sh, which records its PID for cleanup; instance N logs to cli.ikeview.N.log.
  nsbg "$S" srv "$BIN/ikeview" daemon --mark 0x2a 2>"$WORK/srv.ikeview.log" &
  PIDS="$PIDS $!"
  for a in "$S:srv" "$C:cli"; do
    nsbg "${a%%:*}" "${a#*:}" "$BIN/espd" --tun "ipsec${a#*:}" --mark 0x2a --table 120 --priority 120 \
      --natt raw 2>"$WORK/${a#*:}.espd.log" &
    PIDS="$PIDS $!"
  done
  cat >"$WORK/ike.sh" <<IKE
#!/bin/bash
# stops the client's ikeview (its IKE and IPsec SAs go with it) and starts a fresh one
set -u
n=\$(cat "$WORK/ike.n" 2>/dev/null || echo 0)
if [ -s "$WORK/cli.ikeview.pid" ]; then
  kill -TERM "\$(cat "$WORK/cli.ikeview.pid")"
  for _ in \$(seq 200); do grep -q "ikeview\[ike\] stopped" "$WORK/cli.ikeview.\$n.log" && break; sleep 0.01; done
  n=\$((n + 1))
fi
echo "\$n" >"$WORK/ike.n"
IPSECKIT_SOCKET="$WORK/cli.sock" IPSECKIT_STATE_DIR="$WORK/cli.state" IPSECKIT_NO_AUTOSTART=1 \
  ip netns exec "$C" "$BIN/ikeview" daemon --mark 0x2a </dev/null >/dev/null 2>"$WORK/cli.ikeview.\$n.log" &
echo \$! >"$WORK/cli.ikeview.pid"
for _ in \$(seq 200); do grep -q "listening on UDP" "$WORK/cli.ikeview.\$n.log" && exit 0; sleep 0.01; done
echo "ike.sh: the client's ikeview did not start" >&2; exit 1
IKE
  chmod 700 "$WORK/ike.sh"
  "$WORK/ike.sh" || pass=0
  for _ in $(seq 1 100); do
    ip -n "$S" link show ipsecsrv >/dev/null 2>&1 && ip -n "$C" link show ipseccli >/dev/null 2>&1 && break
    sleep 0.1
  done
  nsbg "$S" srv "$BIN/l2tpd" serve --listen 198.51.100.1 --pool 192.0.2.10-192.0.2.250 --users "$WORK/users" \
    --psk-file "$WORK/psk" --tun l2tps0 2>"$WORK/server-ipsec.log" &
  SERVER=$!
  PIDS="$PIDS $SERVER"
  for _ in $(seq 1 100); do grep -qs "LNS listening" "$WORK/server-ipsec.log" && break; sleep 0.05; done
  mmqm() {  # LOG...: "M Main Mode and Q Quick Mode SAs"
    echo "$(cat "$@" | grep -c "CONNECTING -> ESTABLISHED: initiated") Main Mode and" \
      "$(cat "$@" | grep -c "QM SA #[0-9]* established") Quick Mode SAs"
  }
  # (d1) every setup with a fresh IKE Main Mode + Quick Mode: before each run, untimed, ike.sh
  # restarts the client's ikeview (Windows, too, negotiates IKE anew for every connection)
  # shellcheck disable=SC2046
  fresh=$(python3 "$here/setup_rate.py" "setups, L2TP/IPsec, fresh IKE MM+QM each" "$K" "$WORK/ipsec.log" \
    --between "$WORK/ike.sh" -- $(connect_cmd --psk-file "$WORK/psk")) || pass=0
  echo "$fresh"
  n=$(cat "$WORK/ike.n")
  # shellcheck disable=SC2046
  ike=$(mmqm $(seq -f "$WORK/cli.ikeview.%g.log" 1 "$n"))
  echo "  IKE: the client negotiated $ike for these $K setups (each includes a fresh Main Mode)"
  [ "$ike" = "$K Main Mode and $K Quick Mode SAs" ] || { echo "FAIL: expected $K of each" >&2; pass=0; }
  # (d2) the client's ikeview kept running: its IKE SA and the transport-mode ESP SAs stay up after
  # `l2tpd connect` exits, so only the first setup negotiates; the others reuse them
  # shellcheck disable=SC2046
  reuse=$(python3 "$here/setup_rate.py" "setups, L2TP/IPsec, IKE+ESP SAs reused" "$K" "$WORK/ipsec.log" -- \
    $(connect_cmd --psk-file "$WORK/psk")) || pass=0
  echo "$reuse"
  ike=$(mmqm "$WORK/cli.ikeview.$n.log")  # this log already counts the SAs of the last fresh setup
  echo "  IKE: the client negotiated ${ike/1 Main Mode and 1 Quick/0 Main Mode and 0 Quick} for these $K setups" \
    "(all reuse the SAs of the last setup above)"
  [ "$ike" = "1 Main Mode and 1 Quick Mode SAs" ] || { echo "FAIL: SAs were renegotiated: $ike in all" >&2; pass=0; }
  python3 - "$(rate "$plain")" "$(rate "$fresh")" "$(rate "$reuse")" <<'PY' || pass=0
import sys
try:
    plain, fresh, reuse = (float(x) for x in sys.argv[1:])
except ValueError:
    print("FAIL: a setup-rate measurement failed"); sys.exit(1)
print("ratio: L2TP/IPsec setups/s / plain L2TP setups/s = %.2f with a fresh IKE Main Mode each, %.2f with SAs"
      " reused (same namespaces, same method; informational, no target set)" % (fresh / plain, reuse / plain))
PY
  stop "$SERVER" "l2tpd serve"
fi
if [ $pass -eq 1 ]; then echo PASS; else echo FAIL; exit 1; fi
