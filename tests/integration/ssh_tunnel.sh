#!/usr/bin/env bash
# vncview snapshot through the built-in SSH tunnel (--ssh) to TigerVNC Xvnc, with a real
# OpenSSH sshd and ssh-agent on 127.0.0.1: pictures equal `xwd -root`; unknown, accepted-new,
# known and changed host keys (plain and hashed known_hosts, line numbers); key, agent and
# failed authentication; refused forwards and unreachable targets; the SSH server unreachable.
# HOME is the work directory and every run names its own --ssh-config: ~/.ssh is never used.
# Usage: bash ssh_tunnel.sh /path/to/vncview WORKDIR
VNCVIEW=${1:?usage: ssh_tunnel.sh /path/to/vncview WORKDIR}
# shellcheck source-path=SCRIPTDIR source=../support/peers.sh
source "$(dirname "$0")/../support/peers.sh"
peers_init "${2:?usage: ssh_tunnel.sh /path/to/vncview WORKDIR}"
W=$PEERS_WORKDIR

peers_require Xvnc vncpasswd xdpyinfo xsetroot xwd convert compare identify display xdotool \
    setsid timeout ssh-keygen ssh-agent ssh-add || exit 1
if [ ! -x "$VNCVIEW" ]; then
    echo "FAIL vncview not found or not executable: $VNCVIEW"
    exit 1
fi
# Nothing from the developer's environment: no VNC password, no agent, no real ~/.ssh.
unset VNC_PASSWORD SSH_AUTH_SOCK SSH_AGENT_PID
export HOME=$W
LIMIT=30

PW='Tst-pw.8'
N=$(peers_free_display) || exit 1
peers_make_vncpasswd "$W/pw" "$PW" || exit 1
peers_start_xvnc "$N" -SecurityTypes VncAuth -PasswordFile "$W/pw" || exit 1
peers_paint_test_pattern "$N" || exit 1
peers_park_pointer "$N" || exit 1
peers_xwd_png "$N" "$W/xwd.png" || exit 1

peers_make_ssh_key "$W/id_test" || exit 1
peers_make_ssh_key "$W/id_agent" || exit 1
peers_make_ssh_key "$W/id_stranger" || exit 1 # never authorized
peers_make_ssh_key "$W/id_enc" 'key-pass-1' || exit 1
peers_authorize_ssh_key "$W/id_test.pub" || exit 1
peers_authorize_ssh_key "$W/id_enc.pub" || exit 1
peers_authorize_ssh_key "$W/id_agent.pub" || exit 1
SSHPORT=
peers_start_sshd SSHPORT || exit 1
HOSTFP=$(ssh-keygen -lf "$PEERS_SSHD_DIR/ssh_host_ed25519_key.pub" | awk '{ print $2 }')
echo "Xvnc :$N on 127.0.0.1 only; sshd on 127.0.0.1:$SSHPORT, host key $HOSTFP"

# ssh_config NAME [LINE...]: $W/NAME.cfg applying to every host, lines indented under Host *.
ssh_config() {
    local name=$1 line
    shift
    {
        echo "Host *"
        for line in "$@"; do printf '    %s\n' "$line"; done
    } >"$W/$name.cfg"
}

check_snapshot() {
    local name=$1 out=$2 diff
    shift 2
    rm -f "$out"
    if ! peers_run "$name" "$LIMIT" "$@"; then
        peers_fail "$name: exit code $PEERS_RC, expected 0: $(head -c 600 "$W/$name.err")"
        return 1
    fi
    if diff=$(peers_compare_png "$W/xwd.png" "$out"); then
        peers_ok "$name: $(basename "$out") equals xwd -root"
    else
        peers_fail "$name: $(basename "$out") differs from xwd -root (${diff:-cannot compare})"
        return 1
    fi
}

check_exit() {
    local name=$1 want=$2
    shift 2
    peers_run "$name" "$LIMIT" "$@"
    if [ "$PEERS_RC" -eq "$want" ]; then
        peers_ok "$name: exit code $want"
        return 0
    fi
    peers_fail "$name: exit code $PEERS_RC, expected $want: $(head -c 600 "$W/$name.err")"
    return 1
}

# check_stderr NAME DESCRIPTION FIXED-STRING...: every string is in NAME.err.
check_stderr() {
    local name=$1 what=$2 s
    shift 2
    for s in "$@"; do
        if ! grep -qF -- "$s" "$W/$name.err"; then
            peers_fail "$name: stderr lacks $what ('$s'): $(head -c 800 "$W/$name.err")"
            return 1
        fi
    done
    peers_ok "$name: stderr has $what"
}

