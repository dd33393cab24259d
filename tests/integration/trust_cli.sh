#!/usr/bin/env bash
# `vncview trust add|list|remove` end to end: output, exit codes, address forms, the default
# store location, private files under umask 000, damaged/future/unreadable stores refused and
# left byte-for-byte alone, parallel writers.
# Usage: bash trust_cli.sh /path/to/vncview WORKDIR
# "A && peers_ok || peers_fail" is safe here: peers_ok always succeeds.
# shellcheck disable=SC2015
KIT="$(cd "$(dirname "$0")/../support" && pwd)/peers.sh"
# shellcheck source-path=SCRIPTDIR source=../support/peers.sh
source "$KIT"
VV=${1:?usage: trust_cli.sh /path/to/vncview WORKDIR}
peers_init "${2:-${TMPDIR:-/tmp}/vv-trust-cli}"
W=$PEERS_WORKDIR
peers_require setsid timeout sha256sum stat || exit 1

HEX_A=$(printf 'ab%.0s' {1..32})
FP_A=SHA256:$(printf 'AB:%.0s' {1..31})AB
FP_B=SHA256:$(printf '0123456789ABCDEF%.0s' {1..4} | sed 's/../&:/g; s/:$//')
unset XDG_DATA_HOME
export VNCVIEW_STORE="$W/store/sub/store.db"
umask 000 # the store must be private anyway

# t NAME [vncview arguments...]: runs vncview; output in $W/NAME.out/.err, status in PEERS_RC.
t() {
    local name=$1
    shift
    peers_run "$name" 30 "$VV" "$@"
}
# expect NAME RC STDOUT-REGEX STDERR-REGEX (an empty regex means "must be empty")
expect() {
    local name=$1 rc=$2 o=$3 e=$4 why=""
    [ "$PEERS_RC" = "$rc" ] || why="exit $PEERS_RC, want $rc; "
    if [ -n "$o" ]; then grep -Eq -- "$o" "$W/$name.out" || why+="stdout lacks /$o/; "; else
        [ -s "$W/$name.out" ] && why+="stdout not empty; "; fi
    if [ -n "$e" ]; then grep -Eq -- "$e" "$W/$name.err" || why+="stderr lacks /$e/; "; else
        [ -s "$W/$name.err" ] && why+="stderr not empty; "; fi
    if [ -z "$why" ]; then
        peers_ok "$name"
    else
        peers_fail "$name: $why"
        printf '  stdout: %s\n  stderr: %s\n' "$(head -c 600 "$W/$name.out")" \
            "$(head -c 600 "$W/$name.err")"
    fi
}
mode() { stat -c %a "$1" 2>/dev/null; }
sum() { sha256sum <"$1" | cut -d' ' -f1; }

# ---- help ----
t help trust --help
expect help 0 '^Usage: vncview trust add ADDRESS SHA256:FINGERPRINT' ''
t help-sub trust list --help
expect help-sub 0 'vncview trust remove ADDRESS' ''
t main-help --help
expect main-help 0 'trust +manage certificate pins' ''

# ---- reading a missing store creates nothing ----
t list-none trust list
expect list-none 0 '' 'no certificates are pinned'
t remove-none trust remove host.example:1
expect remove-none 1 '' '^vncview trust: no certificate is pinned for host.example:1$'
[ ! -e "$W/store" ] && peers_ok "reading created no store" || peers_fail "reading created $W/store"

# ---- add, in every address form addr_parse accepts ----
t add trust add Host.Example:1 "sha256:$HEX_A"
expect add 0 "^pinned $FP_A for host.example:1\$" ''
[ "$(mode "$VNCVIEW_STORE"):$(mode "$W/store/sub"):$(mode "$W/store")" = 600:700:700 ] &&
    peers_ok "store 600, directories 700 under umask 000" ||
    peers_fail "modes: store $(mode "$VNCVIEW_STORE"), dirs $(mode "$W/store/sub") $(mode "$W/store")"
