#!/usr/bin/env bash
# Hybrid post-quantum kex against Debian's OpenSSH (9.2 has
# sntrup761x25519-sha512@openssh.com, not mlkem768x25519-sha256): ssh to
# `nullspace agent` directly and through `nullspace relay`, and `nullspace
# connect` to sshd, each with only that kex, PQ_MB (default 4) MiB up and
# down at once, intact, the exit code, RekeyLimit 1M (several rekeys under
# the hybrid) and the peer's log naming the kex.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace

KEX=sntrup761x25519-sha512@openssh.com
ssh -Q kex | grep -qx "$KEX" || skip "this ssh has no $KEX"
MB=${PQ_MB:-4}
head -c "${MB}M" /dev/urandom >"$T/down"
head -c "${MB}M" /dev/urandom >"$T/up"
WANT_DOWN=$(sha256sum <"$T/down" | cut -d' ' -f1)
WANT_UP=$(sha256sum <"$T/up" | cut -d' ' -f1)

# check NAME RC GOT ERRLOG: exit 7, both directions intact, >= 4 kex.
check()
{
	local name=$1 rc=$2 got=$3 log=$4 up n
	assert_eq "$name: exit code" 7 "$rc"
	assert_eq "$name: $MB MiB down intact" "$WANT_DOWN" "$got"
	up=$(cut -d' ' -f1 "$T/up.sum" 2>/dev/null)
	assert_eq "$name: $MB MiB up intact (at the same time)" "$WANT_UP" "$up"
	n=$(grep -c "SSH2_MSG_NEWKEYS received" "$log")
	if [ "$n" -ge 4 ]; then
		ok "$name: $n key exchanges (RekeyLimit 1M)"
	else
		fail "$name: only $n key exchanges"
	fi
}

# ssh -> agent, ssh -> relay -> agent
ssh_keygen "$T/user"
cat "$T/user.pub" >"$T/agent_authorized_keys"
start_agent
start_relay_to_agent sb_pq
sign_user "$T/user.pub" cert sb_pq
{
	known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub"
	known_hosts_line "$RELAY_PORT" "$RELAY_HOSTKEY.pub"
} >"$T/known_hosts"
for where in agent relay; do
	if [ "$where" = agent ]; then
		dest=(-p "$AGENT_PORT" -i "$T/user" root@127.0.0.1)
	else
		dest=(-p "$RELAY_PORT" -i "$T/user" -o "CertificateFile=$T/cert-cert.pub" sb_pq@127.0.0.1)
	fi
	rm -f "$T/up.sum"
	got=$(timeout -k 5 300 "${SSH[@]}" -v -o RekeyLimit=1M -o KexAlgorithms=$KEX "${dest[@]}" \
		"cat $T/down & sha256sum >$T/up.sum; wait; exit 7" <"$T/up" 2>"$T/ssh.err" |
		sha256sum | cut -d' ' -f1)
	check "ssh $KEX -> $where" "${PIPESTATUS[0]}" "$got" "$T/ssh.err"
	assert_contains "ssh -> $where: ssh -v says $KEX" "kex: algorithm: $KEX" "$T/ssh.err"
done

# Our client and server prefer the hybrid: plain ssh -> agent picks sntrup761
# (Debian's 9.2 has no mlkem768x25519-sha256).
timeout -k 5 60 "${SSH[@]}" -v -p "$AGENT_PORT" -i "$T/user" root@127.0.0.1 true \
	</dev/null 2>"$T/default.err"
assert_contains "ssh with its default list -> agent: sntrup761 chosen" \
	"kex: algorithm: sntrup761x25519-sha512" "$T/default.err"

