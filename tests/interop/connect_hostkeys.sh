#!/usr/bin/env bash
# `nullspace connect` against Debian's sshd with host keys other than
# ed25519: only an RSA host key (rsa-sha2-512 negotiated), only an ECDSA
# P-256 host key, and an RSA host key with a host certificate from an
# ed25519 CA (@cert-authority). Exit codes and data both ways; unknown and
# changed keys of those types refused with a message naming type and
# fingerprint; a certificate from a CA not listed is not trusted.
. "$(dirname "$0")/lib.sh"

need_root
need_nullspace
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"

ns_keygen "$T/id"
ssh_keygen "$T/ca"
ssh_keygen "$T/other_ca"
kg() { ssh-keygen -q -N '' -C host -f "$1" "${@:2}" </dev/null >/dev/null 2>&1 || die "ssh-keygen $*"; }
kg "$T/rsa_host" -t rsa -b 3072
kg "$T/rsa_host2" -t rsa -b 2048
kg "$T/ecdsa_host" -t ecdsa -b 256
kg "$T/ecdsa_host2" -t ecdsa -b 256
ssh-keygen -q -s "$T/ca" -h -I rsa-host -n 127.0.0.1 -V -5m:+1h "$T/rsa_host.pub" \
	</dev/null >/dev/null 2>&1 || die "ssh-keygen -s -h failed"
head -c 5M /dev/urandom >"$T/blob"
SUM=$(sha256sum <"$T/blob" | cut -d' ' -f1)

# sshd_with KEY [sshd_config lines...]: a fresh sshd whose only host key is KEY
# (start_sshd's host key file holds a copy of it).
sshd_with()
{
	if [ -n "${SSHD_PID:-}" ]; then
		kill "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
	fi
	cp "$1" "$T/sshd_host_ed25519"
	cp "$1.pub" "$T/sshd_host_ed25519.pub"
	chmod 600 "$T/sshd_host_ed25519"
	shift
	start_sshd "$@"
	cat "$T/id.pub" >"$SSHD_AUTH"
}

# run NAME KNOWN_HOSTS CMD: nullspace connect as root, output in $T/NAME.out.
run()
{
	ns_connect -p "$SSHD_PORT" -i "$T/id" -k "$2" root@127.0.0.1 -- "$3" \
		<"$T/blob" >"$T/$1.out" 2>"$T/$1.err"
}

# works NAME KNOWN_HOSTS ALG: exit status and 5 MiB up and back intact
works()
{
	run "$1" "$2" 'sha256sum; exit 5'
	assert_eq "$1: remote exit status" 5 "$?"
	assert_eq "$1: 5 MiB up intact" "$SUM" "$(cut -d' ' -f1 "$T/$1.out")"
	assert_contains "$1: sshd negotiated $3" "host key algorithm: $3" "$SSHD_LOG"
}

# ---- only an RSA host key -----------------------------------------------------
sshd_with "$T/rsa_host"
known_hosts_line "$SSHD_PORT" "$T/rsa_host.pub" >"$T/kh_rsa"
works rsa "$T/kh_rsa" rsa-sha2-512
: >"$T/kh_empty"
run rsa-unknown "$T/kh_empty" 'echo SHOULD-NOT-RUN'
assert_eq "RSA host key unknown: refused" 255 "$?"
assert_contains "RSA host key unknown: message names type and fingerprint" \
	"offered ssh-rsa $(ssh-keygen -lf "$T/rsa_host.pub" | cut -d' ' -f2)" "$T/rsa-unknown.err"
assert_contains "RSA host key unknown: the line to add" "$(cut -d' ' -f1,2 "$T/rsa_host.pub")" \
	"$T/rsa-unknown.err"
known_hosts_line "$SSHD_PORT" "$T/rsa_host2.pub" >"$T/kh_rsa2"
run rsa-changed "$T/kh_rsa2" 'echo SHOULD-NOT-RUN'
assert_eq "RSA host key changed: refused" 255 "$?"
assert_contains "RSA host key changed: said so" "HOST KEY CHANGED" "$T/rsa-changed.err"
assert_eq "RSA host key changed: nothing ran" "" "$(cat "$T/rsa-changed.out")"

# ---- only an ECDSA host key ---------------------------------------------------
sshd_with "$T/ecdsa_host"
known_hosts_line "$SSHD_PORT" "$T/ecdsa_host.pub" >"$T/kh_ecdsa"
works ecdsa "$T/kh_ecdsa" ecdsa-sha2-nistp256
known_hosts_line "$SSHD_PORT" "$T/ecdsa_host2.pub" >"$T/kh_ecdsa2"
run ecdsa-changed "$T/kh_ecdsa2" 'echo SHOULD-NOT-RUN'
assert_eq "ECDSA host key changed: refused" 255 "$?"
assert_contains "ECDSA host key changed: said so" "HOST KEY CHANGED" "$T/ecdsa-changed.err"
# an ed25519 line for the host does not make an ECDSA key "changed", only unknown
known_hosts_line "$SSHD_PORT" "$T/ca.pub" >"$T/kh_other_type"
run ecdsa-other-type "$T/kh_other_type" 'echo SHOULD-NOT-RUN'
assert_eq "ECDSA host key, only an ed25519 line: refused" 255 "$?"
assert_contains "ECDSA host key, only an ed25519 line: unknown" "is not known" \
	"$T/ecdsa-other-type.err"

# ---- an RSA host key with a host certificate ----------------------------------
sshd_with "$T/rsa_host" "HostCertificate $T/rsa_host-cert.pub"
read -r catype cablob _ <"$T/ca.pub"
echo "@cert-authority [127.0.0.1]:$SSHD_PORT $catype $cablob" >"$T/kh_ca"
works rsa-cert "$T/kh_ca" rsa-sha2-512-cert-v01@openssh.com
read -r otype oblob _ <"$T/other_ca.pub"
echo "@cert-authority [127.0.0.1]:$SSHD_PORT $otype $oblob" >"$T/kh_other_ca"
run rsa-cert-other-ca "$T/kh_other_ca" 'echo SHOULD-NOT-RUN'
assert_eq "RSA host certificate from an unlisted CA: refused" 255 "$?"
assert_contains "RSA host certificate from an unlisted CA: unknown host key" "is not known" \
	"$T/rsa-cert-other-ca.err"
{ cat "$T/kh_ca"; echo "@revoked * $(cut -d' ' -f1,2 "$T/rsa_host.pub")"; } >"$T/kh_revoked"
run rsa-cert-revoked "$T/kh_revoked" 'echo SHOULD-NOT-RUN'
assert_eq "RSA host certificate whose key is @revoked: refused" 255 "$?"
assert_contains "RSA host certificate whose key is @revoked: said so" "@revoked" \
	"$T/rsa-cert-revoked.err"
pass