# snap OUT CONFIG [ARGS...]: SNAP=(vncview snapshot of localhost:N through the tunnel).
snap() {
    local out=$1 cfg=$2
    shift 2
    SNAP=("$VNCVIEW" snapshot "localhost:$N" --ssh "root@127.0.0.1:$SSHPORT" --ssh-config
        "$W/$cfg.cfg" --passwd "$W/pw" -o "$out" "$@")
}

KH=$W/known_hosts
# Unrelated entries first, so that line numbers mean something.
printf '# test known_hosts\nother.example.org ssh-ed25519 %s\n' \
    "$(awk '{ print $2 }' "$W/id_stranger.pub")" >"$KH"

# a. Unknown host key, nobody to ask: refused (16) with OpenSSH's fingerprint and how to accept.
ssh_config ask "UserKnownHostsFile $KH" "IdentityFile $W/id_test"
snap "$W/a.png" ask
if check_exit a-unknown 16 "${SNAP[@]}"; then
    check_stderr a-unknown "the fingerprint ssh-keygen -lf prints, and what to do" "$HOSTFP" \
        "127.0.0.1:$SSHPORT" "accept-new" "ssh-keyscan -p $SSHPORT 127.0.0.1"
fi
[ "$(wc -l <"$KH")" -eq 2 ] && peers_ok "a-unknown: known_hosts unchanged" ||
    peers_fail "a-unknown: known_hosts changed"

# b. StrictHostKeyChecking accept-new: accepted and remembered; the picture is right.
ssh_config acceptnew "UserKnownHostsFile $KH" "IdentityFile $W/id_test" \
    "StrictHostKeyChecking accept-new"
snap "$W/b.png" acceptnew
check_snapshot b-accept-new "$W/b.png" "${SNAP[@]}"
check_stderr b-accept-new "OpenSSH's note about the added key" "Permanently added"
if ssh-keygen -F "[127.0.0.1]:$SSHPORT" -f "$KH" | grep -q "found: line 3"; then
    peers_ok "b-accept-new: ssh-keygen -F finds the new entry on line 3"
else
    peers_fail "b-accept-new: ssh-keygen -F does not find [127.0.0.1]:$SSHPORT: $(cat "$KH")"
fi

# c. Now known (StrictHostKeyChecking ask, the default): verified; --verbose says so.
snap "$W/c.png" ask --verbose
check_snapshot c-known "$W/c.png" "${SNAP[@]}"
check_stderr c-known "the session security" \
    "SSH tunnel via root@127.0.0.1:$SSHPORT (host key verified)"

# d. Raw encoding through the tunnel: 1.9 MB in one update arrives intact.
snap "$W/d.png" ask --encodings raw
check_snapshot d-raw "$W/d.png" "${SNAP[@]}"

# e. --ssh-key instead of IdentityFile.
ssh_config nokey "UserKnownHostsFile $KH"
snap "$W/e.png" nokey --ssh-key "$W/id_test" --verbose
check_snapshot e-ssh-key "$W/e.png" "${SNAP[@]}"
check_stderr e-ssh-key "which key was accepted" "accepted the key ~/id_test"

# f. The agent (ssh-add'ed key, no IdentityFile, no default keys in HOME).
if peers_start_ssh_agent && SSH_AUTH_SOCK=$PEERS_AGENT_SOCK ssh-add -q "$W/id_agent" 2>/dev/null; then
    snap "$W/f.png" nokey --verbose
    check_snapshot f-agent "$W/f.png" env SSH_AUTH_SOCK="$PEERS_AGENT_SOCK" "${SNAP[@]}"
    check_stderr f-agent "the agent's key" "accepted a key from the agent"
else
    peers_fail "f-agent: cannot start ssh-agent or add the key"
fi

# g. A key the server does not know: 17, and the message says what was tried and accepted.
snap "$W/g.png" nokey --ssh-key "$W/id_stranger"
if check_exit g-bad-key 17 "${SNAP[@]}"; then
    check_stderr g-bad-key "the methods tried and offered" \
        "root@127.0.0.1:$SSHPORT refused every method we tried (publickey: ~/id_stranger" \
        "the server accepts: publickey"
fi

