#!/bin/bash
# ikeview against a real strongSwan 5.9 charon (IKEv1, PSK, tunnel mode, kernel-libipsec =>
# NAT-T/UDP encapsulation) over the suite matrix AES-128, AES-256, 3DES x SHA-1, SHA-256 x
# MODP-1024, MODP-2048, ECP-256, Quick Mode with and without PFS. Topology: lib/ikeview-ssw.bash.
# Covering subset (the full 18 x 2 directions would take minutes): three suites per direction,
# so that in each direction every cipher, every hash and every group is negotiated at least
# once; together the two directions cover all six cipher x hash pairs. One of the three
# Quick Modes per direction uses PFS (with a group different from phase 1), the others not.
#   A. ikeview initiates -> strongSwan responds (one config accepting every suite); after each
#      suite the SAs are deleted alternately by strongSwan (swanctl --terminate) and by us
#      (ikeview daemon SIGTERM sends Delete): the other side must drop its SAs.
#   B. strongSwan initiates (one charon start per suite: an IKEv1 initiator offers one suite)
#      -> ikeview responds, with a policy whose main-mode offers list every suite of B.
# Each check compares both sides: our `ikeview sa --json` and strongSwan's `swanctl --list-sas`.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/ikeview-ssw.bash"
ikv_init mx

# strongSwan-ike (also the name)  strongSwan-esp  ipsecpol-1s  ipsecpol-n  our-encryption our-integrity group pfs-group
SUITES_A="
aes128-sha1-modp1024    aes128-sha1          AES128-SHA-2     ESP[AES128,SHA]          aes-128-cbc sha1   2  null
aes256-sha256-modp2048  aes256-sha256-ecp256 AES256-SHA256-14 ESP[AES256,SHA256]PFS19  aes-256-cbc sha256 14 19
3des-sha256-ecp256      3des-sha1            3DES-SHA256-19   ESP[3DES,SHA]            3des-cbc    sha256 19 null
"
SUITES_B="
aes128-sha256-ecp256    aes128-sha256         AES128-SHA256-19 ESP[AES128,SHA256]      aes-128-cbc sha256 19 null
aes256-sha1-modp1024    aes256-sha1           AES256-SHA-2     ESP[AES256,SHA]         aes-256-cbc sha1   2  null
3des-sha1-modp2048      3des-sha256-modp1024  3DES-SHA-14      ESP[3DES,SHA256]PFS2    3des-cbc    sha1   14 2
"

# check_pair IKE ENC INTEG GROUP PFS: both sides agree on the established suite
check_pair() {
  local json; json=$(sa_json)
  echo "$json" | python3 -c '
import json,sys
enc,integ,group,pfs=sys.argv[1],sys.argv[2],int(sys.argv[3]),sys.argv[4]
sas=[x for x in json.load(sys.stdin) if x["state"]=="established"]
m=[x for x in sas if x["phase"]=="main"]; q=[x for x in sas if x["phase"]=="quick"]
assert len(m)==1 and len(q)==1, ("want one main + one quick SA", sas)
m,q=m[0],q[0]
assert (m["encryption"],m["integrity"],m["dh_group"],m["auth"])==(enc,integ,group,"psk"), m
assert q["dh_group"]==(None if pfs=="null" else int(pfs)), ("PFS group", q)
assert (q["mode"],q["encap"])==("tunnel",True), q
' "$3" "$4" "$5" "$6" || fail "our SAs for $1: $json"
  local spi_in spi_out
  spi_in=$(qm_field spi_in) spi_out=$(qm_field spi_out)
  ssw_child_spis | grep -qx "$spi_out $spi_in" ||
    fail "$1: strongSwan's CHILD_SA SPIs ($(ssw_child_spis | tr '\n' ' ')) are not ours reversed ($spi_out $spi_in)"
  grep -q "selected proposal: IKE:.*$(ssw_ike_name "$1")" "$CLOG" || fail "$1: strongSwan selected another IKE proposal"
}
# strongSwan's name of the DH group in "selected proposal" lines
ssw_ike_name() {
  case $1 in *modp1024) echo MODP_1024;; *modp2048) echo MODP_2048;; *ecp256) echo ECP_256;; esac
}

