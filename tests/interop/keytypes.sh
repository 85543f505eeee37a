#!/usr/bin/env bash
# RSA and ECDSA user keys with OpenSSH's ssh: against `nullspace agent` with
# authorized_keys (rsa-sha2-512, rsa-sha2-256, ecdsa-sha2-nistp256) and with
# certificates from `ssh-keygen -s` (ssh-rsa-cert-v01, ecdsa-sha2-nistp256-
# cert-v01 under an ed25519 CA), and through `nullspace relay` with those
# certificates: exit codes, 20 MiB up and 20 MiB down at once intact
# (sha256). Refusals logged with their reason: an RSA key under 2048 bits,
# ssh-rsa (SHA-1) signatures, ECDSA keys of another curve.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace

kg() # kg FILE ssh-keygen-options...: a user key without passphrase
{
	local f=$1
	shift
	ssh-keygen -q -N '' -C "keytypes-test" -f "$f" "$@" </dev/null >/dev/null 2>&1 ||
		die "ssh-keygen $* failed"
}
ssh_keygen "$T/ca"
kg "$T/rsa" -t rsa -b 2048
kg "$T/rsa4096" -t rsa -b 4096
kg "$T/ecdsa" -t ecdsa -b 256
kg "$T/ecdsa384" -t ecdsa -b 384
kg "$T/rsa1024" -t rsa -b 1024
kg "$T/rsa_c" -t rsa -b 3072
kg "$T/ecdsa_c" -t ecdsa -b 256
for k in rsa rsa4096 ecdsa ecdsa384 rsa1024; do
	cat "$T/$k.pub" >>"$T/agent_authorized_keys"
done
start_agent --ca-keys "$T/ca.pub"
known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"

# sign KEY PRINCIPALS: $T/KEY-cert.pub from the ed25519 CA
sign()
{
	ssh-keygen -q -s "$T/ca" -I "cert-$1" -n "$2" -V -5m:+1h "$T/$1.pub" </dev/null \
		>/dev/null 2>&1 || die "ssh-keygen -s failed for $1"
}
sign rsa_c sb_test,root
sign ecdsa_c sb_test,root

# `nullspace cert show` says what ssh-keygen -L says of type, key and CA
for k in rsa_c ecdsa_c; do
	"$NULLSPACE" cert show "$T/$k-cert.pub" 2>&1 | sed -n 2,4p >"$T/$k.show"
	ssh-keygen -Lf "$T/$k-cert.pub" | sed -n 2,4p >"$T/$k.L"
	assert_eq "cert show $k: type, key and CA as ssh-keygen -L" "$(cat "$T/$k.L")" "$(cat "$T/$k.show")"
done

head -c 20M /dev/urandom >"$T/up.bin"
head -c 20M /dev/urandom >"$T/down.bin"
UP_SUM=$(sha256sum <"$T/up.bin" | cut -d' ' -f1)
DOWN_SUM=$(sha256sum <"$T/down.bin" | cut -d' ' -f1)

# both_ways NAME CMD...: CMD is an ssh invocation without the remote command;
# 20 MiB go up on stdin while 20 MiB come down on stdout, at once.
both_ways()
{
	local name=$1
	shift
	rm -f "$T/up.sum"
	timeout -k 5 120 "$@" "cat '$T/down.bin' & sha256sum >'$T/up.sum'; wait; exit 7" \
		<"$T/up.bin" 2>"$T/$name.err" | sha256sum | cut -d' ' -f1 >"$T/$name.down"
	local rc=${PIPESTATUS[0]}
	assert_eq "$name: exit status of the remote command" 7 "$rc"
	assert_eq "$name: 20 MiB down intact" "$DOWN_SUM" "$(cat "$T/$name.down")"
	assert_eq "$name: 20 MiB up intact, at the same time" "$UP_SUM" "$(cut -d' ' -f1 "$T/up.sum")"
}

A=("${SSH[@]}" -p "$AGENT_PORT")

