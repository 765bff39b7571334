#!/bin/bash
# The README's demo (scripts/demo.sh) run against this build's binaries, so it cannot rot: it
# must finish in under 30 s with exit 0 (it exits non-zero when traffic does not flow), show
# established SAs and encrypted bytes, and leave no namespace behind. Then the failure path:
# with an espd that ignores received ESP (--no-raw) traffic cannot flow, and the demo must
# exit non-zero and still remove everything.
set -u
: "${IPSECKIT_BIN:?set IPSECKIT_BIN to the bin directory of a build}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces)" >&2; exit 77; fi
SRC=${IPSECKIT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=$(mktemp /tmp/demo-test.XXXXXX)
BROKEN=$(mktemp -d /tmp/demo-test-bin.XXXXXX)
trap 'rm -rf "$OUT" "$BROKEN"' EXIT
fail() { echo "FAIL: $*" >&2; tail -n 40 "$OUT" >&2; exit 1; }
start=$(date +%s)
IPSECKIT_BIN=$IPSECKIT_BIN timeout 60 "$SRC/scripts/demo.sh" >"$OUT" 2>&1; rc=$?
took=$(( $(date +%s) - start ))
[ "$rc" = 0 ] || fail "scripts/demo.sh exited $rc"
[ "$took" -lt 30 ] || fail "scripts/demo.sh took ${took}s (limit 30)"
grep -q "^Main Mode SAs (phase 1, ike/mm/): 1" "$OUT" || fail "no Main Mode SA shown"
grep -q "established  transport  aes-128-cbc/sha1" "$OUT" || fail "no Quick Mode SA shown"
grep -q "^  Confidential Bytes Sent  *[1-9]" "$OUT" || fail "no encrypted bytes shown"
grep -q "1 MiB arrived intact" "$OUT" || fail "no TCP transfer"
grep -qi "key\b.*[0-9a-f]\{32\}" "$OUT" && fail "the demo printed key material"
ns=$(grep -o "namespaces demo-a-[0-9]* (198.51.100.1) and demo-b-[0-9]*" "$OUT" | grep -o "demo-[ab]-[0-9]*")
[ -n "$ns" ] || fail "namespace names not shown"
for n in $ns; do ip netns list | grep -qw "$n" && fail "namespace $n left behind"; done

for t in policyagent ipsecpol netdiag ikeview; do ln -s "$IPSECKIT_BIN/$t" "$BROKEN/$t"; done
printf '#!/bin/sh\nexec "%s/espd" --no-raw "$@"\n' "$IPSECKIT_BIN" >"$BROKEN/espd"
chmod +x "$BROKEN/espd"
# (no reply can come: the demo's first ping waits 4 s instead of 15 before it gives up)
IPSECKIT_BIN=$BROKEN DEMO_PING_WAIT=4 timeout 60 "$SRC/scripts/demo.sh" >"$OUT" 2>&1; rc=$?
[ "$rc" != 0 ] || fail "scripts/demo.sh exited 0 although no ESP could be received"
grep -q "demo: FAILED: no ping replies" "$OUT" || fail "the demo did not say that traffic failed"
ns=$(grep -o "namespaces demo-a-[0-9]* (198.51.100.1) and demo-b-[0-9]*" "$OUT" | grep -o "demo-[ab]-[0-9]*")
for n in $ns; do ip netns list | grep -qw "$n" && fail "namespace $n left behind after the failure"; done
echo "demo: ok (${took}s; the broken variant exits $rc)"
