# Shared by the tool tests (sourced). Gives each test a private network namespace with one
# veth holding 198.51.100.1/24 (so "me" is deterministic), a private policy agent, and
# helpers to record a normalised transcript and compare it with a golden file.
#   IPSECKIT_BIN  the build's bin directory (set by ctest)
#   IPSECKIT_SRC  the source tree (default: the one holding this file)
#   IPSECKIT_UPDATE_GOLDEN=1  rewrite the golden files instead of comparing
set -u
: "${IPSECKIT_BIN:?set IPSECKIT_BIN to the bin directory of a build}"
: "${IPSECKIT_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

# Re-run the calling script inside a new network namespace (needs root; nothing to clean up:
# the namespace disappears with the process).
enter_netns() {
  if [ "${IPSECKIT_IN_NETNS:-}" != 1 ]; then
    if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root for unshare -n" >&2; exit 77; fi
    rm -rf "$WORK"  # made when this file was sourced; exec skips the EXIT trap
    IPSECKIT_IN_NETNS=1 exec unshare -n "$0" "$@"
  fi
  ip link set lo up
  ip link add ikv0 type veth peer name ikv1
  ip addr add 198.51.100.1/24 dev ikv0
  ip link set ikv0 up
  ip link set ikv1 up
}

WORK=$(mktemp -d /tmp/ipseckit-tooltest.XXXXXX)
AGENTS="" PIDS="" NA="" NB=""
cleanup() {
  for p in $AGENTS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  for p in $PIDS; do wait "$p" 2>/dev/null || true; done
  if [ -n "$NA" ]; then ip netns del "$NA" 2>/dev/null || true; fi
  if [ -n "$NB" ]; then ip netns del "$NB" 2>/dev/null || true; fi
  if [ -n "${KEEP_WORK:-${KEEP:-}}" ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM

# start_agent NAME: a foreground agent with socket $WORK/NAME.sock and state $WORK/NAME.state
start_agent() {
  "$IPSECKIT_BIN/policyagent" --foreground --socket "$WORK/$1.sock" --state-dir "$WORK/$1.state" \
    2>>"$WORK/$1.log" &
  AGENTS="$AGENTS $!"
  i=0
  while [ ! -S "$WORK/$1.sock" ]; do
    i=$((i + 1))
    if [ $i -gt 200 ]; then echo "agent $1 did not start" >&2; cat "$WORK/$1.log" >&2; exit 1; fi
    sleep 0.05
  done
}

# Use agent NAME for the following commands.
use_agent() {
  export IPSECKIT_SOCKET="$WORK/$1.sock" IPSECKIT_STATE_DIR="$WORK/$1.state" IPSECKIT_NO_AUTOSTART=1
}

TRANSCRIPT="$WORK/transcript"
: >"$TRANSCRIPT"
# t CMD...: runs a command, appending "$ cmd", its stdout, its stderr (prefixed "! ") and its
# exit status to the transcript.
t() {
  printf '$ %s\n' "$*" >>"$TRANSCRIPT"
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
  rc=$?
  set -e
  cat "$WORK/out" >>"$TRANSCRIPT"
  sed 's/^/! /' "$WORK/err" >>"$TRANSCRIPT"
  printf '[exit %s]\n\n' "$rc" >>"$TRANSCRIPT"
}
note() { printf '# %s\n' "$*" >>"$TRANSCRIPT"; }

# Removes what changes from run to run: temp paths, pids, GUIDs, timestamps.
normalise() {
  sed -E -e "s#$WORK#WORK#g" -e "s#$IPSECKIT_BIN#BIN#g" -e "s#$IPSECKIT_SRC#SRC#g" \
    -e 's/\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}/{GUID}/g' \
    -e 's/pid [0-9]+/pid PID/g' -e 's/"pid": [0-9]+/"pid": PID/g' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC/TIME/g' \
    -e 's/"changed": [0-9]+/"changed": TIME/g' -e 's/"revision": [0-9]+/"revision": REV/g' \
    -e 's/generation [0-9]+/generation GEN/g' -e 's/"generation": [0-9]+/"generation": GEN/g'
}

# compare_golden NAME: the normalised transcript must equal tests/tools/golden/NAME.txt.
compare_golden() {
  golden="$IPSECKIT_SRC/tests/tools/golden/$1.txt"
  normalise <"$TRANSCRIPT" >"$WORK/actual"
  if [ "${IPSECKIT_UPDATE_GOLDEN:-}" = 1 ]; then
    cp "$WORK/actual" "$golden"
    echo "updated $golden"
    return 0
  fi
  if ! diff -u "$golden" "$WORK/actual"; then
    echo "FAIL: output differs from $golden (IPSECKIT_UPDATE_GOLDEN=1 rewrites it after review)" >&2
    return 1
  fi
  echo "ok: $1 matches its golden transcript"
}

# fail MESSAGE: exits 1; after start_pair, with the tail of every $WORK/*.log (daemons' stderr).
fail() {
  echo "FAIL: $*" >&2
  if [ -n "$NA" ]; then for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "---- $f" >&2; tail -n 40 "$f" >&2; }; done; fi
  exit 1
}

# ---- Two hosts: namespaces $NA and $NB joined by one veth ($IF_A 198.51.100.1/24 in $NA,
# $IF_B 198.51.100.2/24 in $NB), each with its own policy agent. Every background pid goes into
# PIDS; cleanup ends them and deletes the namespaces (KEEP_WORK=1 keeps $WORK).
# pair_netns NS-A NS-B IF-A IF-B [MTU]: the namespaces and the veth (MTU: both ends').
pair_netns() {
  if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces)" >&2; exit 77; fi
  NA=$1 NB=$2 IF_A=$3 IF_B=$4
  trap cleanup EXIT
  trap 'exit 1' INT TERM
  ip netns add "$NA" && ip netns add "$NB" || fail "cannot create namespaces"
  ip link add "$IF_A" netns "$NA" type veth peer name "$IF_B" netns "$NB" || fail "cannot create veth"
  ip -n "$NA" link set lo up; ip -n "$NB" link set lo up
  if [ -n "${5:-}" ]; then ip -n "$NA" link set "$IF_A" mtu "$5"; ip -n "$NB" link set "$IF_B" mtu "$5"; fi
  ip -n "$NA" addr add 198.51.100.1/24 dev "$IF_A"; ip -n "$NA" link set "$IF_A" up
  ip -n "$NB" addr add 198.51.100.2/24 dev "$IF_B"; ip -n "$NB" link set "$IF_B" up
}
# ns NS WHO CMD...: runs CMD in namespace NS with agent WHO's store ($WORK/WHO.sock).
ns() {
  local n=$1 who=$2; shift 2
  IPSECKIT_SOCKET="$WORK/$who.sock" IPSECKIT_STATE_DIR="$WORK/$who.state" IPSECKIT_NO_AUTOSTART=1 \
    ip netns exec "$n" "$@"
}
# nsbg NS WHO CMD... &: the same, exec'd all the way so that $! is the command's own pid.
nsbg() {
  local n=$1 who=$2; shift 2
  export IPSECKIT_SOCKET="$WORK/$who.sock" IPSECKIT_STATE_DIR="$WORK/$who.state" IPSECKIT_NO_AUTOSTART=1
  exec ip netns exec "$n" "$@"
}
# start_ns_agent NS WHO: a policy agent for WHO in NS; waits for its socket.
start_ns_agent() {
  nsbg "$1" "$2" "$IPSECKIT_BIN/policyagent" --foreground --socket "$WORK/$2.sock" --state-dir "$WORK/$2.state" \
    >/dev/null 2>>"$WORK/$2.agent.log" &
  PIDS="$PIDS $!"
  for _ in $(seq 200); do [ -S "$WORK/$2.sock" ] && return 0; sleep 0.05; done
  fail "agent $2 did not start"
}
# start_pair TAG [MTU]: hosts A and B (TAG, 2 letters, + $$ names them), agents A and B.
start_pair() {
  pair_netns "${1}a-$$" "${1}b-$$" "${1}A$$" "${1}B$$" "${2:-}"
  start_ns_agent "$NA" A; start_ns_agent "$NB" B
}
# on A|B CMD...: runs a command in that host's namespace with its own store.
on() {
  local h=$1; shift
  if [ "$h" = B ]; then ns "$NB" B "$@"; else ns "$NA" A "$@"; fi
}
# bg A|B CMD...: the same in the background; $! is the command itself.
bg() {
  local h=$1; shift
  if [ "$h" = B ]; then nsbg "$NB" B "$@" & else nsbg "$NA" A "$@" & fi
}
# start_ikeview A|B [DAEMON-OPTIONS...]: `ikeview daemon --mark 0x2a ...` on that host; IKV_A /
# IKV_B is its pid. Waits until it has loaded an SPD (fails if it exits first).
start_ikeview() {
  local h=$1; shift
  # The store's event log outlives a daemon: wait for one more "SPD generation" than before.
  local seen n
  seen=$(on "$h" "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -c "SPD generation")
  bg "$h" "$IPSECKIT_BIN/ikeview" daemon --mark 0x2a "$@" >/dev/null 2>>"$WORK/$h.ikeview.log"
  local pid=$!
  PIDS="$PIDS $pid"
  eval "IKV_$h=$pid"
  for _ in $(seq 100); do
    n=$(on "$h" "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -c "SPD generation")
    [ "$n" -gt "$seen" ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "ikeview daemon $h exited"
    sleep 0.1
  done
  fail "ikeview daemon $h loaded no SPD"
}
# stop_pid LABEL PID: SIGTERM to a child; it must exit 0 (under set -e too).
stop_pid() {
  kill -TERM "$2"
  local rc=0
  wait "$2" || rc=$?
  [ "$rc" -eq 0 ] || fail "$1 exited $rc on SIGTERM"
}
# stop_ikeview A|B: the same for that host's `ikeview daemon`.
stop_ikeview() {
  local pid; eval "pid=\$IKV_$1"
  stop_pid "ikeview daemon $1" "$pid"
}
sa_json() { on "$1" "$IPSECKIT_BIN/ikeview" sa --json; }
# capture A|B FILE [FILTER]: tcpdump on that host's veth into FILE until `kill -INT $CAPTURE`.
capture() {
  local ns=$NA ifc=$IF_A; [ "$1" = B ] && ns=$NB ifc=$IF_B
  (exec ip netns exec "$ns" tcpdump -U --immediate-mode -n -i "$ifc" \
     -w "$2" "${3:-udp port 500 or udp port 4500}" 2>"$WORK/tcpdump.$1.out") &
  CAPTURE=$!; PIDS="$PIDS $CAPTURE"
  for _ in $(seq 100); do grep -q "listening on" "$WORK/tcpdump.$1.out" && return 0; sleep 0.05; done
  fail "tcpdump on $1 did not start"
}

# ---- L2TP: an LNS host $S (198.51.100.1, agent srv) and a client host $C (198.51.100.2, agent
# cli) as in start_pair; L is the l2tpd binary.
# start_l2tp_pair TAG: the namespaces l2<TAG>S$$ / l2<TAG>C$$ on veth v$S <-> v$C, both agents.
start_l2tp_pair() {
  S=l2${1}S$$ C=l2${1}C$$ L="$IPSECKIT_BIN/l2tpd"
  pair_netns "$S" "$C" "v$S" "v$C"
  start_ns_agent "$S" srv; start_ns_agent "$C" cli
}
# start_l2tp_server OPTIONS...: `l2tpd serve --no-ipsec` on $S for $WORK/users, pool
# 192.0.2.10-20, stderr in $WORK/server.log; SERVER is its pid. Waits until it listens.
start_l2tp_server() {
  nsbg "$S" srv "$L" serve --no-ipsec --listen 198.51.100.1 --pool 192.0.2.10-192.0.2.20 --users "$WORK/users" \
    "$@" 2>"$WORK/server.log" &
  SERVER=$!
  PIDS="$PIDS $SERVER"
  for _ in $(seq 1 100); do grep -q "LNS listening" "$WORK/server.log" && return 0; sleep 0.05; done
  fail "the server did not start"
}
