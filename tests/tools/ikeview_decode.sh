#!/bin/bash
# `ikeview decode`: a real ikeview-vs-ikeview negotiation (two namespaces on one veth,
# 198.51.100.1 <-> .2, PSK, ESP 3DES/SHA-1 transport) captured with tcpdump, then decoded:
#   * without keys: the clear Main Mode payloads (SA with named attributes, KE, NONCE, NAT-D,
#     VID), "(encrypted, N bytes)" for MM5/6 and every Quick Mode message;
#   * with --keys (`ikeview keys --format wireshark-ike` in a file): MM5/6's ID (the peers'
#     addresses) and HASH, the Quick Mode SA whose ESP SPIs are the ones `ikeview sa --json`
#     lists, and the same count of messages/exchange types as tshark (when installed);
#   * other link types and transports (raw IP, Linux cooked v1/v2, IPv6, UDP 4500 with the
#     non-ESP marker, keepalives, ESP-in-UDP), IPv6 fragments out of order (reassembled) and
#     overlapping (dropped), a malformed datagram (an error line, decoding
#     goes on), a truncated capture (partial decode, exit 1 naming the file) and a non-pcap
#     file (exit 1 naming the file).
set -u
. "${IPSECKIT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tools/lib.bash"
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump not installed" >&2; exit 77; }

start_pair id
policy() {
  on "$1" "$IPSECKIT_BIN/ipsecpol" -w REG -p dec -r peer -f 198.51.100.1+198.51.100.2 \
    -n "ESP[3DES,SHA]" -a "PRESHARE:decode-test" -x >>"$WORK/$1.ipsecpol.log" 2>&1 || fail "ipsecpol on $1"
}
decode() { "$IPSECKIT_BIN/ikeview" decode "$@"; }

policy A; policy B
CAP="$WORK/ike.pcap"
capture A "$CAP"; TCPDUMP=$CAPTURE
start_ikeview A; start_ikeview B
on A "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.2 --timeout 20 >/dev/null 2>"$WORK/initiate.log" ||
  fail "initiate failed"
on A "$IPSECKIT_BIN/ikeview" sa --json >"$WORK/sa.json" || fail "ikeview sa"
on A "$IPSECKIT_BIN/ikeview" keys --format wireshark-ike >"$WORK/ike.keys" || fail "ikeview keys"
sleep 0.3; kill -INT "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null

# ---- 1. no keys: clear Main Mode payloads, the rest "(encrypted, N bytes)"
decode "$CAP" >"$WORK/clear.txt" 2>"$WORK/clear.err" || fail "decode: $(cat "$WORK/clear.err")"
decode "$CAP" --json >"$WORK/clear.json" 2>"$WORK/clear.err" || fail "decode --json: $(cat "$WORK/clear.err")"
python3 - "$WORK/clear.json" <<'PY' || fail "decode without keys: $(cat "$WORK/clear.txt")"
import json, sys
ms = [json.loads(l) for l in open(sys.argv[1])]
assert all("error" not in m for m in ms), [m for m in ms if "error" in m]
mm = [m for m in ms if m["exchange"] == "ID_PROT"]
qm = [m for m in ms if m["exchange"] == "QUICK_MODE"]
assert len(mm) == 6 and len(qm) == 3, [(m["packet"], m["exchange"]) for m in ms]
types = lambda m: [p["type"] for p in m.get("payloads", [])]
assert mm[0]["src"] == "198.51.100.1:500" and mm[0]["dst"] == "198.51.100.2:500", mm[0]
assert mm[0]["cky_r"] == "0000000000000000" and mm[1]["cky_r"] != mm[0]["cky_r"]
assert "SA" in types(mm[0]) and "VID" in types(mm[0]), types(mm[0])
t = mm[1]["payloads"][0]["proposals"][0]["transforms"][0]
attrs = {a["name"]: a["value"] for a in t["attributes"]}
assert t["id"] == "KEY_IKE" and attrs["Encryption Algorithm"] == "3DES-CBC" and attrs["Hash Algorithm"] == "SHA", t
assert attrs["Authentication Method"] and attrs["Group Description"], attrs
for m in mm[2:4]:
    assert {"KE", "NONCE", "NAT-D"} <= set(types(m)), types(m)
    ke = [p for p in m["payloads"] if p["type"] == "KE"][0]
    assert ke["length"] == 128, ke  # MODP-1024
vids = [p["vendor"] for m in mm[:2] for p in m["payloads"] if p["type"] == "VID"]
assert any("NAT-T" in v for v in vids) and "DPD" in vids, vids
for m in mm[4:] + qm:
    assert m["encrypted"] and not m["decrypted"] and "payloads" not in m and m["ciphertext_length"] > 0, m
    assert "encryption" in m["flags"], m
