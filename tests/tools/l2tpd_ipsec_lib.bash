# Shared by the L2TP/IPsec end-to-end tests (sourced): hosts in network namespaces, each with
# its own policy agent, ikeview daemon and espd, and l2tpd without --no-ipsec (the automatic
# L2TP/IPsec policy with a pre-shared key, --psk-file). Topologies:
#   topo_direct      server S 198.51.100.1 <-> client C1 198.51.100.2 on one veth
#   topo_nat N       server S 198.51.100.1 <-> NAT 198.51.100.3 (nftables masquerade) <->
#                    bridge 192.0.2.1/24 <-> clients C1..CN at 192.0.2.2..
# Helpers: on/spawn (commands in a host's namespace with its store), start_stack (agent,
# ikeview, espd), start_server/start_client (l2tpd), checks and the capture.
set -u
: "${IPSECKIT_BIN:?set IPSECKIT_BIN to the bin directory of a build}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces, TUN)" >&2; exit 77; fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
L="$IPSECKIT_BIN/l2tpd"
MARK=0x2a TABLE=120 PRIO=120
POOL=203.0.113.10-203.0.113.30 SRV_PPP=203.0.113.10
TAG=$$
WORK=$(mktemp -d "/tmp/${L2I_TEST:-l2tpd-ipsec}.XXXXXX")
PIDS="" HOSTS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null; done
  for p in $PIDS; do wait "$p" 2>/dev/null; done
  for h in $HOSTS; do ip netns del "l2i$h$TAG" 2>/dev/null; done
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
  echo "FAIL: $*" >&2
  for f in "$WORK"/*.log; do echo "---- $f" >&2; tail -n 25 "$f" >&2; done
  exit 1
}
nsname() { echo "l2i$1$TAG"; }
host() { ip netns add "$(nsname "$1")" || fail "cannot create namespace for $1"; HOSTS="$HOSTS $1"; ip -n "$(nsname "$1")" link set lo up; }

# on H CMD...: runs a command in host H's namespace with H's own store.
on() {
  local h=$1; shift
  IPSECKIT_SOCKET="$WORK/$h.sock" IPSECKIT_STATE_DIR="$WORK/$h.state" IPSECKIT_NO_AUTOSTART=1 \
    ip netns exec "$(nsname "$h")" "$@"
}
# spawn H LOG CMD...: like on, in the background; $! is the command's own pid (exec).
spawn() {
  local h=$1 log=$2; shift 2
  (export IPSECKIT_SOCKET="$WORK/$h.sock" IPSECKIT_STATE_DIR="$WORK/$h.state" IPSECKIT_NO_AUTOSTART=1
   exec ip netns exec "$(nsname "$h")" "$@" >>"$log" 2>&1) &
}
wait_log() {  # FILE TEXT [TRIES x 0.1 s]
  for _ in $(seq "${3:-100}"); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "\"$2\" not logged in $1"
}

topo_direct() {
  host S; host C1
  ip link add "s$TAG" netns "$(nsname S)" type veth peer name "c$TAG" netns "$(nsname C1)" || fail "veth"
  ip -n "$(nsname S)" addr add 198.51.100.1/24 dev "s$TAG"; ip -n "$(nsname S)" link set "s$TAG" up
  ip -n "$(nsname C1)" addr add 198.51.100.2/24 dev "c$TAG"; ip -n "$(nsname C1)" link set "c$TAG" up
  SRV_IF="s$TAG"
}
topo_nat() {  # N clients behind one NAT
  command -v nft >/dev/null || fail "nft is not installed (apt-get install nftables)"
  host S; host N
  ip link add "s$TAG" netns "$(nsname S)" type veth peer name "no$TAG" netns "$(nsname N)" || fail "veth"
  ip -n "$(nsname S)" addr add 198.51.100.1/24 dev "s$TAG"; ip -n "$(nsname S)" link set "s$TAG" up
  ip -n "$(nsname N)" addr add 198.51.100.3/24 dev "no$TAG"; ip -n "$(nsname N)" link set "no$TAG" up
  ip -n "$(nsname N)" link add br0 type bridge
  ip -n "$(nsname N)" addr add 192.0.2.1/24 dev br0; ip -n "$(nsname N)" link set br0 up
  on N sysctl -qw net.ipv4.ip_forward=1
  on N nft -f - <<EOF || fail "nft ruleset"
table ip l2inat {
  chain post { type nat hook postrouting priority srcnat; policy accept; oifname "no$TAG" masquerade; }
}
EOF
  local i
  for i in $(seq "$1"); do
    host "C$i"
    ip link add "n$i$TAG" netns "$(nsname N)" type veth peer name "c$i$TAG" netns "$(nsname "C$i")" || fail "veth $i"
    ip -n "$(nsname N)" link set "n$i$TAG" master br0; ip -n "$(nsname N)" link set "n$i$TAG" up
    ip -n "$(nsname "C$i")" addr add "192.0.2.$((i + 1))/24" dev "c$i$TAG"
    ip -n "$(nsname "C$i")" link set "c$i$TAG" up
    ip -n "$(nsname "C$i")" route add default via 192.0.2.1
  done
  SRV_IF="s$TAG"
}

# start_stack H: policy agent, ikeview daemon and espd (same mark) on host H.
start_stack() {
  local h=$1
  spawn "$h" "$WORK/$h.agent.log" "$IPSECKIT_BIN/policyagent" --foreground --socket "$WORK/$h.sock" \
    --state-dir "$WORK/$h.state"
  PIDS="$PIDS $!"
  for _ in $(seq 200); do [ -S "$WORK/$h.sock" ] && break; sleep 0.05; done
  [ -S "$WORK/$h.sock" ] || fail "agent $h did not start"
  spawn "$h" "$WORK/$h.ikeview.log" "$IPSECKIT_BIN/ikeview" daemon --mark $MARK
  PIDS="$PIDS $!"; eval "IKV_$h=$!"
  spawn "$h" "$WORK/$h.espd.log" "$IPSECKIT_BIN/espd" --tun "ipsec$h" --mark $MARK --table $TABLE --priority $PRIO \
    --stats-interval 1 --natt raw
  PIDS="$PIDS $!"; eval "ESPD_$h=$!"
  for _ in $(seq 100); do on "$h" ip link show "ipsec$h" >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "espd $h did not create its TUN"
}

umask 077
printf 'alice * "wonder land" *\nbob * hunter2 *\n' >"$WORK/users"
printf 'wonder land\n' >"$WORK/alice.pw"
printf 'hunter2\n' >"$WORK/bob.pw"
printf 'l2tp-ipsec-shared-key\n' >"$WORK/psk"

start_server() {
  spawn S "$WORK/S.l2tpd.log" "$L" serve --listen 198.51.100.1 --pool "$POOL" --users "$WORK/users" \
    --psk-file "$WORK/psk" --tun l2tps0 ${SERVER_ARGS:-}
  SERVER=$!; PIDS="$PIDS $SERVER"
  wait_log "$WORK/S.l2tpd.log" "LNS listening"
  grep -q "plumbed the automatic L2TP/IPsec policy (UDP 1701, transport mode, pre-shared key)" "$WORK/S.l2tpd.log" ||
    fail "the server did not plumb the PSK L2TP/IPsec policy"
}
# start_client H USER: l2tpd connect from host H; sets CLIENT_H
start_client() {
  spawn "$1" "$WORK/$1.l2tpd.log" "$L" connect 198.51.100.1 --user "$2" --password-file "$WORK/$2.pw" \
    --psk-file "$WORK/psk" --tun l2tpc0 ${CLIENT_ARGS:-}
  eval "CLIENT_$1=$!"; PIDS="$PIDS $!"
}
# established H: exactly N (default 1) sessions listed on H, all established with IPsec on.
established() {
  on "$1" "$L" sessions --json 2>/dev/null | "$PY" -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if len(s) == int(sys.argv[1]) and all(r["state"] == "established" and r["ipsec"] is True for r in s) else 1)' "${2:-1}"
}
wait_established() {  # CLIENT_HOST... (the server must list them all)
  local n=$# h ok
  for _ in $(seq 250); do
    ok=1
    for h in "$@"; do established "$h" || ok=""; eval "kill -0 \$CLIENT_$h 2>/dev/null" || fail "l2tpd on $h exited"; done
    established S "$n" || ok=""
    [ -n "$ok" ] && return 0
    sleep 0.1
  done
  fail "sessions not established on S and $* after 25 s"
}
# client_addr H: the IPCP address of H's session
client_addr() {
  on "$1" "$L" sessions --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'
}
# check_sas H PEER ENCAP: ikeview on H lists an established Main Mode SA with PEER and a
# transport-mode Quick Mode SA for UDP 1701 (encap: NAT-T expected, "true"/"false")
check_sas() {
  on "$1" "$IPSECKIT_BIN/ikeview" sa --json | "$PY" -c '
import json, sys
peer, encap = sys.argv[1], sys.argv[2] == "true"
sas = json.load(sys.stdin)
mm = [s for s in sas if s["phase"] == "main" and s["peer"].split(":")[0] == peer]
qm = [s for s in sas if s["phase"] == "quick" and s["peer"].split(":")[0] == peer]
assert mm and all(s["state"] == "established" and s["auth"] == "psk" for s in mm), mm
assert qm, "no quick mode SA with %s: %s" % (peer, sas)
for s in qm:
    assert s["state"] == "established" and s["mode"] == "transport", s
    assert s["encap"] == encap, s
    assert s["rule"] == "L2TP", s
    assert "1701" in json.dumps([s["local_ts"], s["remote_ts"]]), s
print(len(qm))' "$2" "$3"
}
# tcp_check CLIENT_HOST DST_ADDR PORT: 1 MB from the client to a listener on the server, compared
tcp_check() {
  local c=$1 dst=$2 port=$3
  head -c 1000000 /dev/urandom >"$WORK/send.$c"
  spawn S "$WORK/tcp.$c.log" "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], int(sys.argv[3]))); s.listen(1); s.settimeout(20)
open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept(); c.settimeout(20)
with open(sys.argv[1], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
' "$WORK/recv.$c" "$dst" "$port"
  local rx=$!
  PIDS="$PIDS $rx"
  for _ in $(seq 100); do [ -e "$WORK/recv.$c.ready" ] && break; sleep 0.05; done
  on "$c" "$PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=20)
s.sendall(open(sys.argv[1], "rb").read()); s.close()
' "$WORK/send.$c" "$dst" "$port" 2>>"$WORK/tcp.$c.log" || fail "TCP from $c: $(cat "$WORK/tcp.$c.log")"
  wait "$rx" || fail "TCP receiver for $c failed"
  cmp -s "$WORK/send.$c" "$WORK/recv.$c" || fail "TCP transfer from $c: bytes differ"
}
start_capture() {
  spawn S "$WORK/tcpdump.log" tcpdump -i "$SRV_IF" -n -U -w "$WORK/wire.pcap"
  TCPDUMP=$!; PIDS="$PIDS $TCPDUMP"
  wait_log "$WORK/tcpdump.log" "listening on" 50
}
# check_capture NATT: only IKE and ESP (ESP-in-UDP on 4500 with NAT-T) on the server's veth,
# never clear L2TP (UDP 1701)
check_capture() {
  kill -INT "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null
  tcpdump -n -r "$WORK/wire.pcap" 2>/dev/null | grep " IP " >"$WORK/capture.txt"
  grep -q "isakmp" "$WORK/capture.txt" || fail "no IKE on the wire"
  if grep -q "\.1701[ :]" "$WORK/capture.txt" || grep -qi "l2tp" "$WORK/capture.txt"; then
    fail "clear L2TP on the wire: $(grep "\.1701[ :]\|l2tp" "$WORK/capture.txt" | head -3)"
  fi
  local other
  other=$(grep -v "isakmp\|ESP(spi=\|\.4500: UDP-encap\|isakmp-nat-keep-alive" "$WORK/capture.txt" | head -3)
  [ -z "$other" ] || fail "traffic other than IKE and ESP on the wire: $other"
  local esp
  esp=$(grep -c "ESP(spi=" "$WORK/capture.txt")
  [ "$esp" -ge 100 ] || fail "only $esp ESP packets on the wire"
  if [ "$1" = natt ]; then grep -q "\.4500: UDP-encap: ESP(spi=" "$WORK/capture.txt" || fail "no ESP-in-UDP (4500) on the wire"; fi
  echo "$esp"
}
# stop PID WHAT: SIGTERM, exit 0 expected
stop() {
  kill -TERM "$1" 2>/dev/null
  wait "$1"; local rc=$?
  [ "$rc" -eq 0 ] || fail "$2 exited $rc on SIGTERM"
}
# stop_stack H: SIGTERM to espd and ikeview (exit 0 each), then checks that no TUN, rule or
# l2tp/, dynamic/, esp/sa/, ike/ or acquire/ record is left on H.
stop_stack() {
  local h=$1 pid
  eval "pid=\$ESPD_$h"; stop "$pid" "espd on $h"
  eval "pid=\$IKV_$h"; stop "$pid" "ikeview on $h"
  on "$h" ip link show "ipsec$h" >/dev/null 2>&1 && fail "$h: espd's TUN left behind"
  on "$h" ip link show | grep -q "l2tp[sc]0" && fail "$h: l2tpd's TUN left behind"
  on "$h" ip rule show | grep -q "lookup $TABLE" && fail "$h: rule for table $TABLE left behind"
  local left
  left=$(on "$h" "$PY" -c '
import json, os, socket
s = socket.socket(socket.AF_UNIX); s.connect(os.environ["IPSECKIT_SOCKET"]); f = s.makefile("rw")
f.write(json.dumps({"op": "hello", "version": 1}) + "\n")
for p in ("l2tp/", "dynamic/", "esp/sa/", "ike/", "acquire/"):
    f.write(json.dumps({"op": "list", "prefix": p}) + "\n")
f.flush(); f.readline()
keys = []
for _ in range(5): keys += [i["key"] for i in json.loads(f.readline())["items"]]
print(" ".join(keys))')
  [ -z "$left" ] || fail "$h: store records left behind: $left"
}
