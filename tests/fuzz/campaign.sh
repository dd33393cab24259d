#!/bin/bash
# One fuzzing campaign: builds the target with clang (-DVNCVIEW_FUZZ=ON), fuzzes for SECONDS
# from tests/fuzz/corpus/TARGET, minimises what it found, and measures line and region coverage
# with a separate -fprofile-instr-generate build of replay_TARGET over the final corpus.
# usage: tests/fuzz/campaign.sh guard|session|handshake SECONDS [WORKDIR]
#   SECONDS 0: no fuzzing, only the report (merge, coverage) for WORKDIR's existing corpus/ and
#   fuzz.log, e.g. after a campaign stopped with Ctrl-C or run by hand.
#   WORKDIR (default ${TMPDIR:-/tmp}/vv-fuzz-TARGET) holds the builds (reused by later runs),
#   corpus/ (new inputs), merged/ (seeds + new, minimised), artifacts/ (crashes), fuzz.log.
# Environment:
#   VV_LIBVNC_SRC=DIR  libvncserver 0.9.14 source tree (outside this repository: e.g. the
#                      LibVNCServer-0.9.14 tag plus upstream 009008e2, 5b270544, 540332be,
#                      which is what Debian 12 ships for the client). For the session target
#                      it is built twice with clang: with ASan and libFuzzer coverage feedback
#                      for the campaign, and with coverage mapping for the report. Without it
#                      the campaign runs on Debian's uninstrumented library: no feedback from
#                      inside libvncclient and its decoders' coverage is not measured.
#   VV_FUZZ_ARGS       extra libFuzzer arguments (e.g. -dict=FILE, -seed=1).
# Exit status: 0 = no crash, 1 = crash, leak, timeout or OOM (see artifacts/), 2 = usage/build,
# 3 = libFuzzer was interrupted (SIGINT/SIGTERM from outside) before SECONDS: no crash found.
set -euo pipefail
usage() {
    echo "usage: $0 guard|session|handshake SECONDS [WORKDIR]" >&2
    exit 2
}
if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
TARGET=$1
SECS=$2
case $TARGET in guard | session | handshake) ;; *) usage ;; esac
[[ $SECS =~ ^[0-9]+$ ]] || usage
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${3:-${TMPDIR:-/tmp}/vv-fuzz-$TARGET}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
SEEDS=$HERE/corpus/$TARGET
LIBVNC=${VV_LIBVNC_SRC:-}
log() { printf 'campaign: %s\n' "$*" >&2; }

# --- builds (incremental when WORKDIR is reused)
build() { # build DIR TARGET [cmake args...]
    local dir=$1 tgt=$2
    shift 2
    if [ ! -f "$dir/CMakeCache.txt" ]; then
        cmake -S "$ROOT" -B "$dir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            "$@" >"$dir.cmake.log" 2>&1 || {
            tail -20 "$dir.cmake.log" >&2
            exit 2
        }
    fi
    cmake --build "$dir" -j2 --target "$tgt" >"$dir.build.log" 2>&1 || {
        grep -E "error|Error" "$dir.build.log" | head -20 >&2
        exit 2
    }
}
# libvncclient from source, configured as Debian 12 does (its only change: no PNG) and with the
# same rfbconfig.h as the installed headers, so rfbClient has the same layout.
build_libvnc() { # build_libvnc DIR CFLAGS
    local dir=$1 flags=$2
    if [ ! -f "$dir/CMakeCache.txt" ]; then
        cmake -S "$LIBVNC" -B "$dir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DWITH_PNG=OFF -DWITH_OPENSSL=OFF -DWITH_SYSTEMD=OFF -DWITH_SDL=OFF -DWITH_GTK=OFF \
            -DWITH_LIBSSH2=OFF -DWITH_FFMPEG=OFF -DWITH_EXAMPLES=OFF -DWITH_TESTS=OFF \
            "-DCMAKE_C_FLAGS=$flags" "-DCMAKE_SHARED_LINKER_FLAGS=$flags" \
            >"$dir.cmake.log" 2>&1 || {
            tail -20 "$dir.cmake.log" >&2
            exit 2
        }
    fi
    cmake --build "$dir" -j2 --target vncclient >"$dir.build.log" 2>&1 || {
        grep -E "error|Error" "$dir.build.log" | head -20 >&2
        exit 2
    }
    if ! cmp -s <(grep -v '^ *$' "$dir/rfb/rfbconfig.h") \
        <(grep -v '^ *$' /usr/include/rfb/rfbconfig.h); then
        log "$dir/rfb/rfbconfig.h differs from the installed one: rfbClient layouts would differ"
        exit 2
    fi
}

