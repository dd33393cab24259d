#!/usr/bin/env bash
# GUI test under Xvfb: the viewer window on one X display shows a real Xvnc desktop; keys typed
# into the viewer window with xdotool arrive in a program inside the Xvnc desktop; the pointer
# follows; the screenshot shows the remote desktop pixel-exact at 1:1; losing the server shows
# the "Connection lost" dialog. Usage: gui_xvnc_input.sh /path/to/vncview WORKDIR
set -u
VNCVIEW=$1
source "$(dirname "$0")/../support/peers.sh"
peers_init "$2"
peers_require Xvnc Xvfb xdotool xterm import convert vncpasswd xclip

V=$(peers_free_display) || exit 1 # the viewer's screen
R=$(peers_free_display) || exit 1 # the remote desktop
peers_start_xvfb "$V" 1280x1024x24 || peers_finish
peers_make_vncpasswd "$PEERS_WORKDIR/pw" guitest
peers_start_xvnc "$R" -SecurityTypes VncAuth -PasswordFile "$PEERS_WORKDIR/pw" || peers_finish
DISPLAY=:$R xsetroot -solid '#2e8b57'
typed="$PEERS_WORKDIR/typed.txt"
: >"$typed"
# A program inside the remote desktop that records what it is typed.
peers_start "xterm in Xvnc" "$PEERS_WORKDIR/xterm.log" env DISPLAY=:$R xterm -geometry 60x10+40+40 \
    -bg '#fdf6e3' -fg black -e sh -c "stty -echo; cat > '$typed'"
sleep 1

export VNC_PASSWORD=guitest
peers_start "vncview" "$PEERS_WORKDIR/vncview.log" env DISPLAY=:$V LD_PRELOAD="$(peers_gl_preload "$VNCVIEW")" "$VNCVIEW" --verbose "127.0.0.1:$R"
VPID=$PEERS_LAST_PID
wid=""
for _ in $(seq 1 100); do
    wid=$(DISPLAY=:$V xdotool search --name 'vncview' 2>/dev/null | head -1)
    [ -n "$wid" ] && DISPLAY=:$V xdotool getwindowname "$wid" | grep -q "127.0.0.1:$R" &&
        grep -q "connected to" "$PEERS_WORKDIR/vncview.log" && break
    sleep 0.1
done
if [ -z "$wid" ]; then
    peers_fail "no vncview window appeared"
    peers_show_log "$PEERS_WORKDIR/vncview.log"
    peers_finish
fi
sleep 1
title=$(DISPLAY=:$V xdotool getwindowname "$wid")
case $title in
*"(127.0.0.1:$R)"*) peers_ok "window title names the desktop and address: $title" ;;
*) peers_fail "window title '$title' lacks the address" ;;
esac
eval "$(DISPLAY=:$V xdotool getwindowgeometry --shell "$wid")" # X Y WIDTH HEIGHT
if [ "$WIDTH" = 800 ] && [ "$HEIGHT" = 600 ]; then
    peers_ok "window sized to the 800x600 desktop"
else
    peers_fail "window is ${WIDTH}x${HEIGHT}, expected 800x600"
fi

# Pointer: moving over the viewer moves the remote pointer to the same desktop coordinates.
DISPLAY=:$V xdotool windowfocus --sync "$wid" 2>/dev/null || DISPLAY=:$V xdotool windowfocus "$wid"
DISPLAY=:$V xdotool mousemove --window "$wid" 120 90
sleep 0.5
loc=$(DISPLAY=:$R xdotool getmouselocation)
case $loc in
"x:120 y:90 "*) peers_ok "remote pointer at 120,90" ;;
*) peers_fail "remote pointer: $loc (expected x:120 y:90)" ;;
esac

# Keys: typed on the viewer's display, they must arrive in the xterm inside Xvnc.
DISPLAY=:$V xdotool type --delay 30 'hello World-42!'
DISPLAY=:$V xdotool key Return
for _ in $(seq 1 50); do
    [ -s "$typed" ] && break
    sleep 0.1
done
got=$(tr -d '\0' <"$typed")
if [ "$got" = 'hello World-42!' ]; then
    peers_ok "typed text arrived in the remote xterm"
else
    peers_fail "remote xterm received '$got', expected 'hello World-42!'"
fi

# Clipboard, viewer to server: copied on the viewer's display, it reaches Xvnc (which also sets
# PRIMARY), and a quick middle click in the remote xterm pastes it: this also proves a fast
# press+release is not lost on the way.
: >"$typed"
printf 'clip-\xc3\xa9t\xc3\xa9' | DISPLAY=:$V xclip -selection clipboard -i
sleep 2 # the viewer looks at the clipboard once a second
DISPLAY=:$V xdotool mousemove --window "$wid" 120 90 click 2
sleep 0.3
DISPLAY=:$V xdotool key Return
for _ in $(seq 1 50); do
    [ -s "$typed" ] && break
    sleep 0.1
