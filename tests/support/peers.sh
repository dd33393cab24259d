# shellcheck shell=bash
# Test kit for shell tests that run real peers (TigerVNC Xvnc, Xvfb) on 127.0.0.1. Source it:
#   source "$(dirname "$0")/../support/peers.sh"
# Every process started through the kit is stopped when the script exits, newest first.
#
# Usage:
#   peers_init WORKDIR                  work directory (emptied if the kit made it before),
#                                       cleanup trap on EXIT/INT/TERM/HUP
#   peers_require CMD...                fail the test unless every command is installed
#   N=$(peers_free_display)             free X display number 20..99, reserved until exit
#   peers_make_vncpasswd FILE PASSWORD  FILE as made by vncpasswd (mode 600)
#   peers_start_xvnc N [Xvnc args...]   Xvnc :N on 127.0.0.1 port 5900+N, 800x600x24,
#                                       SecurityTypes None unless given; waits until ready
#   peers_start_xvfb N [WxHxD]          Xvfb :N (default 1024x768x24); waits until ready
#   peers_start NAME LOG CMD...         any other background peer, stopped at exit (by its
#                                       PID only: CMD should be the program, not a wrapper
#                                       shell whose children would outlive it)
#   peers_wait_port PORT PID NAME LOG   wait until 127.0.0.1:PORT accepts while PID lives
#   peers_paint_test_pattern N          paint a deterministic, colourful, non-repeating
#                                       picture on the root window and verify it
#   peers_park_pointer N                pointer to 0,0 (Xvnc renders it into the fb otherwise)
#   peers_xwd_png N OUT.png             root window as an 8-bit RGB PNG
#   peers_compare_png A.png B.png       print number of differing pixels; 0 = identical,
#                                       1 = differ, 2 = cannot compare (size, missing file)
#   peers_png_size FILE                 print WxH
#   peers_run NAME SECONDS CMD...       run CMD with a time limit, stdin /dev/null, no
#                                       controlling terminal; stdout/stderr in
#                                       WORKDIR/NAME.out / NAME.err; sets PEERS_RC
#   peers_ok MSG / peers_fail MSG       record a result
#   peers_finish                        print "N passed, N failed"; exit 1 on any failure
# Settings: PEERS_TIMEOUT (seconds to wait for a peer to come up, default 20).

PEERS_WORKDIR=
PEERS_PIDS=()
PEERS_NAMES=()
PEERS_LOGS=()
PEERS_DISPLAYS=() # display number per PID ("" if not an X server), for stale lock cleanup
PEERS_PASSED=0
PEERS_FAILED=0
PEERS_TIMEOUT=${PEERS_TIMEOUT:-20}
PEERS_RC=0
PEERS_RUN_PID=
PEERS_LOCKDIR=${TMPDIR:-/tmp}

peers_log() {
    printf '%s\n' "peers: $*" >&2
}

peers_ok() {
    PEERS_PASSED=$((PEERS_PASSED + 1))
    printf 'ok   %s\n' "$*"
}

peers_fail() {
    PEERS_FAILED=$((PEERS_FAILED + 1))
    printf 'FAIL %s\n' "$*"
}

peers_finish() {
    printf '%d passed, %d failed\n' "$PEERS_PASSED" "$PEERS_FAILED"
    if [ "$PEERS_FAILED" -ne 0 ] || [ "$PEERS_PASSED" -eq 0 ]; then
        exit 1
    fi
    exit 0
}

# Prints the last lines of a peer's log, for messages about a peer that failed.
peers_show_log() {
    local log=$1
    if [ -s "$log" ]; then
        printf '%s\n' "---- last lines of $log ----" >&2
        tail -n 25 "$log" >&2
        printf '%s\n' "----" >&2
    fi
}

peers_init() {
    local dir=$1
    if [ -z "$dir" ] || [ "$dir" = / ]; then
        peers_log "peers_init: need a work directory"
        exit 2
    fi
    mkdir -p "$dir" || exit 2
    PEERS_WORKDIR=$(cd "$dir" && pwd)
    # Empty it only if it is ours from an earlier run: stale outputs must not make a check pass.
    if [ -e "$PEERS_WORKDIR/.peers-workdir" ]; then
        find "$PEERS_WORKDIR" -mindepth 1 -delete
    fi
    : >"$PEERS_WORKDIR/.peers-workdir"
    trap peers_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
}