PY
grep -q "(encrypted, [0-9]* bytes)" "$WORK/clear.txt" || fail "text shows no encrypted message: $(cat "$WORK/clear.txt")"
grep -q "transform 1 KEY_IKE: Encryption Algorithm=3DES-CBC" "$WORK/clear.txt" || fail "no transform line: $(cat "$WORK/clear.txt")"
grep -q "^9 packets: 9 ISAKMP messages (0 decrypted)" "$WORK/clear.txt" || fail "summary: $(tail -1 "$WORK/clear.txt")"

# ---- 2. with the keys ikeview exports: MM5/6 and Quick Mode decrypted
grep -Eq '^[0-9a-f]{16},[0-9a-f]{48}$' "$WORK/ike.keys" || fail "keys: $(cat "$WORK/ike.keys")"
decode "$CAP" --keys "$WORK/ike.keys" >"$WORK/dec.txt" 2>"$WORK/dec.err" || fail "decode --keys: $(cat "$WORK/dec.err")"
decode "$CAP" --keys "$WORK/ike.keys" --json >"$WORK/dec.json" 2>"$WORK/dec.err" || fail "decode --keys --json"
grep -q "^9 packets: 9 ISAKMP messages (5 decrypted)" "$WORK/dec.err" || fail "--json summary on stderr: $(cat "$WORK/dec.err")"
python3 - "$WORK/dec.json" "$WORK/sa.json" <<'PY' || fail "decode with keys: $(cat "$WORK/dec.txt")"
import json, sys
ms = [json.loads(l) for l in open(sys.argv[1])]
sas = json.load(open(sys.argv[2]))
q = [s for s in sas if s["phase"] == "quick"][0]
mm = [m for m in ms if m["exchange"] == "ID_PROT"]
qm = [m for m in ms if m["exchange"] == "QUICK_MODE"]
for m in mm[4:] + qm:
    assert m["decrypted"], m
types = lambda m: [p["type"] for p in m["payloads"]]
ids = [[p for p in m["payloads"] if p["type"] == "ID"][0] for m in mm[4:]]
assert [i["value"] for i in ids] == ["198.51.100.1", "198.51.100.2"], ids
assert all(i["id_type"] == "ID_IPV4_ADDR" for i in ids), ids
assert all([p for p in m["payloads"] if p["type"] == "HASH"][0]["length"] == 20 for m in mm[4:])
assert types(qm[0])[:2] == ["HASH", "SA"] and "NONCE" in types(qm[0]), types(qm[0])
assert types(qm[2]) == ["HASH"], types(qm[2])
assert len({m["message_id"] for m in qm}) == 1 and qm[0]["message_id"] != "00000000"
spi = lambda m: [p for p in m["payloads"] if p["type"] == "SA"][0]["proposals"][0]
p1, p2 = spi(qm[0]), spi(qm[1])
assert p1["protocol"] == "PROTO_IPSEC_ESP" and p1["transforms"][0]["id"] == "ESP_3DES", p1
assert (p1["spi"], p2["spi"]) == (q["spi_in"], q["spi_out"]), (p1["spi"], p2["spi"], q)
attrs = {a["name"]: a["value"] for a in p1["transforms"][0]["attributes"]}
assert attrs["Encapsulation Mode"] == "Transport" and attrs["Authentication Algorithm"] == "HMAC-SHA", attrs
PY
grep -q "ID ID_IPV4_ADDR 198.51.100.2" "$WORK/dec.txt" || fail "text shows no peer ID: $(cat "$WORK/dec.txt")"
grep -q "^9 packets: 9 ISAKMP messages (5 decrypted)" "$WORK/dec.txt" || fail "summary: $(tail -1 "$WORK/dec.txt")"
# a wrong key: the message stays encrypted and says why
sed 's/,\(.\)/,f\1/; s/.$//' "$WORK/ike.keys" >"$WORK/bad.keys"
decode "$CAP" --keys "$WORK/bad.keys" | grep -q "(encrypted, [0-9]* bytes; decrypted payloads do not parse" ||
  fail "wrong key not reported"
echo "bad line" >"$WORK/garbage.keys"
decode "$CAP" --keys "$WORK/garbage.keys" >/dev/null 2>"$WORK/gk.err"; rc=$?
[ "$rc" = 1 ] && grep -q "garbage.keys:1" "$WORK/gk.err" || fail "bad key file: rc $rc, $(cat "$WORK/gk.err")"

