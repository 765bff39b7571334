#!/bin/bash
# bench/ike/run.sh: IKEv1 negotiations (Main Mode + one Quick Mode, no PFS) per responder
# CPU-second, ikeview (+ policyagent, which stores its records) vs strongSwan's charon as
# responder, driven by the same load generator (bench_ike_loadgen: libcore/ike's engine as many
# concurrent initiators, PSK, IKE AES-128/SHA-1, ESP AES-128/SHA-1) in the same run, for
# MODP-2048 and ECP-256, next to the DH bound (issue 3, item 6).
#   bl$$: the load generator, 198.51.100.1/24 plus 198.51.100.10-249 (one initiator per
#         address, so no per-source half-open limit is reached), pinned to CPU 1
#   bd$$: the responder, 198.51.100.2/24, pinned to CPU 0 (ikeview and policyagent, or charon)
# A negotiation counts when its Quick Mode SA is established on the initiator's side; then the
# initiator deletes the phase-2 SA and the IKE SA at once (bounded responder state). Quick
# Mode selectors are the two hosts: transport mode with ikeview (rule "bench": me <-> any,
# ESP[AES128,SHA]), tunnel mode with charon (kernel-libipsec installs tunnel SAs only; it
# installs each SA and its policies in its userspace SPD). The initiator reuses one DH key pair
# per group (the responder's cost is measured; the responder makes a fresh key pair per
# negotiation). Reported per responder and group:
#   neg/cpu_s = completed negotiations / responder CPU seconds (utime+stime, /proc/PID/stat,
#               all threads; ikeview's figure includes policyagent)
#   neg/s     = completed negotiations / wall second (bounded by the single responder core)
# and two DH bounds (negotiations per second of one core if the responder's DH were its only
# cost; the responder does one keygen + one derive per negotiation):
#   speed bound = `openssl speed -seconds 2 ecdhp256|ffdh2048` derive ops/s / 2 (the brief's
#                 model, perf-limits.md "Brief's model" row), run on the responder's CPU 0
#                 right before and right after ikeview's measurement (the mean of the two: a
#                 core's speed moves by up to ~30 % within a minute on these machines). When
#                 the two differ by more than 10 %, the speed moved during the measurement and
#                 the mean does not stand for it: the measurement is made again, whatever its
#                 result, up to IKE_BENCH_ATTEMPTS (default 3) times, each attempt set aside is
#                 printed, and the attempt whose two timings agree best counts
#   EVP bound   = EVP keygen + derive per CPU second, timed in this run on CPU 0 (bench_ike_loadgen
#                 --dh-bound, as perf-limits' dhbench): stricter for ECP-256, where a key
#                 generation with OpenSSL's fixed-base tables is cheaper than a derive
# Neither is an upper limit for a responder whose key generation costs less than a derive:
# libcore's MODP key generation uses a table of the generator's powers (crypto/dh_fixed_base.h,
# ~1/3 of EVP's exponentiation), as P-256's does in OpenSSL, so MODP-2048 can pass 100 %.
# PASS/FAIL (issue 3, Benchmark): ikeview >= 70 % of the speed bound and >= 2x strongSwan, both
# per responder CPU-second; the percentage of the EVP bound is printed for information.
# Then, for information only (no verdict; a failure to measure it is reported and ignored), the
# floor responder (bench_ike_loadgen --floor-responder, floor_responder.cpp): started in bd$$
# and pinned to CPU 0 as ikeview is, it does only what every PSK Main Mode + Quick Mode
# responder must (fresh DH key pair and g^xy, SKEYID*, IVs, hashes, AES-CBC, KEYMAT, random
# values, 11 datagrams of the sizes ikeview's negotiations have, recvmmsg/sendmmsg), the DH
# through libcore's DhGroup as ikeview's (for MODP the generator's table,
# crypto/dh_fixed_base.h) and the rest through OpenSSL's EVP API, without parsing, state
# machine, policy, store or log; its initiator (--floor, pinned as the load generator) sends
# precomputed datagrams. Its neg/cpu_s is printed as a % of the speed bound (openssl speed
# timed on CPU 0 right before and right after the floor's own run, and its run repeated on the
# same rule as ikeview's): what any responder can reach on this machine, so whether 70 % is
# reachable at all.
# With it: the budget per negotiation at 70 % of that bound, what the floor leaves of it, and the
# microseconds ikeview and its store (policyagent) spent per negotiation (cpu_by_pid).
# Usage: IPSECKIT_BIN=build/bin bench/ike/run.sh [SECONDS (default 8)] [INFLIGHT (default 32)]
#   IKE_BENCH_GROUPS="ecp256" runs only those groups; IKE_BENCH_QM=none measures Main Mode
#   only; IKE_BENCH_PERF=1 also records `perf record -g` of ikeview and policyagent during the
#   measurement (report in the work dir, kept with KEEP_WORK=1).
# Exit 0 all PASS, 1 a FAIL or an error, 77 no root / no strongSwan.
# Last recorded (2026-11-27, 2 CPUs shared with other builds, load average 12.6-15.4; command:
# `IPSECKIT_BIN=build-ike/bin bench/ike/run.sh`, 8 s, 32 in flight), neg/cpu_s ikeview vs charon:
#   MODP-2048: 805.8 vs 306.2 = 2.63x PASS; 46 % of the speed bound 1734 (FAIL), 48 % of EVP 1672
#   ECP-256:  1439.5 vs 1020.6 = 1.41x FAIL; 13 % of the speed bound 10708 (FAIL), 10 % of EVP 14128
#   (before the DH-state reuse, PSK cache and non-blocking record writes, same run.sh: MODP-2048
#   611.7 vs 282.4 = 2.17x, 36 %; ECP-256 1028.4 vs 1058.4 = 0.97x, 9 %)
# After quiet store writes (no answer unless refused), one "log" request per run of event-log
# lines and values moved instead of copied in the agent (same command, load average 15-16):
#   MODP-2048: 740.4 vs 226.8 = 3.26x PASS; 48 % of the speed bound 1535.9 (FAIL)
#   ECP-256:  1667.3 vs 1013.7 = 1.64x FAIL; 17 % of the speed bound 10092.6 (FAIL)
#   per ECP-256 negotiation: ikeview ~403 us, policyagent ~196 us (before: ~522 / ~316 us)
# After the agent's fast request reader (store/json_fast.h), txn requests written without a JSON
# tree, cached OpenSSL digest/HMAC fetches, no getsockname(2) per datagram and ikeview's stderr
# written once per loop iteration (2026-11-27 21:45, load average 6.1-6.5, 2 CPUs shared with
# other builds; command: `IPSECKIT_BIN=$PWD/build-ike/bin bench/ike/run.sh`, 8 s, 32 in flight),
# then the previous binaries right after it (load 6.2-6.3), neg/cpu_s ikeview vs charon:
#   MODP-2048: 1036.7 vs 268.2 = 3.87x PASS; 73 % of the speed bound 1423.5 (PASS)  (before: 857.7 vs 288.5, 58 %)
#   ECP-256:  2258.6 vs 932.2 = 2.42x PASS; 22 % of the speed bound 10331.2 (FAIL)  (before: 2031.7 vs 1019.6 = 1.99x)
#   per ECP-256 negotiation: ikeview ~316 us, policyagent ~126 us (before, same conditions: ~358 / ~134 us)
#   (at load 11, 21:32: ECP-256 2109.6 vs 776.7 = 2.72x, ikeview ~336 / agent ~138 us; before 1.76x, ~505 / ~172 us)
# Per ECP-256 negotiation the responder spent (before) ~440 us in ikeview and ~250 us in policyagent;
# ~70 us is DH. The rest is the store (4 record transactions and ~12 event-log lines per
# negotiation as JSON: a third of the profile is policyagent parsing them) and ~11 datagrams
# through the kernel (~14 % of the profile). 70 % of the ECP-256 speed bound is 133 us per
# negotiation: DH (~70 us) plus the kernel's share alone (~95 us) already exceed it.
# After 224-bit MODP-2048 exponents (225 since: as OpenSSL's named modp_2048), the agent's direct reader
# for quiet log/txn requests (store/request_fast.h) and the bound timed on the responder's core
# before and after ikeview's run (2026-11-28 01:10-01:37, quiet: load 1.5-3.9, nothing else
# running; command: `IPSECKIT_BIN=$PWD/build/bin bench/ike/run.sh`, 6 MODP-2048 runs):
#   MODP-2048: 1007.8-1225.5 vs 281.2-312.5 = 3.57-4.06x PASS; 62.6-70.3 % of the speed bound
#              1584-1801 (median 66 %, FAIL; 1 of 6 runs PASS); before, same command: 54-60 %
#   ECP-256:  3002.0-3027.6 vs 1025.4-1099.9 = 2.75-2.93x PASS; 28 % of the speed bound (FAIL)
#   per negotiation: MODP-2048 ikeview 778-907 us + policyagent 71-85 us; ECP-256 ~265 + ~65 us
# After SA records written as canonical JSON text (base/json_text.h, TxnOp::put_text) and kept
# as text by the agent (store/json_canonical.h), 2026-11-28 04:31-04:37, quiet (load 1.7-4.5,
# nothing else running; the same command: 5 MODP-2048-only runs, then 4 runs of both groups):
#   MODP-2048: 70.5-79.5 % of the speed bound 1709-1834 (median 74.6 %, PASS in 9 of 9 runs);
#              1356.9-1399.4 vs 312.1-341.9 = 3.97-4.40x PASS
#   ECP-256:  4307.1-4727.4 vs 1276.8-1507.1 = 3.14-3.50x PASS; 39.5-43.0 % of the speed bound (FAIL)
#   per negotiation: MODP-2048 ikeview 705-758 us + policyagent 31-36 us; ECP-256 190-204 + ~25 us
# ECP-256 cannot reach 70 % here: it allows 129-135 us per negotiation in all, and perf (same
# day) puts the responder's DH at ~71 us, the rest of libcrypto at ~21 us and its system calls
# (UDP, the store socket) at ~43 us: 135 us before any engine, log or store work.
# The floor responder measures that (same command with IKE_BENCH_GROUPS=G, build-floor, 2026-11-28
# 06:24-06:36, load 0.6-2.7, 5 alternating runs per group; floor bound timed around its own run):
#   ECP-256:   floor 9688-10000 neg/cpu_s = 73.2-75.9 % of the speed bound (PASS would be possible,
#              by ~4-6 points); ikeview 4092-4862 = 30-36 %, 41-49 % of the floor. Per negotiation
#              ~100 us: EVP keygen+derive 56.5 us (a P-256 keygen with the fixed-base table costs
#              less than the derive the bound counts twice), IKE crypto + state ~16 us (both timed
#              in-process), UDP ~28 us; 70 % allows ~105 us.
#   MODP-2048: floor 1726-1779 neg/cpu_s = 88.2-89.2 %; ikeview 1341-1448 = 69.0-72.5 %, 77-82 % of it.
# After MODP key generation from the generator's table (crypto/dh_fixed_base.h; the floor's DH
# through libcore too), the random pool and the lazy HMAC re-init (2026-11-28 09:20-09:41, quiet,
# the same command; 1 MODP-2048-only run, then 2 runs of both groups):
#   MODP-2048: 1722.7-1951.8 vs 306.3-315.4 = 5.53-6.37x PASS; 93.5-101.6 % of the speed bound
#              (PASS; before 64-72 %); floor 131-137 %; per negotiation ikeview 483-537 us +
#              policyagent 30-44 us
#   ECP-256:   4080.1-4241.9 vs 1109.4-1250.8 = 3.39-3.68x PASS; 31.3-32.9 % (FAIL); floor
#              73.6-79.8 %; per negotiation ikeview 209 us + policyagent 27-37 us
#   and on a core in its slow state (openssl speed ffdh2048 3110 derive/s, 10:27, under perf
#   with dwarf call graphs): MODP-2048 80.1 % (PASS; before, in that state: 64-65 %); keygen
#   now 15 % of ikeview's samples, the derive 48 %. Then (10:30, 3957 derive/s): MODP-2048
#   100.5 %, 5.93x; ECP-256 32.7 %, 3.43x, floor 75.6 %.
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
QM_MODE=${IKE_BENCH_QM:-}
loadgen() {  # loadgen GROUP PIDS... (QM: the load generator's --qm): one measurement, the key=value line on stdout
  local grp=$1 p args=(); shift
  for p in "$@"; do args+=(--pid "$p"); done
  ip netns exec "$NP" taskset -c "$LG_CPU" "$LOADGEN" --target 198.51.100.2 --sources 198.51.100.10-198.51.100.249 \
    --group "$grp" --qm "$QM" --psk secret --inflight "$INFLIGHT" --warmup 2 --seconds "$SECS" "${args[@]}" 2>>"$WORK/loadgen.log"
}