peers_require() {
    local c missing=()
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || missing+=("$c")
    done
    if [ ${#missing[@]} -ne 0 ]; then
        peers_log "missing programs: ${missing[*]} (Debian: tigervnc-standalone-server," \
            "tigervnc-tools, xvfb, x11-utils, x11-apps, x11-xserver-utils, xdotool, imagemagick)"
        return 1
    fi
}

# Stops one PID: TERM, up to 5 s, then KILL; always reaped.
peers_stop_pid() {
    local pid=$1 name=${2:-process} i
    # TERM again every second: a signal that arrives between fork and exec is lost.
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        [ $((i % 10)) -eq 0 ] && kill -TERM "$pid" 2>/dev/null
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        peers_log "$name (pid $pid) did not stop within 5 s of SIGTERM, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
}

peers_cleanup() {
    local rc=$? i pid n
    trap - EXIT INT TERM HUP
    if [ -n "$PEERS_RUN_PID" ]; then
        peers_stop_pid "$PEERS_RUN_PID" "command run by peers_run"
    fi
    for ((i = ${#PEERS_PIDS[@]} - 1; i >= 0; i--)); do
        pid=${PEERS_PIDS[i]}
        peers_stop_pid "$pid" "${PEERS_NAMES[i]}"
        n=${PEERS_DISPLAYS[i]}
        # An X server killed hard leaves its lock and socket behind; remove only if they are its.
        if [ -n "$n" ] && [ "$(tr -d ' ' 2>/dev/null <"/tmp/.X$n-lock")" = "$pid" ]; then
            rm -f "/tmp/.X$n-lock" "/tmp/.X11-unix/X$n"
        fi
    done
    PEERS_PIDS=()
    # Display reservations made by this script (possibly from a $(...) subshell).
    for n in "$PEERS_LOCKDIR"/vv-peers-display-*.lock; do
        [ -d "$n" ] || continue
        [ "$(cat "$n/owner" 2>/dev/null)" = "$$" ] && rm -rf "$n"
    done
    exit "$rc"
}

# True if something listens on 127.0.0.1:PORT (or on any address for that port).
peers_port_busy() {
    local port=$1
    if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]; then
        return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# Reserves display N for this script unless another live script holds it. Atomic (mkdir).
peers_reserve_display() {
    local n=$1 lock="$PEERS_LOCKDIR/vv-peers-display-$1.lock" owner
    if ! mkdir "$lock" 2>/dev/null; then
        owner=$(cat "$lock/owner" 2>/dev/null)
        if peers_pid_alive "$owner"; then
            return 1
        fi
        # Stale: its owner is gone. Take it over, racing fairly through a second mkdir.
        rm -rf "$lock"
        mkdir "$lock" 2>/dev/null || return 1
    fi
    echo "$$" >"$lock/owner"
}

# True if PID is a live process (also one of another user, which kill -0 cannot signal).
peers_pid_alive() {
    [ -n "$1" ] && { kill -0 "$1" 2>/dev/null || [ -d "/proc/$1" ]; }
}

# True if X display N is in use. A lock file whose process is gone is stale (an X server
# killed hard): the next X server removes it and the old socket itself.
peers_display_busy() {
    local n=$1 pid
    if [ -e "/tmp/.X$n-lock" ]; then
        pid=$(tr -d ' \n' 2>/dev/null <"/tmp/.X$n-lock")
        case $pid in '' | *[!0-9]*) return 0 ;; esac
        peers_pid_alive "$pid"
        return
    fi
    [ -e "/tmp/.X11-unix/X$n" ]
}

peers_free_display() {
    local n
    for ((n = 20; n <= 99; n++)); do
        peers_display_busy "$n" && continue
        peers_port_busy $((5900 + n)) && continue
        peers_port_busy $((6000 + n)) && continue
        peers_reserve_display "$n" || continue
        echo "$n"
        return 0
    done
    peers_log "no free X display between 20 and 99"
    return 1
}

peers_make_vncpasswd() {
    local file=$1 pw=$2
    if ! printf '%s\n' "$pw" | vncpasswd -f >"$file"; then
        peers_log "vncpasswd -f failed for $file"
        return 1
    fi
    chmod 600 "$file"
}

# Starts CMD in the background with output to LOG and records it for cleanup.
# Sets PEERS_LAST_PID.
peers_start() {
    local name=$1 log=$2
    shift 2
    "$@" >"$log" 2>&1 </dev/null &
    PEERS_LAST_PID=$!
    PEERS_PIDS+=("$PEERS_LAST_PID")
    PEERS_NAMES+=("$name")
    PEERS_LOGS+=("$log")
    PEERS_DISPLAYS+=("${PEERS_DISPLAY_OF_NEXT:-}")
    PEERS_DISPLAY_OF_NEXT=
}

# Waits until 127.0.0.1:PORT accepts a connection; fails early if PID dies.
peers_wait_port() {
    local port=$1 pid=$2 name=$3 log=$4 deadline=$((SECONDS + PEERS_TIMEOUT))
    while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            peers_log "$name exited before listening on 127.0.0.1:$port"
            peers_show_log "$log"
            return 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            peers_log "$name did not listen on 127.0.0.1:$port within ${PEERS_TIMEOUT}s"
            peers_show_log "$log"
            return 1
        fi
        sleep 0.1
    done
}

# Waits until X display :N answers; fails early if PID dies.
peers_wait_x() {
    local n=$1 pid=$2 name=$3 log=$4 deadline=$((SECONDS + PEERS_TIMEOUT))
    until DISPLAY=":$n" timeout 5 xdpyinfo >/dev/null 2>&1; do
        if ! kill -0 "$pid" 2>/dev/null; then
            peers_log "$name exited before display :$n answered"
            peers_show_log "$log"
            return 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            peers_log "$name: display :$n did not answer within ${PEERS_TIMEOUT}s"
            peers_show_log "$log"
            return 1
        fi
        sleep 0.1
    done
}

peers_start_xvnc() {
    local n=$1 port=$(($1 + 5900)) a sec=(-SecurityTypes None)
    shift
    for a in "$@"; do
        case $a in -SecurityTypes | -securitytypes | SecurityTypes=*) sec=() ;; esac
    done
    local log="$PEERS_WORKDIR/xvnc-$n.log"
    # -BlacklistThreshold: tests fail authentication on purpose; Xvnc would then refuse
    # 127.0.0.1 for a while. Later arguments override earlier ones, so callers can change any.
    PEERS_DISPLAY_OF_NEXT=$n
    peers_start "Xvnc :$n" "$log" Xvnc ":$n" -rfbport "$port" -localhost -interface 127.0.0.1 \
        -nolisten tcp -geometry 800x600 -depth 24 -BlacklistThreshold 1000 "${sec[@]}" "$@"
    local pid=$PEERS_LAST_PID
    peers_wait_port "$port" "$pid" "Xvnc :$n" "$log" || return 1
    peers_wait_x "$n" "$pid" "Xvnc :$n" "$log" || return 1
}

peers_start_xvfb() {
    local n=$1 geom=${2:-1024x768x24}
    local log="$PEERS_WORKDIR/xvfb-$n.log"
    PEERS_DISPLAY_OF_NEXT=$n
    peers_start "Xvfb :$n" "$log" Xvfb ":$n" -screen 0 "$geom" -nolisten tcp
    peers_wait_x "$n" "$PEERS_LAST_PID" "Xvfb :$n" "$log"
}

peers_png_size() {
    identify -format '%wx%h' "$1" 2>/dev/null
}

peers_xwd_png() {
    local n=$1 out=$2
    # png24: forces 8-bit RGB without alpha whatever the X visual, like our own PNGs.
    if ! xwd -root -silent -display ":$n" | convert xwd:- -alpha off "png24:$out" ||
        [ ! -s "$out" ]; then
        peers_log "cannot capture display :$n into $out"
        return 1
    fi
}

peers_compare_png() {
    local a=$1 b=$2 sa sb out
    if [ ! -s "$a" ] || [ ! -s "$b" ]; then
        peers_log "compare: missing or empty file: $([ -s "$a" ] || echo "$a ")$([ -s "$b" ] || echo "$b")"
        return 2
    fi
    sa=$(peers_png_size "$a")
    sb=$(peers_png_size "$b")
    if [ -z "$sa" ] || [ "$sa" != "$sb" ]; then
        peers_log "compare: sizes differ: $a is ${sa:-unreadable}, $b is ${sb:-unreadable}"
        return 2
    fi
    # AE = number of pixels that differ in any channel (no fuzz). compare prints it on stderr,
    # sometimes in floating-point notation.
    out=$(compare -metric AE "$a" "$b" null: 2>&1)
    case $out in
    [0-9]*) ;;
    *)
        peers_log "compare failed: $out"
        return 2
        ;;
    esac
    out=$(awk -v v="$out" 'BEGIN { printf "%.0f", v }')
    echo "$out"
    [ "$out" = 0 ]
}

peers_park_pointer() {
    DISPLAY=":$1" xdotool mousemove 0 0
}

# A picture whose every region differs: seeded noise as the ground, with solid blocks,
# a gradient band, a checkerboard and antialiased shapes on it, so every encoder path
# (solid, palette, smooth, noisy) is taken and a misplaced rectangle shows.
peers_paint_test_pattern() {
    local n=$1 size w h pat cap diff
    size=$(DISPLAY=":$n" xdpyinfo 2>/dev/null | awk '/dimensions:/ { print $2; exit }')
    w=${size%x*}
    h=${size#*x}
    if [ -z "$size" ] || [ "$w" -le 0 ] || [ "$h" -le 0 ]; then
        peers_log "cannot read the size of display :$n"
        return 1
    fi
    pat="$PEERS_WORKDIR/pattern-$n.png"
    cap="$PEERS_WORKDIR/pattern-$n-check.png"
    if ! convert -limit thread 1 -seed 4242 -size "${w}x${h}" xc: +noise Random \
        \( -size "$((h / 8))x${w}" gradient:'#ff2000-#0030ff' -rotate 90 \) \
        -geometry "+0+$((h / 6))" -composite \
        \( -size "$((w / 4))x$((h / 5))" pattern:checkerboard -fill '#20c040' -opaque black \) \
        -geometry "+$((w * 3 / 8))+$((h * 2 / 5))" -composite \
        -fill '#12ab34' -draw "rectangle $((w / 20)),$((h / 3)) $((w / 4)),$((h / 2))" \
        -fill '#fedcba' -draw "rectangle $((w * 3 / 4)),$((h * 2 / 3)) $((w - 40)),$((h - 40))" \
        -fill '#ffffff' -draw "rectangle 0,$((h - 30)) $((w / 3)),$((h - 1))" \
        -fill '#3050f0' -draw "circle $((w * 5 / 8)),$((h / 8)) $((w * 5 / 8 + 50)),$((h / 8 + 30))" \
        -stroke '#000000' -strokewidth 3 -draw "line 0,$((h - 1)) $((w - 1)),0" \
        -alpha off -depth 8 "png24:$pat"; then
        peers_log "convert could not make the test pattern"
        return 1
    fi
    DISPLAY=":$n" xsetroot -solid '#402010' || return 1
    # display -window root sets the root background and exits (status 1 even on success).
    DISPLAY=":$n" timeout 20 display -window root "$pat" >/dev/null 2>&1
    peers_xwd_png "$n" "$cap" || return 1
    if ! diff=$(peers_compare_png "$pat" "$cap"); then
        peers_log "test pattern not on display :$n ($diff pixels differ)"
        return 1
    fi
}

# Runs CMD with a time limit, stdin from /dev/null and without a controlling terminal (so a
# password prompt cannot hang the test). Output goes to WORKDIR/NAME.out and NAME.err; the
# exit code goes to PEERS_RC (124 = killed by the time limit) and is returned.
peers_run() {
    local name=$1 secs=$2
    shift 2
    # In the background and then waited for, so that a TERM to the script is handled at once
    # (bash delays traps until a foreground command ends); cleanup then stops the command.
    setsid -w timeout -k 5 "$secs" "$@" >"$PEERS_WORKDIR/$name.out" \
        2>"$PEERS_WORKDIR/$name.err" </dev/null &
    PEERS_RUN_PID=$!
    wait "$PEERS_RUN_PID"
    PEERS_RC=$?
    PEERS_RUN_PID=
    if [ "$PEERS_RC" -eq 124 ]; then
        peers_log "$name: killed after ${secs}s: $*"
    fi
    return "$PEERS_RC"
}

# ---- Helpers for GUI tests (windows, pictures, pixels) ----
#   peers_paint_png N FILE              put FILE (exactly the screen's size) on :N's root
#                                       window and verify it is there
#   peers_paint_blocks N [OUT.png]      paint a picture of large solid blocks, a smooth band
#                                       and big squares (no noise), so that a scaled copy can
#                                       be compared with a tolerance; verify it
#   peers_screen_size N                 print :N's root size as WxH
#   wid=$(peers_wait_window N PATTERN [SECONDS])  id of the first window on :N whose name
#                                       matches PATTERN (xdotool search --name); waits
#   peers_window_geometry N WID         set WIN_X WIN_Y WIN_W WIN_H (position on the screen)
#   peers_stop_named NAME               stop the peer the kit started as NAME ("Xvnc :21")
#   peers_pixel FILE X Y                print the pixel's colour as RRGGBB
#   peers_metric METRIC A.png B.png     print compare's normalised METRIC (RMSE, PAE: 0..1)
#   peers_count_colour FILE GEOM HEX FUZZ  pixels of colour #HEX (within FUZZ%) in the
#                                       region GEOM (WxH+X+Y) of FILE
#   peers_port_closed PORT              true if nothing accepts on 127.0.0.1:PORT
#   LD_PRELOAD="$(peers_gl_preload BIN)" BIN ...  keeps Mesa's software GL driver loaded
#                                       for the life of an SDL program BIN (see below)
#   peers_x_close_window N WID          ask window WID on :N to close as a window manager's
#                                       close button does (WM_DELETE_WINDOW); needs python3
#                                       (returns 2 without it). xdotool windowclose destroys the
#                                       window instead, which kills any Xlib client.

peers_screen_size() {
    DISPLAY=":$1" xdpyinfo 2>/dev/null | awk '/dimensions:/ { print $2; exit }'
}

peers_paint_png() {
    local n=$1 pic=$2 cap diff
    cap="$PEERS_WORKDIR/paint-$n-check.png"
    DISPLAY=":$n" xsetroot -solid '#000000' || return 1
    # display -window root sets the root background and exits (status 1 even on success).
    DISPLAY=":$n" timeout 20 display -window root "$pic" >/dev/null 2>&1
    peers_xwd_png "$n" "$cap" || return 1
    if ! diff=$(peers_compare_png "$pic" "$cap"); then
        peers_log "picture $pic not on display :$n ($diff pixels differ)"
        return 1
    fi
}

peers_paint_blocks() {
    local n=$1 out=${2:-$PEERS_WORKDIR/blocks-$1.png} size w h sq
    size=$(peers_screen_size "$n")
    w=${size%x*}
    h=${size#*x}
    if [ -z "$size" ] || [ "$w" -le 0 ] || [ "$h" -le 0 ]; then
        peers_log "cannot read the size of display :$n"
        return 1
    fi
    sq=$((h / 12))
    # Nothing symmetric: a mirrored, shifted or cropped copy compares badly.
    if ! convert -size "${w}x${h}" xc:'#1e3a5f' \
        \( -size "$((h * 8 / 100))x${w}" gradient:'#101010-#f0f0f0' -rotate 90 \) \
        -geometry "+0+$((h * 46 / 100))" -composite \
        \( -size "$((sq * 2))x$((sq * 2))" xc:white -fill black \
        -draw "rectangle 0,0 $((sq - 1)),$((sq - 1))" \
        -draw "rectangle $sq,$sq $((sq * 2 - 1)),$((sq * 2 - 1))" -write mpr:tile +delete \
        -size "$((w * 11 / 32))x$((h * 2 / 5))" tile:mpr:tile \) \
        -geometry "+$((w * 9 / 16))+$((h * 11 / 20))" -composite \
        -fill '#d03020' -draw "rectangle $((w / 16)),$((h / 10)) $((w * 5 / 16)),$((h * 4 / 10))" \
        -fill '#20b050' -draw "rectangle $((w * 10 / 16)),$((h * 3 / 20)) $((w * 15 / 16)),$((h * 9 / 20))" \
        -fill '#f0d020' -draw "rectangle $((w / 8)),$((h * 6 / 10)) $((w * 7 / 16)),$((h * 9 / 10))" \
        -alpha off -depth 8 "png24:$out"; then
        peers_log "convert could not make the block picture"
        return 1
    fi
    peers_paint_png "$n" "$out"
}

peers_wait_window() {
    local n=$1 pattern=$2 secs=${3:-10} wid i
    for ((i = 0; i < secs * 10; i++)); do
        wid=$(DISPLAY=":$n" xdotool search --name "$pattern" 2>/dev/null | head -1)
        if [ -n "$wid" ]; then
            echo "$wid"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

peers_window_geometry() {
    local n=$1 wid=$2 X Y WIDTH HEIGHT SCREEN WINDOW
    eval "$(DISPLAY=":$n" xdotool getwindowgeometry --shell "$wid" 2>/dev/null)" || return 1
    WIN_X=$X
    WIN_Y=$Y
    WIN_W=$WIDTH
    WIN_H=$HEIGHT
    [ -n "$WIN_W" ]
}

peers_stop_named() {
    local name=$1 i found=1
    for i in "${!PEERS_PIDS[@]}"; do
        if [ "${PEERS_NAMES[i]}" = "$name" ] && [ -n "${PEERS_PIDS[i]}" ]; then
            peers_stop_pid "${PEERS_PIDS[i]}" "$name"
            PEERS_PIDS[i]= # stopped and reaped: cleanup must not signal a reused PID
            found=0
        fi
    done
    return $found
}

peers_pixel() {
    convert "$1" -format "%[hex:u.p{$2,$3}]" info: 2>/dev/null | cut -c1-6
}

peers_metric() {
    local metric=$1 a=$2 b=$3 out
    # compare prints "absolute (normalised)" on stderr and exits 1 when the pictures differ.
    out=$(compare -metric "$metric" "$a" "$b" null: 2>&1)
    out=${out#*(}
    out=${out%)*}
    case $out in
    [0-9]*) printf '%s\n' "$out" ;;
    *)
        peers_log "compare -metric $metric $a $b failed: $out"
        return 2
        ;;
    esac
}

peers_count_colour() {
    local file=$1 geom=$2 hex=$3 fuzz=$4
    convert "$file" -crop "$geom" +repage -alpha off -fuzz "$fuzz%" \
        -fill black +opaque "#$hex" -fill white -opaque "#$hex" -colorspace Gray \
        -format "%[fx:round(mean*w*h)]" info: 2>/dev/null
}

peers_port_closed() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# SDL unloads libGL, and Mesa's driver with it, when its window goes away. LeakSanitizer then
# reports what the driver still held through its own globals as leaks allocated in an
# "<unknown module>", which no suppression can name (seen as 2 x 56 bytes from swrast_dri.so in
# about one exit in three). A library preloaded at start is never unloaded. The ASan runtime
# must stay first in the list, so it is named first when BIN links it. Prints "" if there is no
# such driver.
peers_gl_preload() {
    local bin=$1 dri asan list=""
    for dri in /usr/lib/*/dri/swrast_dri.so /usr/lib/dri/swrast_dri.so /usr/lib64/dri/swrast_dri.so; do
        [ -e "$dri" ] && break
    done
    [ -e "$dri" ] || return 0
    asan=$(ldd "$bin" 2>/dev/null | awk '/libasan\.so/ { print $3; exit }')
    [ -n "$asan" ] && list="$asan "
    printf '%s\n' "$list$dri"
}

peers_x_close_window() {
    local n=$1 wid=$2
    command -v python3 >/dev/null 2>&1 || return 2
    # No window manager under Xvfb and no X tool here sends the message, so ctypes on libX11.
    DISPLAY=":$n" python3 - "$wid" <<'PYEOF'
import ctypes, sys
x = ctypes.CDLL("libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
class ClientMessage(ctypes.Structure):  # XClientMessageEvent
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong),
                ("message_type", ctypes.c_ulong), ("format", ctypes.c_int),
                ("l", ctypes.c_long * 5)]
class XEvent(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                         ctypes.POINTER(XEvent)]
x.XFlush.argtypes = [ctypes.c_void_p]
x.XCloseDisplay.argtypes = [ctypes.c_void_p]
d = x.XOpenDisplay(None)
if not d:
    sys.exit("cannot open the display")
ev = XEvent()
ev.xclient.type = 33  # ClientMessage
ev.xclient.window = int(sys.argv[1], 0)
ev.xclient.message_type = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
ev.xclient.format = 32
ev.xclient.l[0] = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
ok = x.XSendEvent(d, ev.xclient.window, 0, 0, ctypes.byref(ev))
x.XFlush(d)
x.XCloseDisplay(d)
sys.exit(0 if ok else "XSendEvent failed")
PYEOF
}

# ---- SSH peers: OpenSSH sshd and ssh-agent on 127.0.0.1, everything under WORKDIR ----
#   port=$(peers_free_port)             a TCP port nothing listens on (20000..29999)
#   peers_make_ssh_key FILE [PASSPHRASE]  ed25519 key pair FILE and FILE.pub
#   peers_authorize_ssh_key FILE.pub    let that key log in to the kit's sshd servers
#   peers_start_sshd PORTVAR [LINE...]  sshd -D -e with its own sshd_config in
#                                       WORKDIR/sshd (ListenAddress 127.0.0.1, host key
#                                       WORKDIR/sshd/ssh_host_ed25519_key made if missing and
#                                       kept across restarts, AuthorizedKeysFile
#                                       WORKDIR/sshd/authorized_keys, PermitRootLogin
#                                       prohibit-password, AllowTcpForwarding yes, UsePAM no,
#                                       StrictModes no); each LINE ("AllowTcpForwarding no")
#                                       comes first, so it wins (sshd keeps the first value).
#                                       Port: PORTVAR's value if set (a restart), else a free
#                                       one stored in PORTVAR. Waits until it listens; the peer
#                                       is named "sshd :PORT" (for peers_stop_named).
#   peers_sshd_new_host_key             replace the host key (restart the server to use it)
#   peers_start_ssh_agent               ssh-agent -D -a WORKDIR/agent.sock; sets
#                                       PEERS_AGENT_SOCK and PEERS_AGENT_PID (not exported:
#                                       give it to the commands that should use it)
# Sets PEERS_SSHD_DIR and PEERS_SSHD (the sshd binary).

PEERS_SSHD_DIR=
PEERS_SSHD=
PEERS_AGENT_SOCK=
PEERS_AGENT_PID=

peers_free_port() {
    local i port
    for ((i = 0; i < 200; i++)); do
        port=$((20000 + (RANDOM % 10000)))
        peers_port_busy "$port" && continue
        echo "$port"
        return 0
    done
    peers_log "no free TCP port found"
    return 1
}

peers_make_ssh_key() {
    local file=$1 pass=${2:-}
    rm -f "$file" "$file.pub"
    if ! ssh-keygen -q -t ed25519 -N "$pass" -C "vncview-test-$(basename "$file")" -f "$file" \
        </dev/null >/dev/null; then
        peers_log "ssh-keygen could not make $file"
        return 1
    fi
}

peers_sshd_init() {
    [ -n "$PEERS_SSHD_DIR" ] && return 0
    PEERS_SSHD=$(command -v sshd 2>/dev/null || echo /usr/sbin/sshd)
    if [ ! -x "$PEERS_SSHD" ]; then
        peers_log "OpenSSH sshd not found (Debian: openssh-server)"
        return 1
    fi
    PEERS_SSHD_DIR="$PEERS_WORKDIR/sshd"
    mkdir -p "$PEERS_SSHD_DIR" || return 1
    chmod 700 "$PEERS_SSHD_DIR"
    touch "$PEERS_SSHD_DIR/authorized_keys"
    # Its privilege-separation directory; packages make it at boot, containers may not have it.
    if [ ! -d /run/sshd ] && ! mkdir -p -m 755 /run/sshd; then
        peers_log "sshd needs /run/sshd and it cannot be made"
        return 1
    fi
}

peers_authorize_ssh_key() {
    peers_sshd_init || return 1
    cat "$1" >>"$PEERS_SSHD_DIR/authorized_keys"
}

peers_sshd_new_host_key() {
    peers_sshd_init || return 1
    rm -f "$PEERS_SSHD_DIR/ssh_host_ed25519_key" "$PEERS_SSHD_DIR/ssh_host_ed25519_key.pub"
    ssh-keygen -q -t ed25519 -N '' -f "$PEERS_SSHD_DIR/ssh_host_ed25519_key" </dev/null >/dev/null
}

peers_start_sshd() {
    local var=$1 port try cfg log pid deadline line
    shift
    peers_sshd_init || return 1
    [ -s "$PEERS_SSHD_DIR/ssh_host_ed25519_key" ] || peers_sshd_new_host_key || return 1
    for ((try = 0; try < 5; try++)); do
        port=${!var:-}
        [ -n "$port" ] || port=$(peers_free_port) || return 1
        cfg="$PEERS_SSHD_DIR/sshd_config-$port"
        log="$PEERS_WORKDIR/sshd-$port.log"
        {
            for line in "$@"; do printf '%s\n' "$line"; done
            cat <<CFG
ListenAddress 127.0.0.1
Port $port
HostKey $PEERS_SSHD_DIR/ssh_host_ed25519_key
AuthorizedKeysFile $PEERS_SSHD_DIR/authorized_keys
PidFile $PEERS_SSHD_DIR/sshd-$port.pid
PermitRootLogin prohibit-password
AllowTcpForwarding yes
UsePAM no
StrictModes no
KbdInteractiveAuthentication no
X11Forwarding no
PrintMotd no
LogLevel VERBOSE
CFG
        } >"$cfg"
        peers_start "sshd :$port" "$log" "$PEERS_SSHD" -D -e -f "$cfg"
        pid=$PEERS_LAST_PID
        # Its own log line, not just an open port: another program could own the port.
        deadline=$((SECONDS + PEERS_TIMEOUT))
        while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
            if grep -q "Server listening on 127.0.0.1 port $port" "$log" 2>/dev/null; then
                printf -v "$var" '%s' "$port"
                return 0
            fi
            sleep 0.05
        done
        peers_log "sshd did not start on port $port"
        peers_show_log "$log"
        peers_stop_named "sshd :$port"
        [ -n "${!var:-}" ] && return 1 # a fixed port: retrying elsewhere would not help
    done
    return 1
}

peers_start_ssh_agent() {
    local sock="$PEERS_WORKDIR/agent.sock" i
    rm -f "$sock"
    peers_start "ssh-agent" "$PEERS_WORKDIR/ssh-agent.log" ssh-agent -D -a "$sock"
    PEERS_AGENT_PID=$PEERS_LAST_PID
    for ((i = 0; i < PEERS_TIMEOUT * 20; i++)); do
        if [ -S "$sock" ]; then
            PEERS_AGENT_SOCK=$sock
            return 0
        fi
        kill -0 "$PEERS_AGENT_PID" 2>/dev/null || break
        sleep 0.05
    done
    peers_log "ssh-agent did not create $sock"
    peers_show_log "$PEERS_WORKDIR/ssh-agent.log"
    return 1
}