ikv_setup
ikv_daemon
passed=0

# ---- A. we initiate; strongSwan accepts any suite of the matrix, PFS or not
ssw_up --ike aes128-aes256-3des-sha1-sha256-modp1024-modp2048-ecp256 \
  --esp aes128-aes256-3des-sha1-sha256,aes128-aes256-3des-sha1-sha256-modp1024-modp2048-ecp256
n=0
while read -r name _sesp p1 p2 enc integ grp pfs; do
  [ -n "$name" ] || continue
  n=$((n + 1))
  ikv_policy "$p1" "$p2"
  lines=$(wc -l <"$CLOG")
  on "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.1 --rule out --timeout 20 >"$WORK/init.out" 2>"$WORK/init.err" ||
    fail "A $name: initiate: $(cat "$WORK/init.err")"
  for _ in $(seq 50); do [ -n "$(ssw_child_spis)" ] && break; sleep 0.1; done
  tail -n +"$((lines + 1))" "$CLOG" | grep -q "CHILD_SA net{[0-9]*} established" || fail "A $name: strongSwan has no CHILD SA"
  check_pair "A $name" "$name" "$enc" "$integ" "$grp" "$pfs"
  if [ $((n % 2)) = 1 ]; then
    # strongSwan deletes: our side must drop both SAs
    "$PEER" terminate "$NP" >/dev/null 2>&1
    wait_count main 0 && wait_count quick 0 || fail "A $name: our SAs left after strongSwan's Delete: $(sa_json)"
  else
    # we delete (the daemon sends Delete for every SA on SIGTERM): strongSwan must drop its SAs
    ikv_stop_daemon
    for _ in $(seq 50); do [ -z "$(ssw --list-sas --raw 2>/dev/null | grep -o 'state=ESTABLISHED')" ] && break; sleep 0.1; done
    [ -z "$(ssw --list-sas --raw 2>/dev/null | grep -o 'state=ESTABLISHED')" ] || fail "A $name: strongSwan kept SAs after our Delete: $(ssw --list-sas)"
    # (our Deletes for the ESP SA and the IKE SA may be handled in either order by charon's threads)
    grep -q "received DELETE for ESP CHILD_SA\|received DELETE for IKE_SA" "$CLOG" || fail "A $name: strongSwan did not log our Delete"
    ikv_daemon
  fi
  passed=$((passed + 1)); echo "ok A $name (QM PFS: $pfs)"
done <<<"$SUITES_A"

# ---- B. strongSwan initiates one suite at a time; our policy lists every suite
all_p1=""
while read -r name _sesp p1 _; do [ -n "$name" ] && all_p1="$all_p1 $p1"; done <<<"$SUITES_B"
while read -r name sesp _p1 p2 enc integ grp pfs; do
  [ -n "$name" ] || continue
  ikv_policy "$all_p1" "$p2"   # PFS is a property of the rule (as in Windows), so -n per suite
  ssw_up --ike "$name" --esp "$sesp"
  "$PEER" initiate "$NP" --timeout 20 >"$WORK/ssw-init.log" 2>&1 || fail "B $name: strongSwan initiate: $(tail -5 "$WORK/ssw-init.log")"
  wait_count quick 1 || fail "B $name: ikeview as responder: $(sa_json)"
  check_pair "B $name" "$name" "$enc" "$integ" "$grp" "$pfs"
  "$PEER" terminate "$NP" >/dev/null 2>&1
  wait_count main 0 && wait_count quick 0 || fail "B $name: our SAs left after strongSwan's Delete: $(sa_json)"
  passed=$((passed + 1)); echo "ok B $name (QM PFS: $pfs)"
done <<<"$SUITES_B"

ikv_stop_daemon
echo "strongswan_matrix: all $passed suites passed"
