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
SRC=${IPSECKIT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/tools/lib.bash"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces)" >&2; exit 77; fi
command -v openssl >/dev/null || { echo "SKIP: no openssl CLI" >&2; exit 77; }

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

# ---- 2. two hosts; MTU 900 on the veth, so the CERT-carrying messages (IKE fragments of up
# to 1280 bytes) leave IP-fragmented and `ikeview decode` has to reassemble them
start_pair ic 900
policy() {  # policy A|B
  on "$1" "$IPSECKIT_BIN/ipsecpol" -w REG -p pair -r gw -f 198.51.100.1+198.51.100.2 \
    -n "ESP[AES128,SHA]" -a "CERT:\"$ROOT_DN\"" -x >>"$WORK/$1.ipsecpol.log" 2>&1 || fail "ipsecpol on $1"
}

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
CAP=""
# (the filter's last term: non-first IPv4 fragments, which have no UDP header to match)
if command -v tcpdump >/dev/null; then
  CAP="$WORK/cert.pcap"; capture A "$CAP" "udp port 500 or udp port 4500 or (ip[6:2] & 0x1fff != 0)"
fi
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
# the capture: IP fragments reassembled, IKE fragments too, MM5/6 decrypted with CERT and SIG
if [ -n "$CAP" ]; then
  kill -INT "$CAPTURE"; wait "$CAPTURE" 2>/dev/null
  on A "$IPSECKIT_BIN/ikeview" keys --format wireshark-ike >"$WORK/ike.keys" || fail "ikeview keys"
  "$IPSECKIT_BIN/ikeview" decode "$CAP" --keys "$WORK/ike.keys" --json >"$WORK/dec.json" 2>"$WORK/dec.err" ||
    fail "decode: $(cat "$WORK/dec.err")"
  grep -Eq "[0-9]+ IPv4 fragments \([1-9][0-9]* datagrams reassembled\)" "$WORK/dec.err" || fail "decode summary: $(cat "$WORK/dec.err")"
  python3 - "$WORK/dec.json" <<'PY' || fail "decode of the fragmented capture: $(head -c 3000 "$WORK/dec.json")"
import json, sys
ms = [json.loads(l) for l in open(sys.argv[1])]
assert ms and all("error" not in m and "fragment_error" not in m for m in ms), [m for m in ms if "error" in m or "fragment_error" in m]
assert sum(1 for m in ms if m.get("ip_fragments", 0) >= 2) >= 2, [(m["packet"], m.get("ip_fragments")) for m in ms]
whole = [m.get("reassembled", m) for m in ms if m["exchange"] == "ID_PROT"]
certs = [w for w in whole if w.get("decrypted") and {"CERT", "SIG", "ID"} <= {p["type"] for p in w.get("payloads", [])}]
assert len(certs) == 2, [(w.get("decrypted"), [p["type"] for p in w.get("payloads", [])]) for w in whole]
PY
  echo "decode: $(tail -1 "$WORK/dec.err")"
fi
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
