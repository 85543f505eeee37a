#!/usr/bin/env bash
# The test run behind `make test`: builds everything with ASan+UBSan, runs
# the checks of the tree itself (tests/checks/*.sh: layering, exported ABI,
# headers as C++), every cmocka suite, replays every fuzz corpus, then runs every interop
# script (tests/interop/*.sh: exit 0 pass, 77 skip, else fail). Each item has
# a timeout; a failure prints the tail of its log. Ends with the line
# "N passed, M failed" and exits non-zero if anything failed.
#
# Usage: scripts/test.sh [checks|unit|fuzz|interop]...   (default: all four)
# Environment: JOBS (make -j, default 2), ITEM_TIMEOUT (seconds, default 300),
# BUILD_DIR (default build/asan; another folder builds there with B=), and
# make's own CFLAGS/LDFLAGS.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-build/asan}
LOGS=$B/test-logs
JOBS=${JOBS:-2}
ITEM_TIMEOUT=${ITEM_TIMEOUT:-300}
SUITES=("$@")
[ ${#SUITES[@]} -gt 0 ] || SUITES=(checks unit fuzz interop)

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

passed=0
failed=0
skipped=0
failures=()
t0=$(date +%s)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

show_failure()
{
	echo "---- last 40 lines of $1"
	tail -n 40 "$1" | cut -c1-400
	echo "----"
}

# record NAME RC LOG START [DETAIL] [SKIP_OK]
record()
{
	local name=$1 rc=$2 log=$3 start=$4 detail=${5:-} skip_ok=${6:-0}
	local took
	took=$(elapsed "$start")
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		printf 'PASS  %-40s %s%s\n' "$name" "$took" "${detail:+  ($detail)}"
	elif [ "$rc" = 77 ] && [ "$skip_ok" = 1 ]; then
		skipped=$((skipped + 1))
		printf 'SKIP  %-40s %s  (%s)\n' "$name" "$took" "$(grep -m1 '^SKIP' "$log" || echo 'exit 77')"
	else
		failed=$((failed + 1))
		failures+=("$name")
		case $rc in
		124 | 137) detail="timed out after ${ITEM_TIMEOUT}s" ;;
		*) detail="exit $rc${detail:+, $detail}" ;;
		esac
		printf 'FAIL  %-40s %s  (%s)\n' "$name" "$took" "$detail"
		show_failure "$log"
	fi
}

# run NAME LOG CMD...: runs one item under the timeout.
run()
{
	local name=$1 log=$2
	shift 2
	RUN_START=$(now)
	timeout -k 10 "$ITEM_TIMEOUT" "$@" </dev/null >"$log" 2>&1
	RUN_RC=$?
}

finish()
{
	echo
	echo "total $(( $(date +%s) - t0 ))s; $skipped skipped"
	if [ ${#failures[@]} -gt 0 ]; then
		echo "failed: ${failures[*]}"
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

mkdir -p "$LOGS"
# the binary under test, for interop scripts and unit tests that run agents
case $B in
/*) export NULLSPACE=$B/nullspace ;;
*) export NULLSPACE=$ROOT/$B/nullspace ;;
esac

# ---- build ----
MAKE_CMD=(make MODE=asan -j"$JOBS")
[ "$B" = build/asan ] || MAKE_CMD+=("B=$B")
MAKE_CMD+=(test-build)
echo "== build (${MAKE_CMD[*]})"
start=$(now)
if ! "${MAKE_CMD[@]}" >"$LOGS/build.log" 2>&1; then
	record build 1 "$LOGS/build.log" "$start"
	finish
fi
record build 0 "$LOGS/build.log" "$start"

want() { [[ " ${SUITES[*]} " == *" $1 "* ]]; }

# ---- checks of the tree: layering, ABI list, public headers ----
if want checks; then
	echo "== checks"
	for s in tests/checks/*.sh; do
		[ "$(basename "$s")" = lib.sh ] && continue
		name=checks/$(basename "$s" .sh)
		log=$LOGS/checks_$(basename "$s" .sh).log
		NS_BUILD=$B run "$name" "$log" bash "$s"
		record "$name" "$RUN_RC" "$log" "$RUN_START" "$(grep -hoE '^[0-9]+ failed' "$log" | tail -n 1)" 1
	done
fi

# ---- unit tests (cmocka) ----
if want unit; then
	echo "== unit tests"
	n=0
	for src in tests/test_*.c; do
		t=$B/tests/$(basename "$src" .c) # not stale binaries of removed suites
		[ -x "$t" ] || continue
		n=$((n + 1))
		name=$(basename "$t")
		log=$LOGS/$name.log
		run "$name" "$log" "$t"
		detail=$(grep -hoE '\[ +(PASSED|FAILED) +\] [0-9]+ test' "$log" |
			sed -E 's/\[ +([A-Z]+) +\] ([0-9]+) test/\2 \1/' | tr 'A-Z\n' 'a-z,' | sed 's/,$//; s/,/, /g')
		record "$name" "$RUN_RC" "$log" "$RUN_START" "$detail"
	done
	if [ "$n" -eq 0 ]; then
		echo "no unit test binaries in $B/tests" >"$LOGS/unit.log"
		record "unit tests" 1 "$LOGS/unit.log" "$(now)"
	fi
fi

# ---- fuzz corpora replayed under ASan+UBSan ----
if want fuzz; then
	echo "== fuzz corpus replay"
	for src in fuzz/fuzz_*.c; do
		[ -f "$src" ] || continue
		target=$(basename "$src" .c)
		corpus=fuzz/corpus/${target#fuzz_}
		log=$LOGS/replay_$target.log
		if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
			echo "corpus folder $corpus is missing or empty (every fuzz target needs a seed corpus)" >"$log"
			record "replay $target" 1 "$log" "$(now)"
			continue
		fi
		run "replay $target" "$log" "$B/replay/$target" "$corpus"
		record "replay $target" "$RUN_RC" "$log" "$RUN_START" "$(grep -ho 'replayed [0-9]* inputs' "$log")"
	done
fi

# ---- interop scripts against real OpenSSH ----
if want interop; then
	echo "== interop"
	for s in tests/interop/*.sh; do
		[ "$(basename "$s")" = lib.sh ] && continue
		name=interop/$(basename "$s" .sh)
		log=$LOGS/interop_$(basename "$s" .sh).log
		run "$name" "$log" bash "$s"
		record "$name" "$RUN_RC" "$log" "$RUN_START" "$(grep -ho '[0-9]* checks' "$log" | tail -n 1)" 1
	done
fi

finish
