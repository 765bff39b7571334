#!/usr/bin/env python3
"""Turn one strongSwan negotiation (pcap + charon level-4 logs) into a [case] section of
strongswan-ikev1.vec. Called by capture-strongswan.sh; see README.md for the format."""
import argparse
import re
import struct
import sys

# charon's %B dump: "<label> => N bytes @ 0xADDR" then "  OFF: XX XX ...  ascii" lines.
HEAD = re.compile(r"^\S+ \S+ <[^>]*> (.+?) => (\d+) bytes @ 0x[0-9a-f]+$")
LINE = re.compile(r"^\S+ \S+ <[^>]*>\s+(\d+): ((?:[0-9A-F]{2} )*[0-9A-F]{2})")


def dumps(path):
    """[(label, bytes)] in log order."""
    out, cur = [], None
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        m = HEAD.match(line)
        if m:
            cur = [m.group(1), int(m.group(2)), bytearray()]
            out.append(cur)
            continue
        m = LINE.match(line)
        if m and cur is not None and int(m.group(1)) == len(cur[2]):
            cur[2] += bytes.fromhex(m.group(2))
            continue
        cur = None
    for label, n, data in out:
        if len(data) != n:
            sys.exit(f"extract.py: {path}: '{label}' has {len(data)} of {n} bytes")
    return [(label, bytes(data)) for label, _, data in out]


def datagrams(path, initiator):
    """[(direction, payload)] of the IKE datagrams in a pcap (Ethernet, IPv4, UDP)."""
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        sys.exit(f"extract.py: {path}: link type {linktype}, expected Ethernet")
    pos, out = 24, []
    ip_i = bytes(int(x) for x in initiator.split("."))
    while pos + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[pos:pos + 16])
        frame = data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
        if struct.unpack(">H", frame[12:14])[0] != 0x0800:
            continue
        ip = frame[14:]
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 17:
            continue
        udp = ip[ihl:]
        sport, dport, ulen = struct.unpack(">HHH", udp[:6])
        payload = udp[8:ulen]
        if 4500 in (sport, dport):
            if len(payload) == 1 and payload[0] == 0xFF:
                continue  # NAT keepalive (RFC 3948 2.3)
            if payload[:4] != b"\0\0\0\0":
                continue  # ESP in UDP, not IKE
            payload = payload[4:]  # non-ESP marker
        out.append(("i" if ip[12:16] == ip_i else "r", payload))
    return out


# charon labels -> our keys (single values; the first occurrence counts).
SINGLE = {
    "shared Diffie Hellman secret": "shared_secret",
    "SKEYID": "skeyid",
    "SKEYID_d": "skeyid_d",
    "SKEYID_a": "skeyid_a",
    "SKEYID_e": "skeyid_e",
    "encryption key Ka": "ka",
    "initial IV": "initial_iv",
    "HASH_I data": "hash_i_data",
    "HASH_I": "hash_i",
    "HASH_R data": "hash_r_data",
    "HASH_R": "hash_r",
    "Hash(1)": "qm_hash1",
    "Hash(2)": "qm_hash2",
    "Hash(3)": "qm_hash3",
    "DH secret": "qm_shared_secret",
    "initiator SA seed": "qm_seed_i",
    "responder SA seed": "qm_seed_r",
    "encryption initiator key": "esp_encr_i",
    "encryption responder key": "esp_encr_r",
    "integrity initiator key": "esp_integ_i",
    "integrity responder key": "esp_integ_r",
}


def main():
    ap = argparse.ArgumentParser()
    for a in ("name", "ike", "esp", "psk", "pcap", "log-i", "log-r", "initiator"):
        ap.add_argument("--" + a, required=True)
    args = ap.parse_args()
    log_i, log_r = dumps(args.log_i), dumps(args.log_r)
    values = {}
    for label, data in log_i:
        key = SINGLE.get(label)
        if key and key not in values:
            values[key] = data
    # Both charons must have derived the same phase-1 keys.
    resp = {SINGLE[l]: d for l, d in reversed(log_r) if l in SINGLE}
    for k in ("skeyid", "skeyid_d", "skeyid_a", "skeyid_e", "ka", "initial_iv"):
        if resp.get(k) != values.get(k):
            sys.exit(f"extract.py: initiator and responder disagree on {k}")
    ivs = [(l.split()[-1], d) for l, d in log_i if l.startswith("next IV for MID ")]
    info_hashes = [d for l, d in log_i if l == "Hash"]
    msgs = datagrams(args.pcap, args.initiator)
    if len(msgs) < 9:
        sys.exit(f"extract.py: only {len(msgs)} IKE datagrams captured")
    w = sys.stdout.write
    w(f"[{args.name}]\n")
    w(f"ike = {args.ike}\nesp = {args.esp}\n")
    w(f"psk = {args.psk.encode().hex()}\n")
    w("# datagrams in wire order (i = sent by the initiator), non-ESP marker removed\n")
    for d, p in msgs:
        w(f"msg = {d} {p.hex()}\n")
    w("# logged by the initiator's charon at level 4 (the responder's agreed)\n")
    for k in SINGLE.values():
        if k in values:
            w(f"{k} = {values[k].hex()}\n")
    for mid, d in ivs:
        w(f"iv = {mid} {d.hex()}\n")
    for d in info_hashes:
        w(f"info_hash = {d.hex()}\n")
    missing = [k for k in SINGLE.values() if k not in values and not k.startswith("qm_shared")]
    if missing:
        w("# not logged by charon: " + ", ".join(missing) + "\n")


if __name__ == "__main__":
    main()
