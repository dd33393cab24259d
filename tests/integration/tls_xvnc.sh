#!/usr/bin/env bash
# vncview snapshot against TigerVNC Xvnc with VeNCrypt: certificates made at test time (a CA, a
# server certificate it signed, a self-signed replacement, one for another name). Checks: CA
# trust with --ca (pixels equal xwd), an untrusted certificate refused with its fingerprint and
# the exact `vncview trust add` command, that command makes it pinned, a changed certificate is
# refused loudly, a name mismatch is refused, X509None/TLSVnc/TLSNone, no downgrade, and that
# our preference order beats the server's.
# Usage: bash tls_xvnc.sh /path/to/vncview WORKDIR
VNCVIEW=${1:?usage: tls_xvnc.sh /path/to/vncview WORKDIR}
# shellcheck source-path=SCRIPTDIR source=../support/peers.sh
source "$(dirname "$0")/../support/peers.sh"
peers_init "${2:?usage: tls_xvnc.sh /path/to/vncview WORKDIR}"
W=$PEERS_WORKDIR

peers_require Xvnc vncpasswd openssl xdpyinfo xsetroot xwd convert compare identify display \
    xdotool setsid timeout || exit 1
if [ ! -x "$VNCVIEW" ]; then
    echo "FAIL vncview not found or not executable: $VNCVIEW"
    exit 1
fi
# Pins go to a store of this test only; a password from the developer's environment must not
# leak into the checks.
export VNCVIEW_STORE="$W/store.db"
unset VNC_PASSWORD
export XDG_DATA_HOME="$W/xdg" # in case the store variable were ignored: still not the user's
PW='Tls-pw.8'
LIMIT=30

# ---- Certificates ----
# mkcert NAME SAN [CA]: NAME-key.pem + NAME.pem, signed by the CA, or self-signed without one.
mkcert() {
    local name=$1 san=$2 ca=$3
    local ext="$W/$name.ext"
    printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
        "$san" >"$ext"
    if [ -n "$ca" ]; then
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout "$W/$name-key.pem" -out "$W/$name.csr" -subj "/CN=${san%%,*}" \
            2>>"$W/openssl.log" &&
            openssl x509 -req -in "$W/$name.csr" -CA "$W/$ca.pem" -CAkey "$W/$ca-key.pem" \
                -CAcreateserial -days 2 -extfile "$ext" -out "$W/$name.pem" 2>>"$W/openssl.log"
    else
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -keyout "$W/$name-key.pem" -out "$W/$name.pem" -subj "/CN=vncview test self-signed" \
            -addext "subjectAltName=${san}" 2>>"$W/openssl.log"
    fi
}
fingerprint() {
    openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=/SHA256:/'
}
if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$W/ca-key.pem" -out "$W/ca.pem" -subj "/CN=vncview test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>>"$W/openssl.log" ||
    ! mkcert server "DNS:localhost,IP:127.0.0.1" ca ||
    ! mkcert changed "DNS:localhost,IP:127.0.0.1" ||
    ! mkcert other "DNS:otherhost" ca; then
    peers_fail "openssl could not make the test certificates: $(tail -3 "$W/openssl.log")"
    peers_finish
fi
FP_SERVER=$(fingerprint "$W/server.pem")
FP_CHANGED=$(fingerprint "$W/changed.pem")

N=$(peers_free_display) || exit 1
ADDR="127.0.0.1:$N"
peers_make_vncpasswd "$W/pw" "$PW" || exit 1

# xvnc SECURITYTYPES CERT: (re)starts Xvnc :N with that certificate.
xvnc() {
    peers_stop_named "Xvnc :$N"
    peers_start_xvnc "$N" -SecurityTypes "$1" -X509Cert "$W/$2.pem" -X509Key "$W/$2-key.pem" \
        -PasswordFile "$W/pw"
}

# run NAME WANT-RC ARGS...: a snapshot with the password in the environment.
run() {
    local name=$1 want=$2
    shift 2
    peers_run "$name" "$LIMIT" env VNC_PASSWORD="$PW" "$VNCVIEW" snapshot "$ADDR" \
        -o "$W/$name.png" "$@"
    if [ "$PEERS_RC" -eq "$want" ]; then
        peers_ok "$name: exit code $want"
        return 0
    fi
    peers_fail "$name: exit code $PEERS_RC, expected $want: $(head -c 600 "$W/$name.err")"
    return 1
}
# says NAME DESCRIPTION FIXED-STRING...: every string occurs in NAME's stderr.
says() {
    local name=$1 what=$2 s
    shift 2
    for s in "$@"; do
        if ! grep -qF -- "$s" "$W/$name.err"; then
            peers_fail "$name: stderr does not say $what ('$s'): $(head -c 600 "$W/$name.err")"
            return 1
        fi
    done
    peers_ok "$name: says $what"
}

