#!/usr/bin/env bash
# GUI test under Xvfb: vncview against hostile servers (tests/tools/hostilesrv). While the "flood"
# scenario sends endless 1920x1080 updates (2 MB each, as fast as the viewer reads), the window
# keeps drawing and stays responsive: it can be moved and resized, F8 opens the menu (checked on
# a screenshot) and Escape closes it, and the menu's Disconnect ends the viewer within a bound.
# Then a scenario the stream guard refuses (CPU amplification at 3840x2160) shows its message
# in the window ("Connection lost" dialog, checked on a screenshot) and Quit ends the viewer.
# Usage: gui_flood.sh /path/to/vncview WORKDIR (VV_TOOLS_DIR: where hostilesrv is built)
set -u
VNCVIEW=$1
source "$(dirname "$0")/../support/peers.sh"
peers_init "$2"
peers_require Xvfb xdotool xwd convert || exit 1
TOOLS=${VV_TOOLS_DIR:-$(dirname "$VNCVIEW")/tests/tools}
HOSTILESRV=$TOOLS/hostilesrv
if [ ! -x "$HOSTILESRV" ]; then
    peers_fail "no hostilesrv in $TOOLS (set VV_TOOLS_DIR)"
    peers_finish
fi

SW=1280 SH=1024
# F8 to a visible menu, Escape to none, with the flood running. The viewer takes milliseconds;
# a screenshot takes up to 1.5 s while the flood keeps both CPUs busy (ASan build), so a missed
# first look costs that much. A UI thread blocked by the flood would never get there.
MENU_S=5
QUIT_S=5 # Disconnect / Quit to the process gone
W=$PEERS_WORKDIR
GL_PRELOAD=$(peers_gl_preload "$VNCVIEW")
V=$(peers_free_display) || exit 1
peers_start_xvfb "$V" "${SW}x${SH}x24" || peers_finish

key() { DISPLAY=:$V xdotool key --delay 60 "$@"; }
# The window alone (cheaper than the screen while the flood keeps both CPUs busy).
shot() { xwd -id "$wid" -silent -display ":$V" | convert xwd:- -alpha off "png24:$W/$1.png"; }
geom() { peers_window_geometry "$V" "$wid"; }
# Pixels of the dialogs' accent blue (#4084F0: the default button) in a window shot.
blue() { peers_count_colour "$W/$1.png" "${WIN_W}x${WIN_H}+0+0" 4084F0 2; }
now_ns() { date +%s%N; }
# until_ok SECONDS CMD...: CMD (a check that takes a screenshot) is retried until it passes or
# SECONDS have passed. ELAPSED: when the passing attempt began, in seconds after the call: what
# the viewer took, not what the screenshot tools took under the load.
until_ok() {
    local t0 end ts ok=1
    t0=$(now_ns)
    end=$((t0 + $1 * 1000000000))
    shift
    while :; do
        ts=$(now_ns)
        "$@" && ok=0 && break
        [ "$(now_ns)" -ge "$end" ] && break
        sleep 0.1
    done
    ELAPSED=$(awk -v a="$t0" -v b="$ts" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    return $ok
}
# start_server SCENARIO: sets SPID and PORT (hostilesrv prints the port first).
start_server() {
    local log="$W/hostilesrv-$1.log" i
    peers_start "hostilesrv $1" "$log" "$HOSTILESRV" "$1"
    SPID=$PEERS_LAST_PID PORT='' SLOG=$log
    for ((i = 0; i < 50; i++)); do
        PORT=$(head -1 "$log" 2>/dev/null | grep -x '[0-9]*')
        [ -n "$PORT" ] && return 0
        sleep 0.1
    done
    peers_fail "hostilesrv $1 printed no port"
    peers_show_log "$log"
    peers_finish
}
# start_viewer NAME: sets VPID, wid, log.
start_viewer() {
    log="$W/vncview-$1.log"
    peers_start "vncview $1" "$log" env DISPLAY=:$V LD_PRELOAD="$GL_PRELOAD" "$VNCVIEW" --verbose \
        "127.0.0.1::$PORT"
    VPID=$PEERS_LAST_PID
    # Generous: on a loaded 2-core CI machine a 3840x2160 session can take a while to map.
    wid=$(peers_wait_window "$V" "127.0.0.1" 30) || {
        peers_fail "$1: no vncview window (viewer $(kill -0 "$VPID" 2>/dev/null && echo running ||
            echo gone); windows: $(DISPLAY=:$V xdotool search --name . getwindowname %@ 2>&1 |
            tr '\n' ';'))"
        peers_show_log "$log"
        peers_finish
    }
}
# wait_exit PID SECONDS: true if it exits in time; RC its status. The kit then forgets the PID
# (reaped: cleanup must not signal it again).
wait_exit() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$1" 2>/dev/null && return 1
    wait "$1" 2>/dev/null
    RC=$?
    for i in "${!PEERS_PIDS[@]}"; do
        [ "${PEERS_PIDS[i]}" = "$1" ] && PEERS_PIDS[i]=
    done
    return 0
}

