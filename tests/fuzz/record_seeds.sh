#!/bin/bash
# Records the seed corpora of fuzz_session and fuzz_handshake from real servers and minimises
# them with libFuzzer's -merge=1 into tests/fuzz/corpus/{session,handshake} (replacing them).
#   session:   the in-process libvncserver at every encoding, through the stream guard
#              (tests/integration/itest_guard_streams.c, VV_GUARD_CORPUS_OUT), plus the guard
#              corpus's hand-made streams (pseudo-encodings, limits, bad framing)
#   handshake: TigerVNC Xvnc with None, VncAuth, VeNCrypt (every X509/TLS subtype, Plain),
#              RFB 3.3 and 3.7 (record_handshake.py, needs python3), plus a few hand-made ones
#              for what Xvnc never sends (anonymous TLS type 18, a refusal, odd versions)
# usage: tests/fuzz/record_seeds.sh BUILD_DIR WORKDIR [session|handshake]  (default: both)
#   BUILD_DIR: a clang build with -DVNCVIEW_FUZZ=ON (made if missing); WORKDIR: scratch space.
#   VV_TEST_BUILD=DIR: take itest_guard_streams from that (e.g. gcc) build instead.
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 BUILD_DIR WORKDIR [session|handshake]" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$1
WORK=$2
WHICH=${3:-both}
want() { [ "$WHICH" = both ] || [ "$WHICH" = "$1" ]; }
mkdir -p "$WORK" "$BUILD"
WORK=$(cd "$WORK" && pwd)
BUILD=$(cd "$BUILD" && pwd)

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DVNCVIEW_FUZZ=ON >/dev/null
fi
TEST_BUILD=${VV_TEST_BUILD:-$BUILD}
cmake --build "$BUILD" -j2 --target fuzz_session fuzz_handshake >/dev/null
want session && cmake --build "$TEST_BUILD" -j2 --target itest_guard_streams >/dev/null

# --- session: real streams at every encoding, then the guard's hand-made ones.
rm -rf "$WORK/raw-session" "$WORK/raw-handshake"
mkdir -p "$WORK/raw-session" "$WORK/raw-handshake"
if want session; then
    VV_GUARD_CORPUS_OUT="$WORK/raw-session" "$TEST_BUILD/tests/itest_guard_streams" \
        >"$WORK/itest_guard_streams.log" 2>&1
    cp "$HERE"/corpus/guard/hand-* "$HERE"/corpus/guard/bad-* "$WORK/raw-session/"
fi

# shellcheck source=../support/peers.sh disable=SC1091
source "$ROOT/tests/support/peers.sh"
peers_init "$WORK/peers"
RAW=$WORK/raw-handshake

# --- handshake: Xvnc.
rec() { # rec PORT NAME FLAGS1 SCENARIO
    python3 "$HERE/record_handshake.py" "$1" "$RAW/xvnc-$2" "$3" "$4" ||
        peers_fail "recording $2"
}
hand() { printf '%b' "$2" >"$RAW/hand-$1"; }

