#!/usr/bin/env bash
# asyncssh (Debian's python3-asyncssh), an independent implementation that
# sends its queued connection messages in the middle of a key re-exchange,
# with rekey_bytes=1M: ASYNCSSH_BYTES (default 50M) through `cat` both ways
# at once, intact by sha256, with an exit status and several re-exchanges,
# as a client of `nullspace agent`, as a client through `nullspace relay`
# with a certificate, and as the server of `nullspace connect`.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
PEER=$(dirname "$0")/py/asyncssh_peer.py
"$PY" -c 'import asyncssh' 2>/dev/null || skip "python3-asyncssh missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen missing (openssh-client)"
need_nullspace

SIZE=$(numfmt --from=iec "${ASYNCSSH_BYTES:-50M}")
head -c "$SIZE" /dev/urandom >"$T/in"
WANT=$(sha256sum <"$T/in" | cut -d' ' -f1)
MIN_KEX=$((SIZE / (1 << 20) / 4)) # rekey_bytes=1M: far more than this many

# check NAME OUTFILE: "BYTES SHA256 STATUS KEX" from the asyncssh client
check()
{
	local n digest status kex
	read -r n digest status kex <"$2"
	assert_eq "$1: $SIZE bytes back" "$SIZE" "$n"
	assert_eq "$1: intact (sha256)" "$WANT" "$digest"
	assert_eq "$1: exit status 0" 0 "$status"
	[ "${kex:-0}" -ge "$MIN_KEX" ] && ok "$1: $kex key exchanges (rekey_bytes=1M)" ||
		fail "$1: ${kex:-no} key exchanges, want at least $MIN_KEX"
}

ssh_keygen "$T/user"

# ---- asyncssh -> nullspace agent -------------------------------------------------

start_agent
cat "$T/user.pub" >>"$AGENT_AUTH"
known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"
timeout 300 "$PY" "$PEER" client --port "$AGENT_PORT" --user root --key "$T/user" \
	--known-hosts "$T/known_hosts" --input "$T/in" cat >"$T/agent.out" 2>"$T/agent.err"
assert_eq "asyncssh -> agent: client exit 0 ($(head -c 300 "$T/agent.err"))" 0 $?
check "asyncssh -> agent" "$T/agent.out"
agent_alive

# ---- asyncssh -> nullspace relay -> agent, with a certificate ----------------

ssh_keygen "$T/ca"
ns_keygen "$T/relay_host"
ns_keygen "$T/relay_client"
AGENT_AUTH_RELAY=$T/relay_agent_auth
cat "$T/relay_client.pub" >"$AGENT_AUTH_RELAY"
A2_PORT=$(pick_port)
NS_LOGS+=("$T/agent2.log")
spawn "$T/agent2.log" "$NULLSPACE" agent --home "$(agent_home)" --listen "127.0.0.1:$A2_PORT" \
	--host-key "$AGENT_HOSTKEY" --authorized-keys "$AGENT_AUTH_RELAY"
wait_listen "nullspace agent (relay's)" "$SPAWNED" "$A2_PORT"
mkdir -p "$T/registry"
printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$A2_PORT" \
	"$(cat "$AGENT_HOSTKEY.pub")" >"$T/registry/.new" && mv "$T/registry/.new" "$T/registry/sb_async"
RELAY_PORT=$(pick_port)
NS_LOGS+=("$T/relay.log")
spawn "$T/relay.log" "$NULLSPACE" relay --listen "127.0.0.1:$RELAY_PORT" \
	--host-key "$T/relay_host" --ca-keys "$T/ca.pub" --registry "$T/registry" \
	--client-key "$T/relay_client"
wait_listen "nullspace relay" "$SPAWNED" "$RELAY_PORT"
cp "$T/user.pub" "$T/cert.pub"
ssh-keygen -q -s "$T/ca" -I asyncssh -n sb_async -V -5m:+1h "$T/cert.pub" </dev/null >/dev/null 2>&1 ||
	die "ssh-keygen -s failed"
known_hosts_line "$RELAY_PORT" "$T/relay_host.pub" >"$T/known_hosts_relay"
timeout 300 "$PY" "$PEER" client --port "$RELAY_PORT" --user sb_async --key "$T/user" \
	--cert "$T/cert-cert.pub" --known-hosts "$T/known_hosts_relay" --input "$T/in" cat \
	>"$T/relay.out" 2>"$T/relay.err"
assert_eq "asyncssh -> relay: client exit 0 ($(head -c 300 "$T/relay.err"))" 0 $?
check "asyncssh -> relay -> agent" "$T/relay.out"

# ---- nullspace connect -> asyncssh server --------------------------------------

ssh_keygen "$T/as_host"
AS_PORT=$(pick_port)
spawn "$T/as_server.log" "$PY" "$PEER" server --port "$AS_PORT" --host-key "$T/as_host" \
	--authorized "$T/user.pub" --ready "$T/as_ready"
wait_listen "asyncssh server" "$SPAWNED" "$AS_PORT"
known_hosts_line "$AS_PORT" "$T/as_host.pub" >"$T/known_hosts_as"
ns_connect -p "$AS_PORT" -i "$T/user" -k "$T/known_hosts_as" me@127.0.0.1 -- cat \
	<"$T/in" >"$T/connect.out" 2>"$T/connect.err"
assert_eq "connect -> asyncssh: exit 0 ($(head -c 300 "$T/connect.err"))" 0 $?
assert_eq "connect -> asyncssh: intact (sha256)" "$WANT" "$(sha256sum <"$T/connect.out" | cut -d' ' -f1)"
kex=$(sed -n 's/^kex //p' "$T/as_server.log" | tail -n 1)
[ "${kex:-0}" -ge "$MIN_KEX" ] && ok "connect -> asyncssh: $kex key exchanges (rekey_bytes=1M)" ||
	fail "connect -> asyncssh: ${kex:-no} key exchanges, want at least $MIN_KEX"

pass
