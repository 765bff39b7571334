#!/bin/bash
# IPv6 tunnel mode through a NAT66 (issue 4): gateway A (2001:db8:1::2, subnet 2001:db8:a::/64,
# host 2001:db8:a::1 on lo) sits behind a NAT namespace (2001:db8:1::1 inside, 2001:db8:2::3
# outside, nftables ip6 masquerade); gateway B (2001:db8:2::2, subnet 2001:db8:b::/64, host
# 2001:db8:b::1 on lo) is outside. `ikeview daemon --listen ::` and espd on both, IPv6 tunnel
# rules written with `ipsecpol netsh`, B naming the NAT's outside address as A's tunnel
# endpoint. A's ping6 negotiates (acquire): NAT-D over IPv6 addresses detects the NAT (RFC 3947
# §3.2), IKE floats to 4500, ESP-in-UDP over IPv6 (RFC 3948, RFC 8200 §8.1 checksums) both ways.
# Checks: ikeview sa shows UDP-encapsulated tunnel SAs on both sides; ping6 both ways (also
# 3000 bytes: fragments through the NAT); a TCP transfer (bytes compared); B's wire carries only
# IKE and ESP-in-UDP from the NAT's address (no inner addresses, no clear ICMPv6 echo or TCP).
ESPD_TEST=espd-nat66
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"
[ -x "$IPSECKIT_BIN/ikeview" ] || fail "no ikeview in $IPSECKIT_BIN"
command -v nft >/dev/null || { echo "SKIP: nft missing" >&2; exit 77; }

nat_wire 6  # A <-> NAT66 <-> B
ip -n "$NA" addr add 2001:db8:a::1/128 dev lo nodad
ip -n "$NB" addr add 2001:db8:b::1/128 dev lo nodad
ip -n "$NB" -6 route add 2001:db8:a::/64 via 2001:db8:2::3 || fail "B: route"

start_agent A; start_agent B
policy() {  # policy HOST ENDPOINT-OF-A: the two one-way tunnel rules (netsh)
  cat <<EOF
add policy name=nat66
add filterlist name=a-to-b
add filter filterlist=a-to-b srcaddr=2001:db8:a:: srcmask=64 dstaddr=2001:db8:b:: dstmask=64 mirrored=no
add filterlist name=b-to-a
add filter filterlist=b-to-a srcaddr=2001:db8:b:: srcmask=64 dstaddr=2001:db8:a:: dstmask=64 mirrored=no
add filteraction name=esp action=negotiate qmsecmethods="ESP[AES128,SHA1]"
add rule name=a-to-b policy=nat66 filterlist=a-to-b filteraction=esp tunnel=2001:db8:2::2 psk=nat66-secret
add rule name=b-to-a policy=nat66 filterlist=b-to-a filteraction=esp tunnel=$1 psk=nat66-secret
set policy name=nat66 assign=yes
EOF
}
policy 2001:db8:1::2 >"$WORK/A.netsh"; policy 2001:db8:2::3 >"$WORK/B.netsh"
for h in A B; do
  on $h "$IPSECKIT_BIN/ipsecpol" netsh "$WORK/$h.netsh" >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "ipsecpol netsh on $h"
done
for h in A B; do  # one ikeview socket serves one address family: IPv6 here
  spawn $h "$WORK/$h.ikeview.log" "$IPSECKIT_BIN/ikeview" daemon --mark $MARK --listen ::
  PIDS="$PIDS $!"
  eval "IKV_$h=$!"
done
for h in A B; do
  for _ in $(seq 100); do grep -q "SPD generation" "$WORK/$h.ikeview.log" 2>/dev/null && break; sleep 0.1; done
  grep -q "SPD generation" "$WORK/$h.ikeview.log" || fail "ikeview $h loaded no SPD"
done
# espd shares UDP 4500 with ikeview (the default: SO_REUSEPORT steering, sys/natt_share.h);
# NAT66_ESPD_ARGS="--natt raw" runs the raw-socket layout instead.
for h in A B; do
  spawn "$h" "$WORK/$h.espd.log" "$IPSECKIT_BIN/espd" --tun "$(tun_of "$h")" --mark $MARK --table $TABLE \
    --priority $PRIO --stats-interval 1 ${NAT66_ESPD_ARGS-}
  PIDS="$PIDS $!"
  eval "ESPD_$h=$!"