done
got=$(tr -d '\0' <"$typed")
if [ "$got" = "clip-$(printf '\xc3\xa9')t$(printf '\xc3\xa9')" ]; then
    peers_ok "clipboard reached the server and a quick middle click pasted it: $got"
else
    peers_fail "middle-click paste in the remote xterm gave '$got', expected 'clip-été'"
fi
# Server to viewer: copied inside Xvnc, it appears on the viewer's display as UTF-8.
printf 'from-server \xc2\xbd' | DISPLAY=:$R xclip -selection clipboard -i
got=""
for _ in $(seq 1 30); do
    got=$(DISPLAY=:$V xclip -selection clipboard -o 2>/dev/null)
    [ "$got" = "from-server $(printf '\xc2\xbd')" ] && break
    sleep 0.1
done
if [ "$got" = "from-server $(printf '\xc2\xbd')" ]; then
    peers_ok "server clipboard arrived on the viewer's display"
else
    peers_fail "viewer's clipboard holds '$got', expected 'from-server ½'"
fi

# The screenshot: the remote desktop's colours, exactly, inside the viewer window.
shot="$PEERS_WORKDIR/viewer.png"
DISPLAY=:$V import -window root "$shot"
pixel() { convert "$shot" -format "%[hex:u.p{$1,$2}]" info: 2>/dev/null | cut -c1-6; }
bg=$(pixel $((X + 700)) $((Y + 500)))
term=$(pixel $((X + 60)) $((Y + 60)))
if [ "$bg" = 2E8B57 ]; then peers_ok "remote root colour shown exactly"; else
    peers_fail "pixel at desktop 700,500 is #$bg, expected #2E8B57"
fi
if [ "$term" = FDF6E3 ]; then peers_ok "remote xterm shown exactly"; else
    peers_fail "pixel at desktop 60,60 is #$term, expected #FDF6E3 (xterm background)"
fi
# And the whole window equals Xvnc's own capture of its screen.
# Xvnc draws its cursor into our picture when its pointer is not where ours put it: so move
# the remote pointer through the viewer, to a corner away from the badge's top edge.
DISPLAY=:$V xdotool mousemove --window "$wid" 0 599
sleep 4.5 # the security badge shows for 4 s after connecting
DISPLAY=:$V import -window root "$shot"
convert "$shot" -crop "800x600+$X+$Y" +repage -alpha off "$PEERS_WORKDIR/viewer-crop.png"
peers_xwd_png "$R" "$PEERS_WORKDIR/xvnc.png"
diff=$(peers_compare_png "$PEERS_WORKDIR/viewer-crop.png" "$PEERS_WORKDIR/xvnc.png")
if [ "$diff" = 0 ]; then peers_ok "viewer window equals the Xvnc screen pixel for pixel"; else
    peers_fail "viewer window differs from the Xvnc screen in $diff pixels"
fi

# Losing the server: the window stays and says so.
for i in "${!PEERS_PIDS[@]}"; do
    case ${PEERS_NAMES[$i]} in "Xvnc :$R") peers_stop_pid "${PEERS_PIDS[$i]}" ;; esac
done
sleep 1.5
lost="$PEERS_WORKDIR/lost.png"
DISPLAY=:$V import -window root "$lost"
if kill -0 "$VPID" 2>/dev/null; then peers_ok "viewer still running after the server went away"; else
    peers_fail "viewer exited when the server went away"
fi
centre=$(convert "$lost" -format "%[hex:u.p{$((X + 400)),$((Y + 300))}]" info: | cut -c1-6)
if [ "$centre" != 2E8B57 ] && [ "$centre" != FDF6E3 ]; then
    peers_ok "a dialog covers the desktop after the loss (#$centre)"
else
    peers_fail "no dialog visible after the connection was lost"
fi
grep -q "closed the connection" "$PEERS_WORKDIR/vncview.log" && peers_ok "loss reason logged" ||
    peers_fail "no loss reason in the log"
DISPLAY=:$V xdotool key --window "$wid" Escape 2>/dev/null
DISPLAY=:$V xdotool key Escape
for _ in $(seq 1 30); do kill -0 "$VPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$VPID" 2>/dev/null; then peers_fail "Escape on the dialog did not quit"; else
    wait "$VPID" 2>/dev/null
    rc=$?
    if [ "$rc" = 0 ]; then peers_ok "Escape on the 'Connection lost' dialog quits with status 0"; else
        peers_fail "the viewer exited with status $rc"
    fi
fi
if grep -q "Sanitizer" "$PEERS_WORKDIR/vncview.log"; then
    peers_fail "sanitizer report from the viewer:"
    grep -A12 "Sanitizer" "$PEERS_WORKDIR/vncview.log" | head -40 >&2
else
    peers_ok "no sanitizer report from the viewer"
fi
peers_finish