# ---- the flood ----
start_server flood
start_viewer flood
if until_ok 10 grep -q "connected to" "$log"; then peers_ok "connected to the flood server"; else
    peers_fail "not connected to the flood server"
    peers_show_log "$log"
fi
DISPLAY=:$V xdotool windowfocus "$wid"
DISPLAY=:$V xdotool mousemove $((SW - 1)) $((SH - 1)) # no badge hover
sleep 1
# Each update repaints the desktop in a new colour: two screenshots apart differ.
changing() {
    geom
    shot flood-a
    sleep 0.3
    shot flood-b
    n=$(convert "$W/flood-a.png" "$W/flood-b.png" -metric AE -compare \
        -format '%[distortion]' info: 2>/dev/null)
    n=${n%.*}
    [ "${n:-0}" -gt $((WIN_W * WIN_H / 4)) ]
}
if until_ok 5 changing; then peers_ok "the window follows the flood ($n of $((WIN_W * WIN_H)) pixels changed in 0.3 s)"; else
    peers_fail "the window does not change under the flood (${n:-?} pixels)"
fi

# Moved and resized by xdotool: the window goes there and keeps drawing the flood.
DISPLAY=:$V xdotool windowmove "$wid" 40 60 windowsize "$wid" 900 600
moved() { geom && [ "$WIN_X,$WIN_Y,$WIN_W,$WIN_H" = "40,60,900,600" ]; }
if until_ok 3 moved && until_ok 3 changing; then
    peers_ok "moved to 40,60 and resized to 900x600, still drawing ($n pixels changed)"
else
    peers_fail "window at ${WIN_W}x${WIN_H}+$WIN_X+$WIN_Y after moving it to 900x600+40+60 (${n:-?} pixels changed)"
fi

# F8: the menu shows within MENU_S seconds (a responsive UI thread), Escape closes it.
menu_shown() { shot menu && b=$(blue menu) && [ "${b:-0}" -gt 500 ]; }
# The flood's noise has a few pixels of that blue by chance (up to ~10 seen); the menu ~17000.
menu_gone() { shot menu-closed && b=$(blue menu-closed) && [ "${b:-1000}" -lt 100 ]; }
key F8
if until_ok $MENU_S menu_shown; then peers_ok "F8 opens the menu under the flood in ${ELAPSED}s ($b accent pixels)"; else
    peers_fail "no menu within ${MENU_S}s of F8 under the flood ($b accent pixels; $W/menu.png)"
fi
key Escape
if until_ok $MENU_S menu_gone; then peers_ok "Escape closes the menu in ${ELAPSED}s"; else
    peers_fail "the menu is still shown ${MENU_S}s after Escape ($b accent pixels)"
