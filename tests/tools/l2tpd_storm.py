#!/usr/bin/env python3
# Packet storm for tests/tools/l2tpd_storm.sh: malformed L2TP (RFC 2661 §3.1 header, §4.1 AVPs)
# sent with plain UDP sockets to an LNS. Never reads what comes back.
#   l2tpd_storm.py SERVER PORT half-open N [SRC...]  SCCRQs from N source ports, never completed
#                                               (from the source addresses SRC in turn if given)
#   l2tpd_storm.py SERVER PORT junk [TUNNEL]     random bytes, truncated headers, bad lengths,
#                                               bogus tunnel/session ids (and TUNNEL's id from
#                                               the wrong peer when given)
import os
import random
import socket
import struct
import sys
import time

server, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(1701)


def avp(attr, value, mandatory=True):  # §4.1: M|H|rsvd|length, vendor 0, attribute type
    return struct.pack("!HHH", (0x8000 if mandatory else 0) | (6 + len(value)), 0, attr) + value


def control(tunnel, session, ns, nr, avps, length=None):  # §3.1: T=1 L=1 S=1, version 2
    body = b"".join(avps)
    n = 12 + len(body) if length is None else length
    return struct.pack("!HHHHHH", 0xC802, n, tunnel, session, ns, nr) + body


def sccrq(assigned):
    return control(0, 0, 0, 0, [avp(0, struct.pack("!H", 1)),   # Message Type SCCRQ
                                avp(2, b"\x01\x00"),              # Protocol Version 1.0
                                avp(3, struct.pack("!I", 3)),     # Framing Capabilities
                                avp(7, b"storm"),                 # Host Name
                                avp(9, struct.pack("!H", assigned))])  # Assigned Tunnel ID


sent_total = 0


def send(sock, data):  # a short pause every 50 datagrams: a storm, not a receive-buffer overflow
    global sent_total
    sock.sendto(data, (server, port))
    sent_total += 1
    if sent_total % 50 == 0:
        time.sleep(0.002)


if mode == "half-open":
    count = int(sys.argv[4])
    sources = sys.argv[5:] or [""]
    socks = []
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((sources[i % len(sources)], 0))
        send(s, sccrq(1 + i))
        send(s, sccrq(1 + i))  # a retransmission: answered by the tunnel that exists
        socks.append(s)
        time.sleep(0.001)
    for s in socks:
        s.close()
    print(f"sent {2 * count} SCCRQs from {count} source ports of {len(sources)} address(es)")
    sys.exit(0)

tunnel = int(sys.argv[4]) if len(sys.argv) > 4 else None
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((os.environ.get("STORM_SRC", ""), 0))  # junk from this source address if set
sent = 0
good = sccrq(7)
for _ in range(1500):  # random bytes, some with a plausible first word
    b = bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 200)))
    if rnd.random() < 0.5 and len(b) >= 2:
        b = rnd.choice([b"\xc8\x02", b"\x40\x02", b"\x00\x02", b"\xc8\x03"]) + b[2:]
    send(s, b); sent += 1
for k in range(len(good)):  # every truncation of a valid SCCRQ
    send(s, good[:k]); sent += 1
for n in (0, 1, 5, 11, 13, len(good) - 1, len(good) + 1, 0xFFFF):  # length field lies
    send(s, control(0, 0, 0, 0, [avp(0, struct.pack("!H", 1))], length=n)); sent += 1
for n in (0, 3, 5, 7, 1023):  # AVP length fields that lie
    send(s, control(0, 0, 0, 0, [struct.pack("!HHH", 0x8000 | n, 0, 0) + b"\x00\x01"])); sent += 1
for _ in range(500):  # bit flips of a valid SCCRQ (new tunnel id 0 kept: only the AVPs suffer)
    b = bytearray(good)
    for _ in range(rnd.randrange(1, 4)):
        i = rnd.randrange(12, len(b))
        b[i] ^= 1 << rnd.randrange(8)
    send(s, bytes(b)); sent += 1
for _ in range(500):  # bogus tunnel ids: control messages and data messages
    t = rnd.randrange(1, 0x10000)
    mtype = rnd.choice([6, 10, 12, 4, 14])  # HELLO, ICRQ, ICCN, StopCCN, CDN
    send(s, control(t, rnd.randrange(0, 0x10000), rnd.randrange(0, 0x10000), 0,
                    [avp(0, struct.pack("!H", mtype))])); sent += 1
    send(s, struct.pack("!HHHH", 0x4002, 12, t, rnd.randrange(1, 0x10000)) + b"\xff\x03\xc0\x21"); sent += 1
if tunnel is not None:  # the real tunnel's id from a port that is not its peer
    for i in range(200):
        send(s, control(tunnel, 0, i, 0, [avp(0, struct.pack("!H", 6))])); sent += 1
        send(s, struct.pack("!HHHH", 0x4002, 12, tunnel, rnd.randrange(1, 0x10000)) + b"\xff\x03\xc0\x21"); sent += 1
print(f"sent {sent} malformed or bogus datagrams")
