#!/usr/bin/env python3
"""Cross-checks Zubr's ESP/AH against scapy's independent implementation (scapy.layers.ipsec).

Both ways, for every algorithm both have (taken from `zubr esp algorithms`, mapped to scapy's
names on this side only), in tunnel and transport mode, with and without UDP encapsulation, with
and without ESN, AH in both modes, and AH+ESP bundles:

  scapy encrypts -> pcap -> `zubr esp decrypt-pcap` -> must equal the cleartext
  cleartext -> `zubr esp encrypt-pcap` -> pcap -> scapy decrypts -> must equal the cleartext

Usage: esp_scapy_check.py PATH/TO/zubr [--fixtures DIR]
  --fixtures DIR   also write a few scapy-made pcaps with their --sa specs (for cargo tests)
Prints the matrix that passed and `N passed, M failed`; exits 1 on any mismatch.
"""

import copy
import os
import subprocess
import sys
import tempfile

import logging

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.all import IP, TCP, UDP, ICMP, Ether, Raw, raw, rdpcap, wrpcap  # noqa: E402
from scapy.layers.ipsec import AH, ESP, SecurityAssociation  # noqa: E402

# Zubr command-line name -> scapy name. Only this side knows scapy; which algorithms exist is
# Zubr's answer to `zubr esp algorithms`.
ENC = {
    "null": "NULL",
    "aes-cbc": "AES-CBC",
    "aes-ctr": "AES-CTR",
    "aes-gcm-16": "AES-GCM",
    "3des-cbc": "3DES",
    "des-cbc": "DES",
}
AUTH = {
    "hmac-md5-96": "HMAC-MD5-96",
    "hmac-sha1-96": "HMAC-SHA1-96",
    "hmac-sha256-128": "SHA2-256-128",
    "hmac-sha384-192": "SHA2-384-192",
    "hmac-sha512-256": "SHA2-512-256",
}
LEFT, RIGHT = "198.51.100.1", "203.0.113.9"
HOST_A, HOST_B = "10.1.0.5", "10.2.0.7"


def zubr_algorithms(zubr):
    out = subprocess.run([zubr, "esp", "algorithms"], check=True, capture_output=True,
                         text=True, timeout=60).stdout
    enc, auth = [], []
    for line in out.splitlines():
        kind, name, *kv = line.split()
        f = dict(x.split("=", 1) for x in kv)
        if kind == "enc":
            enc.append((name, int(f["key"]), int(f["icv"]) > 0))
        else:
            auth.append((name, int(f["key"]), f["ah"] == "yes"))
    return enc, auth


def cleartext():
    return [
        IP(src=HOST_A, dst=HOST_B, id=1) / UDP(sport=1234, dport=53) / Raw(b""),
        IP(src=HOST_A, dst=HOST_B, id=2) / UDP(sport=1234, dport=53) / Raw(b"x"),
        IP(src=HOST_A, dst=HOST_B, id=3, tos=0x10) / TCP(sport=40000, dport=80, flags="PA")
        / Raw(bytes(range(256)) * 4),
        IP(src=HOST_A, dst=HOST_B, id=4, flags="DF") / ICMP() / Raw(b"ping" * 13),
    ]


class Case:
    """One SA (or an AH+ESP pair) with keys, its scapy SAs and Zubr --sa specs."""

    def __init__(self, label, layers):
        self.label = label
        self.layers = layers  # innermost first: (scapy SA, zubr spec)

    def scapy_encrypt(self, pkt, seq):
        for sa, _ in self.layers:
            pkt = IP(raw(sa.encrypt(pkt, seq_num=seq)))
        return pkt

    def scapy_decrypt(self, pkt):
        for sa, _ in reversed(self.layers):
            pkt = IP(raw(sa.decrypt(pkt)))
        return pkt

    def specs(self):
        return [spec for _, spec in self.layers]