t add-port trust add HOST.example::5902 "$FP_B"
expect add-port 0 "^pinned $FP_B for host.example:2\$" ''
t add-bigport trust add host.example::443 "$FP_B"
expect add-bigport 0 "^pinned $FP_B for host.example::443\$" ''
t add-v6 trust add '[0:0::1]::5000' "$FP_A"
expect add-v6 0 "for \[::1\]::5000\$" ''
t add-v6bare trust add fe80::1 "$FP_A"
expect add-v6bare 0 "for \[fe80::1\]:0\$" ''
t add-url trust add 'vnc://[::1]:5903' "$FP_B"
expect add-url 0 "for \[::1\]:3\$" ''
t add-local trust add :7 "$FP_B"
expect add-local 0 "for localhost:7\$" ''
t replace trust add host.example:1 "$FP_B"
expect replace 0 "^pinned $FP_B for host.example:1 \(replacing $FP_A\)\$" ''

# ---- list ----
t list trust list
expect list 0 '^ADDRESS +FINGERPRINT +SUBJECT +ADDED$' ''
rows=$(tail -n +2 "$W/list.out" | awk '{ print $1 }' | tr '\n' ' ')
want='[::1]::5000 [::1]:3 [fe80::1]:0 host.example::443 host.example:1 host.example:2 localhost:7 '
[ "$rows" = "$want" ] && peers_ok "list sorted by host and port" ||
    peers_fail "list order: '$rows', want '$want'"
grep -Eq "^host\.example:1 +$FP_B +- +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}\$" \
    "$W/list.out" && peers_ok "list row: address, fingerprint, subject, date" ||
    peers_fail "list row for host.example:1: $(grep '^host.example:1 ' "$W/list.out")"

# ---- remove ----
t remove trust remove HOST.EXAMPLE:1
expect remove 0 '^removed the pin for host.example:1$' ''
t remove-again trust remove host.example::5901
expect remove-again 1 '' '^vncview trust: no certificate is pinned for host.example:1$'
t remove-v6 trust remove '[::1]::5000'
expect remove-v6 0 'removed the pin for \[::1\]::5000' ''

# ---- malformed arguments: exit 2, store untouched ----
before=$(sum "$VNCVIEW_STORE")
t bad-addr trust add 'host:x' "$FP_A"
expect bad-addr 2 '' 'malformed address .host:x.'
t bad-addr-rm trust remove 'a b'
expect bad-addr-rm 2 '' 'malformed address'
t bad-fp trust add host:1 SHA256:abcd
expect bad-fp 2 '' 'malformed fingerprint .SHA256:abcd.*SHA256:AB:CD'
t bad-fp-noprefix trust add host:1 "$HEX_A"
expect bad-fp-noprefix 2 '' 'does not start with SHA256:'
t no-sub trust
expect no-sub 2 '' 'missing subcommand'
t bad-sub trust forget host:1
expect bad-sub 2 '' "unknown subcommand 'forget'"
t few-args trust add host:1
expect few-args 2 '' "'add': missing arguments"
t many-args trust list extra
expect many-args 2 '' "'list': too many arguments"
[ "$(sum "$VNCVIEW_STORE")" = "$before" ] && peers_ok "refused commands left the store alone" ||
    peers_fail "a refused command changed the store"

# ---- a store others can read is made private ----
chmod 644 "$VNCVIEW_STORE"
t tighten trust list
expect tighten 0 'host.example:2' 'was open to other users \(mode 644\); changed it to 600'
[ "$(mode "$VNCVIEW_STORE")" = 600 ] && peers_ok "mode 644 tightened to 600" ||
    peers_fail "mode after list: $(mode "$VNCVIEW_STORE")"