# ---- 3. tshark agrees on the messages and their exchange types
if command -v tshark >/dev/null 2>&1; then
  tshark -r "$CAP" -Y isakmp -T fields -e frame.number -e isakmp.exchtype >"$WORK/ts.txt" 2>"$WORK/ts.err" ||
    tshark -r "$CAP" -Y isakmp -T fields -e frame.number -e isakmp.exchangetype >"$WORK/ts.txt" 2>"$WORK/ts.err" ||
    fail "tshark: $(cat "$WORK/ts.err")"
  python3 - "$WORK/dec.json" "$WORK/ts.txt" <<'PY' || fail "tshark disagrees"
import json, sys
num = {"ID_PROT": 2, "AGGRESSIVE": 4, "INFORMATIONAL": 5, "QUICK_MODE": 32}
ours = [(m["packet"], num[m["exchange"]]) for m in map(json.loads, open(sys.argv[1]))]
theirs = [tuple(int(x) for x in l.split()) for l in open(sys.argv[2]) if l.strip()]
assert ours == theirs, (ours, theirs)
PY
  echo "tshark agrees: $(wc -l <"$WORK/ts.txt") ISAKMP messages"
fi

# ---- 4. other link types and transports, malformed and damaged files
python3 - "$CAP" "$WORK" <<'PY' || fail "cannot build the synthetic captures"
import struct, sys
cap, work = sys.argv[1], sys.argv[2]
data = open(cap, "rb").read()
assert struct.unpack("<I", data[:4])[0] == 0xa1b2c3d4, "tcpdump wrote a little-endian pcap"
off, first = 24, None
while off < len(data):
    _, _, incl, _ = struct.unpack("<IIII", data[off:off+16]); pkt = data[off+16:off+16+incl]; off += 16 + incl
    ihl = (pkt[14] & 15) * 4
    first = pkt[14 + ihl + 8:]; break  # MM1's ISAKMP bytes (Ethernet, IPv4, UDP)
def udp(sport, dport, payload): return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
def v4(payload):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, 17, 0,
                       bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])) + payload
def v6(payload):
    return struct.pack("!IHBB", 0x60000000, len(payload), 17, 64) + bytes([0x20,1,0xd,0xb8]+[0]*11+[1]) + \
           bytes([0x20,1,0xd,0xb8]+[0]*11+[2]) + payload
def write(name, linktype, pkts):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype)
    for i, p in enumerate(pkts): out += struct.pack("<IIII", 1000 + i, 0, len(p), len(p)) + p
    open(f"{work}/{name}", "wb").write(out)
sll = lambda p, proto: struct.pack("!HHH8sH", 0, 1, 6, b"\0" * 8, proto) + p
sll2 = lambda p, proto: struct.pack("!HHIHBB8s", proto, 0, 2, 1, 0, 6, b"\0" * 8) + p
junk = b"\x01" * 40
write("raw.pcap", 101, [v4(udp(500, 500, first)), v4(udp(500, 500, junk))])
write("sll.pcap", 113, [sll(v4(udp(500, 500, first)), 0x0800)])
write("sll2.pcap", 276, [sll2(v6(udp(4500, 4500, b"\0\0\0\0" + first)), 0x86dd),
                         sll2(v6(udp(4500, 4500, b"\xff")), 0x86dd),
                         sll2(v6(udp(4500, 4500, b"\x12\x34\x56\x78" + b"\0" * 40)), 0x86dd),
                         sll2(v6(b"\x01\x02"), 0x86dd)])
def frag(num, last, chunk):  # MM1 cut into two FRAGMENT payload messages (id 1)
    body = struct.pack("!HBB", 1, num, 1 if last else 0) + chunk
    pl = struct.pack("!BBH", 0, 0, 4 + len(body)) + body
    return first[:16] + bytes([132, 0x10, 2, 0]) + struct.pack("!II", 0, 28 + len(pl)) + pl
