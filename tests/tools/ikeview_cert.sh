#!/bin/bash
# ikeview with certificates (RSA signatures, RFC 2409 5.1): an openssl PKI (root -> intermediate
# -> gw-a, gw-b with SubjectAltName IP = their addresses; ikeview_cert_pki.bash), two hosts in two
# namespaces as in ikeview_pair.sh with a CERT:"<root DN>" policy. Checks: the daemon's file
# errors (exit 1 naming the file, exit 2 for --cert without --key, a group-readable key refused,
# a key that is not the certificate's); Main Mode with signatures + Quick Mode established on
# both sides with auth "cert" (A sends its chain, which B checks against the root in its
# --ca-dir; B sends only its leaf, which A completes with the intermediate it loaded with --ca); the private key never in a log; then B presents a gw-b certificate from an
# untrusted CA and A's log says who issued it and what the rule trusts.
set -u
: "${IPSECKIT_BIN:?set IPSECKIT_BIN to the bin directory of a build}"
SRC=${IPSECKIT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces)" >&2; exit 77; fi
command -v openssl >/dev/null || { echo "SKIP: no openssl CLI" >&2; exit 77; }

NA=ikca-$$ NB=ikcb-$$
WORK=$(mktemp -d /tmp/ikeview-cert.XXXXXX)
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

. "$SRC/tests/tools/ikeview_cert_pki.bash"
P=$WORK/pki
mkdir -p "$P" && make_pki "$P" || fail "openssl could not make the test PKI"
ROOT_DN="C=US, O=ipseckit test, CN=Test Root"

# ---- 1. file errors: exit status and a message naming the file (before any store or socket)
ikv() { "$IPSECKIT_BIN/ikeview" --socket "$WORK/none.sock" daemon "$@"; }
expect() {  # expect RC PATTERN ikeview-daemon-args...
  local rc=$1 pat=$2; shift 2
  ikv "$@" >"$WORK/err.out" 2>"$WORK/err.txt"; local got=$?
  [ "$got" = "$rc" ] || fail "ikeview daemon $*: exit $got, want $rc: $(cat "$WORK/err.txt")"
  grep -q -- "$pat" "$WORK/err.txt" || fail "ikeview daemon $*: '$(cat "$WORK/err.txt")' lacks '$pat'"
}
expect 2 "--cert needs --key" --cert "$P/a.pem"
expect 2 "--key needs --cert" --key "$P/a.key"
expect 1 "CA file $P/missing.pem: No such file" --ca "$P/missing.pem"
expect 1 "CA file $P/a.pem: certificate 'CN=gw-a' is not a CA certificate" --ca "$P/a.pem"
expect 1 "certificate file $P/ext.cnf: neither a PEM certificate nor a DER one" --cert "$P/ext.cnf" --key "$P/a.key"
expect 1 "certificate file $P/root.key: no certificate in the PEM text" --cert "$P/root.key" --key "$P/a.key"
expect 1 "private key file $P/b.key: not the key of certificate 'CN=gw-a'" --cert "$P/a.pem" --key "$P/b.key"
cp "$P/a.key" "$WORK/open.key" && chmod 640 "$WORK/open.key"
expect 1 "private key file $WORK/open.key: readable or writable by group or others (mode 0640); chmod 600" \
  --cert "$P/a.pem" --key "$WORK/open.key"
mkdir -p "$WORK/empty"
expect 1 "CA directory $WORK/empty: no \*.pem" --ca-dir "$WORK/empty"
grep -q "PRIVATE KEY" "$WORK/err.txt" && fail "a key reached stderr"

# ---- 2. two hosts
ip netns add "$NA" && ip netns add "$NB" || fail "cannot create namespaces"
ip link add "ca$$" netns "$NA" type veth peer name "cb$$" netns "$NB" || fail "cannot create veth"
ip -n "$NA" link set lo up; ip -n "$NB" link set lo up
ip -n "$NA" addr add 198.51.100.1/24 dev "ca$$"; ip -n "$NA" link set "ca$$" up
ip -n "$NB" addr add 198.51.100.2/24 dev "cb$$"; ip -n "$NB" link set "cb$$" up

