#!/usr/bin/env python3
"""Builds the golden datagrams of this directory independently of the Go
code, following what i2pd and Java I2P write:

  datagram1-ed25519.hex   i2pd DatagramDestination::SendDatagram (libi2pd/
                          Datagram.cpp, 2.45.1): the sender's identity as in
                          its keys file, the Ed25519 signature of the payload,
                          the payload. Sender: i2pd-eepsite.dat, a keys file
                          written by i2pd 2.45.1 (router/data/testdata/i2pd).
  datagram1-ed25519.i2cp.hex  the same as i2pd's CreateDataMessage frames it
                          without gzip (GzipNoCompression): gzip header with
                          the source port in bytes 4-5, the destination port
                          in 6-7 and protocol 17 in byte 9, one stored block,
                          CRC-32 and size.
  datagram1-dsa.hex       a DSA_SHA1 sender (NULL certificate): the DSA
                          signature (SHA-1 inside DSA) of SHA-256(payload).
                          DSA signatures are random: regenerating changes it.
  datagram2-ed25519.hex   Java I2P Datagram2.make (0.9.66): from, flags 0x0012
                          (version 2, options), options {a=b, foooooooooooo=bar},
                          payload, Ed25519 signature of
                          target hash || flags || options || payload.
  datagram2-offline.hex   the same with flags 0x0032: an offline section
                          (expires 0x7fffffff, Ed25519 transient key whose
                          seed is SHA-256("i2pgate transient"), signed by the
                          sender) and the transient key's signature.
  datagram3.hex           fromhash (the sender's hash), flags 0x0013, the
                          options, payload.

The payload is b"i2pgate golden datagram\\n" followed by bytes 0..255; the
target hash is SHA-256(b"i2pgate datagram target"); ports 1234 -> 5678.
Run from this directory: python3 make_golden.py (needs `cryptography`).
"""
import hashlib
import struct
import zlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives import serialization

PAYLOAD = b"i2pgate golden datagram\n" + bytes(range(256))
TARGET = hashlib.sha256(b"i2pgate datagram target").digest()
SRC_PORT, DST_PORT = 1234, 5678

DSA_P = int("9c05b2aa960d9b97b8931963c9cc9e8c3026e9b8ed92fad0a69cc886d5bf8015fcadae31a0ad18fab3f01b00a358de237655c4964afaa2b337e96ad316b9fb1cc564b5aec5b69a9ff6c3e4548707fef8503d91dd8602e867e6d35d2235c1869ce2479c3b9d5401de04e0727fb33d6511285d4cf29538d9e3b6051f5b22cc1c93", 16)
DSA_Q = int("a5dfc28fef4ca1e286744cd8eed9d29d684046b7", 16)
DSA_G = int("0c1f4d27d40093b429e962d7223824e0bbc47e7c832a39236fc683af84889581075ff9082ed32353d4374d7301cda1d23c431f4698599dda02451824ff369752593647cc3ddc197de985e43d136cdcfc6bd5409cd2f450821142a5e6f8eb1c3ab5d0484b8129fcf17bce4f7f33321c3cb3dbb14a905e7b2b3e93be4708cbcc82", 16)


def write_hex(name, b):
    with open(name, "w") as f:
        h = b.hex()
        for i in range(0, len(h), 64):
            f.write(h[i:i + 64] + "\n")


def eepsite():
    """The identity and Ed25519 seed of the i2pd keys file: a 391-byte
    identity (KEY certificate 05 00 04 00 07 00 00), a 256-byte ElGamal
    private key, the 32-byte Ed25519 seed."""
    b = open("i2pd-eepsite.dat", "rb").read()
    assert len(b) == 679 and b[384:391] == bytes.fromhex("05000400070000")
    return b[:391], ed25519.Ed25519PrivateKey.from_private_bytes(b[647:679])


def mapping(d):
    """A common-structures Mapping sorted by key: 2-byte size, then
    len key = len value ; per entry."""
    body = b""
    for k in sorted(d):
        kb, vb = k.encode(), d[k].encode()
        body += bytes([len(kb)]) + kb + b"=" + bytes([len(vb)]) + vb + b";"
    return struct.pack(">H", len(body)) + body


def i2cp_stored(proto, src, dst, data):
    """i2pd GzipNoCompression with the ports and protocol CreateDataMessage
    writes into the gzip header."""
    hdr = bytearray([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xff])
    struct.pack_into(">HH", hdr, 4, src, dst)
    hdr[9] = proto
    block = bytes([0x01]) + struct.pack("<HH", len(data), 0xffff - len(data))
    trailer = struct.pack("<II", zlib.crc32(data) & 0xffffffff, len(data))
    return bytes(hdr) + block + data + trailer


def main():
    ident, key = eepsite()
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert ident[384 - 32:384] == pub, "Ed25519 key not at the end of the signing area"

    d1 = ident + key.sign(PAYLOAD) + PAYLOAD
    write_hex("datagram1-ed25519.hex", d1)
    write_hex("datagram1-ed25519.i2cp.hex", i2cp_stored(17, SRC_PORT, DST_PORT, d1))

    params = dsa.DSAParameterNumbers(DSA_P, DSA_Q, DSA_G).parameters()
    dkey = params.generate_private_key()
    y = dkey.public_key().public_numbers().y.to_bytes(128, "big")
    dident = hashlib.sha256(b"elgamal filler").digest() * 8 + y + b"\x00\x00\x00"
    r, s = decode_dss_signature(dkey.sign(hashlib.sha256(PAYLOAD).digest(), hashes.SHA1()))
    write_hex("datagram1-dsa.hex", dident + r.to_bytes(20, "big") + s.to_bytes(20, "big") + PAYLOAD)

    opts = mapping({"a": "b", "foooooooooooo": "bar"})
    signed = struct.pack(">H", 0x12) + opts + PAYLOAD
    write_hex("datagram2-ed25519.hex", ident + signed + key.sign(TARGET + signed))

    tkey = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"i2pgate transient").digest())
    tpub = tkey.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    offline = struct.pack(">IH", 0x7fffffff, 7) + tpub
    offline += key.sign(offline)
    signed = struct.pack(">H", 0x32) + opts + offline + PAYLOAD
    write_hex("datagram2-offline.hex", ident + signed + tkey.sign(TARGET + signed))

    write_hex("datagram3.hex", hashlib.sha256(ident).digest() + struct.pack(">H", 0x13) + opts + PAYLOAD)


if __name__ == "__main__":
    main()
