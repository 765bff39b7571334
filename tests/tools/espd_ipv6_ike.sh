#!/bin/bash
# espd + ikeview over IPv6: hosts A (2001:db8::1) and B (2001:db8::2) on one veth, a mirrored
# PSK transport policy with IPv6 addresses written with `ipsecpol netsh`, `ikeview daemon
# --listen ::` (one ikeview socket serves one address family) and espd on each side. No SA at
# first: A's ping6 makes A's espd post an acquire, ikeview negotiates Main Mode and Quick Mode
# over IPv6 (ID_IPV6_ADDR), both espds install the SAs and the held echo goes out. Then ping6
# and a TCP transfer (bytes compared) work, and the wire carries only IKE (UDP 500) and ESP
# over IPv6 between the hosts (no clear ICMPv6 echo or TCP).
ESPD_TEST=espd-ipv6-ike
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"
[ -x "$IPSECKIT_BIN/ikeview" ] || fail "no ikeview in $IPSECKIT_BIN"
ip -n "$NA" addr add 2001:db8::1/64 dev "$VA" nodad || fail "IPv6 address on A"
ip -n "$NB" addr add 2001:db8::2/64 dev "$VB" nodad || fail "IPv6 address on B"

start_agent A; start_agent B
cat >"$WORK/policy.netsh" <<'P'
add policy name=v6
add filterlist name=peer
add filter filterlist=peer srcaddr=2001:db8::1 dstaddr=2001:db8::2 mirrored=yes
add filteraction name=esp action=negotiate qmsecmethods="ESP[AES128,SHA1]"
add rule name=peer policy=v6 filterlist=peer filteraction=esp psk=v6-secret
set policy name=v6 assign=yes
P
for h in A B; do
  on $h "$IPSECKIT_BIN/ipsecpol" netsh "$WORK/policy.netsh" >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "ipsecpol netsh on $h"
  spawn $h "$WORK/$h.ikeview.log" "$IPSECKIT_BIN/ikeview" daemon --mark $MARK --listen ::
  PIDS="$PIDS $!"
done
for h in A B; do
  ok=""
  for _ in $(seq 100); do
    grep -q "SPD generation" "$WORK/$h.ikeview.log" 2>/dev/null && { ok=1; break; }
    sleep 0.1
  done
  [ -n "$ok" ] || fail "ikeview $h loaded no SPD"
  grep -q "listening on UDP :::500" "$WORK/$h.ikeview.log" || fail "$h: ikeview not on [::]:500"
done
for h in A B; do
  spawn "$h" "$WORK/$h.espd.log" "$IPSECKIT_BIN/espd" --tun "$(tun_of "$h")" --mark $MARK --table $TABLE \
    --priority $PRIO --stats-interval 1
  PIDS="$PIDS $!"
  eval "ESPD_$h=$!"
done
for h in A B; do
  for _ in $(seq 100); do on $h ip -6 route show table $TABLE | grep -q "^2001:db8::2\|^2001:db8::1" && break; sleep 0.1; done
done

start_capture A "$VA" veth.pcap

on A ping -6 -c 6 -i 0.3 -W 5 -w 10 2001:db8::2 >"$WORK/ping0.log" 2>&1
grep -q "bytes from 2001:db8::2" "$WORK/ping0.log" || fail "no answer after the negotiation: $(cat "$WORK/ping0.log")"
grep -q "peer ID ID_IPV6_ADDR 2001:db8::2" "$WORK/A.ikeview.log" || fail "A: Main Mode over IPv6 not established"
for h in A B; do
  [ "$(stat $h 'Active Assoc')" = 2 ] || fail "$h: espd has $(stat $h 'Active Assoc') SAs"
done
[ "$(stat A 'Acquires')" -ge 1 ] || fail "A posted no acquire"

tcp_transfer 2001:db8::2 262144 "TCP transfer"

kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | grep "2001:db8::1[ .].*2001:db8::2\|2001:db8::2[ .].*2001:db8::1" >"$WORK/capture.txt"
grep -q "\.500: isakmp" "$WORK/capture.txt" || fail "no IKE over IPv6 on the wire"
n_esp=$(grep -c "2001:db8::1 > 2001:db8::2: ESP(spi=" "$WORK/capture.txt")
[ "$n_esp" -ge 20 ] || fail "only $n_esp ESP packets A -> B"
other=$(grep -v "isakmp\|: ESP(spi=" "$WORK/capture.txt" | grep -v "ICMP6, neighbor" | head -3)
[ -z "$other" ] || fail "clear traffic between the hosts: $other"

stop_espd A; stop_espd B
for h in A B; do
  on $h ip -6 rule show | grep -q "lookup $TABLE" && fail "$h: IPv6 rule for table $TABLE left behind"
done
echo "espd_ipv6_ike: ok ($n_esp ESP packets A -> B)"
