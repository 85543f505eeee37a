#!/usr/bin/env bash
# OpenSSH certificates both ways: `nullspace cert show` prints what
# `ssh-keygen -L` prints for certificates made by `ssh-keygen -s`; ours from
# `nullspace cert sign` read right in `ssh-keygen -L` and log in to a real sshd
# (TrustedUserCAKeys); and a differential table where sshd and
# `nullspace cert check` must both refuse, ours for the specific reason.
. "$(dirname "$0")/lib.sh"

need_nullspace
command -v ssh-keygen >/dev/null || skip "ssh-keygen missing (openssh-client)"

ssh_keygen "$T/ca"
ssh_keygen "$T/ca2"
ssh_keygen "$T/user"

# sk_sign NAME ARGS...: `ssh-keygen -s` over a copy of user.pub; the
# certificate is $T/NAME-cert.pub.
sk_sign()
{
	local name=$1
	shift
	cp "$T/user.pub" "$T/$name.pub"
	ssh-keygen -q -s "$T/ca" "$@" "$T/$name.pub" </dev/null >"$T/sk_sign.out" 2>&1 ||
		die "ssh-keygen -s $* failed: $(cat "$T/sk_sign.out")"
}

# same_as_keygen WHAT FILE [SHOWNAME]: our show and ssh-keygen -L print the
# same, in UTC and in a zone with a half-hour offset (local time is used).
same_as_keygen()
{
	local what=$1 f=$2 tz
	for tz in UTC NST+3:30; do
		TZ=$tz ssh-keygen -L -f "$f" >"$T/show.want" 2>/dev/null ||
			die "ssh-keygen -L -f $f failed"
		TZ=$tz "$NULLSPACE" cert show "$f" >"$T/show.got" 2>"$T/show.err"
		assert_eq "show ($what, TZ=$tz): exit status" 0 $? || continue
		if ! diff -u "$T/show.want" "$T/show.got" >"$T/show.diff"; then
			cat "$T/show.diff" >&2
			fail "show ($what, TZ=$tz) differs from ssh-keygen -L" || continue
		fi
		ok "show ($what, TZ=$tz) is identical to ssh-keygen -L ($(wc -l <"$T/show.got") lines)"
	done
}

# ---- 1. nullspace cert show == ssh-keygen -L, certificates by ssh-keygen -s --
sk_sign s_plain -I plain -n root -z 7 -V 20240101:20300101
same_as_keygen "plain user cert" "$T/s_plain-cert.pub"
sk_sign s_opts -I 'id with "quotes" and spaces' -n root,alice,bob -z 18446744073709551615 \
	-V 20240101123456:20250101 -O force-command='ls -l /tmp' -O source-address=10.0.0.0/8,::1 \
	-O no-pty -O no-x11-forwarding -O critical:foo=bar -O critical:flagonly \
	-O extension:custom@example.com=value -O extension:flag@example.com -O verify-required \
	-O no-touch-required
same_as_keygen "options, unknown options and extensions" "$T/s_opts-cert.pub"
sk_sign s_noprinc -I no-principals
same_as_keygen "no principals, valid forever" "$T/s_noprinc-cert.pub"
sk_sign s_host -I host -h -n host.example.com,10.1.2.3 -V 20240101:20300101
same_as_keygen "host cert" "$T/s_host-cert.pub"
sk_sign s_before -I before -n root -V always:20300101 -O clear
same_as_keygen "valid always..date, no extensions" "$T/s_before-cert.pub"
sk_sign s_after -I after -n root -V 20240101:forever
same_as_keygen "valid date..forever" "$T/s_after-cert.pub"
sk_sign s_rel -I relative -n root -V -1d:+52w
same_as_keygen "relative validity" "$T/s_rel-cert.pub"
sk_sign s_huge -I huge -n root -V 0x1:0xfffffffffffffffe
same_as_keygen "times past 2^63" "$T/s_huge-cert.pub"
{
	echo "# two certificates, a comment and a blank line"
	cat "$T/s_plain-cert.pub"
	echo
	cat "$T/s_host-cert.pub"
} >"$T/multi"
same_as_keygen "file with two certs (path:line: headers)" "$T/multi"

