# Shared code for the tests that run ikeview against a real strongSwan charon or Libreswan
# pluto (source it).
# Topology made by ikv_setup (names unique per test run, removed by the EXIT trap):
#   $NP: charon, 198.51.100.1, subnet 203.0.113.0/24 (203.0.113.1 on lo)
#   $ND: policyagent + ikeview, 198.51.100.2, subnet 192.0.2.0/24 (192.0.2.1 on lo)
# The caller sets IPSECKIT_BIN and calls ikv_init TAG first. strongSwan runs with
# kernel-libipsec (ESP always UDP-encapsulated, see ../../../shared/interop/strongswan-notes.md).
# Exit 77 (skip) only when not root or strongSwan cannot be installed.

: "${IPSECKIT_BIN:?set IPSECKIT_BIN to the bin directory of a build}"
IKV_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEER="$IKV_LIB/../strongswan/peer.sh"
IKV_PIDS=""
IKEVIEW_PID=""

ikv_init() {  # ikv_init TAG: checks, names, work dir, traps (IKV_NO_SSW=1: no strongSwan needed)
  if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces)" >&2; exit 77; fi
  if [ -z "${IKV_NO_SSW:-}" ] && ! [ -x /usr/sbin/charon-systemd ] || ! command -v swanctl >/dev/null; then
    "$PEER" deps >/dev/null 2>&1 || { echo "SKIP: strongSwan (charon-systemd, swanctl) cannot be installed" >&2; exit 77; }
  fi
  NP=ssw-p$1$$ ND=ssw-d$1$$
  WORK=$(mktemp -d "/tmp/ikv-$1.XXXXXX")
  export SSW_STATE_ROOT="$WORK/ssw"
  CLOG="$SSW_STATE_ROOT/$NP/charon.log"
  trap ikv_cleanup EXIT
  trap 'exit 1' INT TERM
}

ikv_cleanup() {
  local p
  [ -n "${IKV_CLEANUP_HOOK:-}" ] && $IKV_CLEANUP_HOOK
  for p in $IKV_PIDS; do kill "$p" 2>/dev/null; done
  for p in $IKV_PIDS; do wait "$p" 2>/dev/null; done
  "$PEER" down "$NP" >/dev/null 2>&1
  "$PEER" topo-down "$NP" "$ND" >/dev/null 2>&1
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}

