#!/usr/bin/env bash
# GUI test under Xvfb: against Xvnc with X509Vnc and a self-signed certificate (no pin yet) the
# viewer asks about the certificate first (Refuse is the default); "Trust this certificate"
# (Tab, Enter) stores a pin, then the password is asked, then the desktop shows with a green
# "verified" badge. `vncview trust list` shows the pin, and a second viewer connects without
# any question about the certificate. Usage: gui_cert_prompt.sh /path/to/vncview WORKDIR
set -u
VNCVIEW=$1
# shellcheck source-path=SCRIPTDIR source=../support/peers.sh
source "$(dirname "$0")/../support/peers.sh"
peers_init "$2"
peers_require Xvnc Xvfb xdotool import convert vncpasswd openssl
W=$PEERS_WORKDIR
export VNCVIEW_STORE="$W/store.db"
export XDG_DATA_HOME="$W/xdg"
unset VNC_PASSWORD

V=$(peers_free_display) || exit 1
R=$(peers_free_display) || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$W/key.pem" -out "$W/cert.pem" -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>"$W/openssl.log" ||
    { peers_fail "openssl: $(cat "$W/openssl.log")"; peers_finish; }
FP=$(openssl x509 -in "$W/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=/SHA256:/')
peers_start_xvfb "$V" 1280x1024x24 || peers_finish
peers_make_vncpasswd "$W/pw" cert-pw
peers_start_xvnc "$R" -SecurityTypes X509Vnc -X509Cert "$W/cert.pem" -X509Key "$W/key.pem" \
    -PasswordFile "$W/pw" || peers_finish
DISPLAY=:$R xsetroot -solid '#6a5acd'

log="$W/vncview.log"
peers_start "vncview" "$log" env DISPLAY=:$V LD_PRELOAD="$(peers_gl_preload "$VNCVIEW")" "$VNCVIEW" --verbose "127.0.0.1:$R"
VPID=$PEERS_LAST_PID
wid=$(peers_wait_window "$V" 'vncview' 10) || { peers_fail "no window"; peers_finish; }
sleep 1.5
eval "$(DISPLAY=:$V xdotool getwindowgeometry --shell "$wid")" # X Y WIDTH HEIGHT
DISPLAY=:$V xdotool windowfocus "$wid"
shot() { DISPLAY=:$V import -window root "$W/$1.png"; }
# Pixels of the dialog's default button (accent blue #4084F0) in the window.
blue() { peers_count_colour "$W/$1.png" "${WIDTH}x${HEIGHT}+$X+$Y" 4084F0 2; }

shot cert
b=$(blue cert)
if [ "${b:-0}" -gt 500 ]; then peers_ok "certificate question drawn, default button shown ($b)"; else
    peers_fail "no dialog button in the window ($b px of #4084F0)"
fi
grep -q "connected to" "$log" && peers_fail "connected before the certificate was accepted"
kill -0 "$VPID" 2>/dev/null && peers_ok "viewer waits for the answer" ||
    peers_fail "viewer exited at the certificate question: $(tail -3 "$log")"

# Refuse has the focus; Tab moves it to "Trust this certificate" (first button).
DISPLAY=:$V xdotool key Tab
sleep 0.3
DISPLAY=:$V xdotool key Return
sleep 1.5
shot password
b=$(blue password)
[ "${b:-0}" -gt 500 ] && peers_ok "password asked after the certificate ($b)" ||
    peers_fail "no password prompt after trusting the certificate ($b)"
grep -q "connected to" "$log" && peers_fail "connected without a password?"

DISPLAY=:$V xdotool type --delay 20 'cert-pw'
DISPLAY=:$V xdotool key Return
for _ in $(seq 1 50); do
    grep -q "connected to" "$log" && break
    sleep 0.1
done
if grep -q "connected to" "$log"; then peers_ok "connected after the password"; else
    peers_fail "not connected: $(tail -3 "$log")"
fi
sleep 0.8 # the badge shows for 4 s after connecting
shot badge
# The badge: a pill in the window's top-right corner, its padlock and frame in green #34C759.
green=$(peers_count_colour "$W/badge.png" "$((WIDTH / 2))x60+$((X + WIDTH / 2))+$Y" 34C759 12)
amber=$(peers_count_colour "$W/badge.png" "$((WIDTH / 2))x60+$((X + WIDTH / 2))+$Y" FFB020 12)
if [ "${green:-0}" -gt 40 ] && [ "${amber:-0}" -lt 10 ]; then
    peers_ok "green security badge in the top right ($green green px)"
else
    peers_fail "no green badge: $green green, $amber amber px"
fi
if grep -q "security: verified TLS (X509Vnc, TLS1\.[23], pinned cert SHA256:" "$log"; then
    peers_ok "log says verified TLS with a pinned certificate"
else
    peers_fail "log lacks 'verified TLS ... pinned cert': $(grep -m1 'security:' "$log")"
fi
if peers_run list 10 "$VNCVIEW" trust list && grep -qF "127.0.0.1:$R" "$W/list.out" &&
    grep -qF "$FP" "$W/list.out"; then
    peers_ok "vncview trust list shows the pin"
else
    peers_fail "trust list: $(cat "$W/list.out" "$W/list.err")"
fi
peers_stop_named vncview

# Pinned now: a second viewer connects without any question (it would wait for one).
peers_start "vncview2" "$W/vncview2.log" env DISPLAY=:$V VNC_PASSWORD=cert-pw "$VNCVIEW" \
    --verbose "127.0.0.1:$R"
for _ in $(seq 1 80); do
    grep -q "connected to" "$W/vncview2.log" && break
    sleep 0.1
done
if grep -q "connected to.*pinned cert" "$W/vncview2.log"; then
    peers_ok "second connection: pinned, no question"
else
    peers_fail "second connection did not connect by itself: $(tail -3 "$W/vncview2.log")"
fi
grep -q "cert-pw" "$log" "$W/vncview2.log" && peers_fail "the password appears in a log"
peers_finish
