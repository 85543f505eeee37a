#!/usr/bin/env bash
# Profiles the relay and the agent during one upload and one download of
# BENCH_BYTES (default 512M) through ssh -> relay -> agent: `perf record`
# and `perf stat` (syscall counts) on the two processes alone (not the
# agent's children: --no-inherit), the top symbols printed; without perf
# (or with NO_PERF=1) only their CPU-seconds per GiB. First the times of
# ten new logins. PROF_OUT: where perf.data files go (default the test's
# temp folder, kept with KEEP_TMP=1); PROF_LAT: a file sourced after the
# logins, with RL (the ssh command), RELAY_PID and AGENT_PID set (e.g. to
# strace one login). Release build (bin/nullspace) unless NULLSPACE says.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NULLSPACE=${NULLSPACE:-$ROOT/bin/nullspace}
. "$ROOT/tests/interop/lib.sh"
BYTES=$(numfmt --from=iec "${BENCH_BYTES:-512M}") || die "bad BENCH_BYTES"
OUT=${PROF_OUT:-$T}
need_nullspace
ALGS=(-c chacha20-poly1305@openssh.com -o KexAlgorithms=curve25519-sha256
	-o HostKeyAlgorithms=ssh-ed25519 -o Compression=no -o ControlMaster=no)
ssh_keygen "$T/ca"
ssh_keygen "$T/user"
ns_keygen "$T/relay_host"
ns_keygen "$T/relay_client"
cp "$T/user.pub" "$T/cert.pub"
ssh-keygen -q -s "$T/ca" -I bench -n sb_bench -V -5m:+1d "$T/cert.pub" </dev/null >/dev/null 2>&1 ||
	die "ssh-keygen -s failed"
cat "$T/relay_client.pub" >"$T/agent_authorized_keys"
start_agent --max-connections 256 --max-channels 4096
mkdir -p "$T/registry"
printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$AGENT_PORT" \
	"$(cat "$AGENT_HOSTKEY.pub")" >"$T/registry/sb_bench"
: >"$T/revoked"
RELAY_PORT=$(pick_port)
spawn "$T/relay.log" "$NULLSPACE" relay --listen "127.0.0.1:$RELAY_PORT" \
	--host-key "$T/relay_host" --ca-keys "$T/ca.pub" --revoked "$T/revoked" \
	--registry "$T/registry" --client-key "$T/relay_client"
RELAY_PID=$SPAWNED
wait_listen "nullspace relay" "$RELAY_PID" "$RELAY_PORT"
known_hosts_line "$RELAY_PORT" "$T/relay_host.pub" >"$T/known_hosts"
RL=("${SSH[@]}" "${ALGS[@]}" -i "$T/user" -o "CertificateFile=$T/cert-cert.pub" -p "$RELAY_PORT"
	sb_bench@127.0.0.1)
"${RL[@]}" -T -- true </dev/null || die "warm-up login failed"
# login_ms: ten new logins (exec true), their times in ms
login_ms()
{
	local i t0 out=""
	for i in 1 2 3 4 5 6 7 8 9 10; do
		t0=$(date +%s.%N)
		"${RL[@]}" -T -- true </dev/null >/dev/null || die "a login failed"
		out+="$(awk -v a="$t0" -v z="$(date +%s.%N)" 'BEGIN { printf "%.0f", (z - a) * 1000 }') "
	done
	echo "$out"
}
echo "new logins, ms: $(login_ms)"
[ -n "${PROF_LAT:-}" ] && . "$PROF_LAT"
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
r0=$(ticks "$RELAY_PID") a0=$(ticks "$AGENT_PID")
PERF=()
if command -v perf >/dev/null && [ -z "${NO_PERF:-}" ]; then
	perf record --no-inherit -q -g -o "$OUT/relay.perf" -p "$RELAY_PID" 2>/dev/null &
	P1=$!
	perf record --no-inherit -q -g -o "$OUT/agent.perf" -p "$AGENT_PID" 2>/dev/null &
	P2=$!
	perf stat --no-inherit -e task-clock,context-switches,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_read,syscalls:sys_enter_readv,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_sendmsg \
		-p "$RELAY_PID" -o "$OUT/relay.stat" &
	P3=$!
	perf stat --no-inherit -e task-clock,context-switches,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_read,syscalls:sys_enter_readv,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_sendmsg \
		-p "$AGENT_PID" -o "$OUT/agent.stat" &
	P4=$!
	PERF=($P1 $P2 $P3 $P4)
	sleep 1
fi
t0=$(date +%s.%N)
got=$(head -c "$BYTES" /dev/zero | "${RL[@]}" -T -- 'wc -c')
[ "$got" = "$BYTES" ] || die "upload: $got bytes"
t1=$(date +%s.%N)
got=$("${RL[@]}" -T -- "head -c $BYTES /dev/zero" </dev/null | wc -c)
[ "$got" = "$BYTES" ] || die "download: $got bytes"
t2=$(date +%s.%N)
r1=$(ticks "$RELAY_PID") a1=$(ticks "$AGENT_PID")
[ ${#PERF[@]} -gt 0 ] && kill -INT "${PERF[@]}" && wait "${PERF[@]}" 2>/dev/null
T_=$(getconf CLK_TCK)
awk -v b="$BYTES" -v a="$t0" -v m="$t1" -v z="$t2" -v r="$((r1 - r0))" -v g="$((a1 - a0))" -v t="$T_" 'BEGIN {
	gib = 2 * b / 1073741824
	printf "upload %.1f MiB/s, download %.1f MiB/s; CPU-s per GiB: relay %.2f, agent %.2f\n",
		b / 1048576 / (m - a), b / 1048576 / (z - m), r / t / gib, g / t / gib }'
if [ ${#PERF[@]} -gt 0 ]; then
	for w in relay agent; do
		echo "== $w"
		grep -E "task-clock|context|syscalls" "$OUT/$w.stat" | awk '{ print "  " $1, $2 }'
		perf report -i "$OUT/$w.perf" --no-children --sort sym -q --percent-limit 1.5 2>/dev/null |
			grep -v '^$' | grep -v '^ *|' | grep -v -- '---' | head -30
	done
fi
NS_DONE=1
