#!/usr/bin/env bash
# Benchmarks `nullspace relay` against a plain sshd, side by side, in one run:
# throughput ssh -> relay -> agent vs ssh -> sshd (BENCH_BYTES each way,
# chacha20-poly1305), full sessions per second (exec `true`), idle sessions
# (below), and the CPU seconds the relay and the agent spend per GiB
# forwarded next to the cost of the crypto they must do (bench/crypto.c, the
# same primitives in the same run). Release build (bin/nullspace).
#
# Idle sessions: BENCH_SESSIONS `sleep` sessions to ONE sandbox through the
# relay, all held at once, each its own OpenSSH connection (ControlMaster=no:
# every `ssh` or `nullspace ssh` a user runs is a connection, the relay's
# costlier case, and a ControlMaster would carry at most 16 of them, the
# relay's --max-channels), opened in waves of WAVE logins so the per-source
# pre-auth cap is not what is measured. Then: how many are up, the time of a
# new login (a full session, exec `true`) while they are held, the agent
# connections the relay holds (one), and the PSS of the relay process and of
# the agent process (smaps_rollup, before and after, divided by the
# sessions; the commands the agent runs, `sleep` here, are the user's
# programs, which sshd runs as well: listed apart), the first session,
# which opens the relay's agent connection, apart too. The sshd column holds
# BENCH_IDLE such sessions, its per-connection processes counted.
#
# Environment: BENCH_BYTES (default 1G), BENCH_SECONDS (sessions loop, 10),
# BENCH_SESSIONS (2000), BENCH_HOLD_SECONDS (time to open them, 600),
# BENCH_IDLE (sessions for the sshd column, 200), NULLSPACE (default
# bin/nullspace), BENCH_IDLE_ONLY=1 (only the idle sessions through the relay,
# then stop: minutes less while working on them), BENCH_PERF_LOGIN=DIR (perf
# record -g of the relay and the agent during the new logins while the
# sessions are held, into DIR/login-relay.perf and DIR/login-agent.perf).
# The OpenSSH column needs root (sshd).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NULLSPACE=${NULLSPACE:-$ROOT/bin/nullspace}
. "$ROOT/tests/interop/lib.sh"

BYTES_SPEC=${BENCH_BYTES:-1G}
BYTES=$(numfmt --from=iec "$BYTES_SPEC") || die "bad BENCH_BYTES=$BYTES_SPEC"
SECONDS_BUDGET=${BENCH_SECONDS:-10}
IDLE_N=${BENCH_IDLE:-200}
HOLD_N=${BENCH_SESSIONS:-2000}
HOLD_SECONDS=${BENCH_HOLD_SECONDS:-600}
WAVE=24 # clients authenticating at once (under the relay's 32 per source)
need_nullspace
command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
"$NULLSPACE" relay --help >/dev/null 2>&1 || die "$NULLSPACE has no relay command"

ALGS=(-c chacha20-poly1305@openssh.com -o KexAlgorithms=curve25519-sha256
	-o HostKeyAlgorithms=ssh-ed25519 -o Compression=no -o ControlMaster=no)
now() { date +%s.%N; }

# --- keys, agent, registry, relay ---
ssh_keygen "$T/ca"
ssh_keygen "$T/user"
ns_keygen "$T/relay_host"
ns_keygen "$T/relay_client"
cp "$T/user.pub" "$T/cert.pub"
ssh-keygen -q -s "$T/ca" -I bench -n sb_bench -V -5m:+1d "$T/cert.pub" </dev/null >/dev/null 2>&1 ||
	die "ssh-keygen -s failed"
cat "$T/relay_client.pub" >"$T/agent_authorized_keys"
start_agent --max-connections 256 --max-channels 4096 # as `nullspace up` runs it
mkdir -p "$T/registry"
printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$AGENT_PORT" \
	"$(cat "$AGENT_HOSTKEY.pub")" >"$T/registry/.new" && mv "$T/registry/.new" "$T/registry/sb_bench"