# 1. CA-signed certificate, trusted through --ca: the picture arrives intact.
xvnc X509Vnc server || peers_finish
peers_paint_test_pattern "$N" || exit 1
peers_park_pointer "$N" || exit 1
peers_xwd_png "$N" "$W/xwd.png" || exit 1
if run a-ca 0 --ca "$W/ca.pem" --verbose; then
    if diff=$(peers_compare_png "$W/xwd.png" "$W/a-ca.png"); then
        peers_ok "a-ca: snapshot equals xwd -root"
    else
        peers_fail "a-ca: snapshot differs from xwd -root (${diff:-cannot compare})"
    fi
    says a-ca "verified TLS" "verified TLS (X509Vnc, TLS1."
    TLSVER=$(grep -o 'verified TLS (X509Vnc, TLS1\.[0-9]' "$W/a-ca.err" | head -1 | sed 's/.*, //')
    echo "note: Xvnc negotiated $TLSVER with vncview's NORMAL priority"
fi

# 2. Without --ca: not trusted; the message has the fingerprint and the command to pin it.
if run b-untrusted 19; then
    says b-untrusted "why, the fingerprint and the trust command" "not trusted" \
        "authority that is not trusted" "vncview trust add $ADDR $FP_SERVER"
fi
[ -e "$W/b-untrusted.png" ] && peers_fail "b-untrusted: wrote a PNG"

# 3. Run exactly the command it printed; then the certificate is pinned.
cmd=$(grep -o "vncview trust add [^ ]* SHA256:[0-9A-F:]*" "$W/b-untrusted.err" | head -1)
if [ -n "$cmd" ]; then
    # shellcheck disable=SC2086 # the command's words, as a user would paste them
    if peers_run c-trust-add 10 "$VNCVIEW" ${cmd#vncview }; then
        peers_ok "c-trust-add: '$cmd' succeeded"
    else
        peers_fail "c-trust-add: '$cmd' exit $PEERS_RC: $(cat "$W/c-trust-add.err")"
    fi
    if run d-pinned 0 --verbose; then
        says d-pinned "pinned" "verified TLS (X509Vnc, TLS1." "pinned cert ${FP_SERVER:0:30}"
    fi
    if peers_run d-list 10 "$VNCVIEW" trust list && grep -qF "$FP_SERVER" "$W/d-list.out"; then
        peers_ok "d-list: trust list shows the pin"
    else
        peers_fail "d-list: trust list does not show $FP_SERVER: $(cat "$W/d-list.out" "$W/d-list.err")"
    fi
else
    peers_fail "c-trust-add: no trust command in the message"
fi

# 4. The server now presents another certificate: refused, loudly, never asked.
xvnc X509Vnc changed || peers_finish
if run e-changed 19; then
    says e-changed "the change, both fingerprints and how to remove the pin" \
        "WARNING: THE CERTIFICATE OF $ADDR HAS CHANGED!" "intercepting" "$FP_SERVER" \
        "$FP_CHANGED" "vncview trust remove $ADDR"
fi

# 5. A certificate from the trusted CA, but for another name.
peers_run f-remove 10 "$VNCVIEW" trust remove "$ADDR" ||
    peers_fail "f-remove: trust remove failed: $(cat "$W/f-remove.err")"
xvnc X509Vnc other || peers_finish
if run f-mismatch 19 --ca "$W/ca.pem"; then
    says f-mismatch "the name it was issued for and the name asked for" \
        "issued for otherhost, not 127.0.0.1" "vncview trust add $ADDR"
fi

# 6. X509None connects verified; TLSVnc and TLSNone connect but say NOT verified.
xvnc X509None,TLSVnc,TLSNone server || peers_finish
if run g-x509none 0 --ca "$W/ca.pem" --verbose; then
    says g-x509none "verified X509None" "verified TLS (X509None, TLS1."
fi
if run h-tlsvnc 0 --security TLSVnc --verbose; then
    says h-tlsvnc "unverified TLSVnc" "encrypted, server identity NOT verified (TLSVnc)"
fi
if run i-tlsnone 0 --security tlsnone --verbose; then
    says i-tlsnone "unverified TLSNone" "encrypted, server identity NOT verified (TLSNone)"
fi

# 7. Only None on offer while X509Vnc is required: no downgrade.
peers_stop_named "Xvnc :$N"
peers_start_xvnc "$N" -SecurityTypes None || peers_finish
if run j-nodowngrade 11 --security X509Vnc; then
    says j-nodowngrade "what was offered and what was asked" "offers None" "X509Vnc"
fi

# 8. Our order decides, not the server's: its list starts with TLSVnc.
xvnc TLSVnc,X509Vnc server || peers_finish
if run k-user-order 0 --security TLSVnc,X509Vnc --verbose; then
    says k-user-order "TLSVnc (the user's first choice)" "NOT verified (TLSVnc)"
fi
if run l-default-order 0 --ca "$W/ca.pem" --verbose; then
    says l-default-order "X509Vnc (verified first)" "verified TLS (X509Vnc, TLS1."
fi

# No secret in any output.
if grep -qF -- "$PW" "$W"/*.err "$W"/*.out 2>/dev/null; then
    peers_fail "the password appears in vncview's output"
else
    peers_ok "no password in vncview's output"
fi
peers_finish