fail() {
  echo "FAIL: $*" >&2
  tail -n 40 "$WORK"/*.log "$CLOG" >&2 2>/dev/null
  exit 1
}

on() {  # run a command in our namespace, against our private store
  IPSECKIT_SOCKET="$WORK/d.sock" IPSECKIT_STATE_DIR="$WORK/d.state" IPSECKIT_NO_AUTOSTART=1 ip netns exec "$ND" "$@"
}
bg() {
  (export IPSECKIT_SOCKET="$WORK/d.sock" IPSECKIT_STATE_DIR="$WORK/d.state" IPSECKIT_NO_AUTOSTART=1
   exec ip netns exec "$ND" "$@") &
}

ikv_setup() {  # topology + policyagent
  "$PEER" topo-up "$NP" "$ND" 198.51.100.1/24 198.51.100.2/24 --inner-a 203.0.113.1/32 --inner-b 192.0.2.1/32 \
    >/dev/null || fail "topology"
  ikv_agent
}
ikv_agent() {  # policyagent in $ND with a private socket and state dir
  bg "$IPSECKIT_BIN/policyagent" --foreground --socket "$WORK/d.sock" --state-dir "$WORK/d.state" >/dev/null 2>>"$WORK/agent.log"
  IKV_PIDS="$IKV_PIDS $!"
  local _
  for _ in $(seq 200); do [ -S "$WORK/d.sock" ] && break; sleep 0.05; done
  [ -S "$WORK/d.sock" ] || fail "policyagent did not start"
}

# ikv_policy "MM offers" "QM offers": (re)writes the tunnel policy 192.0.2.0/24 <=> 203.0.113.0/24
# with PSK "secret", e.g. ikv_policy "AES128-SHA-2 3DES-SHA256-19" "ESP[AES128,SHA] ESP[3DES,SHA]PFS14"
ikv_policy() {
  local M=255.255.255.0
  # shellcheck disable=SC2086  # the offer lists are blank-separated words
  on "$IPSECKIT_BIN/ipsecpol" -w REG -p gw -r out -f 192.0.2.0/$M=203.0.113.0/$M -t 198.51.100.1 \
    -n $2 -a "PRESHARE:secret" -1s $1 >>"$WORK/ipsecpol.log" 2>&1 || fail "ipsecpol out ($1 / $2)"
  # shellcheck disable=SC2086
  on "$IPSECKIT_BIN/ipsecpol" -w REG -p gw -r in -f 203.0.113.0/$M=192.0.2.0/$M -t 198.51.100.2 \
    -n $2 -a "PRESHARE:secret" -1s $1 -x >>"$WORK/ipsecpol.log" 2>&1 || fail "ipsecpol in ($1 / $2)"
}

# ikv_edit_policy PYTHON: export policy gw (keys included), run PYTHON on it (json imported;
# j = the export, rules = policy gw's rule list, in order), import it back with --replace; when
# ikeview runs, wait until it has loaded the new SPD. E.g. ikv_edit_policy 'rules[0]["peer_id"] = "fqdn:x.org"'
ikv_edit_policy() {
  local gen _
  on "$IPSECKIT_BIN/ipsecpol" export --policy gw --secrets -o "$WORK/gw.json" 2>>"$WORK/ipsecpol.log" || fail "export"
  python3 - "$WORK/gw.json" "$1" <<'PY' || fail "edit JSON: $1"
import json, sys
j = json.load(open(sys.argv[1]))
rules = [p for p in j["policies"] if p["name"] == "gw"][0]["rules"]
exec(sys.argv[2])
json.dump(j, open(sys.argv[1], "w"), indent=2)
PY
  on "$IPSECKIT_BIN/ipsecpol" import "$WORK/gw.json" --replace >>"$WORK/ipsecpol.log" 2>&1 ||
    fail "import: $(tail -3 "$WORK/ipsecpol.log")"
  [ -n "$IKEVIEW_PID" ] || return 0
  gen=$(spd_generation) || fail "no spd/current in the store"
  for _ in $(seq 100); do
    on "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -q "SPD generation $gen loaded" && return 0
    sleep 0.05
  done
  fail "ikeview did not load SPD generation $gen (the edited policy)"
}
spd_generation() {  # the generation of the store's effective SPD (spd/current), by the agent's protocol
  python3 - "$WORK/d.sock" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"op":"get","key":"spd/current"}\n')
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
v = json.loads(buf)["value"]
print((json.loads(v) if isinstance(v, str) else v)["generation"])
PY
}

ikv_daemon() {  # [ikeview daemon options]: start ikeview daemon, wait until it has read the SPD
  bg "$IPSECKIT_BIN/ikeview" daemon --mark 0x2a --log-level diag "$@" >/dev/null 2>>"$WORK/ikeview.log"
  IKEVIEW_PID=$!; IKV_PIDS="$IKV_PIDS $IKEVIEW_PID"
  local _
  for _ in $(seq 100); do on "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -q "SPD generation" && break; sleep 0.1; done
}

ikv_stop_daemon() {  # SIGTERM ikeview; it must exit 0
  kill -TERM "$IKEVIEW_PID"; wait "$IKEVIEW_PID" || fail "ikeview daemon exit status on SIGTERM"
  IKV_PIDS=${IKV_PIDS/ $IKEVIEW_PID/}
}

ssw_up() {  # ssw_up [peer.sh up options]: (re)start charon as the tunnel's other end
  "$PEER" down "$NP" >/dev/null 2>&1
  "$PEER" up "$NP" 198.51.100.1 198.51.100.2 --psk secret --local-ts 203.0.113.0/24 --remote-ts 192.0.2.0/24 \
    "$@" >"$WORK/peer-up.log" 2>&1 || fail "strongSwan did not start: $(tail -3 "$WORK/peer-up.log")"
  CLOG="$SSW_STATE_ROOT/$NP/charon.log"
}
ssw() { "$PEER" swanctl "$NP" "$@"; }

sa_json() { on "$IPSECKIT_BIN/ikeview" sa --json; }
sa_count() {  # sa_count PHASE: established SAs of that phase on our side
  sa_json | python3 -c 'import json,sys; print(len([x for x in json.load(sys.stdin) if x["phase"]==sys.argv[1] and x["state"]=="established"]))' "$1"
}
wait_count() {  # wait_count PHASE N [TENTHS]: until our side holds N established SAs of PHASE
  local _
  for _ in $(seq "${3:-100}"); do [ "$(sa_count "$1")" = "$2" ] && return 0; sleep 0.1; done
  return 1
}
# ssw_child_spis: "IN OUT" of each installed CHILD_SA on strongSwan's side, one line each
ssw_child_spis() {
  ssw --list-sas --raw 2>/dev/null | grep -o 'spi-in=[0-9a-f]* spi-out=[0-9a-f]*' | sed 's/spi-in=//; s/spi-out=//'
}
# qm_field FIELD: that field of our (single) established quick-mode SA
qm_field() {
  sa_json | python3 -c 'import json,sys; q=[x for x in json.load(sys.stdin) if x["phase"]=="quick"]; print(q[0][sys.argv[1]] if q else "")' "$1"
}
mm_field() {
  sa_json | python3 -c 'import json,sys; q=[x for x in json.load(sys.stdin) if x["phase"]=="main"]; print(q[0][sys.argv[1]] if q else "")' "$1"
}