# g2. An encrypted key and nobody to ask for its passphrase: 17, and the message says why.
snap "$W/g2.png" nokey --ssh-key "$W/id_enc"
if check_exit g2-encrypted-key 17 "${SNAP[@]}"; then
    check_stderr g2-encrypted-key "the unusable key" "~/id_enc (encrypted, no passphrase given)"
fi

# h. Nothing listens on the target port: the SSH server cannot connect there (18).
M=$(peers_free_display) || exit 1
if check_exit h-no-target 18 "$VNCVIEW" snapshot "localhost:$M" --ssh "root@127.0.0.1:$SSHPORT" \
    --ssh-config "$W/ask.cfg" --passwd "$W/pw" -o "$W/h.png"; then
    check_stderr h-no-target "the hop that failed" "could not connect to localhost port $((5900 + M))" \
        "display $M"
fi

# i. Nothing listens where the SSH server should be: 4, naming the SSH server.
FREE=$(peers_free_port) || exit 1
if check_exit i-no-sshd 4 "$VNCVIEW" snapshot "localhost:$N" --ssh "root@127.0.0.1:$FREE" \
    --ssh-config "$W/ask.cfg" --passwd "$W/pw" -o "$W/i.png"; then
    check_stderr i-no-sshd "the SSH server" "SSH server 127.0.0.1:$FREE refused the connection"
fi

# j. An SSH server that does not forward (AllowTcpForwarding no): 18, "refused".
NOFWD=
if peers_start_sshd NOFWD "AllowTcpForwarding no"; then
    ssh_config nofwd "UserKnownHostsFile $W/known_hosts_nofwd" "IdentityFile $W/id_test" \
        "StrictHostKeyChecking no"
    if check_exit j-no-forwarding 18 "$VNCVIEW" snapshot "localhost:$N" --ssh "127.0.0.1:$NOFWD" \
        --ssh-config "$W/nofwd.cfg" --passwd "$W/pw" -o "$W/j.png"; then
        check_stderr j-no-forwarding "the refusal" "refused to forward to localhost:$((5900 + N))" \
            "administratively prohibited"
    fi
    [ ! -e "$W/known_hosts_nofwd" ] && peers_ok "j-no-forwarding: StrictHostKeyChecking no wrote nothing" ||
        peers_fail "j-no-forwarding: StrictHostKeyChecking no wrote $W/known_hosts_nofwd"
    peers_stop_named "sshd :$NOFWD"
else
    peers_fail "j-no-forwarding: cannot start the second sshd"
fi

# k. HashKnownHosts yes: the entry is hashed, and OpenSSH finds it.
KHH=$W/known_hosts_hashed
printf '# hashed\n' >"$KHH"
ssh_config hashed "UserKnownHostsFile $KHH" "IdentityFile $W/id_test" \
    "StrictHostKeyChecking accept-new" "HashKnownHosts yes"
snap "$W/k.png" hashed
check_snapshot k-hashed "$W/k.png" "${SNAP[@]}"
if sed -n 2p "$KHH" | grep -q '^|1|' && ! grep -q '127.0.0.1' "$KHH" &&
    ssh-keygen -F "[127.0.0.1]:$SSHPORT" -f "$KHH" | grep -q "found: line 2"; then
    peers_ok "k-hashed: line 2 is hashed and ssh-keygen -F finds it"
else
    peers_fail "k-hashed: not a hashed entry OpenSSH finds: $(cat "$KHH")"
fi

# q. The SSH server through a ProxyCommand (here OpenSSH's ssh -W through the same sshd, with
#    its own config in the work directory): libssh runs it; the picture is right.
printf 'Host *\n    UserKnownHostsFile %s\n    IdentityFile %s\n    BatchMode yes\n' \
    "$KH" "$W/id_test" >"$W/jump.cfg"
ssh_config proxy "UserKnownHostsFile $KH" "IdentityFile $W/id_test" \
    "ProxyCommand ssh -F $W/jump.cfg -W %h:%p -p $SSHPORT root@127.0.0.1"
snap "$W/q.png" proxy --verbose
check_snapshot q-proxycommand "$W/q.png" "${SNAP[@]}"
check_stderr q-proxycommand "the ProxyCommand in use" "through the config's ProxyCommand"

