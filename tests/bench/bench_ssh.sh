#!/usr/bin/env bash
# Throughput of the built-in SSH tunnel: `vncview snapshot --encodings raw` of a 1920x1080 Xvnc
# (8.3 MB in one update) direct and through --ssh to a local OpenSSH sshd, against the same
# snapshot of a 64x64 Xvnc (connection and handshakes, almost no pixels). The difference of the
# medians is the update (server encoding, transfer, PNG writing); comparing the two paths gives
# what the tunnel costs. Every 1080p picture is also checked against xwd. Prints a markdown
# table; figures never fail the run, a failed snapshot does.
# Usage: bench_ssh.sh /path/to/vncview WORKDIR [RUNS]
set -u
VNCVIEW=$1
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../support/peers.sh"
peers_init "$2"
RUNS=${3:-${BENCH_RUNS:-7}}
W=$PEERS_WORKDIR
peers_require Xvnc xdpyinfo xwd convert compare ssh-keygen || exit 1
unset VNC_PASSWORD SSH_AUTH_SOCK
export HOME=$W

BIG=$(peers_free_display) || exit 1
SMALL=$(peers_free_display) || exit 1
peers_start_xvnc "$BIG" -geometry 1920x1080 || exit 1
peers_start_xvnc "$SMALL" -geometry 64x64 || exit 1
peers_paint_test_pattern "$BIG" || exit 1
peers_park_pointer "$BIG" || exit 1
peers_xwd_png "$BIG" "$W/xwd.png" || exit 1
peers_make_ssh_key "$W/id" && peers_authorize_ssh_key "$W/id.pub" || exit 1
SSHPORT=
peers_start_sshd SSHPORT || exit 1
printf 'Host *\n    UserKnownHostsFile %s/known_hosts\n    IdentityFile %s/id\n    StrictHostKeyChecking accept-new\n' \
    "$W" "$W" >"$W/cfg"

now() { date +%s.%N; }
# run_once DISPLAY MODE: prints the wall time of one snapshot; fails if it fails.
run_once() {
    local n=$1 mode=$2 t0 t1 args=()
    [ "$mode" = ssh ] && args=(--ssh "root@127.0.0.1:$SSHPORT" --ssh-config "$W/cfg")
    t0=$(now)
    peers_run "snap-$mode-$n" 60 "$VNCVIEW" snapshot "localhost:$n" "${args[@]}" \
        --encodings raw -o "$W/out-$mode-$n.png" || return 1
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run_once "$SMALL" ssh >/dev/null || { peers_fail "first SSH run failed: $(cat "$W/snap-ssh-$SMALL.err")"; peers_finish; }
declare -A MED
for mode in direct ssh; do
    for n in "$BIG" "$SMALL"; do
        times=()
        for ((i = 0; i < RUNS; i++)); do
            t=$(run_once "$n" "$mode") || {
                peers_fail "$mode snapshot of :$n failed: $(head -c 400 "$W/snap-$mode-$n.err")"
                awk -v d="${MED[direct-$BIG]}" -v ds="${MED[direct-$SMALL]}" -v s="${MED[ssh-$BIG]}" \
    -v ss="${MED[ssh-$SMALL]}" 'BEGIN {
        printf "\nThe difference includes Xvnc encoding and PNG writing. The SSH tunnel adds %.0f ms to\n", (ss - ds) * 1000
        printf "a snapshot for its handshake and %.0f ms for carrying the 8.3 MB update.\n", ((s - ss) - (d - ds)) * 1000 }'
peers_finish
            }
            times+=("$t")
        done
        MED[$mode-$n]=$(printf '%s\n' "${times[@]}" | median)
    done
    if diff=$(peers_compare_png "$W/xwd.png" "$W/out-$mode-$BIG.png"); then
        peers_ok "$mode: the 1920x1080 raw snapshot equals xwd -root"
    else
        peers_fail "$mode: the 1920x1080 raw snapshot differs from xwd -root ($diff)"
    fi
done

BYTES=$((1920 * 1080 * 4))
echo
echo "| path | 1920x1080 raw snapshot (s, median of $RUNS) | 64x64 snapshot (s) | difference (s) | MB/s over the difference |"
echo "|---|---|---|---|---|"
for mode in direct ssh; do
    awk -v m="$mode" -v big="${MED[$mode-$BIG]}" -v small="${MED[$mode-$SMALL]}" -v bytes="$BYTES" \
        'BEGIN { d = big - small; printf "| %s | %.3f | %.3f | %.3f | %s |\n", m, big, small, d,
                 (d > 0) ? sprintf("%.0f", bytes / d / 1e6) : "n/a" }'
done
awk -v d="${MED[direct-$BIG]}" -v ds="${MED[direct-$SMALL]}" -v s="${MED[ssh-$BIG]}" \
    -v ss="${MED[ssh-$SMALL]}" 'BEGIN {
        printf "\nThe difference includes Xvnc encoding and PNG writing. The SSH tunnel adds %.0f ms to\n", (ss - ds) * 1000
        printf "a snapshot for its handshake and %.0f ms for carrying the 8.3 MB update.\n", ((s - ss) - (d - ds)) * 1000 }'
peers_finish