rc=0
speed_bound() {  # speed_bound GROUP: openssl speed's derive ops/s on the responder's CPU (0)
  local alg=ffdh2048; [ "$1" = ecp256 ] && alg=ecdhp256
  taskset -c 0 openssl speed -mr -seconds 2 "$alg" 2>/dev/null | awk -F: '/^\+F[0-9]+:/ {print $4; exit}'
}
ATTEMPTS=${IKE_BENCH_ATTEMPTS:-3}
# bounded GROUP WHAT FN: runs FN GROUP (which sets RESULT, a load generator line or "") between
# two openssl speed timings on the responder's core. The core's speed moves by up to ~30 %
# within a minute on these machines; when the two timings differ by more than 10 % it moved
# during the measurement and their mean does not stand for it, so FN runs again, whatever its
# result, at most $ATTEMPTS times. Keeps the attempt whose two timings agree best: RESULT, S1
# (before), S2 (after), DRIFT (%). Each attempt set aside is printed.
bounded() {
  local grp=$1 what=$2 fn=$3 a s1 s2 d best_d=1e9 best_r="" best_s1="" best_s2=""
  for a in $(seq "$ATTEMPTS"); do
    s1=$(speed_bound "$grp")
    [ -n "$s1" ] || fail "openssl speed ($grp)"
    RESULT=""
    "$fn" "$grp"
    s2=$(speed_bound "$grp")
    [ -n "$s2" ] || fail "openssl speed ($grp)"
    # d: the drift in %; better: 1 if it is the least so far; steady: 1 if at most 10 %
    read -r d better steady < <(python3 -c "import sys; a,b,best=map(float,sys.argv[1:]); d=round(100*abs(a-b)/max(a,b),1)
print('%.1f %d %d' % (d, d < best, d <= 10))" "$s1" "$s2" "$best_d")
    [ "$better" = 1 ] && best_d=$d best_r=$RESULT best_s1=$s1 best_s2=$s2
    [ "$steady" = 1 ] && break
    echo "$grp: $what: openssl speed moved $d % during attempt $a of $ATTEMPTS ($s1 before, $s2 after;" \
      "$(field per_responder_cpu_s <<<"$RESULT") neg/cpu_s)$([ "$a" -lt "$ATTEMPTS" ] && echo ", measuring again")"
  done
  RESULT=$best_r S1=$best_s1 S2=$best_s2 DRIFT=$best_d
}
# measure_ikeview GROUP: ikeview (and its agent) as responder for one load generator run; RESULT.
measure_ikeview() {
  local grp=$1
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
  QM=${QM_MODE:-transport}
  RESULT=$(loadgen "$grp" "$ikv_pid" "$agent_pid") || fail "load generator against ikeview ($grp): $(tail -3 "$WORK/loadgen.log")"
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid"; wait "$perf_pid"
    perf report -i "$WORK/perf-$grp.data" --no-children --sort comm,dso,symbol --stdio 2>/dev/null | head -120 >"$WORK/perf-$grp.txt"
    echo "perf profile of ikeview + policyagent: $WORK/perf-$grp.txt" >&2
  fi
  ikv_stop_daemon
}
# measure_floor GROUP: the floor responder for one run of its initiator; RESULT ("" if it fails).
measure_floor() {
  local grp=$1
  (exec ip netns exec "$ND" "$LOADGEN" --floor-responder --listen 198.51.100.2 --group "$grp") 2>"$WORK/floor-$grp.log" &
  FLOOR_PID=$!; IKV_PIDS="$IKV_PIDS $FLOOR_PID"
  for _ in $(seq 100); do grep -q listening "$WORK/floor-$grp.log" && break; sleep 0.05; done
  if grep -q listening "$WORK/floor-$grp.log"; then
    pin "$FLOOR_PID"
    RESULT=$(ip netns exec "$NP" taskset -c "$LG_CPU" "$LOADGEN" --floor --target 198.51.100.2 \
      --sources 198.51.100.10-198.51.100.249 --group "$grp" --inflight "$INFLIGHT" --warmup 2 --seconds "$SECS" \
      --pid "$FLOOR_PID" 2>>"$WORK/loadgen.log") || RESULT=""
  fi
  kill -TERM "$FLOOR_PID" 2>/dev/null; wait "$FLOOR_PID" 2>/dev/null
  IKV_PIDS=${IKV_PIDS/ $FLOOR_PID/}
}
printf '%-9s %-10s %10s %9s %8s %7s %9s\n' group responder "neg/cpu_s" "neg/s" cpu_s failed "lg_cpu_s"
for grp in ${IKE_BENCH_GROUPS:-modp2048 ecp256}; do
  case $grp in modp2048) num=14;; ecp256) num=19;; *) echo "unknown group $grp" >&2; exit 2;; esac
  bound=$(taskset -c 0 "$LOADGEN" --dh-bound --group "$grp" --seconds 2 | field keygen_plus_derive_per_cpu_s)
  [ -n "$bound" ] || fail "DH bound $grp"
  # ---- ikeview + policyagent as responder: any peer (me <-> any), PSK, transport mode
  on "$IPSECKIT_BIN/ipsecpol" -w REG -p bench -r any -f "0+*" -n "ESP[AES128,SHA]" -a "PRESHARE:secret" \
    -1s "AES128-SHA-$num" -x >>"$WORK/ipsecpol.log" 2>&1 || fail "ipsecpol ($grp)"
  # The bound is the mean of openssl speed right before and right after ikeview's measurement,
  # on its core (bounded, above).
  bounded "$grp" ikeview measure_ikeview
  ours=$RESULT speed1=$S1 speed2=$S2 drift=$DRIFT
  [ -n "$ours" ] || fail "no measurement of ikeview ($grp)"
  read -r speed1 speed2 speed sbound < <(python3 -c "import sys; a,b=map(float,sys.argv[1:]); print('%.1f %.1f %.1f %.1f' % (a, b, (a+b)/2, (a+b)/4))" "$speed1" "$speed2")
  # ---- charon as responder (no encap: nothing floats, as with ikeview); host-to-host tunnel
  "$PEER" up "$ND" 198.51.100.2 %any --peer-id %any --psk secret --local-ts 198.51.100.2/32 --remote-ts 198.51.100.0/24 \
    --ike "aes128-sha1-$grp" --esp aes128-sha1 --conn-opt encap=no --debug 1 >"$WORK/resp-up.log" 2>&1 ||
    fail "strongSwan responder: $(tail -3 "$WORK/resp-up.log")"
  ssw_pid=$("$PEER" pid "$ND")
  pin "$ssw_pid"
  QM=${QM_MODE:-tunnel}
  ssw=$(loadgen "$grp" "$ssw_pid") || fail "load generator against strongSwan ($grp): $(tail -3 "$WORK/loadgen.log")"
  "$PEER" down "$ND" >/dev/null 2>&1
  # ---- the floor responder (floor_responder.cpp) on the same core, pinned as ikeview was; information only
  bounded "$grp" "floor responder" measure_floor
  floor=$RESULT fspeed1=$S1 fspeed2=$S2
  [ -n "$floor" ] || echo "$grp: floor responder: no measurement (information only): $(tail -3 "$WORK/floor-$grp.log" "$WORK/loadgen.log")" >&2
  for who in ikeview strongswan floor; do
    line=$ours; [ $who = strongswan ] && line=$ssw; [ $who = floor ] && line=$floor
    [ -n "$line" ] || continue
    printf '%-9s %-10s %10s %9s %8s %7s %9s\n' "$grp" "$who" "$(field per_responder_cpu_s <<<"$line")" \
      "$(field per_wall_s <<<"$line")" "$(field responder_cpu_s <<<"$line")" "$(field failed <<<"$line")" \
      "$(field loadgen_cpu_s <<<"$line")"
  done
  echo "  ikeview:    $ours" >>"$WORK/raw.txt"; echo "  strongSwan: $ssw" >>"$WORK/raw.txt"
  [ -n "$floor" ] && echo "  floor:      $floor ($(grep negotiations= "$WORK/floor-$grp.log"))" >>"$WORK/raw.txt"
  # The verdicts come from the unrounded values (69.6 % is a FAIL, not a rounded 70 %).
  read -r ratio pct epct v1 v2 < <(python3 -c "import sys; o,s,b,e=map(float,sys.argv[1:]); r=o/max(s,0.001); p=100*o/b
print('%.2f %.1f %.0f %s %s' % (r, p, 100*o/e, 'PASS' if p >= 70 else 'FAIL', 'PASS' if r >= 2 else 'FAIL'))" \
    "$(field per_responder_cpu_s <<<"$ours")" "$(field per_responder_cpu_s <<<"$ssw")" "$sbound" "$bound")
  [ "$v1" = PASS ] && [ "$v2" = PASS ] || rc=1
  echo "$grp: DH bound (1 keygen + 1 derive per negotiation): openssl speed $speed derive/s (mean of $speed1 before and $speed2 after ikeview's run, $drift % apart) / 2 = $sbound neg/s; EVP keygen+derive $bound neg/s"
  echo "$grp: ikeview/strongSwan per responder CPU-second ${ratio}x ($v2, target >= 2x)"
  echo "$grp: ikeview at ${pct}% of the openssl-speed DH bound ($v1, target >= 70%); at ${epct}% of the EVP keygen+derive bound (information)"
  if [ -n "$floor" ]; then
    # ikeview relative to the floor: each as a fraction of the bound timed around its own run
    read -r fspeed1 fspeed2 fbound fpct fneg ofpct < <(python3 -c "import sys; f,a,b,o,ob=map(float,sys.argv[1:]); fb=(a+b)/4
print('%.1f %.1f %.1f %.1f %.1f %.0f' % (a, b, fb, 100*f/fb, f, 100*(o/ob)/max(f/fb,1e-9)))" \
      "$(field per_responder_cpu_s <<<"$floor")" "$fspeed1" "$fspeed2" "$(field per_responder_cpu_s <<<"$ours")" "$sbound")
    echo "$grp: floor responder (DH + IKE crypto + UDP only: no parsing, state machine, policy, store or log) at ${fpct}% of the openssl-speed DH bound (${fneg} neg/cpu_s; bound $fbound neg/s from openssl speed $fspeed1 before and $fspeed2 after the floor's run); ikeview at ${ofpct}% of the floor (information)"
    # The budget at 70 % of that bound, what the floor leaves of it, and what ikeview and its
    # store (policyagent, the second --pid) spend per negotiation.
    read -r budget fus margin ius aus < <(python3 -c "import sys; fb,f,n=map(float,sys.argv[1:4]); by=dict(x.split(':') for x in sys.argv[4].split(','))
c=[float(by[p]) for p in sys.argv[5:7]]; u=lambda x: 1e6*x/max(n,1); b=1e6/(0.7*fb); fu=1e6/max(f,1e-9)
print('%.0f %.0f %.0f %.0f %.0f' % (b, fu, b-fu, u(c[0]), u(c[1])))" \
      "$fbound" "$fneg" "$(field negotiations <<<"$ours")" "$(field cpu_by_pid <<<"$ours")" "$ikv_pid" "$agent_pid")
    echo "$grp: per negotiation, 70 % of that bound allows ${budget} us in all; the floor spends ${fus} us, leaving ${margin} us for parsing, state machine, policy, store and log; ikeview spent ${ius} us and its store (policyagent) ${aus} us (information)"
  fi
done
echo "raw load generator lines (initiator DH key pair reused per group; responder pinned to CPU 0, load generator to CPU $LG_CPU):"
cat "$WORK/raw.txt"
echo "($SECS s measured after 2 s warm-up per responder and group, $INFLIGHT negotiations in flight from 240 addresses; $CPUS CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg))"
exit $rc