# ---- the agent, authorized_keys --------------------------------------------------

both_ways agent-rsa "${A[@]}" -i "$T/rsa" sb_test@127.0.0.1
assert_contains "agent: RSA key accepted" "result=accepted user=sb_test key=$(ssh-keygen -lf "$T/rsa.pub" | cut -d' ' -f2)" "$AGENT_LOG"
out=$("${A[@]}" -i "$T/rsa" -o PubkeyAcceptedAlgorithms=rsa-sha2-256 sb_test@127.0.0.1 'echo sha256' </dev/null 2>"$T/r256.err")
assert_eq "agent: RSA key with rsa-sha2-256" "sha256" "$out"
out=$("${A[@]}" -i "$T/rsa4096" sb_test@127.0.0.1 'echo rsa4096; exit 4' </dev/null 2>"$T/r4096.err")
assert_eq "agent: RSA-4096 key: exit status" 4 "$?"
assert_eq "agent: RSA-4096 key: output" "rsa4096" "$out"
both_ways agent-ecdsa "${A[@]}" -i "$T/ecdsa" sb_test@127.0.0.1
agent_alive

# refusals with their reason
out=$("${A[@]}" -i "$T/rsa1024" sb_test@127.0.0.1 'echo SHOULD-NOT-RUN' </dev/null 2>"$T/r1024.err")
assert_eq "agent: RSA-1024 refused (ssh exit)" 255 "$?"
assert_contains "agent: RSA-1024 refusal logged" "reason=rsa-key-too-small" "$AGENT_LOG"
out=$("${A[@]}" -i "$T/rsa" -o PubkeyAcceptedAlgorithms=ssh-rsa sb_test@127.0.0.1 'echo SHOULD-NOT-RUN' </dev/null 2>"$T/sha1.err")
assert_eq "agent: ssh-rsa (SHA-1) refused (ssh exit)" 255 "$?"
assert_eq "agent: ssh-rsa (SHA-1): nothing ran" "" "$out"
# ssh does not even try: ssh-rsa is not in our server-sig-algs (the engine's
# refusal of a SHA-1 request is in tests/test_auth_server.c)
assert_not_contains "agent: no ssh-rsa login" "alg=ssh-rsa result=accepted" "$AGENT_LOG"
out=$("${A[@]}" -i "$T/ecdsa384" sb_test@127.0.0.1 'echo SHOULD-NOT-RUN' </dev/null 2>"$T/e384.err")
assert_eq "agent: ecdsa-sha2-nistp384 refused (ssh exit)" 255 "$?"
assert_contains "agent: nistp384 refusal logged" "alg=ecdsa-sha2-nistp384 reason=unsupported-key-type" "$AGENT_LOG"

# ---- the agent, certificates -------------------------------------------------------

both_ways agent-rsa-cert "${A[@]}" -i "$T/rsa_c" -o "CertificateFile=$T/rsa_c-cert.pub" sb_test@127.0.0.1
assert_contains "agent: RSA certificate accepted" "result=accepted user=sb_test key=$(ssh-keygen -lf "$T/rsa_c.pub" | cut -d' ' -f2) cert=yes" "$AGENT_LOG"
out=$("${A[@]}" -i "$T/rsa_c" -o "CertificateFile=$T/rsa_c-cert.pub" \
	-o PubkeyAcceptedAlgorithms=rsa-sha2-256-cert-v01@openssh.com,rsa-sha2-256 sb_test@127.0.0.1 'echo c256' </dev/null 2>"$T/c256.err")