ssh-keygen -L -f - <"$T/s_plain-cert.pub" >"$T/stdin.want" 2>/dev/null
"$NULLSPACE" cert show - <"$T/s_plain-cert.pub" >"$T/stdin.got"
assert_eq "show - (stdin) like ssh-keygen -L -f -" "$(cat "$T/stdin.want")" "$(cat "$T/stdin.got")"
"$NULLSPACE" cert show "$T/user.pub" >/dev/null 2>"$T/notcert.err"
assert_eq "show of a plain public key fails with 255" 255 $?
assert_contains "show of a plain public key says why" "is not a certificate" "$T/notcert.err"

# ---- 2. nullspace cert sign, read by ssh-keygen -L ---------------------------
chmod 0644 "$T/ca"
"$NULLSPACE" cert sign --ca "$T/ca" --key "$T/user.pub" --principal root --id x \
	--valid-for 1h 2>"$T/perm.err"
assert_eq "sign refuses a group/world-readable CA key (255)" 255 $?
assert_contains "sign says the CA key is too open" \
	"nullspace cert sign: CA key $T/ca is accessible by group or others (mode 0644); chmod 600 $T/ca" \
	"$T/perm.err"
[ ! -e "$T/user-cert.pub" ] || fail "a certificate was written with an open CA key"
chmod 0600 "$T/ca"

before_sign=$(date +%s)
"$NULLSPACE" cert sign --ca "$T/ca" --key "$T/user.pub" --principal root,alice \
	--id "ns test id" --valid-for 1h --serial 4242 2>"$T/sign.err"
assert_eq "cert sign exits 0" 0 $?
assert_contains "sign announces like ssh-keygen" \
	"Signed user key $T/user-cert.pub: id \"ns test id\" serial 4242 for root,alice valid from" \
	"$T/sign.err"
assert_eq "certificate file mode" 644 "$(stat -c %a "$T/user-cert.pub")"
assert_eq "certificate line keeps the key's comment" openssh-test \
	"$(awk '{print $3}' "$T/user-cert.pub")"
TZ=UTC ssh-keygen -L -f "$T/user-cert.pub" >"$T/ours.L" 2>&1 ||
	die "ssh-keygen -L rejects our certificate: $(cat "$T/ours.L")"
assert_contains "ssh-keygen -L: user certificate" \
	"Type: ssh-ed25519-cert-v01@openssh.com user certificate" "$T/ours.L"
assert_contains "ssh-keygen -L: key id" 'Key ID: "ns test id"' "$T/ours.L"
assert_contains "ssh-keygen -L: serial" "Serial: 4242" "$T/ours.L"
assert_eq "ssh-keygen -L: principals root, alice" "root alice" \
	"$(sed -n '/Principals:/,/Critical Options:/p' "$T/ours.L" | sed '1d;$d' | xargs)"
assert_contains "ssh-keygen -L: no critical options" "Critical Options: (none)" "$T/ours.L"
assert_eq "ssh-keygen -L: extensions are permit-pty only" "permit-pty" \
	"$(sed -n '/Extensions:/,$p' "$T/ours.L" | sed '1d' | xargs)"
valid=$(grep -o 'Valid: from .*' "$T/ours.L")
from=$(date -u -d "$(echo "$valid" | awk '{print $3}')" +%s)
to=$(date -u -d "$(echo "$valid" | awk '{print $5}')" +%s)
assert_eq "validity span is 1h plus 60 s of clock skew" 3660 $((to - from))
if [ "$from" -lt $((before_sign - 65)) ] || [ "$from" -gt $((before_sign - 55 + 5)) ]; then
	fail "validity starts at $from, not about 60 s before $before_sign"
fi
ok "validity starts 60 s before signing"
same_as_keygen "our certificate" "$T/user-cert.pub"

ssh_keygen "$T/opt" # its own key: ssh -i user would also offer user-cert.pub
"$NULLSPACE" cert sign --ca "$T/ca" --key "$T/opt.pub" --principal root --id opt \
	--valid-for 10m --no-pty --option 'force-command=echo forced; exit 3' \
	--option source-address=127.0.0.1/32,::1 2>/dev/null