# ---- damaged, foreign, future: exit 20, bytes and mode unchanged ----
# refused NAME FILE STDERR-REGEX: every subcommand fails with 20 and leaves FILE as it was.
refused() {
    local name=$1 file=$2 re=$3 s m
    s=$(sum "$file")
    m=$(mode "$file")
    VNCVIEW_STORE=$file t "$name-list" trust list
    expect "$name-list" 20 '' "^vncview trust: the vncview store $file $re"
    VNCVIEW_STORE=$file t "$name-add" trust add host:1 "$FP_A"
    expect "$name-add" 20 '' "$file $re"
    VNCVIEW_STORE=$file t "$name-remove" trust remove host:1
    expect "$name-remove" 20 '' "$file $re"
    [ "$(sum "$file"):$(mode "$file")" = "$s:$m" ] && [ ! -e "$file-journal" ] &&
        peers_ok "$name: file left untouched" || peers_fail "$name: file changed"
}
head -c 8192 /dev/urandom >"$W/garbage.db"
refused garbage "$W/garbage.db" 'is damaged \(file is not a database\): it was left untouched; move it away'
cp "$VNCVIEW_STORE" "$W/cut.db"
truncate -s 2048 "$W/cut.db"
refused truncated "$W/cut.db" 'is damaged'
if command -v sqlite3 >/dev/null; then
    cp "$VNCVIEW_STORE" "$W/future.db"
    sqlite3 "$W/future.db" "UPDATE meta SET value = 7 WHERE key = 'schema_version'"
    refused future "$W/future.db" 'was written by a newer vncview \(schema version 7'
    sqlite3 "$W/foreign.db" "CREATE TABLE notes(x); INSERT INTO notes VALUES('keep me')"
    refused foreign "$W/foreign.db" 'is not a vncview store'
else
    peers_log "sqlite3 not installed: future and foreign stores not tested here (see test_trust)"
fi

# ---- unreadable: root tries as nobody, others with mode 000 ----
cp "$VNCVIEW_STORE" "$W/private.db"
chmod 600 "$W/private.db"
if [ "$(id -u)" = 0 ]; then
    as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
    as=()
    chmod 000 "$W/private.db"
fi
if [ ${#as[@]} -eq 0 ] || "${as[@]}" "$VV" --version >/dev/null 2>&1; then
    s=$(sum "$W/private.db" 2>/dev/null || echo unreadable)
    VNCVIEW_STORE="$W/private.db" peers_run unreadable 30 "${as[@]}" "$VV" trust list
    expect unreadable 20 '' "store $W/private.db cannot be opened \(Permission denied\)"
    chmod 600 "$W/private.db"
    [ "$s" = unreadable ] || [ "$(sum "$W/private.db")" = "$s" ] &&
        peers_ok "unreadable store untouched" || peers_fail "unreadable store changed"
else
    peers_log "cannot run $VV as nobody: unreadable store not tested here (see test_trust)"
fi

# ---- default location: $XDG_DATA_HOME, then $HOME ----
peers_run xdg 30 env -u VNCVIEW_STORE XDG_DATA_HOME="$W/xdg" "$VV" trust add h:1 "$FP_A"
expect xdg 0 'pinned' ''
[ "$(mode "$W/xdg/vncview/store.db"):$(mode "$W/xdg/vncview")" = 600:700 ] &&
    peers_ok "store under \$XDG_DATA_HOME/vncview" || peers_fail "no store under $W/xdg/vncview"
peers_run home 30 env -u VNCVIEW_STORE HOME="$W/home" "$VV" trust add h:2 "$FP_A"
expect home 0 'pinned' ''
[ "$(mode "$W/home/.local/share/vncview/store.db")" = 600 ] &&
    peers_ok "store under \$HOME/.local/share/vncview" || peers_fail "no store under $W/home"

# ---- parallel writers on a store that does not exist yet ----
export VNCVIEW_STORE="$W/race/store.db"
pids=()
for i in 1 2 3 4 5 6 7 8; do
    timeout 60 "$VV" trust add "writer$i.example:$i" "$FP_A" >"$W/race-$i.out" 2>"$W/race-$i.err" &
    pids+=($!)
done
failed=0
for i in "${!pids[@]}"; do
    wait "${pids[i]}" || {
        failed=$((failed + 1))
        cat "$W/race-$((i + 1)).err"
    }
done
t race-list trust list
[ "$failed" = 0 ] && [ "$(grep -c '^writer' "$W/race-list.out")" = 8 ] &&
    peers_ok "8 parallel writers, 8 pins" ||
    peers_fail "parallel writers: $failed failed, $(grep -c '^writer' "$W/race-list.out") pins"

peers_finish
