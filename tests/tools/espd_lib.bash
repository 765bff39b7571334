# Shared by the espd tests (sourced): two hosts A and B in two network namespaces on one veth
# (198.51.100.1 <-> .2), each with its own policy agent; helpers to run commands there
# (on, spawn), start/stop espd, read stats/espd counters and check that nothing is left.
set -u
: "${IPSECKIT_BIN:?set IPSECKIT_BIN to the bin directory of a build}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces)" >&2; exit 77; fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

NA=espa-$$ NB=espb-$$ VA=ea$$ VB=eb$$ TUNA=espta$$ TUNB=esptb$$
# ESPD_MARK="" (set but empty) leaves both daemons on their shared default mark.
MARK=${ESPD_MARK-0x2a} TABLE=120 PRIO=120
WORK=$(mktemp -d "/tmp/${ESPD_TEST:-espd}.XXXXXX")
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null; done
  for p in $PIDS; do wait "$p" 2>/dev/null; done
  ip netns del "$NA" 2>/dev/null
  ip netns del "$NB" 2>/dev/null
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
  echo "FAIL: $*" >&2
  for f in "$WORK"/*.log; do echo "---- $f" >&2; tail -n 30 "$f" >&2; done
  exit 1
}

ip netns add "$NA" && ip netns add "$NB" || fail "cannot create namespaces"
ip link add "$VA" netns "$NA" type veth peer name "$VB" netns "$NB" || fail "cannot create veth"
ip -n "$NA" link set lo up; ip -n "$NB" link set lo up
ip -n "$NA" addr add 198.51.100.1/24 dev "$VA"; ip -n "$NA" link set "$VA" up
ip -n "$NB" addr add 198.51.100.2/24 dev "$VB"; ip -n "$NB" link set "$VB" up

# on A|B CMD...: runs a command in that host's namespace with its own store.
on() {
  local h=$1; shift
  local ns=$NA; [ "$h" = B ] && ns=$NB
  IPSECKIT_SOCKET="$WORK/$h.sock" IPSECKIT_STATE_DIR="$WORK/$h.state" IPSECKIT_NO_AUTOSTART=1 \
    ip netns exec "$ns" "$@"
}
# spawn A|B LOG CMD...: like on, in the background; $! is the command's own pid (exec).
spawn() {
  local h=$1 log=$2; shift 2
  local ns=$NA; [ "$h" = B ] && ns=$NB
  (export IPSECKIT_SOCKET="$WORK/$h.sock" IPSECKIT_STATE_DIR="$WORK/$h.state" IPSECKIT_NO_AUTOSTART=1
   exec ip netns exec "$ns" "$@" >>"$log" 2>&1) &
}
start_agent() {
  spawn "$1" "$WORK/$1.agent.log" "$IPSECKIT_BIN/policyagent" --foreground --socket "$WORK/$1.sock" --state-dir "$WORK/$1.state"
  PIDS="$PIDS $!"
  for _ in $(seq 200); do [ -S "$WORK/$1.sock" ] && return 0; sleep 0.05; done
  fail "agent $1 did not start"
}
tun_of() { if [ "$1" = A ]; then echo "$TUNA"; else echo "$TUNB"; fi; }
# stat A|B NAME: one counter of stats/espd (via ipsecpol show stats --json).
stat() {
  on "$1" "$IPSECKIT_BIN/ipsecpol" show stats --json 2>/dev/null |
    "$PY" -c 'import json,sys; s=json.load(sys.stdin)["stats"]["ipsec"]; print((s or {}).get(sys.argv[1], -1))' "$2"
}
# store_list A|B PREFIX: the store's entries under PREFIX as a JSON object key -> value.
store_list() {
  on "$1" "$PY" -c '
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(os.environ["IPSECKIT_SOCKET"]); f = s.makefile("rw")
f.write(json.dumps({"op": "hello", "version": 1}) + "\n" + json.dumps({"op": "list", "prefix": sys.argv[1]}) + "\n")
f.flush(); f.readline(); r = json.loads(f.readline())
print(json.dumps({i["key"]: i["value"] for i in r["items"]}))' "$2"
}
# start_espd A|B [SAS]: sets ESPD_A / ESPD_B; waits until SAS (default 2) SAs are installed
# and table T has routes.
start_espd() {
  spawn "$1" "$WORK/$1.espd.log" "$IPSECKIT_BIN/espd" --tun "$(tun_of "$1")" ${MARK:+--mark $MARK} --table $TABLE \
    --priority $PRIO --stats-interval 1 ${ESPD_ARGS:-}
  local pid=$!
  PIDS="$PIDS $pid"
  eval "ESPD_$1=$pid"
  for _ in $(seq 100); do
    if [ "$(stat "$1" 'Active Assoc')" = "${2:-2}" ] && on "$1" ip route show table $TABLE | grep -q .; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || fail "espd $1 exited"
    sleep 0.1
  done
  fail "espd $1 did not install its SAs"
}
stop_espd() {
  local pid; eval "pid=\$ESPD_$1"
  kill -TERM "$pid"
  wait "$pid"; local rc=$?
  [ "$rc" -eq 0 ] || fail "espd $1 exited $rc on SIGTERM"
}
# start_ikeview_both [PREFIX...]: ikeview daemon on A and B (PREFIX, e.g. `env VAR=1`, runs it);
# sets IKV_A / IKV_B and waits until each has loaded its SPD.
start_ikeview_both() {
  local h ok
  for h in A B; do
    spawn $h "$WORK/$h.ikeview.log" "$@" "$IPSECKIT_BIN/ikeview" daemon ${MARK:+--mark $MARK}
    PIDS="$PIDS $!"
    eval "IKV_$h=$!"
  done
  for h in A B; do
    ok=""
    for _ in $(seq 100); do
      on $h "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -q "SPD generation" && { ok=1; break; }
      sleep 0.1
    done
    [ -n "$ok" ] || fail "ikeview $h loaded no SPD"
  done
}
# start_capture A|B IFACE PCAP: tcpdump on IFACE in that host's namespace, writing $WORK/PCAP;
# sets TCPDUMP and waits until it listens.
start_capture() {
  spawn "$1" "$WORK/tcpdump.log" tcpdump -i "$2" -n -U -w "$WORK/$3"
  TCPDUMP=$!
  PIDS="$PIDS $TCPDUMP"
  for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && return 0; sleep 0.1; done
  fail "tcpdump did not start on $2"
}
no_leftovers() {
  on "$1" ip link show "$(tun_of "$1")" >/dev/null 2>&1 && fail "$1: TUN $(tun_of "$1") left behind"
  on "$1" ip rule show | grep -q "lookup $TABLE" && fail "$1: rule for table $TABLE left behind"
  [ -z "$(on "$1" ip route show table $TABLE 2>/dev/null)" ] || fail "$1: routes left in table $TABLE"
  return 0
}

# tcp_transfer ADDR BYTES [WHAT] [SRC]: A sends BYTES random bytes over TCP to ADDR:5001 (IPv4 or
# IPv6; from A's address SRC if given), served on B; fails unless B received exactly those bytes.
tcp_transfer() {
  local addr=$1 n=$2 what=${3:-TCP transfer} src=${4:-} srv _
  head -c "$n" /dev/urandom >"$WORK/send.bin"
  rm -f "$WORK/recv.bin"
  spawn B "$WORK/tcp.log" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], 5001)); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.settimeout(20)
with open(sys.argv[1], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
' "$WORK/recv.bin" "$addr"
  srv=$!
  PIDS="$PIDS $srv"
  for _ in $(seq 100); do on B ss -ltn 2>/dev/null | grep -q ":5001 " && break; sleep 0.05; done
  on A "$PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[2], 5001), timeout=20, source_address=(sys.argv[3], 0) if sys.argv[3] else None)
s.sendall(open(sys.argv[1], "rb").read()); s.close()
' "$WORK/send.bin" "$addr" "$src" 2>>"$WORK/tcp.log" || fail "$what: TCP client: $(cat "$WORK/tcp.log")"
  wait "$srv" || fail "$what: TCP server: $(cat "$WORK/tcp.log")"
  cmp -s "$WORK/send.bin" "$WORK/recv.bin" || fail "$what: received bytes differ"
}