assert_eq "cert sign with options exits 0" 0 $?
ssh-keygen -L -f "$T/opt-cert.pub" >"$T/opt.L"
assert_contains "ssh-keygen -L: force-command" "force-command echo forced; exit 3" "$T/opt.L"
assert_contains "ssh-keygen -L: source-address" "source-address 127.0.0.1/32,::1" "$T/opt.L"
assert_contains "ssh-keygen -L: --no-pty leaves no extension" "Extensions: (none)" "$T/opt.L"
same_as_keygen "our certificate with options" "$T/opt-cert.pub"

cp "$T/user.pub" "$T/hostkey.pub"
"$NULLSPACE" cert sign --ca "$T/ca" --key "$T/hostkey.pub" --principal host.example.com \
	--id h --valid-for 52w --host 2>/dev/null
assert_eq "cert sign --host exits 0" 0 $?
ssh-keygen -L -f "$T/hostkey-cert.pub" >"$T/host.L"
assert_contains "ssh-keygen -L: host certificate" "host certificate" "$T/host.L"
assert_contains "ssh-keygen -L: host cert has no extensions" "Extensions: (none)" "$T/host.L"
"$NULLSPACE" cert check --ca "$T/ca.pub" --principal host.example.com --host \
	"$T/hostkey-cert.pub" >"$T/hostcheck.out"
assert_eq "check --host accepts our host cert" "ok extensions: (none)" "$(xargs <"$T/hostcheck.out")"

# ---- 3. a real sshd -----------------------------------------------------------
need_root
printf 'serial: 666\n' >"$T/krl.spec"
ssh-keygen -q -k -f "$T/krl" -s "$T/ca.pub" "$T/krl.spec" >/dev/null 2>&1 ||
	die "ssh-keygen -k could not make a KRL"
printf '# revoked by the test\nserial: 666\n' >"$T/revoked.txt"
start_sshd "TrustedUserCAKeys $T/ca.pub" "RevokedKeys $T/krl" "Match all" \
	"AuthorizedKeysFile none"
known_hosts_line "$SSHD_PORT" "$SSHD_HOSTKEY.pub" >"$T/known_hosts"

# login KEY CERT CMD: ssh -v to sshd as root with the certificate; sets
# LOGIN_RC, leaves sshd's log lines of this attempt in $T/login.log and the
# client's in $T/login.err.
login()
{
	local off
	off=$(stat -c %s "$SSHD_LOG")
	"${SSH[@]}" -v -p "$SSHD_PORT" -i "$1" -o "CertificateFile=$2" root@127.0.0.1 "$3" \
		</dev/null >"$T/login.out" 2>"$T/login.err"
	LOGIN_RC=$?
	sleep 0.2
	tail -c +$((off + 1)) "$SSHD_LOG" >"$T/login.log"
}

login "$T/user" "$T/user-cert.pub" 'exit 7'
assert_eq "sshd accepts our certificate: remote exit code comes back" 7 "$LOGIN_RC"
assert_contains "sshd logs the certificate login" 'ID ns test id (serial 4242)' "$T/login.log"
# the same certificate through our own client
out=$(ns_connect -p "$SSHD_PORT" -i "$T/user" -c "$T/user-cert.pub" -k "$T/known_hosts" \
	root@127.0.0.1 'echo native; exit 9' </dev/null 2>"$T/native.err")
assert_eq "nullspace connect -c: sshd accepts our certificate (exit code)" 9 "$?"
assert_eq "nullspace connect -c: output" native "$out"
login "$T/opt" "$T/opt-cert.pub" 'echo not-forced'
assert_eq "sshd runs our force-command and returns its exit code" 3 "$LOGIN_RC"
assert_eq "the forced command ran, not the requested one" forced "$(cat "$T/login.out")"

# ---- 4. the differential table: sshd and nullspace cert check ---------------
ssh_keygen "$T/dkey" # no dkey-cert.pub next to it: ssh offers only what we pass
dsign()
{
	local name=$1 ca=$2
	shift 2
	cp "$T/dkey.pub" "$T/d_$name.pub"
	ssh-keygen -q -s "$ca" -I "case-$name" "$@" "$T/d_$name.pub" </dev/null >/dev/null 2>&1 ||
		die "ssh-keygen -s for case $name failed"
}
dsign good "$T/ca" -n root -z 1
dsign wrong_principal "$T/ca" -n alice -z 2
dsign no_principals "$T/ca" -z 3
dsign expired "$T/ca" -n root -z 4 -V 20200101:20200102
dsign not_yet_valid "$T/ca" -n root -z 5 -V +52w:+53w
dsign other_ca "$T/ca2" -n root -z 6
dsign host_as_user "$T/ca" -n root -z 7 -h
dsign unknown_option "$T/ca" -n root -z 8 -O critical:foo=bar
dsign source_address "$T/ca" -n root -z 9 -O source-address=10.9.9.9/32
dsign revoked "$T/ca" -n root -z 666

