#!/usr/bin/env bash
# X509 inside the SSH tunnel: the certificate is checked against the host the user TYPED (as
# the SSH server resolves it), never the tunnel's endpoint. Xvnc (127.0.0.1 only) serves
# X509Vnc with a certificate for DNS:localhost only; through sshd on 127.0.0.1:
#   localhost:N --ssh ... --ca ca.pem   -> verified TLS inside the tunnel, pixels equal xwd
#   127.0.0.1:N --ssh ... --ca ca.pem   -> refused (19): the certificate is not for 127.0.0.1
# Usage: bash ssh_tls.sh /path/to/vncview WORKDIR
VNCVIEW=${1:?usage: ssh_tls.sh /path/to/vncview WORKDIR}
# shellcheck source-path=SCRIPTDIR source=../support/peers.sh
source "$(dirname "$0")/../support/peers.sh"
peers_init "${2:?usage: ssh_tls.sh /path/to/vncview WORKDIR}"
W=$PEERS_WORKDIR
peers_require Xvnc vncpasswd openssl xwd convert compare ssh-keygen || exit 1
unset VNC_PASSWORD SSH_AUTH_SOCK SSH_AGENT_PID
export HOME=$W VNCVIEW_STORE="$W/store.db"
PW='Tun-tls8'

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$W/ca-key.pem" -out "$W/ca.pem" -subj "/CN=vncview tunnel test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
    2>>"$W/openssl.log" &&
    printf 'subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$W/ext" &&
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$W/srv-key.pem" -out "$W/srv.csr" -subj "/CN=localhost" 2>>"$W/openssl.log" &&
    openssl x509 -req -in "$W/srv.csr" -CA "$W/ca.pem" -CAkey "$W/ca-key.pem" -CAcreateserial \
        -days 2 -extfile "$W/ext" -out "$W/srv.pem" 2>>"$W/openssl.log" ||
    { peers_fail "openssl: $(tail -3 "$W/openssl.log")"; peers_finish; }

N=$(peers_free_display) || exit 1
peers_make_vncpasswd "$W/pw" "$PW" || exit 1
peers_start_xvnc "$N" -SecurityTypes X509Vnc -X509Cert "$W/srv.pem" -X509Key "$W/srv-key.pem" \
    -PasswordFile "$W/pw" || exit 1
peers_paint_test_pattern "$N" || exit 1
peers_park_pointer "$N" || exit 1
peers_xwd_png "$N" "$W/xwd.png" || exit 1

peers_make_ssh_key "$W/id_test" || exit 1
peers_authorize_ssh_key "$W/id_test.pub" || exit 1
SSHPORT=
peers_start_sshd SSHPORT || exit 1
printf 'Host *\n    IdentityFile %s\n    UserKnownHostsFile %s\n    StrictHostKeyChecking accept-new\n' \
    "$W/id_test" "$W/known_hosts" >"$W/ssh.cfg"
SSH=(--ssh "root@127.0.0.1:$SSHPORT" --ssh-config "$W/ssh.cfg" --ca "$W/ca.pem")

export VNC_PASSWORD=$PW
if peers_run typed-localhost 30 "$VNCVIEW" snapshot "localhost:$N" "${SSH[@]}" --verbose \
    -o "$W/out.png"; then
    diff=$(peers_compare_png "$W/out.png" "$W/xwd.png")
    [ "$diff" = 0 ] && peers_ok "localhost:$N through the tunnel equals xwd" ||
        peers_fail "localhost:$N through the tunnel differs from xwd in $diff pixels"
    if grep -q "SSH tunnel via root@127.0.0.1:$SSHPORT.*verified TLS (X509Vnc" \
        "$W/typed-localhost.err"; then
        peers_ok "security says: SSH tunnel with verified TLS inside"
    else
        peers_fail "security text: $(grep -i 'security' "$W/typed-localhost.err" | tail -1)"
    fi
else
    peers_fail "localhost:$N through the tunnel: exit $PEERS_RC: $(head -c 400 "$W/typed-localhost.err")"
fi

peers_run typed-ip 30 "$VNCVIEW" snapshot "127.0.0.1:$N" "${SSH[@]}" -o "$W/ip.png"
if [ "$PEERS_RC" = 19 ] && grep -q "127.0.0.1" "$W/typed-ip.err" && [ ! -e "$W/ip.png" ]; then
    peers_ok "127.0.0.1:$N refused: the certificate is for localhost only (exit 19)"
else
    peers_fail "127.0.0.1:$N: exit $PEERS_RC, expected 19: $(head -c 400 "$W/typed-ip.err")"
fi
peers_finish
