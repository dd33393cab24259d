#!/usr/bin/env bash
# vncview snapshot against TigerVNC Xvnc with VncAuth: PNGs equal `xwd -root` pixel for pixel
# for every address form, password source and encoding; auth and connection failures give the
# documented exit codes and messages.
# Usage: bash xvnc_snapshot.sh /path/to/vncview WORKDIR
VNCVIEW=${1:?usage: xvnc_snapshot.sh /path/to/vncview WORKDIR}
# shellcheck source-path=SCRIPTDIR source=../support/peers.sh
source "$(dirname "$0")/../support/peers.sh"
peers_init "${2:?usage: xvnc_snapshot.sh /path/to/vncview WORKDIR}"
W=$PEERS_WORKDIR

peers_require Xvnc vncpasswd xdpyinfo xsetroot xwd convert compare identify display xdotool \
    setsid timeout || exit 1
if [ ! -x "$VNCVIEW" ]; then
    echo "FAIL vncview not found or not executable: $VNCVIEW"
    exit 1
fi
# A password from the developer's environment must not leak into the checks.
unset VNC_PASSWORD
LIMIT=60 # seconds per vncview run; a hang is a failure, not a stuck test

PW='Tst-pw.8' # exactly 8: VNC ignores anything after the 8th character
N=$(peers_free_display) || exit 1
PORT=$((5900 + N))
peers_make_vncpasswd "$W/pw" "$PW" || exit 1
peers_start_xvnc "$N" -SecurityTypes VncAuth -PasswordFile "$W/pw" -BlacklistThreshold 1000 ||
    exit 1
peers_paint_test_pattern "$N" || exit 1
peers_park_pointer "$N" || exit 1
peers_xwd_png "$N" "$W/xwd.png" || exit 1
echo "Xvnc on :$N (127.0.0.1 port $PORT), reference $(peers_png_size "$W/xwd.png") in $W/xwd.png"

# check_snapshot NAME OUT.png CMD...: CMD exits 0 and OUT.png equals the xwd capture.
check_snapshot() {
    local name=$1 out=$2 diff
    shift 2
    rm -f "$out"
    if ! peers_run "$name" "$LIMIT" "$@"; then
        peers_fail "$name: exit code $PEERS_RC, expected 0: $(head -c 400 "$W/$name.err")"
        return
    fi
    if diff=$(peers_compare_png "$W/xwd.png" "$out"); then
        peers_ok "$name: $(basename "$out") equals xwd -root"
    else
        peers_fail "$name: $(basename "$out") differs from xwd -root (${diff:-cannot compare})"
    fi
}

# check_exit NAME CODE CMD...: CMD exits with CODE; leaves NAME.err for further checks.
check_exit() {
    local name=$1 want=$2
    shift 2
    peers_run "$name" "$LIMIT" "$@"
    if [ "$PEERS_RC" -eq "$want" ]; then
        peers_ok "$name: exit code $want"
        return 0
    fi
    peers_fail "$name: exit code $PEERS_RC, expected $want: $(head -c 400 "$W/$name.err")"
    return 1
}

# check_stderr NAME DESCRIPTION EXTENDED-REGEX...: every pattern matches NAME.err.
check_stderr() {
    local name=$1 what=$2 re
    shift 2
    for re in "$@"; do
        if ! grep -Eqi -- "$re" "$W/$name.err"; then
            peers_fail "$name: stderr does not mention $what (/$re/): $(head -c 400 "$W/$name.err")"
            return 1
        fi
    done
    peers_ok "$name: stderr mentions $what"
}

# a. Display form, password file.
check_snapshot a-passwd-file "$W/out.png" \
    "$VNCVIEW" snapshot "127.0.0.1:$N" --passwd "$W/pw" -o "$W/out.png"

# b. Port form, password from the environment.
check_snapshot b-env-port "$W/out2.png" \
    env VNC_PASSWORD="$PW" "$VNCVIEW" snapshot "127.0.0.1::$PORT" -o "$W/out2.png"

