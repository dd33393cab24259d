#!/usr/bin/env bash
# GUI test under Xvfb (its viewers run with --no-remote-resize: the local layout is under test;
# gui_remote_resize.sh covers the other way): how the viewer lays out a real Xvnc desktop.
# Fit-to-window (window fits the screen, aspect kept, picture is a scaled copy), letterboxing
# after a window resize, F11
# full screen, the F8 menu and its 1:1/fit toggle, a server-side resize (xrandr), losing the
# server and Reconnect; and --scale 100 (pan follows the pointer; a small desktop is centred;
# pixel-exact). Usage: gui_view.sh /path/to/vncview WORKDIR
set -u
VNCVIEW=$1
source "$(dirname "$0")/../support/peers.sh"
peers_init "$2"
peers_require Xvnc Xvfb xdotool xrandr xwd import convert compare display || exit 1

# Normalised RMSE allowed between the window and ImageMagick's own resize of the Xvnc capture.
# The picture is large flat blocks: both scalers agree inside them and differ only in the
# one- or two-pixel blend at each edge (the renderer's bilinear filter, SDL software or GL, vs
# ImageMagick's), measured at 0.0055-0.0095. The security badge alone over the picture
# measures 0.03; a misplaced, cropped or unscaled picture puts whole blocks on the wrong colour
# and measures 0.3 and more (the negative control below checks that on every run).
RMSE_MAX=0.02
SW=1280 SH=1024 # the viewers' screens
W=$PEERS_WORKDIR
GL_PRELOAD=$(peers_gl_preload "$VNCVIEW") # no false leak reports from an unloaded GL driver
V=$(peers_free_display) || exit 1  # screen of the fit-to-window viewer
R=$(peers_free_display) || exit 1  # its desktop
V2=$(peers_free_display) || exit 1 # screen of the --scale 100 viewer
R2=$(peers_free_display) || exit 1 # its desktop
peers_start_xvfb "$V" "${SW}x${SH}x24" || peers_finish
peers_start_xvfb "$V2" "${SW}x${SH}x24" || peers_finish
peers_start_xvnc "$R" -geometry 1600x1000 || peers_finish
peers_start_xvnc "$R2" -geometry 1600x1000 || peers_finish
peers_paint_blocks "$R" || peers_finish
peers_paint_blocks "$R2" || peers_finish

