#!/usr/bin/env bash
# `--ready-fd N` of `nullspace agent` and `nullspace relay`, for supervisors:
# "ready\n" arrives on descriptor N once the server listens (the port takes
# connections at that moment, asked of the kernel, no probe connection),
# the descriptor is then closed, and a bad N (not open, or 0-2) is refused
# with a clear message before anything starts.
. "$(dirname "$0")/lib.sh"

need_nullspace

ns_keygen "$T/host"
ns_keygen "$T/client"
: >"$T/auth"
cat "$T/host.pub" >"$T/ca.pub" # any key: the relay only needs a CA file
mkdir -p "$T/registry"

# ready_check NAME PORT ARGS...: starts ARGS with fd 3 on a FIFO and reads
# "ready" from it; by then the port listens, and afterwards the server no
# longer holds the descriptor.
ready_check()
{
	local name=$1 port=$2 line pid
	shift 2
	mkfifo "$T/$name.fifo"
	exec 4<>"$T/$name.fifo" # opened both ways: neither side blocks on open
	spawn "$T/$name.log" "$@" 3>"$T/$name.fifo" 4<&-
	pid=$SPAWNED
	IFS= read -r -t 20 line <&4
	assert_eq "$name: says ready on --ready-fd" ready "$line"
	port_listening "$port" && ok "$name: listens when it says so" ||
		fail "$name: said ready but port $port does not listen"
	exec 4<&-
	if find "/proc/$pid/fd" -lname "*$name.fifo" 2>/dev/null | grep -q .; then
		fail "$name: still holds the --ready-fd descriptor"
	fi
	[ -d "/proc/$pid/fd" ] && ok "$name: closed the descriptor after ready" ||
		fail "$name: no /proc/$pid/fd to look at"
	assert_not_contains "$name: no connection logged" "event=connect" "$T/$name.log"
	kill -TERM "$pid"
	wait "$pid"
	assert_eq "$name: exits 0 on SIGTERM" 0 $?
	NS_PIDS=()
}

AGENT_PORT=$(pick_port)
ready_check agent "$AGENT_PORT" "$NULLSPACE" agent --listen "127.0.0.1:$AGENT_PORT" \
	--host-key "$T/host" --authorized-keys "$T/auth" --ready-fd 3
RELAY_PORT=$(pick_port)
ready_check relay "$RELAY_PORT" "$NULLSPACE" relay --listen "127.0.0.1:$RELAY_PORT" \
	--host-key "$T/host" --ca-keys "$T/ca.pub" --registry "$T/registry" \
	--client-key "$T/client" --drain-timeout 1 --ready-fd 3

# Refused: a descriptor that is not open, and the standard ones.
for n in 99 1 x; do
	"$NULLSPACE" agent --listen "127.0.0.1:$AGENT_PORT" --host-key "$T/host" \
		--authorized-keys "$T/auth" --ready-fd "$n" >"$T/bad$n.out" 2>&1 </dev/null
	assert_eq "agent --ready-fd $n: exit 255" 255 $?
	assert_contains "agent --ready-fd $n: says which option" "--ready-fd $n" "$T/bad$n.out"
	"$NULLSPACE" relay --listen "127.0.0.1:$RELAY_PORT" --host-key "$T/host" \
		--ca-keys "$T/ca.pub" --registry "$T/registry" --client-key "$T/client" \
		--ready-fd "$n" >"$T/rbad$n.out" 2>&1 </dev/null
	assert_eq "relay --ready-fd $n: exit 255" 255 $?
	assert_contains "relay --ready-fd $n: says which option" "--ready-fd $n" "$T/rbad$n.out"
done
port_listening "$AGENT_PORT" && fail "a refused agent listens on $AGENT_PORT"
ok "nothing listens after the refusals"

pass
