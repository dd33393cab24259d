#!/usr/bin/env python3
"""Records what a real VNC server (TigerVNC Xvnc) sends during one handshake, as a seed for
fuzz_handshake (tests/fuzz/fuzz_handshake.c): two flag bytes, then the server's bytes, with the
pretend-TLS control bytes of fuzz_hs_shim.c inserted where TLS starts (0x01 = TLS up, then 0x00 =
certificate verified for X509 subtypes) and the server's plaintext from inside TLS after them.
Only used by record_seeds.sh; the password is deliberately wrong (the server then sends its
failure reason, which is what the parser must handle).

usage: record_handshake.py PORT OUT FLAGS1 SCENARIO
  SCENARIO: rfb33 | rfb37:TYPE | type:TYPE | vencrypt:SUBTYPE | vencrypt-only:SUBTYPE
  (vencrypt-only: the seed's security type list is cut to VeNCrypt alone, so that a policy of
  None or VncAuth must take them as VeNCrypt subtypes)"""
import socket
import ssl
import struct
import sys

X509 = {260, 261, 262}
TLS = {257, 258, 259} | X509
VNC = {2, 258, 261}
PLAIN = {256, 259, 262}


class Rec:
    def __init__(self, sock):
        self.sock = sock
        self.data = bytearray()

    def read(self, n):
        out = bytearray()
        while len(out) < n:
            b = self.sock.recv(n - len(out))
            if not b:
                break
            out += b
        self.data += out
        if len(out) < n:
            raise EOFError("server closed after %d of %d bytes" % (len(out), n))
        return bytes(out)

    def u32(self):
        return struct.unpack(">I", self.read(4))[0]

    def send(self, b):
        self.sock.sendall(b)

    def reason(self):
        self.read(self.u32())

    def result(self, minor):
        if self.u32() != 0 and minor >= 8:
            self.reason()


def sub_auth(r, t, minor):
    if t == 1 and minor < 8:
        return  # RFB 3.3 and 3.7 send no SecurityResult after None
    if t in VNC:
        r.read(16)
        r.send(bytes(16))  # a wrong response: the server explains its refusal
    elif t in PLAIN:
        user, pw = b"fuzzuser", b"wrong-pw"
        r.send(struct.pack(">II", len(user), len(pw)) + user + pw)
    r.result(minor)


def start_tls(r, sub):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if sub not in X509:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("aNULL:@SECLEVEL=0")
    r.data += b"\x01" + (b"\x00" if sub in X509 else b"")
    r.sock = ctx.wrap_socket(r.sock)


def vencrypt(r, sub, minor):
    r.read(2)
    r.send(b"\x00\x02")
    if r.read(1) != b"\x00":
        return
    count = r.read(1)[0]
    offered = struct.unpack(">%dI" % count, r.read(4 * count))
    if sub not in offered:
        raise SystemExit("server does not offer subtype %d (offers %s)" % (sub, offered))
    r.send(struct.pack(">I", sub))
    if sub in TLS:
        if r.read(1) == b"\x00":
            return
        start_tls(r, sub)
    sub_auth(r, sub, minor)


def main():
    port, out, flags1, scenario = int(sys.argv[1]), sys.argv[2], int(sys.argv[3], 0), sys.argv[4]
    r = Rec(socket.create_connection(("127.0.0.1", port), timeout=20))
    r.read(12)
    kind, _, num = scenario.partition(":")
    minor = {"rfb33": 3, "rfb37": 7}.get(kind, 8)
    r.send(b"RFB 003.%03d\n" % minor)
    if minor != 8:
        # The server said 3.8 and accepted less: the seed must announce what was spoken.
        r.data[0:12] = b"RFB 003.%03d\n" % minor
    try:
        if minor == 3:
            t = r.u32()
            if t == 0:
                r.reason()
            else:
                sub_auth(r, t, minor)
        else:
            types = r.read(r.read(1)[0])
            want = 19 if kind.startswith("vencrypt") else int(num)
            if kind == "vencrypt-only":
                r.data[12:] = b"\x01\x13"
            if want not in types:
                raise SystemExit("server does not offer type %d (offers %s)" % (want, list(types)))
            r.send(bytes([want]))
            if want == 19:
                vencrypt(r, int(num), minor)
            else:
                sub_auth(r, want, minor)
    except EOFError:
        pass  # a server may just hang up: that is a seed too
    with open(out, "wb") as f:
        f.write(bytes([0, flags1]) + bytes(r.data))
    print("%s: %d bytes" % (out, len(r.data) + 2))


if __name__ == "__main__":
    main()