def esp_layer(spi, enc, ekey, auth, akey, mode, udp, esn):
    kw = {}
    if mode == "tunnel":
        kw["tunnel_header"] = IP(src=LEFT, dst=RIGHT)
    if udp:
        kw["nat_t_header"] = UDP(sport=4500, dport=4500)
    sa = SecurityAssociation(ESP, spi=spi, crypt_algo=ENC[enc], crypt_key=ekey,
                             auth_algo=AUTH[auth] if auth else "NULL", auth_key=akey or None,
                             esn_en=esn, esn=0, **kw)
    spec = f"spi={spi:#x},proto=esp,mode={mode},enc={enc},ekey={ekey.hex()}"
    spec += f",auth={auth},akey={akey.hex()}" if auth else ",auth=none"
    if mode == "tunnel":
        spec += f",src={LEFT},dst={RIGHT}"
    if udp:
        spec += ",udp=4500"
    if esn:
        spec += ",esn=1"
    return sa, spec


def ah_over_esp_fix(sa):
    """scapy's AuthAlgo.sign tests for an ESP layer before AH, so AH over ESP would sign the
    ESP packet instead (ICV left zero). Give this SA's algorithm a sign() that first turns the
    AH payload into opaque bytes; scapy still does the zeroing and the MAC."""
    algo = copy.copy(sa.auth_algo)
    orig = algo.sign

    def sign(pkt, key, esn_en=False, esn=0):
        if pkt.haslayer(AH) and pkt.haslayer(ESP):
            ah = pkt[AH]
            load = raw(ah.payload)
            ah.remove_payload()
            ah.add_payload(Raw(load))
        return orig(pkt, key, esn_en=esn_en, esn=esn)

    algo.sign = sign
    sa.auth_algo = algo
    return sa


def ah_layer(spi, auth, akey, mode, esn=False):
    kw = {"tunnel_header": IP(src=LEFT, dst=RIGHT)} if mode == "tunnel" else {}
    sa = ah_over_esp_fix(SecurityAssociation(AH, spi=spi, auth_algo=AUTH[auth], auth_key=akey,
                                             esn_en=esn, esn=0, **kw))
    spec = f"spi={spi:#x},proto=ah,mode={mode},auth={auth},akey={akey.hex()}"
    if mode == "tunnel":
        spec += f",src={LEFT},dst={RIGHT}"
    if esn:
        spec += ",esn=1"
    return sa, spec


def build_cases(enc_list, auth_list):
    cases, spi = [], 0x1000
    encs = [(n, k, aead) for n, k, aead in enc_list if n in ENC]
    auths = [(n, k, ah) for n, k, ah in auth_list if n in AUTH]
    for name, klen, aead in encs:
        for auth in ([None] if aead else [None] + [a for a in auths]):
            if name == "null" and auth is None:
                continue
            for mode in ("tunnel", "transport"):
                for udp in (False, True):
                    for esn in ((False, True) if auth or aead else (False,)):
                        spi += 1
                        ekey, akey = os.urandom(klen), os.urandom(auth[1]) if auth else b""
                        an = auth[0] if auth else None
                        label = f"esp {name}/{klen * 8 if not aead else (klen - 4) * 8} " \
                                f"{an or 'none'} {mode}{' udp' if udp else ''}{' esn' if esn else ''}"
                        cases.append(Case(label, [esp_layer(spi, name, ekey, an, akey, mode,
                                                            udp, esn)]))
    for name, klen, ah_ok in auths:
        if not ah_ok:
            continue
        for mode in ("tunnel", "transport"):
            for esn in (False, True):
                spi += 1
                cases.append(Case(f"ah {name} {mode}{' esn' if esn else ''}",
                                  [ah_layer(spi, name, os.urandom(klen), mode, esn)]))
    # AH+ESP bundles: ESP (tunnel or transport) inside AH transport
    cbc = next(((n, k) for n, k, aead in encs if n == "aes-cbc"), None)
    sha = next(((n, k) for n, k, ah in auths if ah), None)
    if cbc and sha:
        for mode in ("tunnel", "transport"):
            spi += 2
            esp = esp_layer(spi - 1, cbc[0], os.urandom(cbc[1]), sha[0], os.urandom(sha[1]),
                            mode, False, False)
            ah = ah_layer(spi, sha[0], os.urandom(sha[1]), "transport")
            cases.append(Case(f"ah+esp {cbc[0]} {sha[0]} esp-{mode}", [esp, ah]))
    return cases


