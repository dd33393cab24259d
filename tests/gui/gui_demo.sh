#!/usr/bin/env bash
# GUI test under Xvfb: `vncview demo` (the README's first command) opens its window on the
# embedded demo server, and the demo desktop echoes what the viewer sends: keys in the keyboard
# panel, a drag and a quick click on the canvas; F2 rings the bell (visual bell), F3 puts text
# on the viewer's clipboard; closing the window exits 0 and closes the demo's port.
# Usage: gui_demo.sh /path/to/vncview WORKDIR
set -u
VNCVIEW=$1
source "$(dirname "$0")/../support/peers.sh"
peers_init "$2"
peers_require Xvfb xdotool xwd convert xclip || exit 1

SW=1280 SH=1024
FB_W=1280 FB_H=800 # the demo desktop's size (ui/main.c)
W=$PEERS_WORKDIR
V=$(peers_free_display) || exit 1
peers_start_xvfb "$V" "${SW}x${SH}x24" || peers_finish
log="$W/vncview.log"

shot() { xwd -root -silent -display ":$V" | convert xwd:- -alpha off "png24:$W/$1.png"; }
# Desktop -> screen coordinates through fit-to-window (aspect kept, centred).
fit_rect() {
    local w h
    w=$WIN_W
    h=$((FB_H * WIN_W / FB_W))
    if [ "$h" -gt "$WIN_H" ]; then
        h=$WIN_H
        w=$((FB_W * WIN_H / FB_H))
    fi
    DW=$w DH=$h DX=$(((WIN_W - w) / 2)) DY=$(((WIN_H - h) / 2))
}
sx() { echo $((WIN_X + DX + $1 * DW / FB_W)); }
sy() { echo $((WIN_Y + DY + $1 * DH / FB_H)); }
# region X0 Y0 X1 Y1 (desktop) -> crop geometry on the screen
region() { echo "$((($3 - $1) * DW / FB_W))x$((($4 - $2) * DH / FB_H))+$(sx "$1")+$(sy "$2")"; }
stddev() { convert "$W/$1.png" -crop "$2" +repage -colorspace Gray -format '%[fx:standard_deviation]' info:; }
diffcount() { # pixels that differ between the same region of two screenshots
    convert "$W/$1.png" -crop "$3" +repage \( "$W/$2.png" -crop "$3" +repage \) \
        -metric AE -compare -format '%[distortion]' info: 2>/dev/null
}
# until_ok SECONDS CMD...: runs CMD until it succeeds or SECONDS have passed (the demo's
# picture arrives asynchronously; a passing check returns at once).
until_ok() {
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 0.3
    done
}
# Pixels close to the demo's accent ink #6CB2FF (left-button strokes) in a region.
ink() { peers_count_colour "$W/$1.png" "$2" 6CB2FF 12; }

# ---- start: the window, titled after the demo, connected within 10 s ----
t0=$SECONDS
# LD_PRELOAD: no false leak reports from an unloaded GL driver (see peers_gl_preload).
peers_start "vncview demo" "$log" env DISPLAY=:$V LD_PRELOAD="$(peers_gl_preload "$VNCVIEW")" \
    "$VNCVIEW" demo --verbose
VPID=$PEERS_LAST_PID
wid=$(peers_wait_window "$V" "vncview demo" 10) || {
    peers_fail "no window titled 'vncview demo' within 10 s"
    peers_show_log "$log"
    peers_finish
}
for _ in $(seq 1 100); do
    grep -q "desktop is ${FB_W}x$FB_H" "$log" && break
    sleep 0.1
done
if grep -q "connected to 'vncview demo'" "$log" && grep -q "desktop is ${FB_W}x$FB_H" "$log" &&
    [ $((SECONDS - t0)) -le 10 ]; then
    peers_ok "connected to the demo within $((SECONDS - t0)) s: $(DISPLAY=:$V xdotool getwindowname "$wid")"
else
    peers_fail "not connected to the demo within 10 s"
    peers_show_log "$log"