done
for h in A B; do
  for _ in $(seq 100); do on $h ip -6 route show table $TABLE 2>/dev/null | grep -q "^2001:db8:[ab]::/64" && break; sleep 0.1; done
  on $h ip -6 route show table $TABLE | grep -q "^2001:db8:[ab]::/64" || fail "$h: no IPv6 tunnel route"
done

start_capture B "$YB" wire.pcap
on A ping -6 -c 8 -i 0.5 -W 10 -w 15 -I 2001:db8:a::1 2001:db8:b::1 >"$WORK/ping0.log" 2>&1
grep -q "bytes from 2001:db8:b::1" "$WORK/ping0.log" || fail "no answer after the negotiation: $(cat "$WORK/ping0.log")"
expect_encap_tunnel
echo "ok: A's ping6 negotiates through the NAT66: UDP-encapsulated tunnel SAs on both sides"

on A ping -6 -c 3 -i 0.2 -W 2 -I 2001:db8:a::1 2001:db8:b::1 >"$WORK/ping1.log" 2>&1 || fail "ping6 A -> B: $(cat "$WORK/ping1.log")"
on B ping -6 -c 3 -i 0.2 -W 2 -I 2001:db8:b::1 2001:db8:a::1 >"$WORK/ping2.log" 2>&1 || fail "ping6 B -> A: $(cat "$WORK/ping2.log")"
on A ping -6 -c 2 -i 0.2 -W 2 -s 3000 -I 2001:db8:a::1 2001:db8:b::1 >"$WORK/ping3.log" 2>&1 ||
  fail "ping6 -s 3000 A -> B: $(cat "$WORK/ping3.log")"
on B ping -6 -c 2 -i 0.2 -W 2 -s 3000 -I 2001:db8:b::1 2001:db8:a::1 >"$WORK/ping4.log" 2>&1 ||
  fail "ping6 -s 3000 B -> A: $(cat "$WORK/ping4.log")"
echo "ok: ping6 2001:db8:a::1 <-> 2001:db8:b::1 both ways, 3000-byte pings too"

tcp_transfer 2001:db8:b::1 524288 "TCP A -> B through the NAT66" 2001:db8:a::1
echo "ok: 512 KiB over TCP through the NAT66 (bytes identical)"

sleep 0.3
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/wire.pcap" 2>/dev/null | grep "IP6 " | grep -v "IP6 \(fe80:[0-9a-f:]*\|::\) > \(ff02\|fe80\)" >"$WORK/capture.txt"
grep -q "2001:db8:[ab]::" "$WORK/capture.txt" && fail "inner addresses on B's wire: $(grep "2001:db8:[ab]::" "$WORK/capture.txt" | head -3)"
other=$(grep -v "UDP-encap: ESP\|isakmp\|NONESP-encap\|isakmp-nat-keep-alive\|frag (\|ICMP6, neighbor" "$WORK/capture.txt" | grep -c .)
[ "$other" = 0 ] || fail "B's wire carries more than IKE and ESP-in-UDP: $(grep -v "UDP-encap\|isakmp\|NONESP\|frag (\|neighbor" "$WORK/capture.txt" | head -3)"
n_in=$(grep -c "2001:db8:2::3.[0-9]* > 2001:db8:2::2.4500: UDP-encap: ESP" "$WORK/capture.txt")
n_out=$(grep -c "2001:db8:2::2.4500 > 2001:db8:2::3.[0-9]*: UDP-encap: ESP" "$WORK/capture.txt")
[ "$n_in" -ge 50 ] && [ "$n_out" -ge 20 ] || fail "too few ESP-in-UDP packets ($n_in from the NAT, $n_out to it)"
echo "ok: B's wire: IKE and ESP-in-UDP only ($n_in from the NAT, $n_out to it), no inner addresses"

sleep 1.1  # one stats interval
for h in A B; do
  [ "$(stat $h 'Confidential Bytes Received')" -ge 10000 ] || fail "$h: Confidential Bytes Received $(stat $h 'Confidential Bytes Received')"
  [ "$(stat $h 'IPv6 Datagrams Reassembled')" -ge 2 ] || fail "$h: IPv6 Datagrams Reassembled $(stat $h 'IPv6 Datagrams Reassembled')"
done
stop_espd A; stop_espd B
stop_ikeview A B
no_leftovers A; no_leftovers B
echo "espd_nat66: ok"