assert_eq "agent: RSA certificate with rsa-sha2-256" "c256" "$out"
assert_contains "agent: it was the certificate" "cert=yes" "$AGENT_LOG"
both_ways agent-ecdsa-cert "${A[@]}" -i "$T/ecdsa_c" -o "CertificateFile=$T/ecdsa_c-cert.pub" sb_test@127.0.0.1
out=$("${A[@]}" -i "$T/ecdsa_c" -o "CertificateFile=$T/ecdsa_c-cert.pub" sb_test2@127.0.0.1 'echo SHOULD-NOT-RUN' </dev/null 2>"$T/wp.err")
assert_eq "agent: ECDSA certificate, wrong principal refused" 255 "$?"
assert_contains "agent: wrong principal logged" "user=sb_test2 key=$(ssh-keygen -lf "$T/ecdsa_c.pub" | cut -d' ' -f2) cert=yes serial=0 reason=wrong-principal" "$AGENT_LOG"
agent_alive

# ---- through the relay ---------------------------------------------------------------

ns_keygen "$T/relay_host"
ns_keygen "$T/relay_client"
cat "$T/relay_client.pub" >"$T/agent2_authorized_keys"
A2_PORT=$(pick_port)
NS_LOGS+=("$T/agent2.log")
spawn "$T/agent2.log" "$NULLSPACE" agent --home "$(agent_home)" --listen "127.0.0.1:$A2_PORT" \
	--host-key "$AGENT_HOSTKEY" --authorized-keys "$T/agent2_authorized_keys"
wait_listen "agent behind the relay" "$SPAWNED" "$A2_PORT"
mkdir -p "$T/registry"
printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$A2_PORT" \
	"$(cat "$AGENT_HOSTKEY.pub")" >"$T/registry/sb_test"
RELAY_PORT=$(pick_port)
RELAY_LOG=$T/relay.log
NS_LOGS+=("$RELAY_LOG")
spawn "$RELAY_LOG" "$NULLSPACE" relay --listen "127.0.0.1:$RELAY_PORT" \
	--host-key "$T/relay_host" --ca-keys "$T/ca.pub" --registry "$T/registry" \
	--client-key "$T/relay_client"
RELAY_PID=$SPAWNED
wait_listen "nullspace relay" "$RELAY_PID" "$RELAY_PORT"
known_hosts_line "$RELAY_PORT" "$T/relay_host.pub" >>"$T/known_hosts"
R=("${SSH[@]}" -p "$RELAY_PORT")

both_ways relay-rsa-cert "${R[@]}" -i "$T/rsa_c" -o "CertificateFile=$T/rsa_c-cert.pub" sb_test@127.0.0.1
both_ways relay-ecdsa-cert "${R[@]}" -i "$T/ecdsa_c" -o "CertificateFile=$T/ecdsa_c-cert.pub" sb_test@127.0.0.1
assert_contains "relay: RSA certificate accepted" "result=accepted user=sb_test key=$(ssh-keygen -lf "$T/rsa_c.pub" | cut -d' ' -f2) cert_id=cert-rsa_c" "$RELAY_LOG"
assert_contains "relay: ECDSA certificate accepted" "result=accepted user=sb_test key=$(ssh-keygen -lf "$T/ecdsa_c.pub" | cut -d' ' -f2) cert_id=cert-ecdsa_c" "$RELAY_LOG"
out=$("${R[@]}" -i "$T/rsa" sb_test@127.0.0.1 'echo SHOULD-NOT-RUN' </dev/null 2>"$T/rplain.err")
assert_eq "relay: a plain RSA key (no certificate) refused" 255 "$?"
assert_contains "relay: says only certificates log in" "only certificate logins are accepted" "$T/rplain.err"
out=$("${R[@]}" -i "$T/rsa1024" sb_test@127.0.0.1 'echo SHOULD-NOT-RUN' </dev/null 2>"$T/r1024r.err")
assert_eq "relay: RSA-1024 refused" 255 "$?"
assert_contains "relay: RSA-1024 refusal logged" "reason=rsa-key-too-small" "$RELAY_LOG"
assert_contains "relay: RSA-1024 refusal explained to the user" "RSA keys of 2048 to 8192 bits" "$T/r1024r.err"
kill -0 "$RELAY_PID" 2>/dev/null || die "the relay died"
agent_alive
pass