log "building fuzz_$TARGET and replay_$TARGET (coverage) in $WORK"
build "$WORK/build-fuzz" "fuzz_$TARGET" -DVNCVIEW_FUZZ=ON
COVFLAGS="-fprofile-instr-generate -fcoverage-mapping"
build "$WORK/build-cov" "replay_$TARGET" "-DCMAKE_C_FLAGS=$COVFLAGS" \
    "-DCMAKE_EXE_LINKER_FLAGS=-fprofile-instr-generate"
FUZZ_LIB='' COV_LIB=''
if [ "$TARGET" = session ] && [ -n "$LIBVNC" ]; then
    log "building libvncclient from $LIBVNC (ASan + coverage feedback; coverage mapping)"
    build_libvnc "$WORK/libvnc-fuzz" "-g -O1 -fno-omit-frame-pointer -fsanitize=address -fsanitize=fuzzer-no-link"
    build_libvnc "$WORK/libvnc-cov" "-O1 $COVFLAGS"
    FUZZ_LIB=$WORK/libvnc-fuzz COV_LIB=$WORK/libvnc-cov
fi

# --- the campaign
case $TARGET in
guard) MAXLEN=65536 ;;
session) MAXLEN=131072 ;;
handshake) MAXLEN=8192 ;; # failure reasons above 4 KB are skipped, not kept
esac
mkdir -p "$WORK/corpus" "$WORK/artifacts"
RC=0
START=$(date +%s)
if [ "$SECS" -gt 0 ]; then
    log "fuzzing $TARGET for $SECS s (log: $WORK/fuzz.log)"
    # shellcheck disable=SC2086 # VV_FUZZ_ARGS is a list of arguments
    env ${FUZZ_LIB:+LD_LIBRARY_PATH=$FUZZ_LIB} "$WORK/build-fuzz/tests/fuzz/fuzz_$TARGET" \
        -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len="$MAXLEN" \
        -print_final_stats=1 -artifact_prefix="$WORK/artifacts/" ${VV_FUZZ_ARGS:-} \
        "$WORK/corpus" "$SEEDS" >"$WORK/fuzz.log" 2>&1 || RC=$?
fi
DUR=$(($(date +%s) - START))
touch "$WORK/fuzz.log"
final_stat() { sed -n "s/^stat::$1: *//p" "$WORK/fuzz.log" | tail -1; }
EXECS=$(final_stat number_of_executed_units)
RATE=$(final_stat average_exec_per_sec)
if [ -z "$EXECS" ]; then # no final stats (killed): the last status line
    EXECS=$(grep -oE '^#[0-9]+' "$WORK/fuzz.log" | tail -1 | tr -d '#')
fi
EXECS=${EXECS:-0}
if [ "$SECS" -eq 0 ] && [ -n "$RATE" ] && [ "$RATE" -gt 0 ]; then
    DUR=$((EXECS / RATE)) # a report on an earlier run: its duration, as libFuzzer counted
fi
[ -n "$RATE" ] || RATE=$((EXECS / (DUR > 0 ? DUR : 1)))

# Seeds plus what was found, minimised (a candidate for tests/fuzz/corpus/TARGET).
rm -rf "$WORK/merged"
mkdir -p "$WORK/merged"
env ${FUZZ_LIB:+LD_LIBRARY_PATH=$FUZZ_LIB} "$WORK/build-fuzz/tests/fuzz/fuzz_$TARGET" \
    -merge=1 -timeout=10 -rss_limit_mb=2048 -max_len="$MAXLEN" "$WORK/merged" "$SEEDS" \
    "$WORK/corpus" >"$WORK/merge.log" 2>&1 || log "merge failed: see $WORK/merge.log"