# l. The host key changes (new key, sshd restarted on the same port): refused (16) loudly,
#    naming the offending line, in the plain and in the hashed file.
peers_stop_named "sshd :$SSHPORT"
peers_sshd_new_host_key || exit 1
peers_start_sshd SSHPORT || exit 1
NEWFP=$(ssh-keygen -lf "$PEERS_SSHD_DIR/ssh_host_ed25519_key.pub" | awk '{ print $2 }')
snap "$W/l.png" acceptnew
if check_exit l-changed 16 "${SNAP[@]}"; then
    check_stderr l-changed "OpenSSH's warning with file and line" \
        "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!" "Someone could be eavesdropping" \
        "The fingerprint for the ED25519 key sent by the remote host is" "$NEWFP" \
        "Offending ED25519 key in $KH:3" "known_hosts:3"
fi
snap "$W/l2.png" hashed
if check_exit l-changed-hashed 16 "${SNAP[@]}"; then
    check_stderr l-changed-hashed "the hashed entry's line" "Offending ED25519 key in $KHH:2"
fi

# m. Not an SSH server (the VNC port itself): it hangs up on libssh's greeting; a clear error
#    (7, closed during the handshake), not a hang.
if check_exit m-not-ssh 7 "$VNCVIEW" snapshot "localhost:$N" --ssh "root@127.0.0.1:$((5900 + N))" \
    --ssh-config "$W/ask.cfg" --passwd "$W/pw" -o "$W/m.png"; then
    check_stderr m-not-ssh "that it may be no SSH server" "is that an SSH server"
fi

# n. Malformed --ssh: usage error before anything connects.
if check_exit n-usage 2 "$VNCVIEW" snapshot "localhost:$N" --ssh "root@bad host" -o "$W/n.png"; then
    check_stderr n-usage "the expected form" "[USER@]HOST[:PORT]"
fi

# p. An SSH server that accepts and then says nothing: --timeout ends it (5), naming the step.
if command -v python3 >/dev/null 2>&1; then
    SILENT=$(peers_free_port) || exit 1
    peers_start "silent listener" "$W/silent.log" python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4); print("listening", flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$SILENT"
    peers_wait_port "$SILENT" "$PEERS_LAST_PID" "silent listener" "$W/silent.log" || exit 1
    start=$SECONDS
    if check_exit p-timeout 5 "$VNCVIEW" snapshot "localhost:$N" --ssh "root@127.0.0.1:$SILENT" \
        --ssh-config "$W/ask.cfg" --passwd "$W/pw" --timeout 2 -o "$W/p.png"; then
        check_stderr p-timeout "the step that timed out" \
            "SSH server 127.0.0.1:$SILENT did not complete the SSH handshake within 2 s"
    fi
    [ $((SECONDS - start)) -le 6 ] && peers_ok "p-timeout: gave up in $((SECONDS - start)) s" ||
        peers_fail "p-timeout: took $((SECONDS - start)) s for a 2 s timeout"
else
    echo "note p-timeout: python3 not installed, the handshake timeout is not checked"
fi

# o. Nothing under the real home's ~/.ssh was opened (HOME is the work directory).
if command -v strace >/dev/null 2>&1; then
    REALHOME=$(getent passwd "$(id -u)" | cut -d: -f6)
    ssh_config acceptnew2 "UserKnownHostsFile $KH.o" "IdentityFile $W/id_test" \
        "StrictHostKeyChecking accept-new"
    snap "$W/o.png" acceptnew2
    # LeakSanitizer cannot work under ptrace: off for this one run of a sanitized build.
    peers_run o-strace "$LIMIT" env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -e trace=%file -o "$W/strace.txt" "${SNAP[@]}"
    if [ "$PEERS_RC" -ne 0 ]; then
        peers_fail "o-strace: the run failed ($PEERS_RC): $(head -c 400 "$W/o-strace.err")"
    elif grep -F "$REALHOME/.ssh" "$W/strace.txt" | grep -vF "$W" | head -3 | grep -q .; then
        peers_fail "o-strace: opened under $REALHOME/.ssh: $(grep -F "$REALHOME/.ssh" "$W/strace.txt" | head -3)"
    else
        peers_ok "o-strace: nothing under $REALHOME/.ssh was touched"
    fi
else
    echo "note o-strace: strace not installed, ~/.ssh isolation not checked"
fi

for pid in "${PEERS_PIDS[0]}"; do
    kill -0 "$pid" 2>/dev/null && peers_ok "Xvnc still running" || peers_fail "Xvnc died"
done
peers_finish
