#!/usr/bin/env bash
# Self-test of tests/support/peers.sh: peers start and answer, captures are exact and
# comparisons can fail, failures are reported with the peer's log, nothing is left running.
# Usage: bash peers_kit.sh [/path/to/vncview (unused)] WORKDIR
# "A && peers_ok || peers_fail" is safe here: peers_ok always succeeds.
# shellcheck disable=SC2015
KIT="$(cd "$(dirname "$0")/../support" && pwd)/peers.sh"
# shellcheck source-path=SCRIPTDIR source=../support/peers.sh
source "$KIT"
peers_init "${2:-${TMPDIR:-/tmp}/vv-peers-kit}"
W=$PEERS_WORKDIR
peers_require Xvnc Xvfb vncpasswd xdpyinfo xsetroot xwd convert compare identify display \
    xdotool setsid timeout ss || exit 1

gone() { ! kill -0 "$1" 2>/dev/null; }

# Displays: two reservations never collide.
N=$(peers_free_display) || exit 1
M=$(peers_free_display) || exit 1
if [ "$N" != "$M" ] && [ -d "${TMPDIR:-/tmp}/vv-peers-display-$N.lock" ]; then
    peers_ok "free displays :$N and :$M, reserved"
else
    peers_fail "free displays :$N and :$M (must differ and be reserved)"
fi

# vncpasswd files.
peers_make_vncpasswd "$W/pw" 'kit-pw' && [ "$(stat -c %s:%a "$W/pw")" = 8:600 ] &&
    peers_ok "vncpasswd file: 8 bytes, mode 600" || peers_fail "vncpasswd file"

# Xvnc comes up, listens and answers X requests.
if peers_start_xvnc "$N" -SecurityTypes VncAuth -PasswordFile "$W/pw"; then
    peers_ok "Xvnc :$N started (pid ${PEERS_PIDS[0]})"
else
    peers_fail "Xvnc :$N did not start"
    peers_finish
fi
XVNC_PID=${PEERS_PIDS[0]}
head -c 12 </dev/tcp/127.0.0.1/$((5900 + N)) >"$W/banner" 2>/dev/null
grep -q '^RFB 003\.008' "$W/banner" && peers_ok "port $((5900 + N)) speaks RFB" ||
    peers_fail "port $((5900 + N)) banner: $(cat -v "$W/banner")"

# The pattern is painted (peers_paint_test_pattern compares it with a capture itself) and rich.
if peers_paint_test_pattern "$N"; then
    peers_ok "test pattern painted and verified"
else
    peers_fail "test pattern"
fi
colours=$(identify -format '%k' "$W/pattern-$N.png")
[ "${colours:-0}" -gt 100000 ] && peers_ok "pattern has $colours colours" ||
    peers_fail "pattern has only ${colours:-?} colours"

# Pointer parked at 0,0.
DISPLAY=":$N" xdotool mousemove 300 200
peers_park_pointer "$N"
loc=$(DISPLAY=":$N" xdotool getmouselocation --shell | tr '\n' ' ')
case $loc in "X=0 Y=0 "*) peers_ok "pointer parked" ;; *) peers_fail "pointer at $loc" ;; esac

# Two captures of a still screen are identical; captures are 8-bit RGB.
peers_xwd_png "$N" "$W/c1.png" && peers_xwd_png "$N" "$W/c2.png"
d=$(peers_compare_png "$W/c1.png" "$W/c2.png") && peers_ok "two captures: $d pixels differ" ||
    peers_fail "two captures differ: ${d:-error}"
t=$(identify -format '%[channels] %z %wx%h' "$W/c1.png")
[ "$t" = "srgb 8 800x600" ] && peers_ok "capture is 8-bit RGB 800x600" || peers_fail "capture: $t"

# A comparison can fail: one changed pixel is counted, and a size mismatch is an error.
convert "$W/c1.png" -fill '#010203' -draw 'point 17,33' "png24:$W/c3.png"
d=$(peers_compare_png "$W/c1.png" "$W/c3.png")
rc=$?
[ "$rc" = 1 ] && [ "$d" = 1 ] && peers_ok "one changed pixel counted" ||
    peers_fail "one changed pixel: rc=$rc count=$d"
convert "$W/c1.png" -crop 799x600+0+0 +repage "png24:$W/c4.png"
peers_compare_png "$W/c1.png" "$W/c4.png" >/dev/null 2>&1
rc=$?
[ "$rc" = 2 ] && peers_ok "size mismatch is an error" || peers_fail "size mismatch: rc=$rc"
peers_compare_png "$W/c1.png" "$W/nonexistent.png" >/dev/null 2>&1
[ $? = 2 ] && peers_ok "missing file is an error" || peers_fail "missing file not reported"

# Xvfb with a given size.
if peers_start_xvfb "$M" 640x480x24 && peers_xwd_png "$M" "$W/xvfb.png" &&
    [ "$(peers_png_size "$W/xvfb.png")" = 640x480 ]; then
    peers_ok "Xvfb :$M 640x480"