on() {
  local h=$1; shift
  local ns=$NA; [ "$h" = B ] && ns=$NB
  IPSECKIT_SOCKET="$WORK/$h.sock" IPSECKIT_STATE_DIR="$WORK/$h.state" IPSECKIT_NO_AUTOSTART=1 \
    ip netns exec "$ns" "$@"
}
bg() {
  local h=$1; shift
  local ns=$NA; [ "$h" = B ] && ns=$NB
  (export IPSECKIT_SOCKET="$WORK/$h.sock" IPSECKIT_STATE_DIR="$WORK/$h.state" IPSECKIT_NO_AUTOSTART=1
   exec ip netns exec "$ns" "$@") &
}
start_agent() {
  bg "$1" "$IPSECKIT_BIN/policyagent" --foreground --socket "$WORK/$1.sock" --state-dir "$WORK/$1.state" \
    >/dev/null 2>>"$WORK/$1.agent.log"
  PIDS="$PIDS $!"
  for _ in $(seq 200); do [ -S "$WORK/$1.sock" ] && return 0; sleep 0.05; done
  fail "agent $1 did not start"
}
start_ikeview() {  # start_ikeview A|B daemon-options...: sets IKV_A / IKV_B
  local h=$1; shift
  bg "$h" "$IPSECKIT_BIN/ikeview" daemon --mark 0x2a "$@" >/dev/null 2>>"$WORK/$h.ikeview.log"
  local pid=$!
  PIDS="$PIDS $pid"
  eval "IKV_$h=$pid"
  for _ in $(seq 100); do
    on "$h" "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -q "SPD generation" && return 0
    kill -0 "$pid" 2>/dev/null || fail "ikeview daemon $h exited"
    sleep 0.1
  done
  fail "ikeview daemon $h loaded no SPD"
}
stop_ikeview() {
  local pid; eval "pid=\$IKV_$1"
  kill -TERM "$pid"
  wait "$pid"; local rc=$?
  [ "$rc" -eq 0 ] || fail "ikeview daemon $1 exited $rc on SIGTERM"
}
policy() {  # policy A|B
  on "$1" "$IPSECKIT_BIN/ipsecpol" -w REG -p pair -r gw -f 198.51.100.1+198.51.100.2 \
    -n "ESP[AES128,SHA]" -a "CERT:\"$ROOT_DN\"" -x >>"$WORK/$1.ipsecpol.log" 2>&1 || fail "ipsecpol on $1"
}
sa_json() { on "$1" "$IPSECKIT_BIN/ikeview" sa --json; }

start_agent A; start_agent B
policy A; policy B
mkdir -p "$WORK/cadir" && cp "$P/root.pem" "$WORK/cadir/"
start_ikeview A --cert "$P/a-chain.pem" --key "$P/a.key" --ca "$P/root.pem" --ca "$P/inter.pem"
start_ikeview B --cert "$P/b.pem" --key "$P/b.key" --ca-dir "$WORK/cadir"
grep -q "certificate 'C=US, O=ipseckit test, CN=gw-a' issued by 'C=US, O=ipseckit test, CN=Test Intermediate' from $P/a-chain.pem (1 intermediate(s)); private key from $P/a.key" \
  "$WORK/A.ikeview.log" || fail "A's start-up log does not describe its certificate"
grep -q "2 CA certificate(s): 'C=US, O=ipseckit test, CN=Test Root', 'C=US, O=ipseckit test, CN=Test Intermediate'" \
  "$WORK/A.ikeview.log" || fail "A's start-up log does not list its CAs"
grep -q "1 CA certificate(s): 'C=US, O=ipseckit test, CN=Test Root'" "$WORK/B.ikeview.log" ||
  fail "B's start-up log does not list its CA"

