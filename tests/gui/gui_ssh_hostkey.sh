#!/usr/bin/env bash
# GUI test under Xvfb: vncview --ssh to a local OpenSSH sshd whose host key is not known yet.
# The viewer asks about the host key first (Refuse is the default); "Accept and remember"
# (Left, Enter) writes known_hosts, then the VNC password is asked, then the desktop shows with
# the blue SSH badge in the top right. A second viewer then connects without a question; a
# third, given an encrypted key, asks for its passphrase and logs in with it.
# HOME is the work directory; the SSH config names known_hosts and the key there.
# Usage: gui_ssh_hostkey.sh /path/to/vncview WORKDIR
set -u
VNCVIEW=$1
source "$(dirname "$0")/../support/peers.sh"
peers_init "$2"
peers_require Xvnc Xvfb xdotool import convert vncpasswd ssh-keygen || exit 1
W=$PEERS_WORKDIR
export HOME=$W
export VNCVIEW_STORE="$W/store.db"
export XDG_DATA_HOME="$W/xdg"
unset VNC_PASSWORD SSH_AUTH_SOCK SSH_AGENT_PID

V=$(peers_free_display) || exit 1
R=$(peers_free_display) || exit 1
peers_start_xvfb "$V" 1280x1024x24 || peers_finish
peers_make_vncpasswd "$W/pw" ssh-gui1
peers_start_xvnc "$R" -SecurityTypes VncAuth -PasswordFile "$W/pw" || peers_finish
DISPLAY=:$R xsetroot -solid '#6a5acd'
peers_make_ssh_key "$W/id_test" && peers_authorize_ssh_key "$W/id_test.pub" || peers_finish
peers_make_ssh_key "$W/id_enc" key-pass-1 && peers_authorize_ssh_key "$W/id_enc.pub" || peers_finish
SSHPORT=
peers_start_sshd SSHPORT || peers_finish
printf 'Host *\n    UserKnownHostsFile %s/known_hosts\n    IdentityFile %s/id_test\n' "$W" "$W" \
    >"$W/ssh.cfg"

log="$W/vncview.log"
peers_start "vncview" "$log" env DISPLAY=:$V LD_PRELOAD="$(peers_gl_preload "$VNCVIEW")" "$VNCVIEW" --verbose "localhost:$R" \
    --ssh "root@127.0.0.1:$SSHPORT" --ssh-config "$W/ssh.cfg"
VPID=$PEERS_LAST_PID
wid=$(peers_wait_window "$V" 'vncview' 10) || { peers_fail "no window"; peers_finish; }
sleep 1.5
eval "$(DISPLAY=:$V xdotool getwindowgeometry --shell "$wid")" # X Y WIDTH HEIGHT
DISPLAY=:$V xdotool windowfocus "$wid"
shot() { DISPLAY=:$V import -window root "$W/$1.png"; }
# Pixels of the dialog's default button (accent blue #4084F0) in the window.
blue() { peers_count_colour "$W/$1.png" "${WIDTH}x${HEIGHT}+$X+$Y" 4084F0 2; }

shot hostkey
b=$(blue hostkey)
if [ "${b:-0}" -gt 500 ]; then peers_ok "host key question drawn, default button shown ($b)"; else
    peers_fail "no dialog button in the window ($b px of #4084F0)"
fi
grep -q "connected to" "$log" && peers_fail "connected before the host key was accepted"
[ -e "$W/known_hosts" ] && peers_fail "known_hosts written before the answer"
kill -0 "$VPID" 2>/dev/null && peers_ok "viewer waits for the answer" ||
    peers_fail "viewer exited at the host key question: $(tail -3 "$log")"

# Refuse (the last button) has the focus; Left moves it to "Accept and remember".
DISPLAY=:$V xdotool key Left
sleep 0.3
DISPLAY=:$V xdotool key Return
for _ in $(seq 1 30); do
    grep -q "Permanently added" "$log" && break
    sleep 0.1
done
sleep 1
shot password
b=$(blue password)
[ "${b:-0}" -gt 500 ] && peers_ok "VNC password asked after the host key ($b)" ||
    peers_fail "no password prompt after accepting the host key ($b)"
if ssh-keygen -F "[127.0.0.1]:$SSHPORT" -f "$W/known_hosts" | grep -q "found: line 1"; then
    peers_ok "known_hosts has the entry (ssh-keygen -F finds it)"
