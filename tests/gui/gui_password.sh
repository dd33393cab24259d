#!/usr/bin/env bash
# GUI test under Xvfb: with no password given, the viewer asks for one in its window; a wrong
# answer is refused and asked again; the right one connects. The prompts are checked on
# screenshots. Usage: gui_password.sh /path/to/vncview WORKDIR
set -u
VNCVIEW=$1
source "$(dirname "$0")/../support/peers.sh"
peers_init "$2"
peers_require Xvnc Xvfb xdotool import convert vncpasswd

V=$(peers_free_display) || exit 1
R=$(peers_free_display) || exit 1
peers_start_xvfb "$V" 1280x1024x24 || peers_finish
peers_make_vncpasswd "$PEERS_WORKDIR/pw" right-pw
peers_start_xvnc "$R" -SecurityTypes VncAuth -PasswordFile "$PEERS_WORKDIR/pw" || peers_finish
DISPLAY=:$R xsetroot -solid '#6a5acd'

unset VNC_PASSWORD
log="$PEERS_WORKDIR/vncview.log"
peers_start "vncview" "$log" env DISPLAY=:$V LD_PRELOAD="$(peers_gl_preload "$VNCVIEW")" "$VNCVIEW" --verbose "127.0.0.1:$R"
VPID=$PEERS_LAST_PID
wid=""
for _ in $(seq 1 100); do
    wid=$(DISPLAY=:$V xdotool search --name 'vncview' 2>/dev/null | head -1)
    [ -n "$wid" ] && break
    sleep 0.1
done
[ -n "$wid" ] || { peers_fail "no window"; peers_finish; }
sleep 1.5
eval "$(DISPLAY=:$V xdotool getwindowgeometry --shell "$wid")"
DISPLAY=:$V xdotool windowfocus "$wid"
shot() { DISPLAY=:$V import -window root "$PEERS_WORKDIR/$1.png"; }
# Pixels of the dialog's default button (accent blue #4084F0) in the window: the OK button of
# a prompt covers some thousands; the connecting screen has none.
bright() {
    convert "$PEERS_WORKDIR/$1.png" -crop "${WIDTH}x${HEIGHT}+$X+$Y" +repage -fuzz 2% \
        -fill black +opaque '#4084F0' -fill white -opaque '#4084F0' -colorspace Gray \
        -format "%[fx:round(mean*w*h)]" info:
}
shot prompt
b=$(bright prompt)
if [ "${b:-0}" -gt 500 ]; then peers_ok "a password prompt is drawn in the window ($b)"; else
    peers_fail "no prompt text visible in the window ($b)"
fi
grep -q "connected to" "$log" && peers_fail "connected without a password?"

DISPLAY=:$V xdotool type --delay 20 'wrong-pw'
DISPLAY=:$V xdotool key Return
sleep 2
shot retry
if grep -q "rejected the password" "$log"; then peers_ok "wrong password reported"; else
    peers_fail "no rejection in the log"
fi
kill -0 "$VPID" 2>/dev/null && peers_ok "viewer still running after a wrong password" ||
    peers_fail "viewer exited after a wrong password"
b=$(bright retry)
[ "${b:-0}" -gt 500 ] && peers_ok "asked again ($b)" || peers_fail "no second prompt ($b)"

DISPLAY=:$V xdotool type --delay 20 'right-pw'
DISPLAY=:$V xdotool key Return
for _ in $(seq 1 50); do
    grep -q "connected to" "$log" && break
    sleep 0.1
done
if grep -q "connected to" "$log"; then peers_ok "the right password connects"; else
    peers_fail "not connected after the right password"
fi
sleep 5 # past the security badge
shot connected
c=$(convert "$PEERS_WORKDIR/connected.png" -format "%[hex:u.p{$((X + WIDTH / 2)),$((Y + HEIGHT / 2))}]" info: | cut -c1-6)
[ "$c" = 6A5ACD ] && peers_ok "remote desktop shown after login" ||
    peers_fail "centre pixel #$c, expected #6A5ACD"
if grep -q "right-pw\|wrong-pw" "$log"; then peers_fail "a password appears in the log"; else
    peers_ok "no password in the log"
fi
peers_finish
