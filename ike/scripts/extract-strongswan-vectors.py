#!/usr/bin/env python3
"""Turn a strongSwan 5.9.8 level-4 debug log (interop peer, IKEPEER_DEBUG=1) of one Main Mode (or
Aggressive Mode) + Quick Mode run into a vector file for ike/tests/strongswan_vectors.rs.

The responder logs every received datagram, every message it generates, the DH secret, SKEYID*,
the phase-1 key and IVs, HASH_I/HASH_R, and the ESP keys. The test recomputes all of it from the
packets, the DH secret and the PSK with zubr-ike's own code.

The messages themselves come from the capture (capture.pcap, Ethernet, on the peer's veth): every
IKE datagram on UDP 500/4500 in order, with the direction and the non-ESP marker stripped.

usage: extract-strongswan-vectors.py charon-debug.log capture.pcap PSK > vectors.txt
"""
import re, struct, sys

log, pcap, psk = sys.argv[1], sys.argv[2], sys.argv[3]

def pcap_ike(path):
    raw = open(path, "rb").read()
    magic = struct.unpack("<I", raw[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(end + "I", raw[20:24])[0]
    off, msgs = 24, []
    while off + 16 <= len(raw):
        _, _, incl, _ = struct.unpack(end + "IIII", raw[off:off + 16])
        frame = raw[off + 16:off + 16 + incl]
        off += 16 + incl
        l2 = 14 if linktype == 1 else 16  # Ethernet or Linux cooked
        ip = frame[l2:]
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        src = ".".join(map(str, ip[12:16]))
        sport, dport = struct.unpack(">HH", ip[ihl:ihl + 4])
        udp = ip[ihl + 8:]
        if 4500 in (sport, dport) or sport > 20000:
            if udp[:4] != b"\0\0\0\0":
                continue  # ESP-in-UDP or keepalive
            udp = udp[4:]
        if len(udp) >= 28 and int.from_bytes(udp[24:28], "big") == len(udp):
            msgs.append((src, udp))
    return msgs
lines = open(log, encoding="utf-8", errors="replace").read().splitlines()
head = re.compile(r"^\S+ \d+\[\w+\] (?:<[^>]*> )?(.*?) => (\d+) bytes @")
dump = re.compile(r"^\S+ \d+\[\w+\] (?:<[^>]*> )?\s*\d+: ((?:[0-9A-F]{2} ?)+)")

blocks = []  # (label, bytes)
i = 0
while i < len(lines):
    m = head.match(lines[i])
    if not m:
        i += 1
        continue
    label, n = m.group(1).strip(), int(m.group(2))
    data = b""
    j = i + 1
    while len(data) < n and j < len(lines):
        d = dump.match(lines[j])
        if not d:
            break
        data += bytes.fromhex(d.group(1).split("  ")[0].replace(" ", ""))
        j += 1
    blocks.append((label, data[:n]))
    i = j

received = [b for (l, b) in blocks if l == "received packet"]
generated = [b for (l, b) in blocks if l == "generated data of this generator"]
# the generator of a message is logged twice (once by the payload writer, once by the message);
# keep one of each consecutive duplicate
gen = []
for g in generated:
    if not gen or gen[-1] != g:
        gen.append(g)

def first(label):
    for (l, b) in blocks:
        if l == label:
            return b
    raise SystemExit("missing " + label)

def strip_marker(p):
    return p[4:] if p[:4] == b"\0\0\0\0" else p

out = []
def rec(**kv):
    out.append("\n".join(f"{k}={v}" for k, v in kv.items()))

wire = pcap_ike(pcap)
rec(psk=psk.encode().hex())
for idx, (src, p) in enumerate(wire):
    rec(**{f"msg{idx + 1}_from": src, f"msg{idx + 1}": p.hex()})
rec(dh_secret=first("shared Diffie Hellman secret").hex(),
    skeyid=first("SKEYID").hex(), skeyid_d=first("SKEYID_d").hex(),
    skeyid_a=first("SKEYID_a").hex(), skeyid_e=first("SKEYID_e").hex(),
    ka=first("encryption key Ka").hex(), initial_iv=first("initial IV").hex())
rec(hash_i=first("HASH_I").hex(), hash_r=first("HASH_R").hex())
qm_dh = [b for (l, b) in blocks if l == "DH secret"]
if qm_dh:
    rec(qm_dh_secret=qm_dh[0].hex())
rec(esp_enc_i=first("encryption initiator key").hex(), esp_enc_r=first("encryption responder key").hex(),
    esp_int_i=first("integrity initiator key").hex(), esp_int_r=first("integrity responder key").hex())
print("# strongSwan 5.9.8 responder debug log (interop peer, IKEPEER_DEBUG=1), extracted by")
print("# ike/scripts/extract-strongswan-vectors.py. msgN = IKE messages on the wire in capture order")
print("# (non-ESP marker stripped), msgN_from = sender address.")
print()
print("\n\n".join(out))
