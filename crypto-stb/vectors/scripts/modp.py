# Derives the MODP primes of RFC 2409/3526 from their formula (needs `pip install mpmath`),
# checks they are safe primes, prints their hex, then the self-test digests of modp.rs.
# Run: python3 crypto-stb/vectors/scripts/modp.py
import mpmath
mpmath.mp.prec = 9000
ks = {768:149686, 1024:129093, 1536:741804, 2048:124476, 3072:1690314, 4096:240904, 6144:929484, 8192:4743158}
pi = mpmath.pi
out = {}
for n,k in ks.items():
    f = int(mpmath.floor(mpmath.mpf(2)**(n-130) * pi))
    p = 2**n - 2**(n-64) - 1 + 2**64 * (f + k)
    assert p.bit_length() == n
    # Miller-Rabin
    import random
    def mr(p, r=20):
        d=p-1; s=0
        while d%2==0: d//=2; s+=1
        for _ in range(r):
            a=random.randrange(2,p-2); x=pow(a,d,p)
            if x in (1,p-1): continue
            for _ in range(s-1):
                x=x*x%p
                if x==p-1: break
            else: return False
        return True
    assert mr(p) and mr((p-1)//2)
    out[n]=format(p,'X')
    print(n, out[n])
# MODP known answers with Python's built-in pow (independent of crypto-bigint).
import hashlib
p={str(k): v for k, v in out.items()}
xa=int.from_bytes(hashlib.sha256(b"zubr-modp-a").digest(),'big')
xb=int.from_bytes(hashlib.sha256(b"zubr-modp-b").digest(),'big')
print('xa', format(xa,'064x')); print('xb', format(xb,'064x'))
for n in ['768','1024','1536','2048','3072','4096','6144','8192']:
    P=int(p[n],16); L=int(n)//8
    ya=pow(2,xa,P); yb=pow(2,xb,P); z=pow(yb,xa,P)
    assert z==pow(ya,xb,P)
    h=lambda v: hashlib.sha256(v.to_bytes(L,'big')).hexdigest()
    print(n, h(ya), h(z))