# mlkem768x25519-sha256 (not in Debian's OpenSSH 9.2): an agent offering
# only it; ssh 9.2 is refused, `nullspace connect` (our default list) gets
# through, and so does the relay's hop (ssh -> relay on sntrup761, relay ->
# agent on mlkem768).
ML=mlkem768x25519-sha256
FIRST_AGENT_PORT=$AGENT_PORT
ns_keygen "$T/id_ns"
cat "$T/id_ns.pub" >>"$AGENT_AUTH" # start_agent reuses the host key and this file
start_agent --kex "$ML"
printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$AGENT_PORT" \
	"$(cat "$AGENT_HOSTKEY.pub")" >"$T/registry/sb_ml"
sign_user "$T/user.pub" cert_ml sb_ml
known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >>"$T/known_hosts"
timeout -k 5 60 "${SSH[@]}" -p "$AGENT_PORT" -i "$T/user" root@127.0.0.1 true \
	</dev/null 2>"$T/ml_ssh.err"
assert_eq "ssh 9.2 -> agent offering only $ML: refused" 255 $?
assert_contains "ssh: no matching kex" "no matching key exchange method found" "$T/ml_ssh.err"
assert_contains "the agent offered $ML" "$ML" "$T/ml_ssh.err"
rm -f "$T/up.sum"
got=$(ns_connect -p "$AGENT_PORT" -k "$T/known_hosts" -i "$T/id_ns" root@127.0.0.1 -- \
	"cat $T/down & sha256sum >$T/up.sum; wait; exit 7" <"$T/up" 2>"$T/ml_c.err" |
	sha256sum | cut -d' ' -f1)
rc=${PIPESTATUS[0]}
assert_eq "connect -> agent ($ML): exit code" 7 "$rc"
assert_eq "connect -> agent ($ML): $MB MiB down intact" "$WANT_DOWN" "$got"
assert_eq "connect -> agent ($ML): $MB MiB up intact" "$WANT_UP" "$(cut -d' ' -f1 "$T/up.sum")"
rm -f "$T/up.sum"
got=$(timeout -k 5 300 "${SSH[@]}" -v -o RekeyLimit=1M -o KexAlgorithms=$KEX -p "$RELAY_PORT" \
	-i "$T/user" -o "CertificateFile=$T/cert_ml-cert.pub" sb_ml@127.0.0.1 \
	"cat $T/down & sha256sum >$T/up.sum; wait; exit 7" <"$T/up" 2>"$T/ssh.err" |
	sha256sum | cut -d' ' -f1)
check "ssh $KEX -> relay -> agent ($ML)" "${PIPESTATUS[0]}" "$got" "$T/ssh.err"
AGENT_PORT=$FIRST_AGENT_PORT

# nullspace connect -> sshd
if [ -x /usr/sbin/sshd ] && [ "$(id -u)" = 0 ]; then
	for kex in "$KEX" default; do
		rm -f "$T/sshd.log"
		if [ "$kex" = default ]; then
			start_sshd "RekeyLimit 1M"
		else
			start_sshd "RekeyLimit 1M" "KexAlgorithms $kex"
		fi
		cat "$T/id_ns.pub" >"$SSHD_AUTH"
		known_hosts_line "$SSHD_PORT" "$SSHD_HOSTKEY.pub" >"$T/known_hosts_sshd"
		rm -f "$T/up.sum"
		got=$(ns_connect -p "$SSHD_PORT" -k "$T/known_hosts_sshd" -i "$T/id_ns" root@127.0.0.1 -- \
			"cat $T/down & sha256sum >$T/up.sum; wait; exit 7" <"$T/up" 2>"$T/c.err" |
			sha256sum | cut -d' ' -f1)
		check "connect -> sshd ($kex)" "${PIPESTATUS[0]}" "$got" "$SSHD_LOG"
		assert_contains "sshd used sntrup761 ($kex)" "kex: algorithm: sntrup761x25519-sha512" "$SSHD_LOG"
		kill "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
	done
else
	echo "# connect -> sshd skipped: needs /usr/sbin/sshd and root" >&2
fi

rm -f "$T/up" "$T/down"
pass