else
    peers_fail "Xvfb :$M"
fi
XVFB_PID=${PEERS_PIDS[1]}

# peers_run: time limit, exit code, no controlling terminal.
peers_run sleeper 1 sleep 30
[ "$PEERS_RC" = 124 ] && peers_ok "peers_run time limit" || peers_fail "time limit: $PEERS_RC"
peers_run exit3 10 sh -c 'echo out; echo err >&2; exit 3'
[ "$PEERS_RC" = 3 ] && [ "$(cat "$W/exit3.out")$(cat "$W/exit3.err")" = outerr ] &&
    peers_ok "peers_run exit code and output" || peers_fail "peers_run: rc=$PEERS_RC"
peers_run notty 10 sh -c 'exec 3</dev/tty' && peers_fail "peers_run left a terminal" ||
    peers_ok "peers_run: no controlling terminal"

# A peer that cannot start is reported with its log, quickly, and leaves nothing behind.
out=$(bash -c 'source "$1"; peers_init "$2"; N=$(peers_free_display) || exit 3
    peers_start_xvnc "$N" -NoSuchOption 2>&1; echo "rc=$?"' _ "$KIT" "$W/bad" 2>&1)
case $out in
*"exited before"*"last lines of"*"rc=1"*) peers_ok "failed Xvnc start reported with its log" ;;
*) peers_fail "failed Xvnc start: $out" ;;
esac

# Cleanup: a script that is terminated stops its peers, newest first, and frees its displays.
bash -c 'source "$1"; peers_init "$2"; N=$(peers_free_display); M=$(peers_free_display)
    peers_start_xvnc "$N" >/dev/null 2>&1 || exit 3
    peers_start_xvfb "$M" >/dev/null 2>&1 || exit 3
    peers_start sleeper "$2/sleep.log" sleep 300
    echo "${PEERS_PIDS[*]} $N $M" > "$2/pids.tmp"; mv "$2/pids.tmp" "$2/pids"
    wait "$PEERS_LAST_PID"' _ "$KIT" "$W/child" &
child=$!
for ((i = 0; i < 200; i++)); do [ -s "$W/child/pids" ] && break; sleep 0.1; done
kill -TERM "$child"
wait "$child"
rc=$?
read -r p1 p2 p3 cn cm <"$W/child/pids"
if [ "$rc" = 143 ] && gone "$p1" && gone "$p2" && gone "$p3" &&
    [ ! -e "/tmp/.X$cn-lock" ] && [ ! -e "/tmp/.X11-unix/X$cm" ] &&
    [ ! -e "${TMPDIR:-/tmp}/vv-peers-display-$cn.lock" ]; then
    peers_ok "terminated script stopped Xvnc, Xvfb and sleep and freed :$cn, :$cm"
else
    peers_fail "cleanup after TERM: rc=$rc pids $p1 $p2 $p3 displays :$cn :$cm; $(ps -o pid=,args= -p "$p1,$p2,$p3")"
fi

# A TERM while peers_run waits is handled at once, and the command it runs is stopped.
bash -c 'source "$1"; peers_init "$2"
    peers_run long 60 sh -c "echo \$\$ > \"$2/long.pid\"; exec sleep 50"' _ "$KIT" "$W/child2" &
child=$!
for ((i = 0; i < 50; i++)); do [ -s "$W/child2/long.pid" ] && break; sleep 0.1; done
start=$SECONDS
kill -TERM "$child"
wait "$child"
rc=$?
long=$(cat "$W/child2/long.pid" 2>/dev/null)
if [ "$rc" = 143 ] && [ $((SECONDS - start)) -le 3 ] && [ -n "$long" ] && gone "$long"; then
    peers_ok "TERM during peers_run: exit 143 within 3 s, command stopped"
else
    peers_fail "TERM during peers_run: rc=$rc after $((SECONDS - start))s, command pid ${long:-?}"
    [ -n "$long" ] && kill "$long" 2>/dev/null
fi

# A stale lock (X server killed hard) does not make a display look busy, and Xvnc starts there.
K=$(peers_free_display) || exit 1
true &
deadpid=$!
wait "$deadpid"
printf '%10d\n' "$deadpid" >"/tmp/.X$K-lock"
if ! peers_display_busy "$K" && peers_start_xvnc "$K"; then
    peers_ok "display :$K with a stale lock is free and usable"
else
    peers_fail "display :$K with a stale lock"
    [ "$(tr -d ' \n' <"/tmp/.X$K-lock")" = "$deadpid" ] && rm -f "/tmp/.X$K-lock"
fi

# Our own peers are still up (the child touched only its own).
if kill -0 "$XVNC_PID" && kill -0 "$XVFB_PID"; then
    peers_ok "own peers untouched by the child's cleanup"
else
    peers_fail "own peers gone"
fi
peers_finish
