#!/usr/bin/env bash
# The cost of each key exchange method, in one run:
# 1. handshakes per second in memory (bench/handshake.c: client and server
#    engines, kex + ed25519 publickey auth, no sockets), each hybrid against
#    curve25519-sha256 alone, and the milliseconds each adds;
# 2. full sessions of `nullspace connect` -> `nullspace agent --kex METHOD`
#    (TCP, kex, auth, exec `true`) with KEX_SESSIONS=1 (off by default: the
#    agent runs commands through root's login shell, whose profile can cost
#    far more than the kex);
# 3. per-operation cost of the KEMs and of X25519 (bench/kem.c).
# Release build (make; bin/nullspace, build/rel/libnullspace.a).
# Environment: BENCH_SECONDS (per method, default 3), NULLSPACE.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NULLSPACE=${NULLSPACE:-$ROOT/bin/nullspace}
. "$ROOT/tests/interop/lib.sh"

BUDGET=${BENCH_SECONDS:-3}
METHODS=(curve25519-sha256 sntrup761x25519-sha512 mlkem768x25519-sha256)
LIB=$ROOT/build/rel/libnullspace.a
[ -f "$LIB" ] || die "no $LIB: run make first"
SODIUM=$(pkg-config --cflags --libs libsodium 2>/dev/null || echo -lsodium)
CFL=(-std=c11 -D_GNU_SOURCE -O2 -I"$ROOT/include" -I"$ROOT/core" -I"$ROOT/tests")

${CC:-cc} "${CFL[@]}" -o "$T/handshake" "$ROOT/bench/handshake.c" "$ROOT/tests/lib_pair.c" \
	"$ROOT/tests/lib_rng.c" "$LIB" $SODIUM -lbearssl -lutil || die "bench/handshake.c"
"$T/handshake" "$BUDGET" "${METHODS[@]}" | tee "$T/hs.out"
awk 'NR == 1 { base = $4 } NR > 1 { printf "  %s adds %.3f ms a handshake (%.1fx curve25519)\n", $1, $4 - base, $4 / base }' \
	"$T/hs.out"

if [ "${KEX_SESSIONS:-0}" = 1 ]; then
	echo
	need_nullspace
	ns_keygen "$T/id_user"
	for kex in "${METHODS[@]}"; do
		start_agent --kex "$kex"
		cat "$T/id_user.pub" >>"$AGENT_AUTH"
		known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"
		n=0
		t0=$(date +%s.%N)
		while :; do
			"$NULLSPACE" connect -p "$AGENT_PORT" -k "$T/known_hosts" -i "$T/id_user" -T \
				root@127.0.0.1 -- true </dev/null >/dev/null 2>&1 || die "connect ($kex) failed"
			n=$((n + 1))
			t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
			awk -v t="$t" -v b="$BUDGET" 'BEGIN { exit !(t >= b) }' && break
		done
		awk -v k="$kex" -v t="$t" -v n="$n" \
			'BEGIN { printf "%-36s %8.1f sessions/s %8.2f ms\n", k, n / t, 1000 * t / n }'
		kill "$AGENT_PID" 2>/dev/null
		wait "$AGENT_PID" 2>/dev/null
	done
fi

echo
${CC:-cc} "${CFL[@]}" -o "$T/kem" "$ROOT/bench/kem.c" "$ROOT"/core/sntrup761.c \
	"$ROOT"/core/sntrup761_code.c "$ROOT"/core/sntrup761_poly.c "$ROOT"/core/mlkem768.c \
	"$ROOT"/core/mlkem768_poly.c "$ROOT"/core/keccak.c $SODIUM || die "bench/kem.c"
"$T/kem" 1
pass