: >"$T/revoked"
RELAY_PORT=$(pick_port)
spawn "$T/relay.log" "$NULLSPACE" relay --listen "127.0.0.1:$RELAY_PORT" \
	--host-key "$T/relay_host" --ca-keys "$T/ca.pub" --revoked "$T/revoked" \
	--registry "$T/registry" --client-key "$T/relay_client" \
	--max-connections $((HOLD_N + 100)) --max-connections-per-sandbox $((HOLD_N + 100)) \
	--max-authed-per-source $((HOLD_N + 100))
RELAY_PID=$SPAWNED
wait_listen "nullspace relay" "$RELAY_PID" "$RELAY_PORT"
known_hosts_line "$RELAY_PORT" "$T/relay_host.pub" >"$T/known_hosts"
RL=("${SSH[@]}" "${ALGS[@]}" -i "$T/user" -o "CertificateFile=$T/cert-cert.pub" -p "$RELAY_PORT"
	sb_bench@127.0.0.1)

have_openssh=0
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ]; then
	have_openssh=1
	start_sshd "Ciphers chacha20-poly1305@openssh.com" "KexAlgorithms curve25519-sha256" \
		"HostKeyAlgorithms ssh-ed25519" "LogLevel ERROR" "MaxStartups $((WAVE * 2)):30:200"
	cat "$T/user.pub" >>"$SSHD_AUTH"
	known_hosts_line "$SSHD_PORT" "$SSHD_HOSTKEY.pub" >>"$T/known_hosts"
	OS=("${SSH[@]}" "${ALGS[@]}" -i "$T/user" -p "$SSHD_PORT" root@127.0.0.1)
fi

# --- throughput and sessions (as bench/run.sh) ---
upload()
{
	local t0 t1 got
	t0=$(now)
	got=$(head -c "$BYTES" /dev/zero | timeout 600 "$@" -T -- 'wc -c')
	t1=$(now)
	[ "$got" = "$BYTES" ] || die "upload: remote counted '$got' bytes, sent $BYTES"
	awk -v b="$BYTES" -v a="$t0" -v z="$t1" 'BEGIN { printf "%.1f", b / 1048576 / (z - a) }'
}
download()
{
	local t0 t1 got
	t0=$(now)
	got=$(timeout 600 "$@" -T -- "head -c $BYTES /dev/zero" </dev/null | wc -c)
	t1=$(now)
	[ "$got" = "$BYTES" ] || die "download: received $got bytes, expected $BYTES"
	awk -v b="$BYTES" -v a="$t0" -v z="$t1" 'BEGIN { printf "%.1f", b / 1048576 / (z - a) }'
}
sessions()
{
	local t0 t1 n=0 rc
	t0=$(now)
	t1=$t0
	while awk -v a="$t0" -v z="$t1" -v s="$SECONDS_BUDGET" 'BEGIN { exit !(z - a < s) }'; do
		timeout 30 "$@" -T -- true </dev/null >/dev/null 2>"$T/sess.err"
		rc=$?
		[ "$rc" = 0 ] || die "session $((n + 1)) exited $rc: $(head -c 300 "$T/sess.err")"
		n=$((n + 1))
		t1=$(now)
	done
	awk -v n="$n" -v a="$t0" -v z="$t1" 'BEGIN { printf "%.1f", n / (z - a) }'
}

# cpu_ticks PID: user + system CPU time of the process itself, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# child_ticks PID: the same for its children that ended and were reaped (the
# agent's commands: `wc -c`, `head` and their shells).
child_ticks() { awk '{ print $16 + $17 }' "/proc/$1/stat"; }
TCK=$(getconf CLK_TCK)
# the yardstick: CPU-s per GiB of one pass of each cipher (bench/crypto.c)
CRYPTO=$(dirname "$NULLSPACE")/../build/rel/bench/crypto
[ -x "$CRYPTO" ] || CRYPTO=$ROOT/build/rel/bench/crypto
[ -x "$CRYPTO" ] || (cd "$ROOT" && make -s build/rel/bench/crypto >/dev/null) ||
	die "cannot build bench/crypto"
