#!/bin/bash
# Round trips and guarantees that hold across processes:
#  * export -> import (another agent) -> export is byte-identical (JSON form, with secrets);
#  * an ipsecpol-script export, run against an empty store, recreates the same policies;
#  * failed commands (grammar errors, a netsh script failing on its last line, an import
#    clash) leave the store byte-for-byte unchanged;
#  * an unprivileged user can read the SPD but can neither write nor read pre-shared keys.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
enter_netns "$@"
cd "$WORK"
chmod 755 "$WORK"
P="$IPSECKIT_BIN/ipsecpol"
N="$IPSECKIT_BIN/netdiag"
start_agent a
start_agent b
start_agent c
use_agent a

"$P" -w REG -p "Branch:60" -r "l2tp" -f 0+*::UDP -n ESP[3DES,SHA]3600S/50000KPFS2 -a PRESHARE:"s3cret" CERT:"C=US, O=Org, CN=Root" -x >/dev/null
"$P" -w REG -p "Branch" -r "gw-out" -f 192.0.2.0/255.255.255.0=203.0.113.0/255.255.255.0 -t 198.51.100.2 \
     -n ESP[AES256,SHA256] AH[SHA1]+ESP[3DES,MD5]30000K -1s AES128-SHA256-14 3DES-SHA-2 -1k 10Q/3600S -soft >/dev/null
"$P" -w REG -p "Branch" -r "web" -f '*=0:80:TCP' 0:443+*::TCP -n INPASS ESP[AES-GCM256] -a KERBEROS -lan >/dev/null
"$P" -w REG -p "Blocker" -r "1434" -f '*=0:1434:UDP' -n BLOCK >/dev/null
printf 'restorepolicyexamples release=win2k\n' >examples.netsh
"$P" netsh examples.netsh >/dev/null
"$P" netsh "$IPSECKIT_SRC/tests/tools/data/gateway.netsh" >/dev/null

"$P" export --secrets -o a.json
use_agent b
"$P" import a.json >/dev/null
"$P" export --secrets -o b.json
cmp a.json b.json || fail "export -> import -> export is not byte-identical"
echo "ok: JSON export/import/export is byte-identical ($(wc -c <a.json) bytes)"

# The SPD the second agent compiled from the imported policies equals the first's.
use_agent a; "$P" -w REG -p Gateway -x >/dev/null; "$N" filters --json >spd-a.json
use_agent b; "$P" -w REG -p Gateway -x >/dev/null; "$N" filters --json >spd-b.json
cmp spd-a.json spd-b.json || fail "the same policy compiles to different SPDs"

# Importing again without --replace clashes and changes nothing.
before=$("$P" export --secrets)
if "$P" import a.json 2>err.txt; then fail "a clashing import succeeded"; fi
grep -q "already exists" err.txt || fail "clash message: $(cat err.txt)"
[ "$before" = "$("$P" export --secrets)" ] || fail "a failed import changed the store"
"$P" import --replace a.json >/dev/null
echo "ok: import clashes without --replace and changes nothing"

# Failed commands change nothing.
before=$("$P" export --secrets)
set +e
"$P" -w REG -p Branch -r l2tp -f 0+* -n ESP[NONE,NONE] 2>/dev/null; [ $? -eq 2 ] || fail "grammar error exit"
"$P" -w REG -p Branch -r l2tp -f 0+* -n ESP[3DES,SHA]10S 2>/dev/null; [ $? -eq 2 ] || fail "lifetime error exit"
"$P" netsh "$IPSECKIT_SRC/tests/tools/data/broken.netsh" 2>/dev/null; [ $? -eq 2 ] || fail "netsh error exit"
set -e
[ "$before" = "$("$P" export --secrets)" ] || fail "a failed command changed the store"
echo "ok: failed commands leave the store unchanged"

# An ipsecpol-script export recreates the policies in an empty store.
use_agent a
for pol in Branch Blocker; do
  "$P" export --policy "$pol" --format ipsecpol --secrets >"$pol.bat"
  use_agent c
  grep -v '^REM' "$pol.bat" | sed "s#^ipsecpol #\"$P\" #" | bash >/dev/null
  use_agent a
done
use_agent a; "$P" export --secrets >a-all.json
use_agent c; "$P" export --secrets >c-all.json
python3 - a-all.json c-all.json <<'PY'
import json, sys
def norm(path):
    d = json.load(open(path))
    keep = {"Branch", "Blocker"}
    d["policies"] = [p for p in d["policies"] if p["name"] in keep]
    used_l = {r["filter_list"] for p in d["policies"] for r in p["rules"]}
    used_a = {r["filter_action"] for p in d["policies"] for r in p["rules"]}
    d["filter_lists"] = [l for l in d["filter_lists"] if l["name"] in used_l]
    d["filter_actions"] = [a for a in d["filter_actions"] if a["name"] in used_a]
    def strip(o):
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items() if k not in ("id", "changed")}
        if isinstance(o, list):
            return [strip(v) for v in o]
        return o
    return strip(d)
a, c = norm(sys.argv[1]), norm(sys.argv[2])
if a != c:
    print(json.dumps(a, indent=1)[:3000]); print("----"); print(json.dumps(c, indent=1)[:3000])
    sys.exit("the ipsecpol script export did not recreate the policies")
PY
echo "ok: the ipsecpol script export recreates Branch and Blocker"

# Unprivileged users: read the SPD, never write, never see keys.
use_agent a
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
as_nobody "$N" filters --json >/dev/null || fail "nobody cannot read the SPD"
set +e
as_nobody "$P" -w REG -p X -r y -f 0+* 2>err.txt; rc=$?
set -e
[ $rc -eq 1 ] && grep -q "may not change" err.txt || fail "nobody could write (rc=$rc): $(cat err.txt)"
set +e
as_nobody "$P" export --secrets >/dev/null 2>err.txt; rc=$?
set -e
[ $rc -eq 1 ] || fail "nobody could export secrets"
as_nobody "$P" export >nobody.json 2>/dev/null
if grep -q "s3cret\|gateway-secret" nobody.json; then fail "a pre-shared key reached an unprivileged user"; fi
grep -q '(hidden)' nobody.json || fail "hidden keys not marked"
echo "ok: an unprivileged user reads the SPD but cannot write or read keys"
echo "1 passed, 0 failed"
