#!/bin/bash
# bench/ike/run.sh: IKEv1 Main Mode handshakes per responder CPU-second, ikeview (+ policyagent,
# which stores its records) vs strongSwan's charon as responder, driven by the same load
# generator (bench_ike_loadgen: libcore/ike's engine as many concurrent initiators, PSK,
# IKE AES-128/SHA-1) in the same run, for MODP-2048 and ECP-256, next to the DH bound.
#   bl$$: the load generator, 198.51.100.1/24 plus 198.51.100.10-249 (one initiator per
#         address, so no per-source half-open limit is reached), pinned to CPU 1
#   bd$$: the responder, 198.51.100.2/24, pinned to CPU 0 (ikeview and policyagent, or charon)
# Each established IKE SA is deleted by the initiator at once (bounded responder state). The
# initiator reuses one DH key pair per group (the responder's cost is measured; the responder
# makes a fresh key pair per handshake). Reported per responder and group:
#   hs/cpu_s = completed Main Modes / responder CPU seconds (utime+stime, /proc/PID/stat, all
#              threads; ikeview's figure includes policyagent)
#   hs/s     = completed Main Modes / wall second (bounded by the single responder core)
#   bound    = the DH bound: a responder's keygen + derive for the group per CPU second, timed
#              with OpenSSL's EVP API in this run (bench_ike_loadgen --dh-bound, as
#              perf-limits' dhbench), i.e. the handshakes/s of one core if DH were the only cost
# PASS/FAIL (issue 3, Benchmark): ikeview >= 70 % of the DH bound and >= 2x strongSwan, both
# per responder CPU-second.
# Usage: IPSECKIT_BIN=build/bin bench/ike/run.sh [SECONDS (default 8)] [INFLIGHT (default 32)]
#   IKE_BENCH_GROUPS="ecp256" runs only those groups; IKE_BENCH_PERF=1 also records
#   `perf record -g` of ikeview and policyagent during the measurement (report in the work dir,
#   kept with KEEP_WORK=1).
# Exit 0 all PASS, 1 a FAIL or an error, 77 no root / no strongSwan.
set -u
: "${IPSECKIT_BIN:?set IPSECKIT_BIN to the bin directory of a build}"
SECS=${1:-8} INFLIGHT=${2:-32}
HERE=$(cd "$(dirname "$0")" && pwd)
LIB=$HERE/../../tests/interop/lib
LOADGEN=$IPSECKIT_BIN/bench_ike_loadgen
[ -x "$LOADGEN" ] || { echo "FAIL: $LOADGEN missing (build target bench_ike_loadgen)" >&2; exit 1; }
. "$LIB/ikeview-ssw.bash"
ikv_init bn
NP=bl$$ ND=bd$$
CPUS=$(nproc)
LG_CPU=$((CPUS > 1 ? 1 : 0))
ikv_cleanup_bench() { "$PEER" down "$ND" >/dev/null 2>&1; }
IKV_CLEANUP_HOOK=ikv_cleanup_bench

"$PEER" topo-up "$NP" "$ND" 198.51.100.1/24 198.51.100.2/24 >/dev/null || fail "topology"
VA=$(ip -n "$NP" -o link show type veth | awk -F': ' '{print $2}' | cut -d@ -f1)
for i in $(seq 10 249); do echo "address add 198.51.100.$i/24 dev $VA"; done | ip -n "$NP" -batch - || fail "addresses"
ikv_agent
AGENT=$(echo $IKV_PIDS | awk '{print $1}')
agent_pid=$(pgrep -P "$AGENT" -x policyagent || echo "$AGENT")

