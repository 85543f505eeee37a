#!/usr/bin/env bash
# Our ML-KEM-768 (core/mlkem768*.c) against an independent implementation,
# @noble/post-quantum (pure JS), installed from the npm registry into this
# test's temporary folder (nothing vendored). For NOBLE_ROUNDS (default 5)
# random seeds: the same 64-byte seed gives both the same key pair; each
# decapsulates what the other encapsulated (and the same m gives the same
# ciphertext); a tampered ciphertext gives the same rejection key on both.
# Skips (77) without node/npm or when the package cannot be installed
# (offline).
. "$(dirname "$0")/lib.sh"

command -v node >/dev/null || skip "node missing (scripts/deps.sh installs nodejs)"
command -v npm >/dev/null || skip "npm missing (scripts/deps.sh installs npm)"
ROUNDS=${NOBLE_ROUNDS:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

mkdir -p "$T/js"
(cd "$T/js" && timeout 180 npm install --no-audit --no-fund --silent @noble/post-quantum \
	>"$T/npm.log" 2>&1) || skip "npm install @noble/post-quantum failed (offline?): $(tail -1 "$T/npm.log")"
cp "$(dirname "$0")/mlkem_noble.mjs" "$T/js/"
${CC:-cc} -std=c11 -O1 -I"$ROOT/core" -I"$ROOT/include" -o "$T/mlkem_tool" \
	"$(dirname "$0")/mlkem_tool.c" "$ROOT"/core/mlkem768.c "$ROOT"/core/mlkem768_poly.c \
	"$ROOT"/core/keccak.c $(pkg-config --cflags --libs libsodium 2>/dev/null || echo -lsodium) ||
	die "cannot build mlkem_tool"
ours() { "$T/mlkem_tool" "$@"; }
noble() { echo "$*" | (cd "$T/js" && node mlkem_noble.mjs); }
rnd() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

for i in $(seq "$ROUNDS"); do
	seed=$(rnd 64)
	ours keygen "$seed" >"$T/o.key"
	noble keygen "$seed" >"$T/n.key"
	assert_eq "round $i: the same key pair from the same seed" "$(cat "$T/n.key")" "$(cat "$T/o.key")"
	pk=$(sed -n 1p "$T/o.key")
	sk=$(sed -n 2p "$T/o.key")
	m=$(rnd 32)
	ours enc "$pk" "$m" >"$T/o.enc"
	noble enc "$pk" "$m" >"$T/n.enc"
	assert_eq "round $i: the same ciphertext and key from the same m" \
		"$(cat "$T/n.enc")" "$(cat "$T/o.enc")"
	# each decapsulates the other's fresh encapsulation
	m2=$(rnd 32)
	noble enc "$pk" "$m2" >"$T/n2.enc"
	assert_eq "round $i: ours decapsulates noble's" "$(sed -n 2p "$T/n2.enc")" \
		"$(ours dec "$sk" "$(sed -n 1p "$T/n2.enc")")"
	ct=$(sed -n 1p "$T/o.enc")
	assert_eq "round $i: noble decapsulates ours" "$(sed -n 2p "$T/o.enc")" "$(noble dec "$sk" "$ct")"
	bad=$(printf '%s' "$ct" | sed 's/^\(.\{20\}\)./\1f/;s/^\(.\{21\}\)./\10/')
	[ "$bad" != "$ct" ] || bad=$(printf '%s' "$ct" | sed 's/^\(.\{20\}\)./\1e/')
	assert_eq "round $i: the same rejection key for a tampered ciphertext" \
		"$(noble dec "$sk" "$bad")" "$(ours dec "$sk" "$bad")"
done
pass