# ---- 3. A initiates: Main Mode with RSA signatures, then Quick Mode
out=$(on A "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.2 --timeout 15 2>"$WORK/initiate.err") ||
  fail "initiate failed: $(cat "$WORK/initiate.err")"
echo "$out" | grep -q "established with 198.51.100.2" || fail "initiate printed '$out'"
sa_json A >"$WORK/a.json" || fail "ikeview sa on A"
sa_json B >"$WORK/b.json" || fail "ikeview sa on B"
python3 - "$WORK/a.json" "$WORK/b.json" <<'PY' || fail "SA views: $(cat "$WORK/a.json" "$WORK/b.json")"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def one(sas, phase, who):
    s = [x for x in sas if x["phase"] == phase]
    assert len(s) == 1, f"{who}: {len(s)} {phase} SAs: {sas}"
    assert s[0]["state"] == "established", s[0]
    return s[0]
am, bm, aq, bq = one(a, "main", "A"), one(b, "main", "B"), one(a, "quick", "A"), one(b, "quick", "B")
assert am["auth"] == "cert" and bm["auth"] == "cert", (am, bm)
assert aq["spi_in"] == bq["spi_out"] and aq["spi_out"] == bq["spi_in"], (aq, bq)
assert aq["encryption"] == "aes-128-cbc", aq
PY
grep -q "peer certificate 'C=US, O=ipseckit test, CN=gw-b' (issued by 'C=US, O=ipseckit test, CN=Test Intermediate') verified" \
  "$WORK/A.ikeview.log" || fail "A did not log the verified peer certificate"
grep -q "peer certificate 'C=US, O=ipseckit test, CN=gw-a'" "$WORK/B.ikeview.log" || fail "B did not log A's certificate"
stop_ikeview B

# ---- 4. B presents a gw-b certificate from an untrusted CA: A refuses it and says why
start_ikeview B --cert "$P/rogue.pem" --key "$P/rogue.key" --ca "$P/root.pem" --ca "$P/inter.pem"
grep -q "warning: our certificate 'CN=gw-b' does not verify against the loaded CAs" "$WORK/B.ikeview.log" ||
  fail "B did not warn that its own certificate does not verify"
on A "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.2 --timeout 10 >/dev/null 2>"$WORK/initiate2.err" &&
  fail "initiate with an untrusted peer certificate succeeded"
want="peer certificate 'C=US, O=ipseckit test, CN=gw-b' issued by 'C=US, O=ipseckit test, CN=Evil CA': not trusted by rule 'gw' (trusts '$ROOT_DN')"
on A "$IPSECKIT_BIN/ikeview" log >"$WORK/a.events" || fail "ikeview log on A"
grep -q -F "$want" "$WORK/a.events" || fail "A's event log lacks \"$want\": $(tail -n 5 "$WORK/a.events")"
grep -q -F "$want" "$WORK/A.ikeview.log" || fail "A's stderr lacks the refusal"
[ "$(sa_json B | python3 -c 'import json,sys; print(len([x for x in json.load(sys.stdin) if x["phase"]=="main" and x["state"]=="established"]))')" = 0 ] ||
  fail "B kept a phase-1 SA after A refused its certificate: $(sa_json B)"

# ---- 5. no private key in any log or event log
for h in A B; do on "$h" "$IPSECKIT_BIN/ikeview" log --all >>"$WORK/events.all" 2>&1; done
for k in a b rogue; do
  frag=$(sed -n 5p "$P/$k.key")
  grep -q -F -- "$frag" "$WORK"/*.log "$WORK/events.all" && fail "a line of $k.key appears in a log"
done
grep -q "PRIVATE KEY" "$WORK"/*.log "$WORK/events.all" && fail "PEM key markers in a log"

stop_ikeview A; stop_ikeview B
echo "ikeview_cert: all checks passed"
