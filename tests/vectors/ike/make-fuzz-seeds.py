#!/usr/bin/env python3
"""Build the seed corpora of the isakmp_* fuzz targets (tests/fuzz/corpus/isakmp_*/) from the
real strongSwan messages in strongswan-ikev1.vec: the datagrams as captured, the encrypted
ones decrypted with the logged keys (openssl enc), and the payload bodies cut out of them,
plus a few hand-made bodies for forms strongSwan did not send (IPv6 IDs, ranges, AH bundles,
NAT-OA, CERT/CR, fragments). Run from anywhere: python3 tests/vectors/ike/make-fuzz-seeds.py"""
import hashlib
import os
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "fuzz", "corpus")


def read_vec(path):
    cases, cur = [], None
    for line in open(path):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            cur = {"name": line[1:-1], "entries": []}
            cases.append(cur)
            continue
        k, v = line.split(" = ", 1)
        cur["entries"].append((k, v))
    return cases


def get(c, k):
    return [v for kk, v in c["entries"] if kk == k]


def payloads(first, body):
    """[(type, generic-header reserved, body)] of a chain; stops at NONE (padding follows)."""
    out, pos, nxt = [], 0, first
    while nxt != 0:
        np, res, ln = body[pos], body[pos + 1], struct.unpack(">H", body[pos + 2:pos + 4])[0]
        out.append((nxt, body[pos + 4:pos + ln]))
        nxt, pos = np, pos + ln
    return out, pos


def decrypt(cipher, key, iv, ct):
    return subprocess.run(["openssl", "enc", "-d", "-" + cipher, "-K", key.hex(), "-iv", iv.hex(), "-nopad"],
                          input=ct, capture_output=True, check=True).stdout


def tv(t, v):
    return struct.pack(">HH", 0x8000 | t, v)


def tlv(t, v):
    return struct.pack(">HH", t, len(v)) + v


def chain(items, more):
    out = b""
    for i, body in enumerate(items):
        out += struct.pack(">BBH", more if i + 1 < len(items) else 0, 0, 4 + len(body)) + body
    return out


def transform(num, tid, attrs):
    return struct.pack(">BBH", num, tid, 0) + b"".join(attrs)


def proposal(num, proto, spi, transforms):
    return struct.pack(">BBBB", num, proto, len(spi), len(transforms)) + spi + chain(transforms, 3)


def sa(proposals):
    return struct.pack(">II", 1, 1) + chain(proposals, 2)


