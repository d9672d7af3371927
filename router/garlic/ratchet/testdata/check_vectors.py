# check_vectors.py checks vectors.txt (written by TestVectors) with an
# implementation of ecies.rst's New Session, New Session Reply and Existing
# Session KDFs written from the specification text, sharing no code with
# the Go package. Needs the Python "cryptography" package.
#   python3 check_vectors.py vectors.txt
import hashlib, hmac, sys
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization
v = dict(l.strip().split('=',1) for l in open(sys.argv[1] if len(sys.argv) > 1 else "vectors.txt"))
v = {k: bytes.fromhex(x) for k,x in v.items()}
def sha(*a): return hashlib.sha256(b''.join(a)).digest()
def H(k,d): return hmac.new(k,d,hashlib.sha256).digest()
def hkdf(salt, ikm, info, n):
    prk=H(salt,ikm); out=b''; t=b''; c=1
    while len(out)<n:
        t=H(prk,t+info+bytes([c])); out+=t; c+=1
    return out[:n]
def pub(priv): return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
def dh(priv, pubk): return X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(pubk))
def nonce(n): return b'\0'*4 + n.to_bytes(8,'little')
def dec(k, n, ct, ad): return ChaCha20Poly1305(k).decrypt(nonce(n), ct, ad)
def enc(k, n, pt, ad): return ChaCha20Poly1305(k).encrypt(nonce(n), pt, ad)
def mixkey(ck, ikm):
    o = hkdf(ck, ikm, b'', 64); return o[:32], o[32:]
class TagSet:
    def __init__(s, root, k):
        kd = hkdf(root, k, b"KDFDHRatchetStep", 64); s.next_root, ck = kd[:32], kd[32:]
        kd = hkdf(ck, b"", b"TagAndKeyGenKeys", 64); st, s.kc = kd[:32], kd[32:]
        kd = hkdf(st, b"", b"STInitialization", 64); s.tc, s.const = kd[:32], kd[32:]
    def tag(s):
        kd = hkdf(s.tc, s.const, b"SessionTagKeyGen", 64); s.tc = kd[:32]; return kd[32:40]
    def key(s):
        kd = hkdf(s.kc, b"", b"SymmetricRatchet", 64); s.kc = kd[:32]; return kd[32:]

ask, bsk, aesk = v['ask'], v['bsk'], v['aesk']
apk, bpk, aepk, bepk = pub(ask), pub(bsk), pub(aesk), v['bepk']
# New Session, read as Bob
ns = v['ns']
h = sha(b"Noise_IKelg2+hs2_25519_ChaChaPoly_SHA256"); ck = h
h = sha(h); h = sha(h, bpk); h = sha(h, aepk)
ck, k = mixkey(ck, dh(bsk, aepk))
static = dec(k, 0, ns[32:80], h); assert static == apk, "static key"
h = sha(h, ns[32:80])
ck, k = mixkey(ck, dh(bsk, static))
payload = dec(k, 0, ns[80:], h); h = sha(h, ns[80:])
print("NS payload", payload.hex())
# NSR, read as Alice
nsr = v['nsr']
tsk = hkdf(ck, b"", b"SessionReplyTags", 32)
nsrts = TagSet(ck, tsk)
assert nsr[:8] == nsrts.tag(), "NSR tag"
h2 = sha(h, nsr[:8]); h2 = sha(h2, bepk)
ck2, k = mixkey(ck, dh(aesk, bepk))
ck2, k = mixkey(ck2, dh(ask, bepk))
assert enc(k, 0, b"", h2) == nsr[40:56], "NSR key section MAC"
h2 = sha(h2, nsr[40:56])
kab, kba = mixkey(ck2, b"")
pk = hkdf(kba, b"", b"AttachPayloadKDF", 32)
print("NSR payload", dec(pk, 0, nsr[56:], h2).hex())
ab, ba = TagSet(ck2, kab), TagSet(ck2, kba)
# The first ES of each direction uses index 1: index 0 is skipped (i2pd
# 2.45.1 cannot read an index 0 that arrives after a later index).
for name, ts in (("es1", ab), ("es2", ba)):
    ts.tag(); ts.key()
    m = v[name]; t = ts.tag(); kk = ts.key()
    assert m[:8] == t, name + " tag"
    print(name, "payload", dec(kk, 1, m[8:], m[:8]).hex())
print("OK")
