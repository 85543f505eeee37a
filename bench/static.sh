#!/usr/bin/env bash
# Throughput of the static (musl) agent next to the glibc build, in one run:
# OpenSSH's ssh -> `nullspace agent` of each binary, BENCH_BYTES (default
# 200M) through `cat` each way (up: fed from /dev/zero into `cat | wc -c`;
# down: `head -c | cat`), for chacha20-poly1305 (libsodium) and aes256-gcm
# (BearSSL). Each figure is the median of BENCH_REPS (default 3) runs, the
# binaries taking turns so load on the machine hits both alike. MB/s = 10^6
# bytes per second of wall time, handshake included; CPU = the agent process's
# user+system seconds per 10^9 bytes (its sessions' `cat` not counted), which
# a busy machine disturbs less than wall time. Also prints each binary's
# stripped size.
# Usage: bench/static.sh [LABEL=BINARY ...]
#   (default: musl-static=bin/nullspace-static glibc=bin/nullspace)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/interop/lib.sh"

BYTES_SPEC=${BENCH_BYTES:-200M}
BYTES=$(numfmt --from=iec "$BYTES_SPEC") || die "bad BENCH_BYTES=$BYTES_SPEC"
REPS=${BENCH_REPS:-3}
command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
BINS=("$@")
[ ${#BINS[@]} -gt 0 ] || BINS=("musl-static=$ROOT/bin/nullspace-static" "glibc=$ROOT/bin/nullspace")
CIPHERS=(chacha20-poly1305@openssh.com aes256-gcm@openssh.com)

ssh_keygen "$T/user"
LABELS=()
PORTS=()
PIDS=()
for spec in "${BINS[@]}"; do
	label=${spec%%=*}
	NULLSPACE=${spec#*=}
	need_nullspace
	cat "$T/user.pub" >"$T/agent_authorized_keys"
	start_agent
	# start_agent reuses these names: keep each agent's own
	mv "$AGENT_LOG" "$T/agent_$label.log"
	known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >>"$T/known_hosts"
	LABELS+=("$label")
	PORTS+=("$AGENT_PORT")
	PIDS+=("$AGENT_PID")
	printf '%-14s %s: %s bytes stripped\n' "$label" "$NULLSPACE" \
		"$(strip -o "$T/stripped" "$NULLSPACE" && stat -c %s "$T/stripped")"
done

now() { date +%s.%N; }
# cpu_ticks PID: user+system clock ticks of PID so far
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)

# rate DIR CIPHER PORT PID: "MB/s CPU" for BYTES up or down through `cat`.
rate()
{
	local dir=$1 t0 t1 n c0 c1
	local args=(-o Compression=no -c "$2" -o KexAlgorithms=curve25519-sha256 -i "$T/user"
		-p "$3" root@127.0.0.1)
	c0=$(cpu_ticks "$4")
	t0=$(now)
	if [ "$dir" = up ]; then
		n=$(head -c "$BYTES" /dev/zero | timeout -k 5 600 "${SSH[@]}" "${args[@]}" 'cat | wc -c' \
			2>"$T/rate.err")
	else
		n=$(timeout -k 5 600 "${SSH[@]}" "${args[@]}" "head -c $BYTES /dev/zero | cat" \
			</dev/null 2>"$T/rate.err" | wc -c)
	fi
	t1=$(now)
	c1=$(cpu_ticks "$4")
	if [ "${n:-0}" -ne "$BYTES" ]; then
		echo "error error"
		return
	fi
	awk -v b="$BYTES" -v a="$t0" -v z="$t1" -v c=$((c1 - c0)) -v hz="$TICKS" \
		'BEGIN { printf "%.0f %.2f", b / (z - a) / 1e6, c / hz / (b / 1e9) }'
}

# median: of the numbers on stdin, one a line; "error" if any run failed.
median() { sort -n | awk '$1 !~ /^[0-9.]+$/ { e = 1 } { v[NR] = $1 } END { print (e || !NR ? "error" : v[int((NR + 1) / 2)]) }'; }

printf '\n%s each way, MB/s up / down (agent CPU s per GB up / down), median of %s, %s, %s\n' "$BYTES_SPEC" "$REPS" \
	"$(nproc) cores" "$(grep -qw aes /proc/cpuinfo && echo AES-NI || echo no AES-NI)"
printf '%-32s' cipher
for label in "${LABELS[@]}"; do printf ' %26s' "$label"; done
echo
for cipher in "${CIPHERS[@]}"; do
	declare -A mbs=() cpu=()
	for r in $(seq "$REPS"); do
		for i in "${!LABELS[@]}"; do
			for dir in up down; do
				read -r m c <<<"$(rate "$dir" "$cipher" "${PORTS[$i]}" "${PIDS[$i]}")"
				mbs[$i.$dir]+="$m "
				cpu[$i.$dir]+="$c "
			done
		done
	done
	printf '%-32s' "$cipher"
	med() { tr ' ' '\n' <<<"$1" | grep . | median; }
	for i in "${!LABELS[@]}"; do
		printf ' %26s' "$(med "${mbs[$i.up]}") / $(med "${mbs[$i.down]}") ($(med "${cpu[$i.up]}") / $(med "${cpu[$i.down]}"))"
	done
	echo
	unset mbs cpu
done
pass >/dev/null