# the other yardstick: the kernel's part of moving the same bytes through
# sockets and pipes, no crypto (bench/iofloor.c)
IOFLOOR=$(dirname "$CRYPTO")/iofloor
[ -x "$IOFLOOR" ] || (cd "$ROOT" && make -s build/rel/bench/iofloor >/dev/null) ||
	die "cannot build bench/iofloor"

# --- idle sessions ---
IDLE_PIDS=()
kill_idle()
{
	local i
	# sshd leaves a command without a PTY running when its client goes
	[ -n "${SSHD_PID:-}" ] && kill $(descendants "$SSHD_PID" sleep) 2>/dev/null
	for ((i = 0; i < ${#IDLE_PIDS[@]}; i += 500)); do
		kill "${IDLE_PIDS[@]:i:500}" 2>/dev/null
	done
	for i in "${IDLE_PIDS[@]}"; do
		wait "$i" 2>/dev/null
	done
	IDLE_PIDS=()
	rm -rf "$T/up"
}
trap 'rc=$?; kill_idle; (exit $rc); ns_cleanup' EXIT

# pss_of PID [FIELD]: a smaps_rollup field in KiB of that one process,
# Pss_Anon by default: the memory it allocated (heap, stacks). Its whole Pss
# also moves with the libraries it shares: the agent's falls as its
# children map the same libc, which made its per-session figure negative.
pss_of() { awk -v f="${2:-Pss_Anon}:" '$1 == f { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
# descendants PID [COMM]: the process and all its descendants, one pid a
# line; with COMM, only those whose command name is COMM. (One ps: a ps per
# process took minutes over 2,000 sessions.)
descendants()
{
	ps -e -o pid=,ppid=,comm= | awk -v root="$1" -v comm="${2:-}" '
		{ parent[$1] = $2; name[$1] = $3 }
		END {
			for (p in parent) {
				for (q = p; q != "" && q != 0 && q != 1; q = parent[q]) {
					if (q == root) {
						if (comm == "" || name[p] == comm) print p
						break
					}
				}
			}
		}'
}
# pss_tree PID [COMM [FIELD]]: the field summed over descendants PID COMM.
pss_tree()
{
	local pids
	pids=$(descendants "$1" "${2:-}")
	[ -n "$pids" ] || { echo 0; return; }
	(cd /proc && cat $(printf '%s/smaps_rollup ' $pids) 2>/dev/null) |
		awk -v f="${3:-Pss_Anon}:" '$1 == f { t += $2 } END { print t + 0 }'
}

# hold N SECONDS CLIENT...: starts up to N `sleep` sessions (exec; each
# prints a line once its command runs), in waves of WAVE logins; stops at N
# or after SECONDS. Sets HELD to how many are up and still running. (Not
# run in $(...): IDLE_PIDS must stay in this shell, for clean-up.)
hold()
{
	local n=$1 secs=$2 start=${#IDLE_PIDS[@]} i j up t0
	shift 2
	mkdir -p "$T/up"
	t0=$(date +%s)
	i=0
	while [ "$i" -lt "$n" ] && [ $(($(date +%s) - t0)) -lt "$secs" ]; do
		for ((j = 0; j < WAVE && i < n; j++, i++)); do
			"$@" -T -- 'echo up; exec sleep 100000' </dev/null >"$T/up/$((start + i))" \
				2>>"$T/idle.err" &
			IDLE_PIDS+=($!)
		done
		# the wave is done when each of its sessions is up or gone
		for ((j = start + i - WAVE; j < start + i; j++)); do
			[ "$j" -ge "$start" ] || continue
			while [ ! -s "$T/up/$j" ] && kill -0 "${IDLE_PIDS[j]}" 2>/dev/null &&
				[ $(($(date +%s) - t0)) -lt "$((secs + 30))" ]; do
				sleep 0.02
			done
		done
	done
	up=0
	for ((j = start; j < ${#IDLE_PIDS[@]}; j++)); do
		[ -s "$T/up/$j" ] && kill -0 "${IDLE_PIDS[j]}" 2>/dev/null && up=$((up + 1))
	done
	HELD=$up
}

# login_ms CLIENT...: five new logins (full sessions, exec true), their times in ms.
login_ms()
{
	local i t0 out=""
	for i in 1 2 3 4 5; do
		t0=$(now)
		"$@" -T -- true </dev/null >/dev/null 2>"$T/lat.err" ||
			die "a new login failed while sessions were held: $(head -c 300 "$T/lat.err")"
		out+="$(awk -v a="$t0" -v z="$(now)" 'BEGIN { printf "%.0f", (z - a) * 1000 }') "
	done
	echo "$out"
}
per() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.1f", (a - b) / n }'; }

echo "nullspace relay bench: $BYTES_SPEC each way, sessions for ${SECONDS_BUDGET}s," \
	"$HOLD_N idle sessions held ($IDLE_N for sshd); $(nproc) cores"
echo "  nullspace: $NULLSPACE"
[ "$have_openssh" = 1 ] && echo "  openssh:   $(ssh -V 2>&1)"

"${RL[@]}" -T -- true </dev/null >/dev/null 2>&1 || die "warm-up login through the relay failed"
[ "$have_openssh" = 1 ] && "${OS[@]}" -T -- true </dev/null >/dev/null 2>&1

# Idle sessions first, on a fresh relay and agent: after the bulk transfers
# their heaps hold freed pages that new sessions reuse, which hides their
# cost (it printed < 0).
# The warm-up's agent connection closes first (NS_RELAY_INNER_IDLE_MS, 5 s),
# so the first session pays for opening it: listed apart.
sleep 7
r0=$(pss_of "$RELAY_PID")
a0=$(pss_of "$AGENT_PID")
t0=$(now)
hold 1 60 "${RL[@]}"
sleep 1
r_first=$(($(pss_of "$RELAY_PID") - r0))
a_first=$(($(pss_of "$AGENT_PID") - a0))
hold $((HOLD_N - 1)) "$HOLD_SECONDS" "${RL[@]}"
held=0
for ((j = 0; j < ${#IDLE_PIDS[@]}; j++)); do
	[ -s "$T/up/$j" ] && kill -0 "${IDLE_PIDS[j]}" 2>/dev/null && held=$((held + 1))
done
t_hold=$(awk -v a="$t0" -v z="$(now)" 'BEGIN { printf "%.0f", z - a }')
[ "$held" -gt 0 ] || die "no session came up: $(tail -n 3 "$T/idle.err")"
sleep 2
r1=$(pss_of "$RELAY_PID")
a1=$(pss_of "$AGENT_PID")
cmds=$(($(pss_tree "$AGENT_PID" "" Pss) - $(pss_of "$AGENT_PID" Pss)))
PERF_LOGIN=()
if [ -n "${BENCH_PERF_LOGIN:-}" ] && command -v perf >/dev/null; then
	perf record -q -g -o "$BENCH_PERF_LOGIN/login-relay.perf" -p "$RELAY_PID" 2>/dev/null &
	PERF_LOGIN+=($!)
	perf record -q -g -o "$BENCH_PERF_LOGIN/login-agent.perf" -p "$AGENT_PID" 2>/dev/null &
	PERF_LOGIN+=($!)
	sleep 1
fi
lat=$(login_ms "${RL[@]}") || exit 1
[ ${#PERF_LOGIN[@]} -gt 0 ] && kill -INT "${PERF_LOGIN[@]}" && wait "${PERF_LOGIN[@]}" 2>/dev/null
inner=$(ss -Htn state established "( sport = :$AGENT_PORT )" | wc -l)
still=0
for ((j = 0; j < ${#IDLE_PIDS[@]}; j++)); do
	kill -0 "${IDLE_PIDS[j]}" 2>/dev/null && still=$((still + 1))
done
kill_idle
r_mem=$(per "$r1" "$r0" "$held")
a_mem=$(per "$a1" "$a0" "$held")
ra_mem=$(per $((r1 + a1)) $((r0 + a0)) "$held")
c_mem=$(per "$cmds" 0 "$held")
if [ -n "${BENCH_IDLE_ONLY:-}" ]; then
	echo "idle sessions to one sandbox: $held of $HOLD_N up (${t_hold}s to open; $still still up" \
		"after the logins below; agent connections from the relay: $inner)"
	echo "Pss_Anon per idle session, KiB: relay $r_mem + agent $a_mem = $ra_mem" \
		"(budget NS_RELAY_IDLE_SESSION_BUDGET: 16); the commands themselves (sleep), Pss: $c_mem"
	echo "the first session, which opens the agent connection: relay +$r_first KiB, agent +$a_first KiB"
	echo "new login (full session, exec true) while they are held, ms: $lat"
	NS_DONE=1
	exit 0
fi
rc0=$(cpu_ticks "$RELAY_PID")
ac0=$(cpu_ticks "$AGENT_PID")
kc0=$(child_ticks "$AGENT_PID")
r_up=$(upload "${RL[@]}") || exit 1
r_down=$(download "${RL[@]}") || exit 1
rc1=$(cpu_ticks "$RELAY_PID")
ac1=$(cpu_ticks "$AGENT_PID")
kc1=$(child_ticks "$AGENT_PID")
GIB=$(awk -v b="$BYTES" 'BEGIN { print 2 * b / 1073741824 }') # both directions
per_gib() { awk -v d="$1" -v t="$TCK" -v g="$GIB" 'BEGIN { printf "%.2f", d / t / g }'; }
r_cpu=$(per_gib $((rc1 - rc0)))
a_cpu=$(per_gib $((ac1 - ac0)))
k_cpu=$(per_gib $((kc1 - kc0)))
"$CRYPTO" 1024 >"$T/crypto.out" || die "bench/crypto failed"
c_chacha=$(awk '$1 == "chacha20-poly1305@openssh.com" { print $2 }' "$T/crypto.out")
c_gcm=$(awk '$1 == "aes256-gcm@openssh.com" { print $2 }' "$T/crypto.out")
# the outer hop is chacha20-poly1305 (ALGS); the relay -> agent hop uses
# aes256-gcm where the CPU has it (what the relay asks for first)
c_inner=${c_gcm:-$c_chacha}
c_relay=$(awk -v a="$c_chacha" -v b="$c_inner" 'BEGIN { printf "%.2f", a + b }')
"$IOFLOOR" 1024 >"$T/iofloor.out" || die "bench/iofloor failed"
f_relay=$(awk '$1 == "relay" { print $2 }' "$T/iofloor.out")
f_agent=$(awk '$1 == "agent" { print $2 }' "$T/iofloor.out")
cf_relay=$(awk -v a="$c_relay" -v b="$f_relay" 'BEGIN { printf "%.2f", a + b }')
cf_agent=$(awk -v a="$c_inner" -v b="$f_agent" 'BEGIN { printf "%.2f", a + b }')
o_up=n/a o_down=n/a o_cpu=n/a
if [ "$have_openssh" = 1 ]; then
	sc0=$(child_ticks "$SSHD_PID")
	o_up=$(upload "${OS[@]}") || exit 1
	o_down=$(download "${OS[@]}") || exit 1
	sleep 0.5 # the per-connection processes are reaped by the listener
	sc1=$(child_ticks "$SSHD_PID")
	o_cpu=$(per_gib $((sc1 - sc0)))
fi

row()
{
	local metric=$1 a=$2 b=$3 ratio=n/a
	if [ "$b" != n/a ] && [ "$a" != n/a ]; then
		ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
	fi
	printf '%-34s %12s %12s %8s\n' "$metric" "$a" "$b" "$ratio"
}
# Throughput and CPU first, as soon as they are measured (a later section
# that fails does not lose them).
echo
printf '%-34s %12s %12s %8s\n' metric relay sshd ratio
row "upload $BYTES_SPEC (MiB/s)" "$r_up" "$o_up"
row "download $BYTES_SPEC (MiB/s)" "$r_down" "$o_down"
echo
printf '%-34s %12s %12s %8s\n' "CPU-s per GiB forwarded" measured crypto ratio
row "relay (open + seal)" "$r_cpu" "$c_relay"
row "agent (one pass)" "$a_cpu" "$c_inner"
row "agent's commands (wc, head)" "$k_cpu" n/a
printf '%-34s %12s %12s %8s\n' "" measured "crypto+I/O" ratio
row "relay" "$r_cpu" "$cf_relay"
row "agent" "$a_cpu" "$cf_agent"
a_all=$(awk -v a="$a_cpu" -v k="$k_cpu" 'BEGIN { printf "%.2f", a + k }')
printf '%-34s %12s %12s %8s\n' "" agent sshd ratio
row "server + commands, per connection" "$a_all" "$o_cpu"
echo "(crypto = bench/crypto: one pass of 32 KiB packets, chacha20-poly1305 $c_chacha s/GiB," \
	"aes256-gcm ${c_gcm:-n/a} s/GiB; the relay's is one outer chacha20-poly1305 pass plus one" \
	"inner pass; measured over the upload and the download together; separate processes:" \
	"the relay, the agent, and the agent's children; sshd: its per-connection processes" \
	"and their commands, reaped by the listener)"
echo "(I/O = bench/iofloor: the CPU of a process that only moves the bytes, 256 KiB reads:" \
	"socket to socket $f_relay s/GiB for the relay; socket to pipe and pipe to socket, half" \
	"each, $f_agent s/GiB for the agent)"
r_sess=$(sessions "${RL[@]}") || exit 1
o_sess=n/a o_mem=n/a o_lat=n/a
if [ "$have_openssh" = 1 ]; then
	o_sess=$(sessions "${OS[@]}") || exit 1
	o0=$(pss_tree "$SSHD_PID" sshd)
	hold "$IDLE_N" 300 "${OS[@]}"
	[ "$HELD" = "$IDLE_N" ] || die "only $HELD of $IDLE_N sshd sessions came up: $(tail -n 3 "$T/idle.err")"
	sleep 2
	o_mem=$(per "$(pss_tree "$SSHD_PID" sshd)" "$o0" "$IDLE_N")
	o_lat=$(login_ms "${OS[@]}") || exit 1
	kill_idle
fi

echo
printf '%-34s %12s %12s %8s\n' metric relay sshd ratio
row "sessions/s (exec true)" "$r_sess" "$o_sess"
row "Pss_Anon per idle session (KiB)" "$ra_mem" "$o_mem"
echo "(relay = ssh -> nullspace relay -> nullspace agent; sshd = ssh -> sshd; ratio = relay / sshd;"
echo " Pss_Anon per idle session: relay + agent processes over $held sessions, sshd's"
echo " per-connection processes over $IDLE_N, the user's commands left out of both)"
echo
echo "idle sessions to one sandbox: $held of $HOLD_N up (${t_hold}s to open, one ssh connection each;" \
	"$still still up after the logins below; agent connections from the relay: $inner)"
echo "Pss_Anon per idle session, KiB: relay $r_mem + agent $a_mem = $ra_mem" \
	"(budget NS_RELAY_IDLE_SESSION_BUDGET: 16); the commands themselves (sleep), Pss: $c_mem"
echo "the first session, which opens the agent connection: relay +$r_first KiB, agent +$a_first KiB"
echo "new login (full session, exec true) while they are held, ms: $lat (sshd with $IDLE_N held: $o_lat)"
NS_DONE=1
