#!/usr/bin/env bash
# Constant time of the post-quantum KEMs: tests/ct/ct_kem.c built at -O2
# (what ships) and run under valgrind memcheck with secret inputs marked
# undefined; any branch or index on them is an error. Skips (ok) without
# valgrind or its headers.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null || [ ! -f /usr/include/valgrind/memcheck.h ]; then
	echo "ok   constant time: skipped (no valgrind or valgrind/memcheck.h)"
	finish
	exit
fi
ct_build()
{
	${CC:-cc} -std=c11 -O2 -g -Icore -Iinclude -o "$tmp/ct_kem" tests/ct/ct_kem.c \
		core/sntrup761.c core/sntrup761_code.c core/sntrup761_poly.c \
		core/mlkem768.c core/mlkem768_poly.c core/keccak.c \
		$(pkg-config --cflags --libs libsodium 2>/dev/null || echo -lsodium) 2>"$tmp/cc.err"
}
ct_run()
{
	valgrind --quiet --error-exitcode=3 --track-origins=yes "$tmp/ct_kem" >"$tmp/ct.out" 2>&1
	local rc=$?
	cat "$tmp/ct.out"
	return $rc
}
check "constant time: the check builds at -O2" ct_build
check "constant time: no secret-dependent branch or index (valgrind memcheck)" ct_run
finish