pin() { local p; for p in "$@"; do taskset -a -p -c 0 "$p" >/dev/null || fail "taskset $p"; done; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
loadgen() {  # loadgen GROUP PIDS...: one measurement, the key=value line on stdout
  local grp=$1 p args=(); shift
  for p in "$@"; do args+=(--pid "$p"); done
  ip netns exec "$NP" taskset -c "$LG_CPU" "$LOADGEN" --target 198.51.100.2 --sources 198.51.100.10-198.51.100.249 \
    --group "$grp" --psk secret --inflight "$INFLIGHT" --warmup 2 --seconds "$SECS" "${args[@]}" 2>>"$WORK/loadgen.log"
}

rc=0
printf '%-9s %-10s %10s %9s %8s %9s %7s %9s\n' group responder "hs/cpu_s" "hs/s" cpu_s "bound/s" failed "lg_cpu_s"
for grp in ${IKE_BENCH_GROUPS:-modp2048 ecp256}; do
  case $grp in modp2048) num=14;; ecp256) num=19;; *) echo "unknown group $grp" >&2; exit 2;; esac
  bound=$(taskset -c "$LG_CPU" "$LOADGEN" --dh-bound --group "$grp" --seconds 2 | field keygen_plus_derive_per_cpu_s)
  [ -n "$bound" ] || fail "DH bound $grp"
  # ---- ikeview + policyagent as responder: any peer (me <-> any), PSK, Main Mode only
  on "$IPSECKIT_BIN/ipsecpol" -w REG -p bench -r any -f "0+*" -n "ESP[AES128,SHA]" -a "PRESHARE:secret" \
    -1s "AES128-SHA-$num" -x >>"$WORK/ipsecpol.log" 2>&1 || fail "ipsecpol ($grp)"
  bg "$IPSECKIT_BIN/ikeview" daemon --mark 0x2a >/dev/null 2>>"$WORK/ikeview.log"
  IKEVIEW_PID=$!; IKV_PIDS="$IKV_PIDS $IKEVIEW_PID"
  for _ in $(seq 100); do on "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -q "SPD generation" && break; sleep 0.1; done
  ikv_pid=$(pgrep -P "$IKEVIEW_PID" -x ikeview || echo "$IKEVIEW_PID")
  pin "$ikv_pid" "$agent_pid"
  perf_pid=""
  if [ "${IKE_BENCH_PERF:-}" = 1 ]; then
    # shellcheck disable=SC2086  # IKE_BENCH_PERF_ARGS: extra perf options, e.g. "--call-graph dwarf"
    perf record -q -g ${IKE_BENCH_PERF_ARGS:-} -F 999 -e cpu-clock -o "$WORK/perf-$grp.data" -p "$ikv_pid,$agent_pid" 2>>"$WORK/perf.log" &
    perf_pid=$!
  fi
  ours=$(loadgen "$grp" "$ikv_pid" "$agent_pid") || fail "load generator against ikeview ($grp): $(tail -3 "$WORK/loadgen.log")"
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid"; wait "$perf_pid"
    perf report -i "$WORK/perf-$grp.data" --no-children --sort comm,dso,symbol --stdio 2>/dev/null | head -120 >"$WORK/perf-$grp.txt"
    echo "perf profile of ikeview + policyagent: $WORK/perf-$grp.txt" >&2
  fi
  ikv_stop_daemon
  # ---- charon as responder (no encap: nothing floats, as with ikeview)
  "$PEER" up "$ND" 198.51.100.2 %any --peer-id %any --psk secret --local-ts 192.0.2.0/24 --remote-ts 203.0.113.0/24 \
    --ike "aes128-sha1-$grp" --esp aes128-sha1 --conn-opt encap=no --debug 1 >"$WORK/resp-up.log" 2>&1 ||
    fail "strongSwan responder: $(tail -3 "$WORK/resp-up.log")"
  ssw_pid=$("$PEER" pid "$ND")
  pin "$ssw_pid"
  ssw=$(loadgen "$grp" "$ssw_pid") || fail "load generator against strongSwan ($grp): $(tail -3 "$WORK/loadgen.log")"
  "$PEER" down "$ND" >/dev/null 2>&1
  for who in ikeview strongswan; do
    line=$ours; [ $who = strongswan ] && line=$ssw
    printf '%-9s %-10s %10s %9s %8s %9s %7s %9s\n' "$grp" "$who" "$(field per_responder_cpu_s <<<"$line")" \
      "$(field per_wall_s <<<"$line")" "$(field responder_cpu_s <<<"$line")" "$bound" "$(field failed <<<"$line")" \
      "$(field loadgen_cpu_s <<<"$line")"
  done
  echo "  ikeview:    $ours" >>"$WORK/raw.txt"; echo "  strongSwan: $ssw" >>"$WORK/raw.txt"
  read -r ratio pct < <(python3 -c "import sys; o,s,b=map(float,sys.argv[1:]); print('%.2f %.0f' % (o/max(s,0.001), 100*o/b))" \
    "$(field per_responder_cpu_s <<<"$ours")" "$(field per_responder_cpu_s <<<"$ssw")" "$bound")
  v1=PASS; python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 70 else 1)" "$pct" || { v1=FAIL; rc=1; }
  v2=PASS; python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 2 else 1)" "$ratio" || { v2=FAIL; rc=1; }
  echo "$grp: ikeview/strongSwan per responder CPU-second ${ratio}x ($v2, target >= 2x); ikeview at ${pct}% of the DH bound ($v1, target >= 70%)"
done
echo "raw load generator lines (initiator DH key pair reused per group; responder pinned to CPU 0, load generator to CPU $LG_CPU):"
cat "$WORK/raw.txt"
echo "($SECS s measured after 2 s warm-up per responder and group, $INFLIGHT handshakes in flight from 240 addresses; $CPUS CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg))"
exit $rc
