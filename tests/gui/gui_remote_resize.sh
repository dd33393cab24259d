#!/usr/bin/env bash
# GUI test under Xvfb: resizing the viewer window asks a real Xvnc for a desktop of the window's
# size (SetDesktopSize): Xvnc's own screen takes that size, the viewer follows and shows it 1:1,
# and a screenshot of the window equals Xvnc's screen; F11 gives it the screen's size and F11
# again the window's. With --no-remote-resize the same resize leaves Xvnc alone. Usage: gui_remote_resize.sh /path/to/vncview WORKDIR
set -u
VNCVIEW=$1
source "$(dirname "$0")/../support/peers.sh"
peers_init "$2"
peers_require Xvnc Xvfb xdotool xdpyinfo import convert compare
W=$PEERS_WORKDIR
V=$(peers_free_display) || exit 1 # the viewer's screen
R=$(peers_free_display) || exit 1 # the remote desktop
peers_start_xvfb "$V" 1280x1024x24 || peers_finish
peers_start_xvnc "$R" -geometry 1024x768 -SecurityTypes None || peers_finish
DISPLAY=:$R xsetroot -solid '#8b3a62'

# start_viewer NAME ARGS...: sets VPID and wid.
start_viewer() {
    local name=$1
    shift
    peers_start "$name" "$W/$name.log" env DISPLAY=:$V LD_PRELOAD="$(peers_gl_preload "$VNCVIEW")" \
        "$VNCVIEW" --verbose "$@" "127.0.0.1:$R"
    VPID=$PEERS_LAST_PID
    wid=$(peers_wait_window "$V" "127.0.0.1:$R" 15) || {
        peers_fail "$name: no viewer window"
        peers_show_log "$W/$name.log"
        peers_finish
    }
    for _ in $(seq 1 50); do
        grep -q "desktop is " "$W/$name.log" && break
        sleep 0.1
    done
    sleep 0.5
}

# wait_remote WxH SECONDS: until Xvnc's screen is WxH.
wait_remote() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        [ "$(peers_screen_size "$R")" = "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

start_viewer viewer
peers_window_geometry "$V" "$wid"
if [ "$WIN_W" = 1024 ] && [ "$WIN_H" = 768 ]; then
    peers_ok "window sized to the 1024x768 desktop"
else
    peers_fail "window is ${WIN_W}x$WIN_H, expected 1024x768"
fi
[ "$(peers_screen_size "$R")" = 1024x768 ] && peers_ok "opening the window left Xvnc at 1024x768" ||
    peers_fail "opening the window changed Xvnc to $(peers_screen_size "$R")"

DISPLAY=:$V xdotool windowsize "$wid" 900 640
if wait_remote 900x640 10; then
    peers_ok "window resized to 900x640: Xvnc's screen is now 900x640"
else
    peers_fail "Xvnc's screen is $(peers_screen_size "$R") after the window became 900x640"
    peers_show_log "$W/viewer.log"
fi
for _ in $(seq 1 50); do
    grep -q "desktop is 900x640" "$W/viewer.log" && break
    sleep 0.1
done
grep -q "asking the server for a 900x640 desktop" "$W/viewer.log" &&
    peers_ok "the viewer says what it asked for" || peers_fail "no 'asking the server' line in the log"
grep -q "desktop is 900x640" "$W/viewer.log" && peers_ok "the viewer followed the new size" ||
    peers_fail "the viewer did not report a 900x640 desktop"
DISPLAY=:$R xsetroot -solid '#3a628b' # new content after the resize, shown 1:1
# The security badge shows for 4 s after connecting, and while the pointer is near the top.
DISPLAY=:$V xdotool mousemove 1279 1023
sleep 4.5
peers_window_geometry "$V" "$wid"
DISPLAY=:$V import -window root "$W/shot.png"
convert "$W/shot.png" -crop "900x640+$WIN_X+$WIN_Y" +repage "$W/win.png"
peers_xwd_png "$R" "$W/remote.png"
if d=$(peers_compare_png "$W/remote.png" "$W/win.png"); then
    peers_ok "the 900x640 window shows Xvnc's 900x640 screen pixel for pixel"
else
    peers_fail "window and Xvnc's screen differ in $d pixels"
fi
[ "$(peers_pixel "$W/win.png" 450 320 | tr A-F a-f)" = 3a628b ] && peers_ok "the new root colour is shown" ||
    peers_fail "pixel 450,320 is $(peers_pixel "$W/win.png" 450 320), not 3a628b"

# F11: the desktop takes the screen's size; F11 again: back to the window's.
# Keys go to the focused window, as a user's do (no window manager: focus it ourselves).
DISPLAY=:$V xdotool windowfocus --sync "$wid" 2>/dev/null || DISPLAY=:$V xdotool windowfocus "$wid"
DISPLAY=:$V xdotool key --delay 80 F11
if wait_remote 1280x1024 10; then
    peers_ok "F11: Xvnc's screen became the viewer's whole 1280x1024 screen"
else
    peers_fail "F11: Xvnc's screen is $(peers_screen_size "$R"), not 1280x1024"
    peers_show_log "$W/viewer.log"
fi
sleep 1
DISPLAY=:$V xdotool windowfocus "$wid" 2>/dev/null
DISPLAY=:$V xdotool key --delay 80 F11
if wait_remote 900x640 10; then
    peers_ok "F11 again: Xvnc's screen is back to the 900x640 window"
else
    peers_fail "F11 again: Xvnc's screen is $(peers_screen_size "$R"), not 900x640"
    peers_show_log "$W/viewer.log"
fi
peers_stop_pid "$VPID"

start_viewer fixed --no-remote-resize
DISPLAY=:$V xdotool windowsize "$wid" 700 500
sleep 2
if [ "$(peers_screen_size "$R")" = 900x640 ]; then
    peers_ok "--no-remote-resize: a 700x500 window left Xvnc at 900x640"
else
    peers_fail "--no-remote-resize: Xvnc became $(peers_screen_size "$R")"
fi
grep -q "asking the server" "$W/fixed.log" && peers_fail "--no-remote-resize still asked the server" ||
    peers_ok "--no-remote-resize asked nothing"
peers_stop_pid "$VPID"
peers_finish
