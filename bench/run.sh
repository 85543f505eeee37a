#!/usr/bin/env bash
# Benchmarks nullspace against OpenSSH on this machine, side by side, from
# the same run: bulk throughput through one session channel each way, and
# full sessions per second (TCP connect, kex, auth, exec `true`, exit status).
# nullspace: `nullspace connect` -> `nullspace agent` (release build,
# bin/nullspace). OpenSSH: ssh -> sshd with the same algorithms
# (curve25519-sha256, ssh-ed25519, and the cipher nullspace connect picks:
# aes256-gcm@openssh.com where the CPU has AES-NI and PCLMUL, else
# chacha20-poly1305@openssh.com; BENCH_CIPHER overrides for OpenSSH), the same
# user key, no multiplexing. Both servers run on 127.0.0.1, started and
# stopped here. The OpenSSH column needs root (for sshd); without it, n/a.
#
# Environment: BENCH_BYTES (default 1G, as for head -c), BENCH_SECONDS (time
# budget of the sessions/s loop, default 10), NULLSPACE (default bin/nullspace).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NULLSPACE=${NULLSPACE:-$ROOT/bin/nullspace}
. "$ROOT/tests/interop/lib.sh"

BYTES_SPEC=${BENCH_BYTES:-1G}
BYTES=$(numfmt --from=iec "$BYTES_SPEC") || die "bad BENCH_BYTES=$BYTES_SPEC"
SECONDS_BUDGET=${BENCH_SECONDS:-10}
need_nullspace

CIPHER=chacha20-poly1305@openssh.com
grep -qw aes /proc/cpuinfo && grep -qw pclmulqdq /proc/cpuinfo && CIPHER=aes256-gcm@openssh.com
CIPHER=${BENCH_CIPHER:-$CIPHER}
ALGS=(-c "$CIPHER" -o KexAlgorithms=curve25519-sha256
	-o HostKeyAlgorithms=ssh-ed25519 -o Compression=no -o ControlMaster=no)

now() { date +%s.%N; }

ns_keygen "$T/id_user"

start_agent
cat "$T/id_user.pub" >>"$AGENT_AUTH"
known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"
NS=("$NULLSPACE" connect -p "$AGENT_PORT" -k "$T/known_hosts" -i "$T/id_user" -T root@127.0.0.1 --)

have_openssh=0
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null; then
	have_openssh=1
	start_sshd "Ciphers $CIPHER" "KexAlgorithms curve25519-sha256" \
		"HostKeyAlgorithms ssh-ed25519" "LogLevel ERROR"
	cat "$T/id_user.pub" >>"$SSHD_AUTH"
	known_hosts_line "$SSHD_PORT" "$SSHD_HOSTKEY.pub" >>"$T/known_hosts"
	OS=("${SSH[@]}" "${ALGS[@]}" -T -p "$SSHD_PORT" -i "$T/id_user" root@127.0.0.1 --)
fi

# upload CLIENT...: MiB/s of BYTES sent to a remote `wc -c`.
upload()
{
	local t0 t1 got
	t0=$(now)
	got=$(head -c "$BYTES" /dev/zero | timeout 600 "$@" 'wc -c')
	t1=$(now)
	[ "$got" = "$BYTES" ] || die "upload through ${1##*/}: remote counted '$got' bytes, sent $BYTES"
	awk -v b="$BYTES" -v a="$t0" -v z="$t1" 'BEGIN { printf "%.1f", b / 1048576 / (z - a) }'
}

# download CLIENT...: MiB/s of BYTES produced by a remote head -c.
download()
{
	local t0 t1 got
	t0=$(now)
	got=$(timeout 600 "$@" "head -c $BYTES /dev/zero" </dev/null | wc -c)
	t1=$(now)
	[ "$got" = "$BYTES" ] || die "download through ${1##*/}: received $got bytes, expected $BYTES"
	awk -v b="$BYTES" -v a="$t0" -v z="$t1" 'BEGIN { printf "%.1f", b / 1048576 / (z - a) }'
}

# sessions CLIENT...: full sessions per second over SECONDS_BUDGET seconds.
sessions()
{
	local t0 t1 n=0 rc
	t0=$(now)
	t1=$t0
	while awk -v a="$t0" -v z="$t1" -v s="$SECONDS_BUDGET" 'BEGIN { exit !(z - a < s) }'; do
		timeout 30 "$@" true </dev/null >/dev/null 2>"$T/sess.err"
		rc=$?
		[ "$rc" = 0 ] || die "session $((n + 1)) through ${1##*/} exited $rc: $(head -c 300 "$T/sess.err")"
		n=$((n + 1))
		t1=$(now)
	done
	awk -v n="$n" -v a="$t0" -v z="$t1" 'BEGIN { printf "%.1f", n / (z - a) }'
	echo " $n" >"$T/sess.count"
}

echo "nullspace bench: $BYTES_SPEC each way, sessions for ${SECONDS_BUDGET}s each; $(nproc) cores"
echo "  nullspace: $NULLSPACE"
[ "$have_openssh" = 1 ] && echo "  openssh:   $(ssh -V 2>&1), cipher $CIPHER"

row()
{
	local metric=$1 a=$2 b=$3 ratio=n/a
	if [ "$b" != n/a ] && [ "$a" != n/a ]; then
		ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
	fi
	printf '%-28s %12s %12s %8s\n' "$metric" "$a" "$b" "$ratio"
}

# Warm-up (page cache, first-exec costs), then the measured runs.
"${NS[@]}" true </dev/null >/dev/null 2>&1
[ "$have_openssh" = 1 ] && "${OS[@]}" true </dev/null >/dev/null 2>&1

ns_up=$(upload "${NS[@]}") || exit 1
ns_down=$(download "${NS[@]}") || exit 1
ns_sess=$(sessions "${NS[@]}") || exit 1
ns_n=$(cat "$T/sess.count")
os_up=n/a os_down=n/a os_sess=n/a os_n=
if [ "$have_openssh" = 1 ]; then
	os_up=$(upload "${OS[@]}") || exit 1
	os_down=$(download "${OS[@]}") || exit 1
	os_sess=$(sessions "${OS[@]}") || exit 1
	os_n=$(cat "$T/sess.count")
fi

echo
printf '%-28s %12s %12s %8s\n' metric nullspace openssh ratio
row "upload $BYTES_SPEC (MiB/s)" "$ns_up" "$os_up"
row "download $BYTES_SPEC (MiB/s)" "$ns_down" "$os_down"
row "sessions/s (exec true)" "$ns_sess" "$os_sess"
echo "(sessions run: nullspace$ns_n${os_n:+, openssh$os_n}; ratio = nullspace / openssh, higher is better)"
NS_DONE=1
