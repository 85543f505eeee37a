#!/usr/bin/env bash
# Throughput of each cipher (and MAC, for aes*-ctr), ours vs OpenSSH's, in
# one run: OpenSSH's ssh -> `nullspace agent`, ssh -> sshd, and ssh ->
# `nullspace relay` -> agent (the relay's inner hop keeps its own choice,
# aes256-gcm where the CPU has AES-NI). BENCH_BYTES (default 256M) through
# one session each way: up = `cat >/dev/null` fed from /dev/zero, down =
# `head -c` of /dev/zero; MB/s = 10^6 bytes per second of wall time,
# handshake included. Release build (bin/nullspace); sshd needs root (else
# n/a).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NULLSPACE=${NULLSPACE:-$ROOT/bin/nullspace}
. "$ROOT/tests/interop/lib.sh"

BYTES_SPEC=${BENCH_BYTES:-256M}
BYTES=$(numfmt --from=iec "$BYTES_SPEC") || die "bad BENCH_BYTES=$BYTES_SPEC"
need_nullspace
command -v ssh >/dev/null || skip "ssh (openssh-client) missing"

CONFIGS=(
	"chacha20-poly1305@openssh.com"
	"aes256-gcm@openssh.com"
	"aes128-gcm@openssh.com"
	"aes256-ctr hmac-sha2-512-etm@openssh.com"
	"aes128-ctr hmac-sha2-256-etm@openssh.com"
	"aes128-ctr hmac-sha2-256"
)

ssh_keygen "$T/user"
cat "$T/user.pub" >"$T/agent_authorized_keys"
start_agent
start_relay_to_agent sb_bench
sign_user "$T/user.pub" cert sb_bench
{
	known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub"
	known_hosts_line "$RELAY_PORT" "$RELAY_HOSTKEY.pub"
} >"$T/known_hosts"
have_sshd=0
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ]; then
	start_sshd
	cat "$T/user.pub" >"$SSHD_AUTH"
	known_hosts_line "$SSHD_PORT" "$SSHD_HOSTKEY.pub" >>"$T/known_hosts"
	have_sshd=1
fi

now() { date +%s.%N; }

# rate DIR ARGS...: MB/s of BYTES up or down through ssh ARGS.
rate()
{
	local dir=$1 t0 t1 n
	shift
	t0=$(now)
	if [ "$dir" = up ]; then
		n=$(head -c "$BYTES" /dev/zero |
			timeout -k 5 600 "${SSH[@]}" -o Compression=no "$@" 'wc -c' 2>"$T/rate.err")
	else
		n=$(timeout -k 5 600 "${SSH[@]}" -o Compression=no "$@" "head -c $BYTES /dev/zero" \
			</dev/null 2>"$T/rate.err" | wc -c)
	fi
	t1=$(now)
	if [ "${n:-0}" -ne "$BYTES" ]; then
		echo "error"
		return
	fi
	awk -v b="$BYTES" -v a="$t0" -v z="$t1" 'BEGIN { printf "%.0f", b / (z - a) / 1e6 }'
}

printf '%s each way, MB/s (up / down), %s, %s\n' "$BYTES_SPEC" "$(nproc) cores" \
	"$(grep -qw aes /proc/cpuinfo && echo AES-NI || echo no AES-NI)"
printf '%-42s %15s %15s %15s\n' "cipher [MAC]" "ssh->agent" "ssh->sshd" "ssh->relay"
for cfg in "${CONFIGS[@]}"; do
	read -r cipher mac <<<"$cfg"
	algs=(-c "$cipher" -o KexAlgorithms=curve25519-sha256)
	[ -n "${mac:-}" ] && algs+=(-m "$mac")
	a="$(rate up "${algs[@]}" -i "$T/user" -p "$AGENT_PORT" root@127.0.0.1) / $(rate down "${algs[@]}" -i "$T/user" -p "$AGENT_PORT" root@127.0.0.1)"
	s="n/a"
	if [ "$have_sshd" = 1 ]; then
		s="$(rate up "${algs[@]}" -i "$T/user" -p "$SSHD_PORT" root@127.0.0.1) / $(rate down "${algs[@]}" -i "$T/user" -p "$SSHD_PORT" root@127.0.0.1)"
	fi
	r=(-i "$T/user" -o "CertificateFile=$T/cert-cert.pub" -p "$RELAY_PORT" sb_bench@127.0.0.1)
	l="$(rate up "${algs[@]}" "${r[@]}") / $(rate down "${algs[@]}" "${r[@]}")"
	printf '%-42s %15s %15s %15s\n' "$cipher ${mac:-}" "$a" "$s" "$l"
done
pass >/dev/null