fi
port=$(sed -n 's/.*demo server listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$log" | head -1)
if [ -n "$port" ]; then peers_ok "demo server port $port logged"; else
    peers_fail "no demo server port in the log"
fi
peers_window_geometry "$V" "$wid"
fit_rect
DISPLAY=:$V xdotool windowfocus "$wid"
# Pointer in the canvas card's lower right (nothing drawn there), away from the badge.
DISPLAY=:$V xdotool mousemove "$(sx 620)" "$(sy 715)"
sleep 1
shot start

# The demo's dark UI, not the connecting screen: flat card colours where the layout puts cards.
card=$(peers_pixel "$W/start.png" "$(sx 1100)" "$(sy 380)") # keyboard card, empty part
info=$(peers_pixel "$W/start.png" "$(sx 1000)" "$(sy 700)") # pointer/clipboard card
if [ "$card" = 182031 ] && [ "$info" = 182031 ]; then
    peers_ok "the demo's cards are shown (#$card)"
else
    peers_fail "no demo cards at the expected places (#$card, #$info; expected #182031)"
fi
mean=$(convert "$W/start.png" -crop "${DW}x$DH+$((WIN_X + DX))+$((WIN_Y + DY))" +repage \
    -colorspace Gray -format '%[fx:mean]' info:)
if awk -v m="$mean" 'BEGIN { exit !(m < 0.25) }'; then peers_ok "dark UI (mean brightness $mean)"; else
    peers_fail "window not dark (mean brightness $mean)"
fi

# ---- keys: the keyboard panel lists them ----
# Lines 2-8 of the panel (line 1 holds the hint): empty card before any key.
KEYS=$(region 690 180 1230 345)
s0=$(stddev start "$KEYS")
DISPLAY=:$V xdotool type --delay 40 'vncview'
keys_listed() {
    shot keys
    s1=$(stddev keys "$KEYS")
    n=$(diffcount start keys "$KEYS")
    awk -v a="$s0" -v b="$s1" 'BEGIN { exit !(a < 0.01 && b > 0.05) }' && [ "${n%.*}" -gt 500 ]
}
if until_ok 5 keys_listed; then
    peers_ok "typed keys appear in the keyboard panel (std dev $s0 -> $s1, $n pixels changed)"
else
    peers_fail "keyboard panel unchanged by typing (std dev $s0 -> $s1, ${n:-?} pixels changed)"
fi

# ---- canvas: a drag draws a line ----
CANVAS=$(region 41 511 639 723)
i0=$(ink start "$CANVAS")
DISPLAY=:$V xdotool mousemove "$(sx 100)" "$(sy 540)" mousedown 1
for p in "150 580" "200 620" "250 660" "300 700"; do
    read -r x y <<<"$p"
    DISPLAY=:$V xdotool mousemove "$(sx "$x")" "$(sy "$y")"
    sleep 0.05
done
DISPLAY=:$V xdotool mouseup 1
DISPLAY=:$V xdotool mousemove "$(sx 620)" "$(sy 715)"
sleep 1 # the press's ripple (same ink) fades within 0.6 s; the stroke stays
line_drawn() {
    shot drag
    mid=$(ink drag "$(region 190 610 210 630)")
    i1=$(ink drag "$CANVAS")
    [ "${i0:-1}" = 0 ] && [ "${mid:-0}" -ge 20 ]
}
if until_ok 4 line_drawn; then
    peers_ok "a drag on the canvas draws a line ($i1 ink pixels, $mid around its middle)"
else
    peers_fail "no line from the drag (ink before $i0, around the middle $mid, canvas $i1)"
fi

# ---- canvas: a quick click (press and release in one go) draws a dot ----
DOT=$(region 490 680 510 700)
d0=$(ink drag "$DOT")
DISPLAY=:$V xdotool mousemove "$(sx 500)" "$(sy 690)" click 1
DISPLAY=:$V xdotool mousemove "$(sx 620)" "$(sy 715)"
sleep 1 # past the ripple: what stays is the dot
dot_drawn() {
    shot click
    d1=$(ink click "$DOT")
    [ "${d0:-1}" = 0 ] && [ "${d1:-0}" -ge 4 ]
}
if until_ok 4 dot_drawn; then
    peers_ok "a quick click draws a dot ($d1 ink pixels)"
else
    peers_fail "a quick click drew nothing ($d0 -> $d1 ink pixels): its press was lost?"
fi

# ---- F2: the server rings the bell ----
# The viewer flashes a frame (#FFD250 at alpha 200) 6 pixels wide around the window for 150 ms:
# screenshots right after the key catch it nearly always (a slow frame under load can make
# one try miss it); five tries make a miss unlikely. The window alone is captured, quicker.
SERVER_ROW=$(region 770 625 1230 650)
flash=0
for try in 1 2 3 4 5; do
    DISPLAY=:$V xdotool key F2
    for i in 1 2 3 4 5 6 7 8 9 10; do xwd -id "$wid" -silent -display ":$V" >"$W/bell-$i.xwd"; done
    for i in 1 2 3 4 5 6 7 8 9 10; do
        # The top edge over the demo's dark header blends to about #CEAD4C.
        c=$(peers_count_colour "$W/bell-$i.xwd" "${WIN_W}x4+0+0" CEAD4C 10)
        if [ "${c:-0}" -gt $((WIN_W * 3)) ]; then
            flash=$i
            convert "$W/bell-$i.xwd" "png24:$W/bell.png"
            break
        fi
    done
    rm -f "$W"/bell-*.xwd
    [ "$flash" != 0 ] && break
    sleep 0.3
done
if [ "$flash" != 0 ]; then peers_ok "F2: the visual bell flashed (try $try, screenshot $flash)"; else
    peers_fail "F2: no visual bell seen in 5 tries"
fi
shot bell-after
n=$(diffcount click bell-after "$SERVER_ROW")
if [ "${n%.*}" -gt 50 ]; then peers_ok "the demo's Server row reports the bell"; else
    peers_fail "the demo's Server row did not change after F2 (${n:-?} pixels)"
fi
if grep -v "demo server" "$log" | grep -qi "bell"; then peers_ok "the bell is in the viewer's log"; else
    peers_fail "the viewer's --verbose log does not mention the bell"
fi

# ---- F3: the server sends clipboard text ----
DISPLAY=:$V xdotool key F3
got=""
for _ in $(seq 1 30); do
    got=$(DISPLAY=:$V xclip -selection clipboard -o 2>/dev/null)
    case $got in "Hello from the vncview demo server"*) break ;; esac
    sleep 0.1
