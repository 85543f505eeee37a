#!/usr/bin/env bash
# OpenSSH's ssh with each cipher, MAC and kex we added, to `nullspace agent`
# directly and through `nullspace relay` (a user certificate, the sandbox id
# as login): ALGS_MB (default 20) MiB up and down at once in one session,
# intact by sha256, with the exit code and RekeyLimit=1M (several rekeys
# under the cipher). ssh -v must report the algorithm we meant. A failed
# negotiation names both lists on ssh's side, in the agent's log and in
# the relay's.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace

MB=${ALGS_MB:-20}
ssh_keygen "$T/user"
cat "$T/user.pub" >"$T/agent_authorized_keys" # direct logins; the relay adds its key
start_agent
start_relay_to_agent sb_algs
sign_user "$T/user.pub" cert sb_algs
{
	known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub"
	known_hosts_line "$RELAY_PORT" "$RELAY_HOSTKEY.pub"
} >"$T/known_hosts"

head -c "${MB}M" /dev/urandom >"$T/down"
head -c "${MB}M" /dev/urandom >"$T/up"
WANT_DOWN=$(sha256sum <"$T/down" | cut -d' ' -f1)
WANT_UP=$(sha256sum <"$T/up" | cut -d' ' -f1)

DIRECT=(-p "$AGENT_PORT" -i "$T/user" root@127.0.0.1)
RELAYED=(-p "$RELAY_PORT" -i "$T/user" -o "CertificateFile=$T/cert-cert.pub" sb_algs@127.0.0.1)

# both WHERE NAME ALGS...: MB up and MB down at once, then exit 7.
both()
{
	local where=$1 name=$2 got up rc
	shift 2
	local -a dest
	if [ "$where" = agent ]; then dest=("${DIRECT[@]}"); else dest=("${RELAYED[@]}"); fi
	rm -f "$T/up.sum"
	got=$(timeout -k 5 300 "${SSH[@]}" -v -o RekeyLimit=1M "$@" "${dest[@]}" \
		"cat $T/down & sha256sum >$T/up.sum; wait; exit 7" <"$T/up" 2>"$T/both.err" |
		sha256sum | cut -d' ' -f1)
	rc=${PIPESTATUS[0]}
	assert_eq "$name -> $where: exit code" 7 "$rc"
	assert_eq "$name -> $where: $MB MiB down intact" "$WANT_DOWN" "$got"
	up=$(cut -d' ' -f1 "$T/up.sum" 2>/dev/null)
	assert_eq "$name -> $where: $MB MiB up intact (at the same time)" "$WANT_UP" "$up"
	n=$(grep -c "SSH2_MSG_NEWKEYS received" "$T/both.err")
	if [ "$n" -ge 4 ]; then
		ok "$name -> $where: $n key exchanges (RekeyLimit=1M)"
	else
		fail "$name -> $where: only $n key exchanges"
	fi
	cp "$T/both.err" "$T/last.err"
}

# run NAME EXPECT_LINE ALGS...: to the agent and through the relay.
run()
{
	local name=$1 expect=$2 where
	shift 2
	for where in agent relay; do
		both "$where" "$name" "$@"
		assert_contains "$name -> $where: ssh -v says so" "$expect" "$T/last.err"
	done
}

run aes128-gcm "kex: client->server cipher: aes128-gcm@openssh.com MAC: <implicit>" \
	-c aes128-gcm@openssh.com
run aes256-gcm "kex: server->client cipher: aes256-gcm@openssh.com MAC: <implicit>" \
	-c aes256-gcm@openssh.com
run "aes128-ctr/hmac-sha2-256-etm" \
	"kex: client->server cipher: aes128-ctr MAC: hmac-sha2-256-etm@openssh.com" \
	-c aes128-ctr -m hmac-sha2-256-etm@openssh.com
run "aes256-ctr/hmac-sha2-512-etm" \
	"kex: server->client cipher: aes256-ctr MAC: hmac-sha2-512-etm@openssh.com" \
	-c aes256-ctr -m hmac-sha2-512-etm@openssh.com
run ecdh-sha2-nistp256 "kex: algorithm: ecdh-sha2-nistp256" -o KexAlgorithms=ecdh-sha2-nistp256

# The encrypt-and-MAC forms (what libssh2 1.10 has): exec and exit code.
for m in hmac-sha2-256 hmac-sha2-512; do
	for c in aes128-ctr aes256-ctr; do
		out=$(timeout -k 5 60 "${SSH[@]}" -v -c "$c" -m "$m" "${DIRECT[@]}" 'echo ok; exit 3' \
			</dev/null 2>"$T/eam.err")
		assert_eq "$c/$m -> agent: exit code" 3 $?
		assert_eq "$c/$m -> agent: output" ok "$out"
		assert_contains "$c/$m: chosen" "cipher: $c MAC: $m compression" "$T/eam.err"
	done
done

# A failed negotiation names both lists everywhere.
timeout -k 5 60 "${SSH[@]}" -c aes192-ctr "${DIRECT[@]}" true </dev/null 2>"$T/nomatch.err"
assert_eq "ssh -c aes192-ctr -> agent refused" 255 $?
assert_contains "ssh: no matching cipher" "no matching cipher found" "$T/nomatch.err"
assert_contains "agent log: the lists" \
	'msg="no matching cipher found: client aes192-ctr server chacha20-poly1305@openssh.com,' \
	"$AGENT_LOG"
timeout -k 5 60 "${SSH[@]}" -m hmac-sha1 -c aes128-ctr "${RELAYED[@]}" true </dev/null \
	2>"$T/nomatch_relay.err"
assert_eq "ssh -m hmac-sha1 -> relay refused" 255 $?
assert_contains "ssh: no matching MAC" "no matching MAC found" "$T/nomatch_relay.err"
assert_contains "relay log: the lists" \
	"msg=no?matching?MAC?found:?client?hmac-sha1?server?hmac-sha2-512-etm@openssh.com," \
	"$RELAY_LOG"

rm -f "$T/up" "$T/down"
pass
