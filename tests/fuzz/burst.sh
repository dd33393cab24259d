#!/bin/bash
# Short fuzzing bursts for CI: each target (guard, session, handshake) for SECONDS from its seed
# corpus, one after the other; fails on any crash, leak, timeout or OOM. New inputs and
# artifacts stay under BUILD_DIR/fuzz-burst/TARGET/ (the repository's corpora are not touched).
# usage: tests/fuzz/burst.sh BUILD_DIR SECONDS
#   BUILD_DIR: a clang build with -DVNCVIEW_FUZZ=ON; configured here if it does not exist.
# Run time: 3 x SECONDS plus the build (about 1 minute from scratch on 2 cores).
set -euo pipefail
if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 BUILD_DIR SECONDS" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$1
SECS=$2
TARGETS="guard session handshake"

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DVNCVIEW_FUZZ=ON >/dev/null
elif ! grep -q '^VNCVIEW_FUZZ:BOOL=ON' "$BUILD/CMakeCache.txt"; then
    echo "burst: $BUILD is not a -DVNCVIEW_FUZZ=ON build (configure it with clang)" >&2
    exit 2
fi
BUILD=$(cd "$BUILD" && pwd)
for t in $TARGETS; do
    cmake --build "$BUILD" -j2 --target "fuzz_$t" >"$BUILD/fuzz-burst-build.log" 2>&1 || {
        grep -E "error|Error" "$BUILD/fuzz-burst-build.log" | head -20 >&2
        exit 2
    }
done

FAILED=0
for t in $TARGETS; do
    W=$BUILD/fuzz-burst/$t
    rm -rf "$W"
    mkdir -p "$W/corpus" "$W/artifacts"
    RC=0
    "$BUILD/tests/fuzz/fuzz_$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$W/artifacts/" "$W/corpus" "$HERE/corpus/$t" \
        >"$W/fuzz.log" 2>&1 || RC=$?
    EXECS=$(sed -n 's/^stat::number_of_executed_units: *//p' "$W/fuzz.log" | tail -1)
    RATE=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$W/fuzz.log" | tail -1)
    NEW=$(find "$W/corpus" -type f | wc -l)
    ARTS=$(find "$W/artifacts" -type f | wc -l)
    if [ "$RC" -ne 0 ] || [ "$ARTS" -ne 0 ]; then
        FAILED=1
        echo "FAIL fuzz_$t: exit status $RC, artifacts in $W/artifacts:"
        grep -E '^SUMMARY|ERROR: libFuzzer|invariant broken' "$W/fuzz.log" | head -5 | sed 's/^/  /'
        echo "  reproduce: $BUILD/tests/fuzz/fuzz_$t ARTIFACT; keep it under" \
            "tests/fuzz/regressions/$t/ once fixed"
    else
        echo "ok   fuzz_$t: ${EXECS:-?} executions in ${SECS} s (${RATE:-?}/s), $NEW new inputs"
    fi
done
exit $FAILED
