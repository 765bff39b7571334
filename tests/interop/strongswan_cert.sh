#!/bin/bash
# ikeview against a real strongSwan 5.9 charon with certificates (IKEv1 Main Mode, RSA
# signatures, swanctl auth = pubkey), tunnel mode over kernel-libipsec, in namespaces made by
# lib/ikeview-ssw.bash. One openssl PKI (tests/tools/ikeview_cert_pki.bash): root ->
# intermediate -> gw-a (SAN IP 198.51.100.1, strongSwan's) and gw-b (SAN IP 198.51.100.2, ours).
#   strongSwan: its leaf in x509/, its key in private/, the root in x509ca/; identity = its
#     address (in its certificate's SAN); it expects our DN "C=US, O=ipseckit test, CN=gw-b".
#   ikeview: --cert with the chain (leaf + intermediate; strongSwan has only the root), --key,
#     --ca root and intermediate (strongSwan sends only its leaf); rule CERT:"<root DN>".
# 1. ikeview initiates; 2. ikeview restarts (its Deletes clear strongSwan's SAs) and strongSwan
# initiates: phase 1 (auth "cert") and phase 2 established on both sides each time, with the
# peer's certificate logged on each side.
# Exit 77 (skip) only when not root or strongSwan cannot be installed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/ikeview-ssw.bash"
. "$HERE/../tools/ikeview_cert_pki.bash"
ikv_init cert
command -v openssl >/dev/null || { echo "SKIP: no openssl CLI" >&2; exit 77; }

P=$WORK/pki
mkdir -p "$P" && make_pki "$P" || fail "openssl could not make the test PKI"
ROOT_DN="C=US, O=ipseckit test, CN=Test Root"
OUR_DN="C=US, O=ipseckit test, CN=gw-b"

ikv_setup
M=255.255.255.0
on "$IPSECKIT_BIN/ipsecpol" -w REG -p gw -r out -f 192.0.2.0/$M=203.0.113.0/$M -t 198.51.100.1 \
  -n "ESP[AES128,SHA]" -a "CERT:\"$ROOT_DN\"" -1s AES128-SHA-14 >>"$WORK/ipsecpol.log" 2>&1 || fail "ipsecpol out"
on "$IPSECKIT_BIN/ipsecpol" -w REG -p gw -r in -f 203.0.113.0/$M=192.0.2.0/$M -t 198.51.100.2 \
  -n "ESP[AES128,SHA]" -a "CERT:\"$ROOT_DN\"" -1s AES128-SHA-14 -x >>"$WORK/ipsecpol.log" 2>&1 || fail "ipsecpol in"
start_daemon() {  # ikeview with our chain, key and both CAs; waits until it has read the SPD
  local n; n=$(grep -c "SPD generation" "$WORK/ikeview.log" 2>/dev/null)
  bg "$IPSECKIT_BIN/ikeview" daemon --mark 0x2a --cert "$P/b-chain.pem" --key "$P/b.key" --ca "$P/root.pem" \
    --ca "$P/inter.pem" >/dev/null 2>>"$WORK/ikeview.log"
  IKEVIEW_PID=$!; IKV_PIDS="$IKV_PIDS $IKEVIEW_PID"
  for _ in $(seq 100); do [ "$(grep -c "SPD generation" "$WORK/ikeview.log")" -gt "${n:-0}" ] && break; sleep 0.1; done
  kill -0 "$IKEVIEW_PID" 2>/dev/null || fail "ikeview daemon exited"
}
start_daemon

ssw_up --auth pubkey --cert "$P/a.pem" --key "$P/a.key" --ca "$P/root.pem" --peer-id "$OUR_DN" \
  --ike aes128-sha1-modp2048 --esp aes128-sha1

# check_both: phase 1 with certificates and phase 2 up on both sides
check_both() {
  wait_count quick 1 100 || fail "$1: ikeview sa: $(on "$IPSECKIT_BIN/ikeview" sa)"
  [ "$(sa_count main)" = 1 ] || fail "$1: ikeview main mode SAs: $(on "$IPSECKIT_BIN/ikeview" sa)"
  [ "$(mm_field auth)" = cert ] || fail "$1: ikeview main mode auth is '$(mm_field auth)', want cert"
  [ "$(qm_field mode)" = tunnel ] && [ "$(qm_field encryption)" = aes-128-cbc ] || fail "$1: quick mode SA: $(sa_json)"
  local _
  for _ in $(seq 50); do ssw --list-sas 2>/dev/null | grep -q INSTALLED && break; sleep 0.1; done
  ssw --list-sas >"$WORK/ssw-sas.txt" 2>&1
  grep -q "ESTABLISHED" "$WORK/ssw-sas.txt" && grep -q "INSTALLED" "$WORK/ssw-sas.txt" ||
    fail "$1: strongSwan SAs: $(cat "$WORK/ssw-sas.txt")"
  grep -q "$OUR_DN" "$WORK/ssw-sas.txt" || fail "$1: strongSwan does not show our DN as the peer: $(cat "$WORK/ssw-sas.txt")"
  # strongSwan's inbound SPI is our outbound one
  ssw_child_spis | grep -q "^$(qm_field spi_out) " || fail "$1: SPIs differ: ours $(sa_json); strongSwan $(ssw_child_spis)"
}

# ---- 1. ikeview initiates
on "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.1 --rule out --timeout 20 >"$WORK/init.out" 2>"$WORK/init.err" ||
  fail "initiate: $(cat "$WORK/init.err")"
check_both "ikeview initiating"
grep -q "authentication of 'C=US, O=ipseckit test, CN=gw-b' with RSA.* successful" "$CLOG" ||
  fail "strongSwan did not authenticate our certificate"
grep -q "peer certificate 'C=US, O=ipseckit test, CN=gw-a' (issued by 'C=US, O=ipseckit test, CN=Test Intermediate') verified" \
  "$WORK/ikeview.log" || fail "ikeview did not verify strongSwan's certificate"

# ---- 2. ikeview stops (its Deletes end strongSwan's SAs) and starts again; strongSwan initiates
# (strongSwan's own Delete is exercised by strongswan_ikev1.sh)
ikv_stop_daemon
for _ in $(seq 50); do ssw --list-sas 2>/dev/null | grep -q ESTABLISHED || break; sleep 0.1; done
ssw --list-sas 2>/dev/null | grep -q ESTABLISHED && fail "strongSwan kept its SAs after ikeview's Deletes"
start_daemon
"$PEER" initiate "$NP" >"$WORK/ssw-init.log" 2>&1 || fail "strongSwan initiate: $(tail -5 "$WORK/ssw-init.log")"
check_both "strongSwan initiating"
[ "$(grep -c "peer certificate 'C=US, O=ipseckit test, CN=gw-a'" "$WORK/ikeview.log")" -ge 2 ] ||
  fail "ikeview as responder did not verify strongSwan's certificate"

ikv_stop_daemon
echo "strongswan_cert: all checks passed"
