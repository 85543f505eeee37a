#!/usr/bin/env bash
# Two-way streams through `nullspace relay` to `nullspace agent` (issue 10):
# a big stream up stdin while the remote command writes it back on stdout,
# through `cat` and `gzip -1 | gunzip`, with OpenSSH's ssh and with
# `nullspace connect`, checked by sha256; a slow reader on either side of a
# fast writer; `yes | head -1` and `seq | head -1` end (eow@openssh.com),
# through the relay and straight to the agent; the relay's memory with
# stalled channels stays small (window passing).
# STREAM_MB: size of each stream (default 100; about 5-9 s each under ASan).
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace

MB=${STREAM_MB:-100}

ssh_keygen "$T/ca"
ssh_keygen "$T/user"
ns_keygen "$T/relay_host"
ns_keygen "$T/relay_client"

# The agent trusts the relay's key and, for the direct tests, the user's.
# The relay reaches it on a unix socket, as `nullspace up` does: its small
# socket buffers are what made the stall show at 3 MB (loopback TCP buffers
# hid it up to far larger streams).
cat "$T/relay_client.pub" "$T/user.pub" >"$T/agent_authorized_keys"
start_agent
AGENT_SOCK=$T/agent.sock
NS_LOGS+=("$T/agent_unix.log")
spawn "$T/agent_unix.log" "$NULLSPACE" agent --home "$(agent_home)" --listen "unix:$AGENT_SOCK" \
	--host-key "$AGENT_HOSTKEY" --authorized-keys "$AGENT_AUTH"
AGENT_UNIX_PID=$SPAWNED
for i in $(seq 200); do
	[ -S "$AGENT_SOCK" ] && break
	kill -0 "$AGENT_UNIX_PID" 2>/dev/null || die "nullspace agent on unix:$AGENT_SOCK exited"
	sleep 0.1
done
[ -S "$AGENT_SOCK" ] || die "nullspace agent not listening on unix:$AGENT_SOCK"

REG=$T/registry
mkdir -p "$REG"
printf '# test entry\nendpoint=unix:%s\nhost_key=%s\nstate=running\n' "$AGENT_SOCK" \
	"$(cat "$AGENT_HOSTKEY.pub")" >"$REG/sb_test"

RELAY_PORT=$(pick_port)
RELAY_LOG=$T/relay.log
NS_LOGS+=("$RELAY_LOG")
spawn "$RELAY_LOG" "$NULLSPACE" relay --listen "127.0.0.1:$RELAY_PORT" \
	--host-key "$T/relay_host" --ca-keys "$T/ca.pub" \
	--registry "$REG" --client-key "$T/relay_client"
RELAY_PID=$SPAWNED
wait_listen "nullspace relay" "$RELAY_PID" "$RELAY_PORT"
{
	known_hosts_line "$RELAY_PORT" "$T/relay_host.pub"
	known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub"
} >"$T/known_hosts"

cp "$T/user.pub" "$T/good.pub"
ssh-keygen -q -s "$T/ca" -I key-good -n sb_test -V -5m:+1h -z 100 "$T/good.pub" \
	</dev/null >/dev/null 2>&1 || die "ssh-keygen -s failed"

relay_alive()
{
	kill -0 "$RELAY_PID" 2>/dev/null || {
		wait "$RELAY_PID"
		die "nullspace relay (pid $RELAY_PID) died (status $?)"
	}
}

# Each client, by name: OpenSSH or ours, through the relay or to the agent.
# run WHO SECS CMD: the remote command CMD with a time limit.
run()
{
	local who=$1 secs=$2
	shift 2
	case $who in
	ssh-relay)
		timeout -k 5 "$secs" "${SSH[@]}" -i "$T/user" -p "$RELAY_PORT" \
			-o "CertificateFile=$T/good-cert.pub" sb_test@127.0.0.1 "$@"
		;;
	connect-relay)
		NSC_TIMEOUT=$secs ns_connect -c "$T/good-cert.pub" -i "$T/user" -k "$T/known_hosts" \
			-p "$RELAY_PORT" sb_test@127.0.0.1 -- "$@"
		;;
	ssh-agent)
		timeout -k 5 "$secs" "${SSH[@]}" -i "$T/user" -p "$AGENT_PORT" root@127.0.0.1 "$@"
		;;
	connect-agent)
		NSC_TIMEOUT=$secs ns_connect -i "$T/user" -k "$T/known_hosts" \
			-p "$AGENT_PORT" root@127.0.0.1 -- "$@"
		;;
	esac
}

head -c "${MB}M" /dev/urandom >"$T/blob"
want=$(sha256sum <"$T/blob" | cut -d' ' -f1)
LIMIT=$((60 + MB * 3)) # seconds for one stream, generous under ASan

# ---- both ways at once: stdin goes up while stdout comes down --------------

for who in ssh-relay connect-relay; do
	for filter in cat 'gzip -1 | gunzip'; do
		start=$(date +%s)
		run "$who" "$LIMIT" "$filter" <"$T/blob" | sha256sum | cut -d' ' -f1 >"$T/got"
		rc=${PIPESTATUS[0]}
		assert_eq "$who '$filter' ${MB} MiB both ways at once: exit 0" 0 "$rc"
		assert_eq "$who '$filter' ${MB} MiB both ways at once: sha256" "$want" "$(cat "$T/got")"
		echo "# $who '$filter' ${MB} MiB: $(($(date +%s) - start)) s"
		relay_alive
	done
done

# ---- a slow reader against a fast writer ----------------------------------