# --- coverage of the final corpus
rm -rf "$WORK/cov"
mkdir -p "$WORK/cov"
env ${COV_LIB:+LD_LIBRARY_PATH=$COV_LIB} LLVM_PROFILE_FILE="$WORK/cov/%m-%p.profraw" \
    "$WORK/build-cov/tests/fuzz/replay_$TARGET" "$SEEDS" "$WORK/corpus" >"$WORK/cov/replay.log" 2>&1 ||
    log "coverage replay failed (a crashing input in the corpus?): see $WORK/cov/replay.log"
llvm-profdata merge -sparse "$WORK"/cov/*.profraw -o "$WORK/cov/all.profdata"
V=$ROOT/viewer
case $TARGET in
guard) OURS=("$V"/guard*.c "$V/encodings.c") ;;
session) OURS=("$V"/session_rfb.c "$V"/session_draw.c "$V"/zrle.c "$V"/*dec.c "$V"/guard*.c
    "$V"/charset.c "$V"/session.c) ;;
handshake) OURS=("$V"/handshake.c "$V"/vencrypt.c "$V"/secpolicy.c "$V"/tls.c) ;;
esac
# Filename, region cover, line cover, from llvm-cov's table.
covtable() {
    awk 'NF >= 10 && $1 !~ /^-/ && $1 != "Filename" {
        n = split($1, p, "/")
        printf "  %-16s regions %7s of %5s   lines %7s of %5s\n", p[n], $4, $2, $10, $8 }'
}
OBJ=("$WORK/build-cov/tests/fuzz/replay_$TARGET")
[ -n "$COV_LIB" ] && OBJ+=(-object "$COV_LIB/libvncclient.so")

NSEEDS=$(find "$SEEDS" -maxdepth 1 -type f ! -name '.*' | wc -l)
NNEW=$(find "$WORK/corpus" -maxdepth 1 -type f | wc -l)
NMERGED=$(find "$WORK/merged" -maxdepth 1 -type f | wc -l)
KMERGED=$(find "$WORK/merged" -maxdepth 1 -type f -printf '%s\n' | awk '{s += $1} END {print int(s / 1024)}')
ARTS=$(find "$WORK/artifacts" -maxdepth 1 -type f | wc -l)

echo "== fuzz_$TARGET: ${DUR} s, ${EXECS} executions, ${RATE} exec/s"
echo "corpus: $NSEEDS seeds + $NNEW new inputs; minimised: $NMERGED files, ${KMERGED} KB ($WORK/merged)"
echo "coverage of our code (replay of seeds + new inputs, llvm-cov):"
llvm-cov report "${OBJ[@]}" -instr-profile="$WORK/cov/all.profdata" "${OURS[@]}" | covtable
if [ "$TARGET" = session ]; then
    if [ -n "$COV_LIB" ]; then
        echo "coverage of libvncclient 0.9.14 (the decoders and the message loop):"
        DEC=()
        for f in rfbproto tight zlib hextile rre corre ultra zrle trle cursor; do
            DEC+=("$LIBVNC/libvncclient/$f.c")
        done
        llvm-cov report "${OBJ[@]}" -instr-profile="$WORK/cov/all.profdata" "${DEC[@]}" | covtable
    else
        echo "libvncclient decoders: not measured (Debian's library is not instrumented;" \
            "set VV_LIBVNC_SRC to build an instrumented one)"
    fi
fi
if [ "$ARTS" -eq 0 ] && grep -q 'libFuzzer: run interrupted' "$WORK/fuzz.log"; then
    echo "INTERRUPTED after ${DUR} s (a signal from outside, not a crash): no crash found"
    exit 3
fi
if [ "$ARTS" -gt 0 ] || [ "$RC" -ne 0 ]; then
    echo "FAILURES: libFuzzer exit status $RC, $ARTS artifact(s):"
    find "$WORK/artifacts" -maxdepth 1 -type f -printf '  %p\n'
    grep -E '^SUMMARY|ERROR: libFuzzer|invariant broken' "$WORK/fuzz.log" | head -5 | sed 's/^/  /'
    exit 1
fi
echo "crashes: none"