# xvnc_encoders_since LINE: the encoders Xvnc's EncodeManager statistics name for the
# connections that closed after log line LINE (waits up to 5 s for a connection that got an
# update). TigerVNC 1.12 log format; prints nothing if the statistics cannot be found.
xvnc_encoders_since() {
    local from=$1 i
    for ((i = 0; i < 50; i++)); do
        tail -n +"$((from + 1))" "$XVNC_LOG" | grep -Eq 'EncodeManager: Framebuffer updates: [1-9]' &&
            break
        sleep 0.1
    done
    tail -n +"$((from + 1))" "$XVNC_LOG" |
        sed -n 's/^ *EncodeManager:   \([A-Za-z][^:]*\):$/\1/p' | sort -u | tr '\n' ' '
}
XVNC_LOG=${PEERS_LOGS[0]}

# c. One encoding at a time, and Xvnc's statistics confirm which one it used. Xvnc has no Zlib
#    encoder: for "zlib" it falls back to Raw, which every client must accept, so that run
#    checks the fallback. "Tight (JPEG)" would mean lossy JPEG, which a snapshot must not ask for.
for enc in tight zrle hextile zlib raw; do
    case $enc in
    tight) want=Tight ;; zrle) want=ZRLE ;; hextile) want=Hextile ;; *) want=Raw ;;
    esac
    from=$(wc -l <"$XVNC_LOG")
    check_snapshot "c-enc-$enc" "$W/enc-$enc.png" \
        "$VNCVIEW" snapshot "127.0.0.1:$N" --passwd "$W/pw" --encodings "$enc" -o "$W/enc-$enc.png"
    used=$(xvnc_encoders_since "$from")
    used=${used% }
    if [ -z "$used" ]; then
        echo "note c-enc-$enc: no encoder statistics in $XVNC_LOG, encoding not verified"
    elif [ "$used" = "$want" ] || [ "$used" = "CopyRect $want" ] || [ "$used" = "$want CopyRect" ]; then
        peers_ok "c-enc-$enc: Xvnc used $want"
    else
        peers_fail "c-enc-$enc: Xvnc used '$used', expected $want"
    fi
done

# d. Wrong password: exit 9, says the password was rejected, writes no file.
rm -f "$W/wrong.png"
if check_exit d-wrong-password 9 \
    env VNC_PASSWORD=wrong "$VNCVIEW" snapshot "127.0.0.1:$N" -o "$W/wrong.png"; then
    check_stderr d-wrong-password "the rejected password" 'password' \
        'reject|incorrect|wrong|denied|failed|not accepted'
fi
if [ -e "$W/wrong.png" ]; then
    peers_fail "d-wrong-password: wrote $W/wrong.png"
fi

# e. No password anywhere and nobody to ask (stdin is /dev/null, no terminal): exit 10.
rm -f "$W/nopw.png"
if check_exit e-no-password 10 "$VNCVIEW" snapshot "127.0.0.1:$N" -o "$W/nopw.png"; then
    check_stderr e-no-password "the missing password" 'password'
fi

# f. Nothing listens: exit 4, names host and port. The display is reserved, so no other
#    test using this kit starts a server there meanwhile.
M=$(peers_free_display) || exit 1
if check_exit f-refused 4 "$VNCVIEW" snapshot "127.0.0.1:$M" -o "$W/refused.png"; then
    check_stderr f-refused "host 127.0.0.1 and port $((5900 + M))" '127\.0\.0\.1' "$((5900 + M))"
fi

# The server must still be the one we started (a crash would make later checks meaningless).
if kill -0 "${PEERS_PIDS[0]}" 2>/dev/null; then
    peers_ok "Xvnc still running after all clients"
else
    peers_fail "Xvnc died during the test"
    peers_show_log "${PEERS_LOGS[0]}"
fi

peers_finish
