"""Extracts the Wycheproof subset Zubr tests with, into crypto-stb/tests/data/.

Source: github.com/C2SP/wycheproof, testvectors_v1/ (Apache-2.0), commit noted in each output
file. Run from the repository root with a checkout of that repository:

    python3 crypto-stb/vectors/scripts/wycheproof_subset.py /path/to/wycheproof COMMIT

Output format: the provider's vector format (kat.rs): records of name=value, blank-line
separated. A record with `key=` starts a group (public key, scheme, ...); the records after it
are tests: tc, msg, sig, result (valid | invalid | acceptable).
"""
import json, os, sys

root, commit = sys.argv[1], sys.argv[2]
out_dir = os.path.join(os.path.dirname(__file__), '..', '..', 'tests', 'data')
SCHEME = {'SHA-1': 'rsa-pkcs1-sha1', 'SHA-256': 'rsa-pkcs1-sha256', 'SHA-384': 'rsa-pkcs1-sha384',
          'SHA-512': 'rsa-pkcs1-sha512'}

def load(name):
    return json.load(open(os.path.join(root, 'testvectors_v1', name + '.json')))

def header(names):
    return ['# Wycheproof (C2SP/wycheproof, Apache-2.0) commit %s, testvectors_v1/:' % commit] + \
           ['#   %s.json' % n for n in names] + \
           ['# Extracted by crypto-stb/vectors/scripts/wycheproof_subset.py; tests kept verbatim.', '']

def tests(g):
    out = []
    for t in g['tests']:
        out += ['tc=%d' % t['tcId'], 'msg=' + t['msg'], 'sig=' + t['sig'], 'result=' + t['result'],
                'flags=' + ','.join(t.get('flags', [])), '']
    return out

def rsa_verify(names, fname):
    lines = header(names)
    for n in names:
        for g in load(n)['testGroups']:
            lines += ['# ' + n, 'key=' + g['publicKeyAsn'], 'scheme=' + SCHEME[g['sha']], '']
            lines += tests(g)
    open(os.path.join(out_dir, fname), 'w').write('\n'.join(lines))

def rsa_siggen(names, fname):
    lines = header(names)
    for n in names:
        for g in load(n)['testGroups']:
            if g['sha'] not in SCHEME:
                continue
            lines += ['# ' + n, 'key=' + g['keyAsn'], 'pkcs8=' + g['privateKeyPkcs8'],
                      'scheme=' + SCHEME[g['sha']], '']
            lines += tests(g)
    open(os.path.join(out_dir, fname), 'w').write('\n'.join(lines))

def ecdsa(names, fname, scheme):
    lines = header(names)
    for n in names:
        for g in load(n)['testGroups']:
            lines += ['key=' + g['publicKey']['uncompressed'], 'scheme=' + scheme, '']
            lines += tests(g)
    open(os.path.join(out_dir, fname), 'w').write('\n'.join(lines))

rsa_verify(['rsa_signature_2048_sha256_test', 'rsa_signature_2048_sha512_test',
            'rsa_signature_3072_sha256_test'], 'wycheproof-rsa-pkcs1-verify.txt')
rsa_siggen(['rsa_pkcs1_2048_sig_gen_test', 'rsa_pkcs1_3072_sig_gen_test'],
           'wycheproof-rsa-pkcs1-siggen.txt')
ecdsa(['ecdsa_secp256r1_sha256_test'], 'wycheproof-ecdsa-p256-der.txt', 'ecdsa-p256-sha256')
ecdsa(['ecdsa_secp256r1_sha256_p1363_test'], 'wycheproof-ecdsa-p256-p1363.txt', 'ecdsa-p256-raw')
ecdsa(['ecdsa_secp384r1_sha384_test'], 'wycheproof-ecdsa-p384-der.txt', 'ecdsa-p384-sha384')
ecdsa(['ecdsa_secp384r1_sha384_p1363_test'], 'wycheproof-ecdsa-p384-p1363.txt', 'ecdsa-p384-raw')
print('ok')