# ---- helpers; CV/CR/wid/log: the viewer under test, its screen, its desktop, its log ----
# fit_rect FBW FBH OUTW OUTH: where fit-to-window draws the desktop ("w h x y"), as the viewer
# computes it (integer arithmetic, centred).
fit_rect() {
    local fw=$1 fh=$2 ow=$3 oh=$4 w h
    w=$ow
    h=$((fh * ow / fw))
    if [ "$h" -gt "$oh" ]; then
        h=$oh
        w=$((fw * oh / fh))
    fi
    echo "$w $h $(((ow - w) / 2)) $(((oh - h) / 2))"
}
dark() { # RRGGBB with every channel below 0x40
    local h=$1
    [ ${#h} = 6 ] && [ $((16#${h:0:2})) -lt 64 ] && [ $((16#${h:2:2})) -lt 64 ] &&
        [ $((16#${h:4:2})) -lt 64 ]
}
geom() { peers_window_geometry "$CV" "$wid"; }
# pixels FILE X,Y...: their colours as RRGGBB, one per line (one convert for all).
pixels() {
    local f=$1 fmt="" p
    shift
    for p in "$@"; do fmt="$fmt%[hex:u.p{$p}]\n"; done
    convert "$f" -format "$fmt" info: 2>/dev/null | cut -c1-6
}
# ref_capture KEY ARGS...: the Xvnc screen, transformed by convert ARGS, into $W/ref.miff;
# captured again only when KEY changes (once per expect: the remote screen does not move).
ref_capture() {
    local key="$CR:$1"
    shift
    [ "$REF_KEY" = "$key" ] && return 0
    xwd -root -silent -display ":$CR" >"$W/xvnc.xwd" || return 1
    convert "$W/xvnc.xwd" -alpha off "$@" "$W/ref.miff" || return 1
    REF_KEY=$key
}
# distortion SHOT METRIC GEOM: METRIC between the window region GEOM (WxH+X+Y, window
# coordinates) of SHOT and $W/ref.miff; on failure both are kept as PNG for a look.
distortion() {
    local geo=${3%%+*} off=${3#*+}
    convert "$W/$1.xwd" -crop "$geo+$((WIN_X + ${off%+*}))+$((WIN_Y + ${off#*+}))" +repage \
        -alpha off "$W/ref.miff" -metric "$2" -compare -format '%[distortion]' info: 2>/dev/null
}
keep_png() { # keep_png SHOT GEOM: the screenshot, the window region and the reference as PNG
    local geo=${2%%+*} off=${2#*+}
    convert "$W/$1.xwd" -alpha off "png24:$W/$1.png"
    convert "$W/$1.xwd" -crop "$geo+$((WIN_X + ${off%+*}))+$((WIN_Y + ${off#*+}))" +repage \
        -alpha off "png24:$W/$1-drawn.png"
    convert "$W/ref.miff" "png24:$W/$1-ref.png"
}
# Checks: called with the name of a fresh screenshot ($W/SHOT.xwd); set MSG, return 0 if it
# passes.
# fit SHOT FBW FBH: the window shows the Xvnc screen scaled into the fit rectangle, within
# RMSE_MAX, and the letterbox bars around it (if any) are dark.
fit() {
    local s=$W/$1.xwd fw=$2 fh=$3 dw dh dx dy m px bars=()
    read -r dw dh dx dy <<<"$(fit_rect "$fw" "$fh" "$WIN_W" "$WIN_H")"
    ref_capture "fit:${dw}x$dh" -resize "${dw}x${dh}!" || { MSG="no capture of :$CR" && return 1; }
    m=$(distortion "$1" RMSE "${dw}x${dh}+$dx+$dy")
    if ! awk -v m="${m:-1}" -v t="$RMSE_MAX" 'BEGIN { exit !(m < t) }'; then
        keep_png "$1" "${dw}x${dh}+$dx+$dy"
        MSG="window ${WIN_W}x$WIN_H differs from the desktop scaled to ${dw}x${dh}+$dx+$dy (RMSE ${m:-?}; $W/$1-drawn.png)"
        return 1
    fi
    MSG="window ${WIN_W}x$WIN_H shows the desktop scaled to ${dw}x${dh}+$dx+$dy (RMSE $m)"
    # Letterbox bars: the middle of each is dark.
    [ "$dy" -ge 4 ] && bars+=("$((WIN_X + WIN_W / 2)),$((WIN_Y + dy / 2))" \
        "$((WIN_X + WIN_W / 2)),$((WIN_Y + WIN_H - 1 - dy / 2))")
    [ "$dx" -ge 4 ] && bars+=("$((WIN_X + dx / 2)),$((WIN_Y + WIN_H / 2))" \
        "$((WIN_X + WIN_W - 1 - dx / 2)),$((WIN_Y + WIN_H / 2))")
    [ ${#bars[@]} = 0 ] && return 0
    for px in $(pixels "$s" "${bars[@]}"); do
        dark "$px" || { MSG="a letterbox bar is #$px, not dark" && return 1; }
    done
    MSG="$MSG, dark bars $([ "$dy" -ge 4 ] && echo "above and below" || echo "left and right")"
}
# exact SHOT FX FY DW DH DX DY: the window region DWxDH at DX,DY equals the Xvnc screen's region
# at FX,FY pixel for pixel.
exact() {
    local fx=$2 fy=$3 dw=$4 dh=$5 dx=$6 dy=$7 n
    ref_capture "exact:${dw}x$dh+$fx+$fy" -crop "${dw}x${dh}+$fx+$fy" +repage ||
        { MSG="no capture of :$CR" && return 1; }
    n=$(distortion "$1" AE "${dw}x${dh}+$dx+$dy")
    MSG="desktop region ${dw}x${dh}+$fx+$fy at $dx,$dy in the window"
    if [ "$n" = 0 ]; then MSG="$MSG, pixel-exact"; else
        keep_png "$1" "${dw}x${dh}+$dx+$dy"
        MSG="$MSG differs in ${n:-?} pixels ($W/$1-drawn.png)" && return 1
    fi
}
# pan SHOT PX PY: at 1:1 with the pointer at window PX,PY, the window shows the desktop from
# the offset the viewer computes (pointer / (size - 1) of the hidden part, rounded).
pan() {
    local fx fy
    fx=$(awk -v p="$2" -v w="$WIN_W" -v f="$FB_W" 'BEGIN { printf "%d", p / (w - 1) * (f - w) + 0.5 }')
    fy=$(awk -v p="$3" -v h="$WIN_H" -v f="$FB_H" 'BEGIN { printf "%d", p / (h - 1) * (f - h) + 0.5 }')
    exact "$1" "$fx" "$fy" "$WIN_W" "$WIN_H" 0 0
}
# Pixels of the dialogs' default button (accent blue #4084F0) in the window.
blue_count() { peers_count_colour "$W/$1.xwd" "${WIN_W}x${WIN_H}+$WIN_X+$WIN_Y" 4084F0 2; }
dialog_shown() {
    local b
    b=$(blue_count "$1")
    MSG="$b accent-blue pixels in the window"
    [ "${b:-0}" -gt 500 ] || { convert "$W/$1.xwd" "png24:$W/$1.png" && return 1; }
}
no_dialog() {
    local b
    b=$(blue_count "$1")
    MSG="$b accent-blue pixels in the window"
    [ "${b:-1}" = 0 ] || { convert "$W/$1.xwd" "png24:$W/$1.png" && return 1; }
}
# expect LABEL SHOT SECONDS CHECK ARGS...: takes a screenshot SHOT.xwd of the viewer's screen
# and runs CHECK SHOT ARGS...; the viewer redraws asynchronously (and shows its security badge
# for 4 s after connecting), so a failed check is retried with a new screenshot until SECONDS
# have passed (generous: a passing check returns at once). Records one result. The screenshot
# is kept as SHOT.png if KEEP=1 (or GUI_KEEP_SHOTS=1 for all of them, to look at while
# changing the test).
expect() {
    local label=$1 name=$2 secs=$3 end rc
    shift 3
    end=$((SECONDS + secs))
    REF_KEY=
    while :; do
        geom
        xwd -root -silent -display ":$CV" >"$W/$name.xwd"
        "$1" "$name" "${@:2}" 2>/dev/null
        rc=$?
        if [ "$rc" = 0 ] || [ "$SECONDS" -ge "$end" ]; then
            if [ "${KEEP:-0}" = 1 ] || [ "${GUI_KEEP_SHOTS:-0}" = 1 ]; then
                convert "$W/$name.xwd" -alpha off "png24:$W/$name.png"
            fi
            rm -f "$W/$name.xwd"
            break
        fi
        sleep 0.2
    done
    if [ "$rc" = 0 ]; then peers_ok "$label: $MSG"; else peers_fail "$label: $MSG"; fi
    return "$rc"
}
fit_1600() { fit "$1" 1600 1000; }
# wait_geom W H [SECONDS]: until the window has that size.
wait_geom() {
    local i
    for ((i = 0; i < ${3:-3} * 10; i++)); do
        geom && [ "$WIN_W" = "$1" ] && [ "$WIN_H" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}
wait_log() { # wait_log PATTERN COUNT SECONDS
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        [ "$(grep -c "$1" "$log")" -ge "$2" ] && return 0
        sleep 0.1
    done
    return 1
}
key() { DISPLAY=:$CV xdotool key --delay 80 "$@"; }
pointer_away() { DISPLAY=:$CV xdotool mousemove $((SW - 1)) $((SH - 1)); } # no badge hover
start_viewer() { # start_viewer LOG ARGS...: sets VPID, wid
    log=$1
    shift
    peers_start "vncview $*" "$log" env DISPLAY=:$CV LD_PRELOAD="$GL_PRELOAD" "$VNCVIEW" --verbose --no-remote-resize "$@"
    VPID=$PEERS_LAST_PID
    # By the address in the title: SDL replaces its first window when it makes the renderer.
    wid=$(peers_wait_window "$CV" "127.0.0.1:${CR}[) ]" 10) || {
        peers_fail "no vncview window appeared for: $*"
        peers_show_log "$log"
        peers_finish
    }
}
quit_from_menu() { # F8, "Disconnect" (third button): status 0
    key F8 Right Right Return
    for _ in $(seq 1 50); do kill -0 "$VPID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$VPID" 2>/dev/null; then peers_fail "$1: menu 'Disconnect' did not quit"; else
        wait "$VPID" 2>/dev/null
        local rc=$?
        if [ "$rc" = 0 ]; then peers_ok "$1: menu 'Disconnect' quits with status 0"; else
            peers_fail "$1: after 'Disconnect' the viewer exited with status $rc"
        fi
    fi
}

# Both viewers start now; the --scale 100 one waits on its own screen and desktop until the
# first one is done, so that its security badge has faded by then.
CV=$V2 CR=$R2
start_viewer "$W/vncview-1to1.log" --scale 100 "127.0.0.1:$R2"
VPID2=$VPID WID2=$wid LOG2=$log
pointer_away
CV=$V CR=$R
start_viewer "$W/vncview.log" "127.0.0.1:$R"
wait_log "connected to" 1 10 || peers_fail "not connected within 10 s"
wait_log "desktop is 1600x1000" 1 5 || peers_fail "no 1600x1000 frame within 5 s"
DISPLAY=:$V xdotool windowfocus "$wid"
pointer_away

# ---- fit to window ----
geom
WIN0="${WIN_W}x${WIN_H}+$WIN_X+$WIN_Y"
WIN0_W=$WIN_W WIN0_H=$WIN_H
if [ "$WIN_W" -lt 1600 ] && [ "$WIN_X" -ge 0 ] && [ "$WIN_Y" -ge 0 ] &&
    [ $((WIN_X + WIN_W)) -le $SW ] && [ $((WIN_Y + WIN_H)) -le $SH ]; then
    peers_ok "window $WIN0 is smaller than the 1600x1000 desktop and on the screen"
else
    peers_fail "window $WIN0 does not fit the ${SW}x$SH screen"
fi
err=$((WIN_W * 1000 - WIN_H * 1600)) # aspect 16:10 to within one pixel of height
if [ "${err#-}" -le 1600 ]; then peers_ok "window keeps the desktop's aspect ratio"; else
    peers_fail "window ${WIN_W}x${WIN_H} does not have the 16:10 aspect ratio"
fi
KEEP=1 expect "fit to window" fit 8 fit_1600
# Negative control: the same metric must reject an unscaled crop of the same desktop.
m=$(convert "$W/fit.png" -crop "${WIN_W}x$WIN_H+$WIN_X+$WIN_Y" +repage \
    \( "$W/xvnc.xwd" -alpha off -crop "${WIN_W}x$WIN_H+0+0" +repage \) \
    -metric RMSE -compare -format '%[distortion]' info: 2>/dev/null)
if awk -v m="${m:-0}" -v t="$RMSE_MAX" 'BEGIN { exit !(m > 4 * t) }'; then
    peers_ok "negative control: an unscaled crop measures RMSE $m, far above $RMSE_MAX"
else
    peers_fail "negative control: an unscaled crop measures RMSE ${m:-?}: the metric cannot tell"
fi
# Inside a solid block, scaling must not change the colour at all.
red=$(peers_pixel "$W/fit.png" $((WIN_X + 300 * WIN_W / 1600)) $((WIN_Y + 250 * WIN_H / 1000)))
yel=$(peers_pixel "$W/fit.png" $((WIN_X + 450 * WIN_W / 1600)) $((WIN_Y + 750 * WIN_H / 1000)))
if [ "$red" = D03020 ] && [ "$yel" = F0D020 ]; then
    peers_ok "solid blocks keep their exact colours when scaled"
else
    peers_fail "block centres are #$red and #$yel, expected #D03020 and #F0D020"
fi

# ---- the window resized by the user: aspect kept, letterboxed ----
for size in "1000 900" "1200 500"; do
    read -r rw rh <<<"$size"
    DISPLAY=:$V xdotool windowsize "$wid" "$rw" "$rh"
    if wait_geom "$rw" "$rh"; then
        expect "window resized to ${rw}x$rh" "resized-$rw" 5 fit_1600
    else
        peers_fail "xdotool windowsize $rw $rh gave ${WIN_W}x$WIN_H"
    fi
done
DISPLAY=:$V xdotool windowsize "$wid" "$WIN0_W" "$WIN0_H"
wait_geom "$WIN0_W" "$WIN0_H"

# ---- F11: full screen and back ----
key F11
if wait_geom $SW $SH 2 && [ "$WIN_X,$WIN_Y" = 0,0 ]; then
    peers_ok "F11: the window covers the whole ${SW}x$SH screen"
else
    peers_fail "F11: the window is ${WIN_W}x${WIN_H}+$WIN_X+$WIN_Y, not the whole ${SW}x$SH screen"
fi
# Whatever size the window got, all of the desktop must be visible in it, scaled to fit.
expect "F11 full screen" fullscreen 3 fit_1600
key F11
wait_geom "$WIN0_W" "$WIN0_H" 2
if [ "${WIN_W}x${WIN_H}+$WIN_X+$WIN_Y" = "$WIN0" ]; then
    peers_ok "F11 again restores the window to $WIN0"
else
    peers_fail "after F11 twice the window is ${WIN_W}x${WIN_H}+$WIN_X+$WIN_Y, was $WIN0"
fi
expect "after F11 twice" windowed 5 fit_1600

# ---- F8 menu: opens, Escape closes; "Show 1:1" and "Scale to fit" ----
key F8
expect "F8 opens the menu" menu 5 dialog_shown
key Escape
expect "Escape closes the menu" menu-closed 5 no_dialog
expect "after the menu" menu-closed-fit 5 fit_1600
# Buttons: Send Ctrl+Alt+Del (default, focused), Show 1:1, Disconnect, Close menu.
key F8 Right Return
FB_W=1600 FB_H=1000
# y 30: below the top band where hovering shows the security badge over the desktop.
DISPLAY=:$V xdotool mousemove --window "$wid" 0 30
expect "menu 'Show 1:1', pointer at the left" one-left 5 pan 0 30
DISPLAY=:$V xdotool mousemove --window "$wid" $((WIN_W - 1)) $((WIN_H - 1))
expect "menu 'Show 1:1', pointer bottom right" one-right 5 pan $((WIN_W - 1)) $((WIN_H - 1))
pointer_away
key F8 Right Return
expect "menu 'Scale to fit'" fit-again 5 fit_1600

# ---- the server resizes its desktop ----
DISPLAY=:$R xrandr -s 1024x768 >"$W/xrandr.out" 2>&1 || peers_fail "xrandr -s 1024x768 failed on Xvnc"
if wait_log "desktop is 1024x768" 1 5; then peers_ok "viewer follows the server's resize"; else
    peers_fail "no 1024x768 desktop in the viewer's log after xrandr"
fi
if wait_geom 1024 768; then peers_ok "window resized to the 1024x768 desktop"; else
    peers_fail "window is ${WIN_W}x$WIN_H after the server went to 1024x768"
fi
expect "after xrandr" xrandr 5 exact 0 0 1024 768 0 0

# ---- the server goes away; a new one on the same display; Reconnect ----
peers_stop_named "Xvnc :$R"
KEEP=1 expect "'Connection lost' dialog" lost 5 dialog_shown
if grep -q "closed the connection" "$log"; then peers_ok "loss reason logged"; else
    peers_fail "no loss reason in the log"
fi
peers_start_xvnc "$R" -geometry 1600x1000 || peers_finish
peers_paint_blocks "$R" || peers_finish
# Click the default button ("Reconnect"): the centre of the accent-blue area.
read -r bw bh bx by <<<"$(convert "$W/lost.png" -crop "${WIN_W}x${WIN_H}+$WIN_X+$WIN_Y" +repage \
    -alpha off -fuzz 2% -fill black +opaque '#4084F0' -fill white -opaque '#4084F0' -trim \
    -format '%w %h %X %Y' info:)"
DISPLAY=:$V xdotool mousemove --window "$wid" $((bx + bw / 2)) $((by + bh / 2)) click 1
if wait_log "connected to" 2 10; then peers_ok "clicking Reconnect connects again"; else
    peers_fail "not connected again after clicking Reconnect at $((bx + bw / 2)),$((by + bh / 2))"
fi
pointer_away
expect "after Reconnect" reconnected 8 fit_1600
quit_from_menu "fit viewer"

# ---- --scale 100: 1:1, pan follows the pointer; a small desktop is centred ----
CV=$V2 CR=$R2 VPID=$VPID2 wid=$WID2 log=$LOG2
wait_log "desktop is 1600x1000" 1 1 || peers_fail "--scale 100: no 1600x1000 desktop"
DISPLAY=:$CV xdotool windowfocus "$wid"
geom
FB_W=1600 FB_H=1000
for p in "0 30" "$((WIN_W - 1)) $((WIN_H - 1))" "$((WIN_W / 3)) $((WIN_H * 2 / 3))"; do
    read -r x y <<<"$p"
    DISPLAY=:$CV xdotool mousemove --window "$wid" "$x" "$y"
    expect "--scale 100, pointer at $x,$y" "s100-$x" 5 pan "$x" "$y"
done
# A desktop smaller than the window: centred, exact, dark around it.
DISPLAY=:$R2 xrandr -s 800x600 >>"$W/xrandr.out" 2>&1
wait_log "desktop is 800x600" 1 5 || peers_fail "--scale 100: no 800x600 desktop after xrandr"
sleep 0.3
DISPLAY=:$CV xdotool windowmove "$wid" 0 0 windowsize "$wid" 1100 900
pointer_away
if wait_geom 1100 900; then
    KEEP=1 expect "--scale 100, 800x600 desktop in a 1100x900 window" s100-small 5 exact 0 0 800 600 150 150
    c1=$(peers_pixel "$W/s100-small.png" $((WIN_X + 75)) $((WIN_Y + 450)))
    c2=$(peers_pixel "$W/s100-small.png" $((WIN_X + 550)) $((WIN_Y + 825)))
    if dark "$c1" && dark "$c2"; then peers_ok "dark margins around the small desktop"; else
        peers_fail "margins around the small desktop are #$c1 / #$c2, not dark"
    fi
    # An update with nothing drawn over the desktop goes straight from the frame into the
    # window (ui/present.c, SDL's software renderer): it must land exactly where it belongs.
    peers_paint_blocks "$R2" "$W/blocks-small.png" || peers_fail "cannot repaint :$R2"
    expect "--scale 100, an update after the first frame" s100-update 5 exact 0 0 800 600 150 150
else
    peers_fail "xdotool windowsize 1100 900 gave ${WIN_W}x$WIN_H"
fi
quit_from_menu "--scale 100 viewer"

if grep -q "Sanitizer" "$W"/vncview*.log; then
    peers_fail "sanitizer report from a viewer:"
    grep -h -A12 "Sanitizer" "$W"/vncview*.log | head -40 >&2
else
    peers_ok "no sanitizer report from the viewers"
fi
peers_finish