# case_refused NAME OUR-REASON LOG NEEDLE: LOG is sshd (its log) or ssh (the
# client's -v output: ssh itself will not offer a host cert as a user cert).
case_refused()
{
	local name=$1 reason=$2 log=$T/login.log needle=$4 cert=$T/d_$1-cert.pub out rc
	[ "$3" = sshd ] || log=$T/login.err
	rm -f "$T/ran"
	login "$T/dkey" "$cert" "touch $T/ran"
	assert_eq "[$name] sshd refuses (ssh exits 255)" 255 "$LOGIN_RC"
	[ ! -e "$T/ran" ] || fail "[$name] the command ran on sshd"
	assert_contains "[$name] $3's log gives the reason" "$needle" "$log"
	out=$("$NULLSPACE" cert check --ca "$T/ca.pub" --principal root --source 127.0.0.1 \
		--revoked "$T/revoked.txt" "$cert" 2>&1)
	rc=$?
	assert_eq "[$name] nullspace cert check refuses as $reason" "refused: $reason" "$out"
	assert_eq "[$name] nullspace cert check exits 1" 1 "$rc"
}

login "$T/dkey" "$T/d_good-cert.pub" 'echo both-accept; exit 5'
assert_eq "[good] sshd accepts (remote exit code)" 5 "$LOGIN_RC"
assert_eq "[good] remote output" both-accept "$(cat "$T/login.out")"
out=$("$NULLSPACE" cert check --ca "$T/ca2.pub,$T/ca.pub" --principal root --source 127.0.0.1 \
	--revoked "$T/revoked.txt" "$T/d_good-cert.pub")
assert_eq "[good] nullspace cert check exits 0" 0 $?
assert_eq "[good] nullspace cert check prints ok and the extensions" \
	"ok extensions: permit-X11-forwarding,permit-agent-forwarding,permit-port-forwarding,permit-pty,permit-user-rc" \
	"$(echo "$out" | xargs)"

case_refused wrong_principal wrong-principal sshd "name is not a listed principal"
case_refused no_principals no-principals sshd "Certificate lacks principal list"
case_refused expired expired sshd "Certificate invalid: expired"
case_refused not_yet_valid not-yet-valid sshd "Certificate invalid: not yet valid"
case_refused other_ca untrusted-ca sshd \
	"CA ED25519 $(ssh-keygen -lf "$T/ca2.pub" | awk '{print $2}') is not listed"
case_refused host_as_user wrong-type ssh "not a user certificate"
case_refused unknown_option unknown-critical-option sshd \
	'Certificate critical option "foo" is not supported'
case_refused source_address source-address sshd \
	"not from a permitted source address (127.0.0.1)"
case_refused revoked revoked-serial sshd "revoked by file $T/krl"

# The check's other answers: a wrong time and a wrong principal on the good cert.
out=$("$NULLSPACE" cert check --ca "$T/ca.pub" --principal root --at 1 "$T/d_expired-cert.pub")
assert_eq "check --at a time before the window" "refused: not-yet-valid" "$out"
out=$("$NULLSPACE" cert check --ca "$T/ca.pub" --principal root \
	--at "$(date -u -d 2020-01-01T12:00:00Z +%s)" "$T/d_expired-cert.pub" | head -n 1)
assert_eq "check --at a time inside the window" ok "$out"
out=$("$NULLSPACE" cert check --ca "$T/ca.pub" --principal root "$T/d_source_address-cert.pub")
assert_eq "check without --source refuses a source-address cert" "refused: source-address" "$out"
"$NULLSPACE" cert check --ca "$T/ca.pub" --principal root 2>/dev/null
assert_eq "check without CERTFILE is a usage error (2)" 2 $?
"$NULLSPACE" cert check --ca "$T/nonexistent.pub" --principal root "$T/d_good-cert.pub" 2>/dev/null
assert_eq "check with a missing CA file is an error (255)" 255 $?

pass