# the local reader starts late: the remote output waits in the windows
run ssh-relay "$LIMIT" cat <"$T/blob" | { sleep 3; sha256sum; } | cut -d' ' -f1 >"$T/got"
assert_eq "slow local reader: ssh 'cat' exits 0" 0 "${PIPESTATUS[0]}"
assert_eq "slow local reader: sha256" "$want" "$(cat "$T/got")"
run connect-relay "$LIMIT" cat <"$T/blob" | { sleep 3; sha256sum; } | cut -d' ' -f1 >"$T/got"
assert_eq "slow local reader: nullspace connect 'cat' exits 0" 0 "${PIPESTATUS[0]}"
assert_eq "slow local reader (connect): sha256" "$want" "$(cat "$T/got")"
# the remote reader starts late: stdin waits in the windows
got=$(run ssh-relay "$LIMIT" 'sleep 3; sha256sum' <"$T/blob" | cut -d' ' -f1)
assert_eq "slow remote reader: sha256" "$want" "$got"
# a remote reader that reads in small bites, with pauses, both ways at once
got=$(run ssh-relay "$LIMIT" \
	'while c=$(head -c 1048576 | base64 -w0) && [ -n "$c" ]; do
		printf %s "$c" | base64 -d; sleep 0.05; done' <"$T/blob" |
	sha256sum | cut -d' ' -f1)
assert_eq "slow remote reader in bites, echoing: sha256" "$want" "$got"
relay_alive

# ---- memory: channels stalled both ways hold (almost) nothing in the relay ----

# Each session: the remote command writes without end to a local reader that
# reads nothing, and ignores the stdin we write without end. With window
# passing the bytes wait in the endpoints' windows; before, the relay held up
# to a window per direction (2-4 MiB per channel). STALL_N sessions; the
# relay's RSS may grow by at most STALL_KIB_MAX per session (connection
# included; 125 KiB measured with the release build, more under ASan).
STALL_N=${STALL_N:-8}
STALLED=()
STALL_KIB_MAX=${STALL_KIB_MAX:-1024}
# A fresh relay for this, without ASan's quarantine (freed memory it keeps
# would swamp the figure); a first session warms it up.
M_PORT=$(pick_port)
NS_LOGS+=("$T/relay_mem.log")
ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0" spawn "$T/relay_mem.log" \
	"$NULLSPACE" relay --listen "127.0.0.1:$M_PORT" --host-key "$T/relay_host" \
	--ca-keys "$T/ca.pub" --registry "$REG" --client-key "$T/relay_client"
M_PID=$SPAWNED
wait_listen "nullspace relay (memory)" "$M_PID" "$M_PORT"
known_hosts_line "$M_PORT" "$T/relay_host.pub" >>"$T/known_hosts"
MR=("${SSH[@]}" -i "$T/user" -p "$M_PORT" -o "CertificateFile=$T/good-cert.pub" sb_test@127.0.0.1)
timeout 60 "${MR[@]}" 'head -c 4M /dev/zero' </dev/null >/dev/null 2>&1
rss() { awk '/^VmRSS/ {print $2}' "/proc/$M_PID/status"; }
sleep 1
rss0=$(rss)
for i in $(seq "$STALL_N"); do
	{ timeout -k 5 25 "${MR[@]}" 'head -c 1G /dev/zero; sleep 30' </dev/zero 2>/dev/null |
		sleep 30; } &
	STALLED+=($!)
done
sleep 12
rss1=$(rss)
per=$(((rss1 - rss0) / STALL_N))
echo "# relay RSS ${rss0} KiB, with $STALL_N sessions stalled both ways ${rss1} KiB: ${per} KiB each"
if [ "$per" -le "$STALL_KIB_MAX" ]; then
	ok "relay memory per stalled channel ${per} KiB <= ${STALL_KIB_MAX} KiB"
else
	fail "relay memory per stalled channel ${per} KiB > ${STALL_KIB_MAX} KiB (it holds the windows)"
fi
# a new session runs meanwhile: the stalled ones do not hold up the relay
got=$(timeout 60 "${MR[@]}" 'head -c 4M | sha256sum' <"$T/blob" | cut -d' ' -f1)
assert_eq "a new session streams while $STALL_N are stalled" \
	"$(head -c 4M "$T/blob" | sha256sum | cut -d' ' -f1)" "$got"
wait "${STALLED[@]}"
relay_alive

# ---- eow@openssh.com: the reader is gone, the command ends -------------------

for who in ssh-agent ssh-relay; do
	for cmd in yes 'seq 1 50000000'; do
		start=$(date +%s)
		out=$(run "$who" 60 "$cmd" </dev/null | head -n 1)
		took=$(($(date +%s) - start))
		assert_eq "$who '$cmd' | head -1: first line" "$(eval "$cmd" | head -n 1)" "$out"
		if [ "$took" -le 4 ]; then
			ok "$who '$cmd' | head -1 ends in ${took} s"
		else
			fail "$who '$cmd' | head -1 took ${took} s (the command kept writing)"
		fi
	done
done
assert_contains "agent logs eow (direct)" "event=eow" "$AGENT_LOG"
assert_contains "agent logs eow (through the relay)" "event=eow" "$T/agent_unix.log"
# the command died of SIGPIPE (sh -c reports it as 128 + 13)
if grep -A1 "event=eow" "$T/agent_unix.log" | grep -qE "signal=PIPE|exit=141"; then
	ok "the command after eow ended by SIGPIPE"
else
	fail "the command after eow did not end by SIGPIPE"
fi
relay_alive

pass
