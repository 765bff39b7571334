# Shared by the espd tests (sourced): two hosts A and B in two network namespaces on one veth
# (198.51.100.1 <-> .2), each with its own policy agent; helpers to run commands there
# (on, spawn), start/stop espd and ikeview, read stats/espd counters and check that nothing is
# left; and the setups several tests share: the `peer` rule with manual SAs, a NAT between A and
# B, TCP transfers with the bytes compared.
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
  [ -z "${NN:-}" ] || ip netns del "$NN" 2>/dev/null  # nat_wire's NAT namespace
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
# stop_ikeview A|B...: SIGTERM to each host's ikeview (IKV_A / IKV_B); it must exit 0.
stop_ikeview() {
  local h pid
  for h in "$@"; do
    eval "pid=\$IKV_$h"
    kill -TERM "$pid"; wait "$pid" || fail "ikeview $h exited $? on SIGTERM"
  done
}
# expect_encap_tunnel: ikeview on A and on B shows exactly one established Quick Mode SA, in
# tunnel mode and UDP-encapsulated (RFC 3948).
expect_encap_tunnel() {
  local h
  for h in A B; do
    on $h "$IPSECKIT_BIN/ikeview" sa --json | "$PY" -c '
import json, sys
q = [x for x in json.load(sys.stdin) if x["phase"] == "quick" and x["state"] == "established"]
assert len(q) == 1 and q[0]["mode"] == "tunnel" and q[0]["encap"] is True, q' 2>"$WORK/sa.err" ||
      fail "$h: ikeview sa: $(cat "$WORK/sa.err")"
  done
}
# peer_policy [POLICY]: on A and B, policy POLICY (default espd) with the mirrored negotiate
# rule `peer` (198.51.100.1 <-> .2, ESP AES128/SHA1), assigned (Windows-syntax ipsecpol).
peer_policy() {
  local h
  for h in A B; do
    on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p "${1:-espd}" -r peer -f 198.51.100.1+198.51.100.2 -n "ESP[AES128,SHA1]" \
      -a "PRESHARE:unused" -x >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "ipsecpol on $h"
  done
}
# manual_sas: transport-mode ESP-in-UDP SAs of rule `peer` added with `espd sa add`: 0x1001
# A -> B and 0x2001 B -> A, AES-128-CBC + HMAC-SHA1, keys from files (@FILE keeps them off the
# command line).
manual_sas() {
  printf '000102030405060708090a0b0c0d0e0f\n' >"$WORK/ab.enc"; printf '101112131415161718191a1b1c1d1e1f20212223\n' >"$WORK/ab.auth"
  printf 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n' >"$WORK/ba.enc"; printf 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3\n' >"$WORK/ba.auth"
  manual_sa A 0x1001 out 198.51.100.1 198.51.100.2 ab; manual_sa A 0x2001 in 198.51.100.2 198.51.100.1 ba
  manual_sa B 0x1001 in 198.51.100.1 198.51.100.2 ab;  manual_sa B 0x2001 out 198.51.100.2 198.51.100.1 ba
}
manual_sa() {  # manual_sa HOST SPI DIR SRC DST KEYS
  on "$1" "$IPSECKIT_BIN/espd" sa add --spi "$2" --dir "$3" --src "$4" --dst "$5" --mode transport \
    --enc aes-128-cbc --auth sha1 --enc-key "@$WORK/$6.enc" --auth-key "@$WORK/$6.auth" --encap udp --rule peer \
    >>"$WORK/$1.sa.log" 2>&1 || fail "espd sa add $2 $3 on $1"
}
# nat_wire 4|6: re-wires the A <-> B veth as A <-> NAT <-> B: namespace NN between A (veth XA)
# and B (veth YB), masquerading (nftables) what leaves towards B, A's default route through
# it. IPv4: A 192.0.2.2, NAT 192.0.2.1 and 198.51.100.3, B 198.51.100.2; IPv6: A 2001:db8:1::2,
# NAT 2001:db8:1::1 and 2001:db8:2::3, B 2001:db8:2::2. Sets NN XA XN YB YN; VB becomes YB.
nat_wire() {
  local fam=ip a=192.0.2.2/24 ni=192.0.2.1/24 no=198.51.100.3/24 b=198.51.100.2/24 gw=192.0.2.1
  local fwd=net.ipv4.ip_forward dad=""
  if [ "$1" = 6 ]; then
    fam=ip6 a=2001:db8:1::2/64 ni=2001:db8:1::1/64 no=2001:db8:2::3/64 b=2001:db8:2::2/64 gw=2001:db8:1::1
    fwd=net.ipv6.conf.all.forwarding dad=nodad
  fi
  NN=espn$1-$$ XA=xa$$ XN=xn$$ YB=yb$$ YN=yn$$
  ip -n "$NA" link del "$VA"
  ip netns add "$NN" || fail "cannot create the NAT namespace"
  ip link add "$XA" netns "$NA" type veth peer name "$XN" netns "$NN" || fail "veth A-NAT"
  ip link add "$YB" netns "$NB" type veth peer name "$YN" netns "$NN" || fail "veth B-NAT"
  VB=$YB
  ip -n "$NN" link set lo up
  ip -n "$NA" addr add $a dev "$XA" $dad; ip -n "$NA" link set "$XA" up
  ip -n "$NN" addr add $ni dev "$XN" $dad; ip -n "$NN" link set "$XN" up
  ip -n "$NN" addr add $no dev "$YN" $dad; ip -n "$NN" link set "$YN" up
  ip -n "$NB" addr add $b dev "$YB" $dad; ip -n "$NB" link set "$YB" up
  ip -n "$NA" route add default via $gw || fail "A: default route"
  ip netns exec "$NN" sysctl -qw $fwd=1
  ip netns exec "$NN" nft -f - <<EOF || fail "nftables $fam masquerade"
table $fam nat {
  chain post { type nat hook postrouting priority srcnat; oifname "$YN" masquerade; }
}
EOF
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

# tcp_transfer ADDR BYTES [WHAT] [SRC] [FROM]: FROM (A or B, default A) sends BYTES random bytes
# over TCP to ADDR:5001 (IPv4 or IPv6; from its address SRC if given), served on the other host;
# fails unless that host received exactly those bytes.
tcp_transfer() {
  local addr=$1 n=$2 what=${3:-TCP transfer} src=${4:-} from=${5:-A} to=B srv _
  [ "$from" = B ] && to=A
  head -c "$n" /dev/urandom >"$WORK/send.bin"
  rm -f "$WORK/recv.bin"
  spawn $to "$WORK/tcp.log" "$PY" -c '
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
  for _ in $(seq 100); do on $to ss -ltn 2>/dev/null | grep -q ":5001 " && break; sleep 0.05; done
  on $from "$PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[2], 5001), timeout=20, source_address=(sys.argv[3], 0) if sys.argv[3] else None)
s.sendall(open(sys.argv[1], "rb").read()); s.close()
' "$WORK/send.bin" "$addr" "$src" 2>>"$WORK/tcp.log" || fail "$what: TCP client: $(cat "$WORK/tcp.log")"
  wait "$srv" || fail "$what: TCP server: $(cat "$WORK/tcp.log")"
  cmp -s "$WORK/send.bin" "$WORK/recv.bin" || fail "$what: received bytes differ"
}
