#!/usr/bin/env bash
# User certificates at `nullspace agent --ca-keys`: real `ssh` logs in with a
# certificate from `ssh-keygen -s` (principal = login name) and with no
# authorized_keys entry; a wrong principal, an expired certificate, another
# CA and a source-address that does not match are refused with the specific
# reason in the log (a host certificate never leaves ssh as a user one: the
# unit tests cover wrong-type); force-command replaces the command; no permit-pty means
# no PTY; `nullspace connect -c` logs in with the same certificate.
. "$(dirname "$0")/lib.sh"

command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace

ssh_keygen "$T/ca"
ssh_keygen "$T/other_ca"
ssh_keygen "$T/user"
# the agent's host key, certified by the CA as a host certificate
ns_keygen "$T/agent_host_ed25519"
ssh-keygen -q -s "$T/ca" -h -I agent-host -n 127.0.0.1 -V -5m:+1h "$T/agent_host_ed25519.pub" \
	</dev/null >/dev/null 2>&1 || die "ssh-keygen -s -h failed"
start_agent --ca-keys "$T/ca.pub" --host-cert "$T/agent_host_ed25519-cert.pub"
known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"

# sign NAME CA [ssh-keygen -s options...]: $T/NAME-cert.pub for the user key.
sign()
{
	local name=$1 ca=$2
	shift 2
	cp "$T/user.pub" "$T/$name.pub"
	ssh-keygen -q -s "$ca" -I "$name" "$@" "$T/$name.pub" </dev/null >/dev/null 2>&1 ||
		die "ssh-keygen -s failed for $name"
}

# login NAME USER CMD: ssh with the user key and $T/NAME-cert.pub.
login()
{
	"${SSH[@]}" -i "$T/user" -o "CertificateFile=$T/$1-cert.pub" -p "$AGENT_PORT" \
		"$2@127.0.0.1" "$3" </dev/null 2>"$T/$1.err"
}

sign good "$T/ca" -n sb_1,root -V -5m:+1h -z 77
out=$(login good sb_1 'echo in; exit 42')
assert_eq "certificate login: exit status" 42 "$?"
assert_eq "certificate login: output" "in" "$out"
assert_contains "accepted line names the user" "result=accepted user=sb_1" "$AGENT_LOG"
assert_contains "accepted line names the serial" "cert=yes serial=77" "$AGENT_LOG"

# refusals: name, ssh-keygen options, expected reason in the agent log
refuse()
{
	local name=$1 reason=$2 user=$3
	shift 3
	sign "$name" "$@"
	out=$(login "$name" "$user" 'echo SHOULD-NOT-RUN')
	local rc=$?
	assert_eq "$name: refused by the agent (ssh exit)" 255 "$rc"
	assert_eq "$name: command did not run" "" "$out"
	assert_contains "$name: ssh says permission denied" "Permission denied" "$T/$name.err"
	assert_contains "$name: specific reason logged" "user=$user key=" "$AGENT_LOG"
	assert_contains "$name: specific reason logged" "cert=yes serial=0 reason=$reason" "$AGENT_LOG"
}
refuse principal wrong-principal sb_2 "$T/ca" -n sb_1 -V -5m:+1h
refuse expired expired sb_1 "$T/ca" -n sb_1 -V 20200101:20200102
refuse future not-yet-valid sb_1 "$T/ca" -n sb_1 -V +1d:+2d
refuse otherca untrusted-ca sb_1 "$T/other_ca" -n sb_1 -V -5m:+1h
refuse srcaddr source-address sb_1 "$T/ca" -n sb_1 -V -5m:+1h -O source-address=10.9.9.9/32
refuse critical unknown-critical-option sb_1 "$T/ca" -n sb_1 -V -5m:+1h -O critical:foo=bar
agent_alive

# source-address that matches is accepted
sign srcok "$T/ca" -n sb_1 -V -5m:+1h -O source-address=127.0.0.0/8,::1
out=$(login srcok sb_1 'echo src-ok')
assert_eq "matching source-address accepted" "src-ok" "$out"