fi
key F8
until_ok $MENU_S menu_shown || peers_fail "no menu after the second F8"
# Buttons: Send Ctrl+Alt+Del (focused), Show 1:1, Disconnect, Close menu.
t0=$(date +%s%N)
key Right Right Return
if wait_exit "$VPID" $QUIT_S; then
    ms=$((($(date +%s%N) - t0) / 1000000))
    if [ "$RC" = 0 ]; then peers_ok "menu 'Disconnect' under the flood: exited after $ms ms, status 0"; else
        peers_fail "menu 'Disconnect' under the flood: exit status $RC"
    fi
else
    peers_fail "vncview still runs ${QUIT_S}s after 'Disconnect' under the flood"
fi
if wait_exit "$SPID" 5; then
    peers_ok "hostilesrv noticed the viewer leave: $(tail -1 "$SLOG")"
else
    peers_fail "hostilesrv flood still runs after the viewer left"
fi
sent=$(sed -n 's/.*, \([0-9]*\) updates sent.*/\1/p' "$SLOG")
if [ "${sent:-0}" -ge 20 ]; then peers_ok "the flood sent $sent updates of 2 MB"; else
    peers_fail "the flood sent only ${sent:-no} updates"
fi

# ---- a refused update: its message in the window ----
start_server amp-copyrect
start_viewer amp
DISPLAY=:$V xdotool mousemove $((SW - 1)) $((SH - 1))
if until_ok 15 grep -q "CPU amplification" "$log"; then peers_ok "the guard's refusal is logged: $(grep -m1 -o 'the server 127.*' "$log")"; else
    peers_fail "no 'CPU amplification' in the viewer's log"
    peers_show_log "$log"
fi
# The "Connection lost" dialog with the message: the default button (Reconnect) in accent
# blue, and the message in the dialog's text colour #CCD1DA over at least three lines (the
# sentence is about 190 characters; "closed the connection" would take one).
text_lines() { # rows with 3 or more such pixels; a gap of 4 rows or more starts a new line
    convert "$W/$1.png" -fuzz 6% -fill black +opaque '#CCD1DA' -fill white -opaque '#CCD1DA' \
        -colorspace Gray -scale "1x${WIN_H}!" -depth 16 gray:- |
        od -An -tu2 -v --endian=big | tr -s ' ' '\n' | grep . |
        awk -v w="$WIN_W" '$1 / 65535 * w >= 3 { if (NR - last > 4) n++; last = NR } END { print n + 0 }'
}
dialog_with_message() {
    geom && shot refused && b=$(blue refused) && lines=$(text_lines refused) &&
        [ "${b:-0}" -gt 500 ] && [ "${lines:-0}" -ge 3 ]
}
if until_ok 10 dialog_with_message; then
    peers_ok "the window shows the refusal: a dialog ($b accent pixels) with $lines lines of message text"
else
    peers_fail "no dialog with the message: $b accent pixels, ${lines:-0} text lines ($W/refused.png)"
fi
# Buttons: Reconnect (focused), Quit.
key Right Return
if wait_exit "$VPID" $QUIT_S; then
    if [ "$RC" = 0 ]; then peers_ok "'Quit' after the refusal: exit status 0 (it had connected)"; else
        peers_fail "'Quit' after the refusal: exit status $RC"
    fi
else
    peers_fail "vncview still runs ${QUIT_S}s after 'Quit'"
fi
wait_exit "$SPID" 5 || peers_fail "hostilesrv amp-copyrect still runs after the viewer left"

if grep -q "Sanitizer" "$W"/vncview-*.log "$W"/hostilesrv-*.log; then
    peers_fail "sanitizer report:"
    grep -h -A12 "Sanitizer" "$W"/vncview-*.log "$W"/hostilesrv-*.log | head -40 >&2
else
    peers_ok "no sanitizer report from the viewers or servers"
fi
peers_finish