half = len(first) // 2
write("frag.pcap", 101, [v4(udp(500, 500, frag(1, False, first[:half]))), v4(udp(500, 500, frag(2, True, first[half:])))])
# IPv6 fragments (RFC 8200 4.5): MM1 over IPv6 in three fragments, out of order; then a
# datagram whose fragments overlap (RFC 5722: dropped, never decoded)
def v6frags(payload, ident, cuts, order):
    pl = udp(500, 500, payload); out = []
    for i, (a, b) in enumerate(cuts):
        more = 1 if i + 1 < len(cuts) else 0
        fh = struct.pack("!BBHI", 17, 0, (a // 8) << 3 | more, ident)
        out.append(struct.pack("!IHBB", 0x60000000, 8 + b - a, 44, 64) + bytes([0x20,1,0xd,0xb8]+[0]*11+[1]) +
                   bytes([0x20,1,0xd,0xb8]+[0]*11+[2]) + fh + pl[a:b])
    return [out[i] for i in order]
n = len(udp(500, 500, first)); c1, c2 = 64, (n // 2) // 8 * 8
good = v6frags(first, 7, [(0, c1), (c1, c2), (c2, n)], [2, 0, 1])
bad = v6frags(first, 8, [(0, c2), (c1, n)], [0, 1])  # the second starts inside the first
write("v6frag.pcap", 101, good + bad + [v4(udp(500, 500, first))])
open(f"{work}/trunc.pcap", "wb").write(data[:len(data) - 30])
open(f"{work}/notpcap.pcap", "wb").write(b"this is not a capture\n" * 10)
PY
out=$(decode "$WORK/raw.pcap") || fail "raw.pcap: $out"
echo "$out" | grep -q "^#1 .* 192.0.2.1:500 -> 192.0.2.2:500 ID_PROT" || fail "raw IP: $out"
echo "$out" | grep -q "^#2 error: not a valid ISAKMP message" || fail "raw IP junk: $out"
echo "$out" | grep -q "^2 packets: 1 ISAKMP messages (0 decrypted), 0 ESP-in-UDP, 0 NAT keepalives, 1 errors" || fail "raw IP: $out"
out=$(decode "$WORK/sll.pcap") || fail "sll.pcap: $out"
echo "$out" | grep -q "^#1 .* 192.0.2.1:500 -> 192.0.2.2:500 ID_PROT" || fail "Linux cooked: $out"
out=$(decode "$WORK/sll2.pcap") || fail "sll2.pcap: $out"
echo "$out" | grep -q "^#1 .* \[2001:db8::1\]:4500 -> \[2001:db8::2\]:4500 ID_PROT" || fail "SLL2/IPv6/4500: $out"
echo "$out" | grep -q "^#4 error: truncated UDP header" || fail "SLL2 truncated UDP: $out"
echo "$out" | grep -q "^4 packets: 1 ISAKMP messages (0 decrypted), 1 ESP-in-UDP, 1 NAT keepalives, 1 errors" || fail "SLL2: $out"
out=$(decode "$WORK/frag.pcap") || fail "frag.pcap: $out"
echo "$out" | grep -q "^  FRAG id 1 number 2 (last)" && echo "$out" | grep -q "^  reassembled message:" &&
  echo "$out" | grep -q "^          transform 1 KEY_IKE: Encryption Algorithm=3DES-CBC" || fail "fragments: $out"
out=$(decode "$WORK/v6frag.pcap") || fail "v6frag.pcap: $out"
echo "$out" | grep -q "^#3 .* \[2001:db8::1\]:500 -> \[2001:db8::2\]:500 ID_PROT" &&
  echo "$out" | grep -q "^#6 .* 192.0.2.1:500 -> 192.0.2.2:500 ID_PROT" &&
  [ "$(echo "$out" | grep -c " ID_PROT")" = 2 ] || fail "IPv6 fragments out of order / overlapping: $out"
echo "$out" | grep -q "^6 packets: 2 ISAKMP messages (0 decrypted), .*, 5 IPv6 fragments (1 datagrams reassembled)" ||
  fail "IPv6 fragments summary: $out"
decode "$WORK/v6frag.pcap" --json 2>/dev/null | python3 -c '
import json, sys
ms = [json.loads(l) for l in sys.stdin]
assert [m.get("ip_fragments") for m in ms] == [3, None], ms' || fail "IPv6 fragments --json"
decode "$WORK/trunc.pcap" >"$WORK/trunc.out" 2>"$WORK/trunc.err"; rc=$?
[ "$rc" = 1 ] && grep -q "trunc.pcap" "$WORK/trunc.err" && grep -q "^#8 " "$WORK/trunc.out" ||
  fail "truncated capture: rc $rc, $(cat "$WORK/trunc.err" "$WORK/trunc.out")"
decode "$WORK/notpcap.pcap" >/dev/null 2>"$WORK/np.err"; rc=$?
[ "$rc" = 1 ] && grep -q "notpcap.pcap" "$WORK/np.err" || fail "non-pcap file: rc $rc, $(cat "$WORK/np.err")"
decode "$WORK/missing.pcap" >/dev/null 2>"$WORK/miss.err"; rc=$?
[ "$rc" = 1 ] && grep -q "missing.pcap" "$WORK/miss.err" || fail "missing file: rc $rc, $(cat "$WORK/miss.err")"
echo "ikeview_decode: all checks passed"
