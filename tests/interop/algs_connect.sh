#!/usr/bin/env bash
# `nullspace connect` to Debian's sshd forced to one cipher, MAC or kex at a
# time (sshd_config Ciphers/MACs/KexAlgorithms, RekeyLimit 1M): CONNECT_MB
# (default 8) MiB up and down at once, intact, with the exit code, and sshd's
# log saying which algorithm it used. An sshd offering only what we lack
# gives a message naming both lists, as ssh does.
. "$(dirname "$0")/lib.sh"

command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
[ -x /usr/sbin/sshd ] || skip "sshd (openssh-server) missing"
need_root
need_nullspace

MB=${CONNECT_MB:-8}
ns_keygen "$T/id_ns"
head -c "${MB}M" /dev/urandom >"$T/down"
head -c "${MB}M" /dev/urandom >"$T/up"
WANT_DOWN=$(sha256sum <"$T/down" | cut -d' ' -f1)
WANT_UP=$(sha256sum <"$T/up" | cut -d' ' -f1)

# against NAME LOGLINE SSHD_CONFIG_LINES...: one sshd with those lines.
against()
{
	local name=$1 want=$2 got up rc
	shift 2
	rm -f "$T/sshd.log" # each sshd's own log (sshd -E appends)
	start_sshd "RekeyLimit 1M" "$@"
	cat "$T/id_ns.pub" >"$SSHD_AUTH"
	known_hosts_line "$SSHD_PORT" "$SSHD_HOSTKEY.pub" >"$T/known_hosts"
	rm -f "$T/up.sum"
	got=$(ns_connect -p "$SSHD_PORT" -k "$T/known_hosts" -i "$T/id_ns" root@127.0.0.1 -- \
		"cat $T/down & sha256sum >$T/up.sum; wait; exit 9" <"$T/up" 2>"$T/c.err" |
		sha256sum | cut -d' ' -f1)
	rc=${PIPESTATUS[0]}
	assert_eq "connect -> sshd ($name): exit code" 9 "$rc"
	assert_eq "connect -> sshd ($name): $MB MiB down intact" "$WANT_DOWN" "$got"
	up=$(cut -d' ' -f1 "$T/up.sum" 2>/dev/null)
	assert_eq "connect -> sshd ($name): $MB MiB up intact at the same time" "$WANT_UP" "$up"
	assert_contains "sshd used $name" "$want" "$SSHD_LOG"
	n=$(grep -c "SSH2_MSG_NEWKEYS received" "$SSHD_LOG")
	if [ "$n" -ge 4 ]; then
		ok "connect -> sshd ($name): $n key exchanges (RekeyLimit 1M)"
	else
		fail "connect -> sshd ($name): only $n key exchanges"
	fi
	assert_not_contains "sshd ($name): no MAC error" "Corrupted MAC" "$SSHD_LOG"
	kill "$SSHD_PID" 2>/dev/null
	wait "$SSHD_PID" 2>/dev/null
}

against aes128-gcm "kex: client->server cipher: aes128-gcm@openssh.com MAC: <implicit>" \
	"Ciphers aes128-gcm@openssh.com"
against aes256-gcm "kex: server->client cipher: aes256-gcm@openssh.com MAC: <implicit>" \
	"Ciphers aes256-gcm@openssh.com"
against aes128-ctr/hmac-sha2-256-etm \
	"kex: client->server cipher: aes128-ctr MAC: hmac-sha2-256-etm@openssh.com" \
	"Ciphers aes128-ctr" "MACs hmac-sha2-256-etm@openssh.com"
against aes256-ctr/hmac-sha2-512-etm \
	"kex: server->client cipher: aes256-ctr MAC: hmac-sha2-512-etm@openssh.com" \
	"Ciphers aes256-ctr" "MACs hmac-sha2-512-etm@openssh.com"
against aes256-ctr/hmac-sha2-256 "kex: client->server cipher: aes256-ctr MAC: hmac-sha2-256 " \
	"Ciphers aes256-ctr" "MACs hmac-sha2-256"
against aes128-ctr/hmac-sha2-512 "kex: server->client cipher: aes128-ctr MAC: hmac-sha2-512 " \
	"Ciphers aes128-ctr" "MACs hmac-sha2-512"
against ecdh-sha2-nistp256 "kex: algorithm: ecdh-sha2-nistp256" \
	"KexAlgorithms ecdh-sha2-nistp256"

# Nothing in common: both lists in connect's message.
start_sshd "Ciphers aes192-ctr,aes128-cbc"
cat "$T/id_ns.pub" >"$SSHD_AUTH"
known_hosts_line "$SSHD_PORT" "$SSHD_HOSTKEY.pub" >"$T/known_hosts"
ns_connect -p "$SSHD_PORT" -k "$T/known_hosts" -i "$T/id_ns" root@127.0.0.1 -- true \
	</dev/null >/dev/null 2>"$T/nomatch.err"
rc=$?
[ "$rc" -ne 0 ] && ok "connect refused with no common cipher (exit $rc)" ||
	fail "connect succeeded with no common cipher"
assert_contains "connect names both cipher lists" \
	"no matching cipher found: client aes256-gcm@openssh.com,chacha20-poly1305@openssh.com" \
	"$T/nomatch.err"
assert_contains "... and sshd's" "server aes192-ctr,aes128-cbc" "$T/nomatch.err"

rm -f "$T/up" "$T/down"
pass