def main():
    seeds = {t: {} for t in ("message", "sa", "id", "payloads", "fragments")}

    def add(target, name, data):
        seeds[target][name] = data

    sel = {11: 0, 12: 1, 21: 2, 6: 3, 7: 4, 4: 5, 8: 6, 9: 7, 10: 8, 13: 9, 20: 10, 131: 11}
    for c in read_vec(os.path.join(HERE, "strongswan-ikev1.vec")):
        ike = get(c, "ike")[0]
        cipher = {"aes128": "aes-128-cbc", "aes256": "aes-256-cbc", "3des": "des-ede3-cbc"}[ike.split("-")[0]]
        hashf = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}[ike.split("-")[1]]
        bs = 8 if cipher.startswith("des") else 16
        ka = bytes.fromhex(get(c, "ka")[0])
        iv = bytes.fromhex(get(c, "initial_iv")[0])
        last_p1 = None
        chains = {}
        for i, m in enumerate(get(c, "msg")):
            d = bytes.fromhex(m[2:])
            tag = f"{c['name']}-{i:02d}"
            add("message", tag, d)
            mid = struct.unpack(">I", d[20:24])[0]
            first, flags = d[16], d[19]
            body = d[28:]
            if flags & 1:
                if mid == 0:
                    cur = iv
                else:
                    cur = chains.get(mid) or hashf(last_p1 + d[20:24]).digest()[:bs]
                plain = decrypt(cipher, ka, cur, body)
                if mid == 0:
                    iv = body[-bs:]
                    last_p1 = iv
                else:
                    chains[mid] = body[-bs:]
                ps, end = payloads(first, plain)
                clear = bytearray(d[:28] + plain[:end])
                clear[19] &= 0xFE
                clear[24:28] = struct.pack(">I", len(clear))
                add("message", tag + "-decrypted", bytes(clear))
            else:
                ps, _ = payloads(first, body)
            for j, (t, b) in enumerate(ps):
                if t == 1:
                    add("sa", f"{tag}-{j}", b)
                if t == 5:
                    add("id", f"{tag}-{j}", b)
                if t in sel:
                    add("payloads", f"{tag}-{j}", bytes([sel[t]]) + b)
        add("fragments", c["name"] + "-mm1", bytes.fromhex(get(c, "msg")[0][2:]))

    h = bytes.fromhex
    # IDs strongSwan did not send.
    add("id", "ipv6-subnet", h("0600000020010db8000000000000000000000000ffffffffffffffff0000000000000000"))
    add("id", "ipv4-range-udp1701", h("071106a5c0000201c00002fe"))
    add("id", "ipv6-range", h("0800000020010db800000000000000000000000120010db80000000000000000000000ff"))
    add("id", "fqdn", b"\x02\x00\x00\x00gw.example")
    add("id", "user-fqdn", b"\x03\x00\x00\x00alice@x.example")
    add("id", "der-dn", h("090000003011310f300d06035504030c0667772d636133"))
    # SA forms: strongSwan's default offer (a transform with only a DH group), an AH+ESP bundle
    # with ESN and lifetimes in kilobytes, a draft UDP-encapsulated mode with a 9-byte lifetime.
    add("sa", "default-offer-degenerate", sa([proposal(1, 1, b"", [
        transform(1, 1, [tv(1, 7), tv(14, 128), tv(2, 4), tv(3, 1), tv(4, 31), tv(11, 1), tlv(12, h("00007080"))]),
        transform(2, 1, [tv(4, 31)])])]))
    add("sa", "ah-esp-bundle", sa([
        proposal(1, 2, h("aabbccdd"), [transform(1, 3, [tv(4, 2), tv(5, 2), tv(11, 1), tv(1, 2), tlv(2, h("000186a0"))])]),
        proposal(1, 3, h("11223344"), [transform(1, 12, [tv(4, 2), tv(5, 2), tv(6, 256)])]),
        proposal(2, 3, h("11223344"), [transform(1, 3, [tv(4, 1), tv(5, 1), tv(3, 14)])])]))
    add("sa", "udp-tunnel-draft", sa([proposal(1, 3, h("c0ffee00"), [
        transform(1, 12, [tv(1, 1), tlv(2, h("010000000000000000")), tv(4, 61443), tv(5, 5), tv(6, 128)]),
        transform(2, 20, [tv(4, 3), tv(6, 256), tv(3, 19)])])]))
    # Small payloads: NAT-OA v4/v6, CERT, CR, DPD notify, delete of two ESP SPIs, attributes.
    add("payloads", "nat-oa-v4", bytes([2]) + h("01000000c0000201"))
    add("payloads", "nat-oa-v6-draft", bytes([11]) + h("0500000020010db8000000000000000000000001"))
    add("payloads", "cert", bytes([3]) + h("04308203"))
    add("payloads", "cr", bytes([4]) + h("04") + h("3011310f300d06035504030c0667772d636133"))
    add("payloads", "dpd", bytes([0]) + h("00000001011" + "08d28") + bytes(16) + h("0000002a"))
    add("payloads", "delete", bytes([1]) + h("0000000103040002aabbccdd11223344"))
    add("payloads", "attributes", bytes([12]) + h("80010007800e0100000c0004000151808000"))
    # Fragment records: dt, id, number, flags, len, data.
    add("fragments", "in-order", bytes([0, 1, 1, 0, 4]) + b"abcd" + bytes([1, 1, 2, 1, 3]) + b"efg")
    add("fragments", "reverse-dup", bytes([0, 2, 3, 1, 2]) + b"xy" + bytes([0, 2, 1, 0, 2]) + b"ab" +
        bytes([0, 2, 1, 0, 2]) + b"ab" + bytes([30, 2, 2, 0, 2]) + b"cd")
    for target, files in seeds.items():
        d = os.path.join(CORPUS, "isakmp_" + target)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
        for name, data in files.items():
            if data:
                open(os.path.join(d, name), "wb").write(data)
        print(f"isakmp_{target}: {len([x for x in files.values() if x])} seeds")


if __name__ == "__main__":
    main()