def run_zubr(zubr, args):
    r = subprocess.run([zubr, "esp", *args], capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


def main():
    zubr = sys.argv[1]
    fixtures = sys.argv[sys.argv.index("--fixtures") + 1] if "--fixtures" in sys.argv else None
    enc_list, auth_list = zubr_algorithms(zubr)
    cases = build_cases(enc_list, auth_list)
    clear = cleartext()
    passed, failed = 0, []
    with tempfile.TemporaryDirectory() as d:
        # scapy -> Zubr: one capture with every case's packets, one decrypt-pcap with every SA
        # (Ethernet link type, so that path is exercised too)
        wire, want = [], []
        for case in cases:
            for i, p in enumerate(clear):
                wire.append(Ether() / case.scapy_encrypt(p.copy(), i + 1))
                want.append((case.label, raw(p)))
        wrpcap(f"{d}/in.pcap", wire)
        args = ["decrypt-pcap"]
        for case in cases:
            for spec in case.specs():
                args += ["--sa", spec]
        rc, out = run_zubr(zubr, args + [f"{d}/in.pcap", f"{d}/out.pcap"])
        got = [raw(p) for p in rdpcap(f"{d}/out.pcap")] if os.path.exists(f"{d}/out.pcap") else []
        if rc != 0 or len(got) != len(want):
            failed.append(f"scapy->zubr: decrypt-pcap exit {rc}, {len(got)}/{len(want)} "
                          f"packets:\n{out[-2000:]}")
        else:
            bad = {label for (label, w), g in zip(want, got) if w != g}
            for case in cases:
                if case.label in bad:
                    failed.append(f"scapy->zubr {case.label}: cleartext differs")
                else:
                    passed += 1
        # Zubr -> scapy: one encrypt-pcap per case
        wrpcap(f"{d}/clear.pcap", clear, linktype=101)
        for case in cases:
            args = ["encrypt-pcap"]
            for spec in case.specs():
                args += ["--sa", spec]
            rc, out = run_zubr(zubr, args + [f"{d}/clear.pcap", f"{d}/enc.pcap"])
            if rc != 0:
                failed.append(f"zubr->scapy {case.label}: encrypt-pcap exit {rc}: {out[-500:]}")
                continue
            try:
                enc = [IP(raw(p)) for p in rdpcap(f"{d}/enc.pcap")]
                dec = [raw(case.scapy_decrypt(p)) for p in enc]
            except Exception as e:  # noqa: BLE001 — any scapy failure is a mismatch
                failed.append(f"zubr->scapy {case.label}: scapy refused: {e}")
                continue
            if dec != [raw(p) for p in clear]:
                failed.append(f"zubr->scapy {case.label}: cleartext differs")
            else:
                passed += 1
        if fixtures:
            os.makedirs(fixtures, exist_ok=True)
            picks = cases[::max(1, len(cases) // 12)]
            picks += [c for c in cases if c.label.startswith("ah+") and c not in picks]
            with open(f"{fixtures}/specs.txt", "w") as f:
                for n, case in enumerate(picks):
                    pk = [case.scapy_encrypt(p.copy(), i + 1) for i, p in enumerate(clear)]
                    wrpcap(f"{fixtures}/case{n}.pcap", pk, linktype=101)
                    f.write(f"case{n} {case.label!r} " + " ".join(case.specs()) + "\n")
            wrpcap(f"{fixtures}/clear.pcap", clear, linktype=101)
    matrix = {}
    for c in cases:
        t = c.label.split()
        key = " ".join(t[:3]) if t[0] == "esp" else " ".join(t[:2])
        rest = t[3:] if t[0] == "esp" else t[2:]
        matrix.setdefault(key, []).append(" ".join(rest))
    print(f"scapy cross-check: {len(cases)} cases x 2 directions (scapy->zubr, zubr->scapy)")
    for key, variants in matrix.items():
        print(f"  {key}: {', '.join(variants)}")
    for f in failed:
        print(f"FAIL {f}")
    print(f"{passed} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