# force-command and no-pty
sign forced "$T/ca" -n sb_1 -V -5m:+1h -O force-command='echo forced; exit 6' -O no-pty
out=$(login forced sb_1 'echo asked')
assert_eq "force-command: exit status" 6 "$?"
assert_eq "force-command replaces the command" "forced" "$out"
sign nopty "$T/ca" -n sb_1 -V -5m:+1h -O no-pty
out=$("${SSH[@]}" -t -i "$T/user" -o "CertificateFile=$T/nopty-cert.pub" -p "$AGENT_PORT" \
	sb_1@127.0.0.1 'tty' </dev/null 2>"$T/nopty.err")
assert_eq "no permit-pty: no tty for the command" "not a tty" "$out"

# ssh trusting only the CA (@cert-authority) accepts the agent's host certificate
read -r catype cablob _ <"$T/ca.pub"
echo "@cert-authority [127.0.0.1]:$AGENT_PORT $catype $cablob" >"$T/known_hosts_ca"
out=$(ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes \
	-o "UserKnownHostsFile=$T/known_hosts_ca" -o GlobalKnownHostsFile=/dev/null \
	-o IdentitiesOnly=yes -i "$T/user" -o "CertificateFile=$T/good-cert.pub" -v \
	-p "$AGENT_PORT" sb_1@127.0.0.1 'echo via-ca' </dev/null 2>"$T/hostcert.err")
assert_eq "host certificate verified by ssh against @cert-authority" "via-ca" "$out"
assert_contains "ssh saw the host certificate" "matches the ED25519-CERT host certificate" \
	"$T/hostcert.err"

# nullspace connect verifies the host certificate the same way
out=$(ns_connect -p "$AGENT_PORT" -i "$T/user" -c "$T/good-cert.pub" -k "$T/known_hosts_ca" \
	sb_1@127.0.0.1 'echo native-ca' </dev/null 2>"$T/native_ca.err")
assert_eq "nullspace connect: host certificate trusted via @cert-authority" "native-ca" "$out"
read -r htype hblob _ <"$AGENT_HOSTKEY.pub"
{ cat "$T/known_hosts_ca"; echo "@revoked * $htype $hblob"; } >"$T/known_hosts_rev"
out=$(ns_connect -p "$AGENT_PORT" -i "$T/user" -c "$T/good-cert.pub" -k "$T/known_hosts_rev" \
	sb_1@127.0.0.1 'echo SHOULD-NOT-RUN' </dev/null 2>"$T/native_rev.err")
assert_eq "nullspace connect: revoked host key refused" 255 "$?"
assert_contains "revoked host key: reason shown" "@revoked" "$T/native_rev.err"
read -r otype oblob _ <"$T/other_ca.pub"
echo "@cert-authority [127.0.0.1]:$AGENT_PORT $otype $oblob" >"$T/known_hosts_other"
out=$(ns_connect -p "$AGENT_PORT" -i "$T/user" -c "$T/good-cert.pub" -k "$T/known_hosts_other" \
	sb_1@127.0.0.1 'echo SHOULD-NOT-RUN' </dev/null 2>"$T/native_other.err")
assert_eq "nullspace connect: host certificate from another CA not trusted" 255 "$?"
assert_contains "untrusted host certificate: unknown host key" "is not known" \
	"$T/native_other.err"

# our own client with the same certificate
out=$(ns_connect -p "$AGENT_PORT" -i "$T/user" -c "$T/good-cert.pub" -k "$T/known_hosts" \
	sb_1@127.0.0.1 'echo native; exit 3' </dev/null 2>"$T/native.err")
assert_eq "nullspace connect -c: exit status" 3 "$?"
assert_eq "nullspace connect -c: output" "native" "$out"
out=$(ns_connect -p "$AGENT_PORT" -i "$T/user" -k "$T/known_hosts" \
	sb_1@127.0.0.1 'echo SHOULD-NOT-RUN' </dev/null 2>"$T/native2.err")
assert_eq "nullspace connect without the certificate: refused" 255 "$?"
agent_alive
pass
