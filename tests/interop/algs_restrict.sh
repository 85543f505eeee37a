#!/usr/bin/env bash
# Operators can drop what audit tools flag: agent and relay started with
# --kex and --macs lists offer exactly those (ssh-audit 2.5.0 then finds no
# warning or failure in kex, enc and mac), a client that insists on a
# dropped one is refused with both lists in the log, default ssh still works,
# and a bad list stops the program at start with a clear message.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-audit >/dev/null || skip "ssh-audit missing"
need_nullspace

KEX=curve25519-sha256,curve25519-sha256@libssh.org
MACS=hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com
ssh_keygen "$T/user"
start_agent --kex "$KEX" --macs "$MACS"
cat "$T/user.pub" >>"$AGENT_AUTH"
start_relay_to_agent sb_strict --kex "$KEX" --macs "$MACS"
sign_user "$T/user.pub" user-cert sb_strict
known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"
known_hosts_line "$RELAY_PORT" "$RELAY_HOSTKEY.pub" >>"$T/known_hosts"
S=(ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes
	-o "UserKnownHostsFile=$T/known_hosts" -o IdentitiesOnly=yes -i "$T/user")

for who in agent relay; do
	port=$AGENT_PORT
	[ $who = relay ] && port=$RELAY_PORT
	timeout -k 5 60 ssh-audit -n -p "$port" 127.0.0.1 >"$T/audit_$who.out" 2>&1
	grep -q '^(enc) chacha20-poly1305@openssh.com' "$T/audit_$who.out" ||
		fail "ssh-audit ($who): no cipher list: $(head -c 300 "$T/audit_$who.out")"
	bad=$(grep -E '^\((kex|enc|mac)\) ' "$T/audit_$who.out" | grep -E '\[(warn|fail)\]' |
		grep -vE '^\(kex\) kex-strict-s-v00@openssh.com ')
	assert_eq "ssh-audit ($who): no warning or failure in kex/enc/mac" "" "$bad"
	assert_eq "ssh-audit ($who): kex offered" "curve25519-sha256 curve25519-sha256@libssh.org" \
		"$(grep -oE '^\(kex\) [^ ]+' "$T/audit_$who.out" | grep -v kex-strict | cut -d' ' -f2 |
			tr '\n' ' ' | sed 's/ $//')"
	assert_eq "ssh-audit ($who): macs offered" "${MACS/,/ }" \
		"$(grep -oE '^\(mac\) [^ ]+' "$T/audit_$who.out" | cut -d' ' -f2 | tr '\n' ' ' |
			sed 's/ $//')"
done

out=$(timeout 60 "${S[@]}" -p "$AGENT_PORT" "$(id -un)@127.0.0.1" 'echo agent ok' </dev/null)
assert_eq "default ssh to the restricted agent" "agent ok" "$out"
out=$(timeout 60 "${S[@]}" -o "CertificateFile=$T/user-cert-cert.pub" -p "$RELAY_PORT" \
	sb_strict@127.0.0.1 'echo relay ok' </dev/null)
assert_eq "default ssh through the restricted relay" "relay ok" "$out"

timeout 60 "${S[@]}" -o KexAlgorithms=ecdh-sha2-nistp256 -p "$AGENT_PORT" "$(id -un)@127.0.0.1" true \
	</dev/null 2>"$T/nokex.err"
assert_eq "ssh insisting on ecdh-sha2-nistp256: refused" 255 $?
for _ in $(seq 50); do
	grep -q "no matching key exchange method found" "$AGENT_LOG" && break
	sleep 0.1
done
assert_contains "the agent logs both kex lists" \
	"no matching key exchange method found: client ecdh-sha2-nistp256" "$AGENT_LOG"
assert_contains "... and ours" "server curve25519-sha256,curve25519-sha256@libssh.org" "$AGENT_LOG"
timeout 60 "${S[@]}" -c aes128-ctr -m hmac-sha2-256 -p "$RELAY_PORT" sb_strict@127.0.0.1 true \
	</dev/null 2>"$T/nomac.err"
assert_eq "ssh insisting on hmac-sha2-256 through the relay: refused" 255 $?
assert_contains "ssh names the MAC mismatch" "no matching MAC found" "$T/nomac.err"

"$NULLSPACE" agent --listen 127.0.0.1:1 --host-key "$AGENT_HOSTKEY" \
	--authorized-keys "$AGENT_AUTH" --kex curve25519-sha256,nope >/dev/null 2>"$T/bad.err"
assert_eq "agent with an unknown kex: exit 255" 255 $?
assert_contains "agent says which list is wrong" "--kex curve25519-sha256,nope:" "$T/bad.err"
"$NULLSPACE" relay --listen 127.0.0.1:1 --host-key "$RELAY_HOSTKEY" --ca-keys "$T/ca.pub" \
	--registry "$T/registry" --client-key "$T/relay_client" \
	--macs hmac-sha2-256,hmac-sha2-256 >/dev/null 2>"$T/bad2.err"
assert_eq "relay with a repeated MAC: exit 255" 255 $?
assert_contains "relay says which list is wrong" "--macs hmac-sha2-256,hmac-sha2-256:" "$T/bad2.err"

pass