else
    peers_fail "known_hosts lacks [127.0.0.1]:$SSHPORT: $(cat "$W/known_hosts" 2>&1)"
fi
grep -q "connected to" "$log" && peers_fail "connected without a password?"

DISPLAY=:$V xdotool type --delay 20 'ssh-gui1'
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
eval "$(DISPLAY=:$V xdotool getwindowgeometry --shell "$wid")"
# The badge: a pill at the top (right-aligned; long texts reach far left), its padlock and frame in SSH blue #409CFF.
sshblue=$(peers_count_colour "$W/badge.png" "${WIDTH}x60+$X+$Y" 409CFF 12)
red=$(peers_count_colour "$W/badge.png" "${WIDTH}x60+$X+$Y" FF453A 12)
if [ "${sshblue:-0}" -gt 40 ] && [ "${red:-0}" -lt 10 ]; then
    peers_ok "blue SSH badge in the top right ($sshblue blue px)"
else
    peers_fail "no blue SSH badge: $sshblue blue, $red red px"
fi
if grep -q "security: SSH tunnel via root@127.0.0.1:$SSHPORT" "$log"; then
    peers_ok "log says SSH tunnel via root@127.0.0.1:$SSHPORT"
else
    peers_fail "log lacks the SSH tunnel security: $(grep -m1 'security:' "$log")"
fi
c=$(peers_pixel "$W/badge.png" $((X + WIDTH / 2)) $((Y + HEIGHT / 2)))
[ "${c^^}" = 6A5ACD ] && peers_ok "remote desktop shown" || peers_fail "centre pixel #$c, expected #6A5ACD"
peers_stop_named vncview

# Remembered now: a second viewer connects with no host key question (it would wait for one).
peers_start "vncview2" "$W/vncview2.log" env DISPLAY=:$V VNC_PASSWORD=ssh-gui1 "$VNCVIEW" \
    --verbose "localhost:$R" --ssh "root@127.0.0.1:$SSHPORT" --ssh-config "$W/ssh.cfg"
for _ in $(seq 1 80); do
    grep -q "connected to" "$W/vncview2.log" && break
    sleep 0.1
done
if grep -q "connected to.*SSH tunnel via .*host key verified" "$W/vncview2.log"; then
    peers_ok "second connection: host key verified, no question"
else
    peers_fail "second connection did not connect by itself: $(tail -3 "$W/vncview2.log")"
fi
peers_stop_named vncview2

# An encrypted key: its passphrase is asked in the window, and the right one logs in.
printf 'Host *\n    UserKnownHostsFile %s/known_hosts\n' "$W" >"$W/nokey.cfg"
peers_start "vncview3" "$W/vncview3.log" env DISPLAY=:$V VNC_PASSWORD=ssh-gui1 "$VNCVIEW" \
    --verbose "localhost:$R" --ssh "root@127.0.0.1:$SSHPORT" --ssh-config "$W/nokey.cfg" \
    --ssh-key "$W/id_enc"
wid=$(peers_wait_window "$V" 'vncview' 10) || { peers_fail "no window"; peers_finish; }
sleep 1.5
eval "$(DISPLAY=:$V xdotool getwindowgeometry --shell "$wid")"
DISPLAY=:$V xdotool windowfocus "$wid"
shot passphrase
b=$(blue passphrase)
[ "${b:-0}" -gt 500 ] && peers_ok "key passphrase asked ($b)" ||
    peers_fail "no passphrase prompt ($b): $(tail -3 "$W/vncview3.log")"
DISPLAY=:$V xdotool type --delay 20 'key-pass-1'
DISPLAY=:$V xdotool key Return
for _ in $(seq 1 80); do
    grep -q "connected to" "$W/vncview3.log" && break
    sleep 0.1
done
if grep -q "accepted the key ~/id_enc" "$W/vncview3.log" &&
    grep -q "connected to" "$W/vncview3.log"; then
    peers_ok "the encrypted key logs in with its passphrase"
else
    peers_fail "not connected with the encrypted key: $(tail -3 "$W/vncview3.log")"
fi
grep -q "ssh-gui1\|key-pass-1" "$log" "$W/vncview2.log" "$W/vncview3.log" &&
    peers_fail "a password or passphrase appears in a log"
peers_finish