done
case $got in
"Hello from the vncview demo server, sent at "[0-9][0-9]:[0-9][0-9]:[0-9][0-9])
    peers_ok "F3: the demo's text is on the viewer's clipboard: $got"
    ;;
*) peers_fail "F3: the viewer's clipboard holds '$got'" ;;
esac

# ---- closing the window: exit status 0, demo port closed ----
peers_x_close_window "$V" "$wid"
case $? in
0) how="WM_DELETE_WINDOW (the window's close button)" ;;
2)
    how="SIGTERM (no python3 to send WM_DELETE_WINDOW)"
    kill -TERM "$VPID"
    ;;
*)
    peers_fail "could not send WM_DELETE_WINDOW"
    how="SIGTERM"
    kill -TERM "$VPID"
    ;;
esac
for _ in $(seq 1 50); do kill -0 "$VPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$VPID" 2>/dev/null; then peers_fail "the viewer still runs 5 s after $how"; else
    wait "$VPID" 2>/dev/null
    rc=$?
    if [ "$rc" = 0 ]; then peers_ok "closed by $how: exit status 0"; else
        peers_fail "closed by $how: exit status $rc"
    fi
fi
if [ -n "$port" ] && peers_port_closed "$port"; then peers_ok "demo port $port closed afterwards"; else
    peers_fail "demo port ${port:-?} still accepts connections"
fi
if grep -q "Sanitizer" "$log"; then
    peers_fail "sanitizer report from the viewer:"
    grep -A12 "Sanitizer" "$log" | head -40 >&2
else
    peers_ok "no sanitizer report from the viewer"
fi
peers_finish
