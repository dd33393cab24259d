#!/usr/bin/env bash
# The whole test suite: builds vncview twice (release and ASan+UBSan) and runs every unit,
# integration and GUI test in both (the fuzz corpora are replayed there as unit tests), then a
# short libFuzzer burst per fuzz target (VV_FUZZ_SECONDS each, default 45). Benchmarks are
# separate: ctest -L bench (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
run() { # build-dir cmake-args...
    local dir=$1; shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$dir" -j"$jobs"
    ctest --test-dir "$dir" --output-on-failure -j2 -LE bench
}
echo "== release build"
run build
echo "== ASan + UBSan build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
run build-asan -DVNCVIEW_SANITIZE=ON
echo "== fuzzing: a short burst per target (clang, libFuzzer + ASan/UBSan)"
tests/fuzz/burst.sh build-fuzz "${VV_FUZZ_SECONDS:-45}"