record_handshakes() {
    peers_require Xvnc vncpasswd openssl python3
    W=$PEERS_WORKDIR
    peers_make_vncpasswd "$W/passwd" secret1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj /CN=localhost -keyout "$W/key.pem" -out "$W/cert.pem" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>"$W/openssl.log"
    ALL=X509Vnc,X509Plain,X509None,TLSVnc,TLSPlain,TLSNone,VncAuth,Plain,None

    N=$(peers_free_display)
    peers_start_xvnc "$N" -SecurityTypes None
    rec $((5900 + N)) none 0 type:1
    rec $((5900 + N)) none-rfb37 0 rfb37:1
    rec $((5900 + N)) none-rfb33 0 rfb33

    N=$(peers_free_display)
    peers_start_xvnc "$N" -SecurityTypes VncAuth -PasswordFile "$W/passwd"
    rec $((5900 + N)) vncauth 0 type:2
    rec $((5900 + N)) vncauth-rfb37 0 rfb37:2
    rec $((5900 + N)) vncauth-rfb33 0 rfb33

    N=$(peers_free_display)
    peers_start_xvnc "$N" -SecurityTypes VncAuth,None -PasswordFile "$W/passwd"
    rec $((5900 + N)) vncauth-none 0 type:2

    N=$(peers_free_display)
    peers_start_xvnc "$N" -SecurityTypes "$ALL" -PasswordFile "$W/passwd" -PlainUsers fuzzuser \
        -X509Cert "$W/cert.pem" -X509Key "$W/key.pem"
    P=$((5900 + N))
    # FLAGS1 picks fuzz_handshake's --security list so that it chooses what was recorded.
    rec $P x509vnc 0 vencrypt:261
    rec $P x509none 8 vencrypt:260
    rec $P x509plain 7 vencrypt:262
    rec $P tlsvnc 6 vencrypt:258
    rec $P tlsnone 14 vencrypt:257
    rec $P tlsplain 11 vencrypt:259
    rec $P plain 3 vencrypt:256
    rec $P vencrypt-vncauth 2 vencrypt-only:2
    rec $P vencrypt-none 1 vencrypt-only:1

    # Hand-made: what Xvnc does not send.
    hand anontls '\x00\x00RFB 003.008\n\x01\x12\x01\x01\x02ABCDEFGHIJKLMNOP\x00\x00\x00\x00'
    hand anontls-none '\x00\x00RFB 003.008\n\x01\x12\x01\x01\x01\x00\x00\x00\x00'
    hand refused '\x00\x00RFB 003.008\n\x00\x00\x00\x00\x1aToo many security failures'
    hand refused33 '\x00\x00RFB 003.003\n\x00\x00\x00\x00\x00\x00\x00\x05hello'
    hand apple '\x00\x00RFB 003.889\n\x02\x1e\x02ABCDEFGHIJKLMNOP\x00\x00\x00\x00'
    hand realvnc4 '\x00\x00RFB 004.001\n\x01\x01\x00\x00\x00\x00'
    { printf '%b' '\x00\x00RFB 003.008\n\x00\x00\x00\x13\x88' && head -c 5000 /dev/zero | tr '\0' r; } \
        >"$RAW/hand-refused-long"
    hand ssh '\x00\x00SSH-2.0-OpenSSH_9.2\r\n'
    hand vencrypt-old '\x00\x00RFB 003.008\n\x01\x13\x00\x01'
    hand vencrypt-nogo '\x00\x00RFB 003.008\n\x01\x13\x00\x02\x00\x01\x00\x00\x01\x05\x00'
    hand result-reason '\x00\x00RFB 003.008\n\x01\x02ABCDEFGHIJKLMNOP\x00\x00\x00\x02\x00\x00\x00\x04busy'
    peers_ok "recorded $(find "$RAW" -type f | wc -l) handshake seeds"
}
want handshake && record_handshakes

# --- minimise into the repository's corpora.
merge() { # merge TARGET RAWDIR
    local dest=$HERE/corpus/$1 tmp=$WORK/merged-$1
    rm -rf "$tmp"
    mkdir -p "$tmp"
    "$BUILD/tests/fuzz/fuzz_$1" -merge=1 "$tmp" "$2" >"$WORK/merge-$1.log" 2>&1
    rm -rf "$dest"
    mkdir -p "$dest"
    # Stable, readable names: the seed's own name where it survived, else its hash.
    for f in "$tmp"/*; do
        local name=""
        for g in "$2"/*; do
            if cmp -s "$f" "$g"; then
                name=$(basename "$g")
                break
            fi
        done
        cp "$f" "$dest/${name:-$(basename "$f")}"
    done
    peers_ok "corpus/$1: $(find "$2" -type f | wc -l) seeds minimised to $(find "$dest" -type f | wc -l)"
}
want session && merge session "$WORK/raw-session"
want handshake && merge handshake "$RAW"
peers_finish
