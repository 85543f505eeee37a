#!/usr/bin/env bash
# Keys written by `nullspace keygen` are accepted by OpenSSH: ssh-keygen -y
# derives the same public key from FILE as FILE.pub holds, ssh-keygen -l
# prints the fingerprint we printed, ssh-keygen signs with the key and
# re-encrypts the file; keygen keeps the comment, writes FILE with mode 0600
# and refuses to overwrite an existing key.
. "$(dirname "$0")/lib.sh"

command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace

# keygen_check NAME COMMENT: one key through every check.
keygen_check()
{
	local f=$T/$1 comment=$2 out pub derived ours theirs mode
	local args=(keygen -f "$f")
	[ -n "$comment" ] && args+=(-C "$comment")

	"$NULLSPACE" "${args[@]}" >"$T/$1.out" 2>&1 </dev/null ||
		die "nullspace keygen -f $f failed: $(cat "$T/$1.out")"
	[ -s "$f" ] && [ -s "$f.pub" ] || die "nullspace keygen did not write $f and $f.pub"
	mode=$(stat -c %a "$f")
	assert_eq "$1: private key mode" 600 "$mode"

	# the public key ssh-keygen derives from our private key file
	derived=$(ssh-keygen -y -f "$f" 2>"$T/$1.err") ||
		die "ssh-keygen -y rejects $f: $(cat "$T/$1.err")"
	read -r pub <"$f.pub"
	assert_eq "$1: ssh-keygen -y FILE matches FILE.pub" \
		"$(echo "$pub" | cut -d' ' -f1,2)" "$(echo "$derived" | cut -d' ' -f1,2)"
	assert_eq "$1: comment in FILE.pub" "$comment" "$(echo "$pub" | cut -s -d' ' -f3-)"

	# fingerprints: ours (printed by keygen) against ssh-keygen -l of both files
	ours=$(grep -o 'SHA256:[A-Za-z0-9+/]*' "$T/$1.out" | head -1)
	[ -n "$ours" ] || die "nullspace keygen printed no fingerprint: $(cat "$T/$1.out")"
	theirs=$(ssh-keygen -lf "$f.pub" | cut -d' ' -f2)
	assert_eq "$1: fingerprint vs ssh-keygen -lf FILE.pub" "$theirs" "$ours"
	theirs=$(ssh-keygen -lf "$f" | cut -d' ' -f2)
	assert_eq "$1: fingerprint vs ssh-keygen -lf FILE" "$theirs" "$ours"

	# OpenSSH signs with the key, and verifies with FILE.pub
	echo "signed data" >"$T/$1.msg"
	ssh-keygen -Y sign -f "$f" -n file "$T/$1.msg" >"$T/$1.sign.out" 2>&1 ||
		die "ssh-keygen -Y sign with $f failed: $(cat "$T/$1.sign.out")"
	echo "signer $(echo "$pub" | cut -d' ' -f1,2)" >"$T/$1.allowed"
	ssh-keygen -Y verify -f "$T/$1.allowed" -I signer -n file -s "$T/$1.msg.sig" \
		<"$T/$1.msg" >"$T/$1.verify.out" 2>&1 ||
		die "ssh-keygen -Y verify failed: $(cat "$T/$1.verify.out")"
	ok "$1: ssh-keygen -Y sign/verify with the key"

	# ssh-keygen re-encrypts it (reads every field, check ints included)
	cp "$f" "$f.copy"
	ssh-keygen -q -p -N "passphrase" -f "$f.copy" >"$T/$1.p.out" 2>&1 ||
		die "ssh-keygen -p rejects $f: $(cat "$T/$1.p.out")"
	ok "$1: ssh-keygen -p re-encrypts the file"
}

keygen_check id_comment "nullspace interop, with spaces"
keygen_check id_plain ""

# refuses to overwrite FILE, or FILE.pub alone
sum=$(sha256sum "$T/id_plain" "$T/id_plain.pub")
if "$NULLSPACE" keygen -f "$T/id_plain" >"$T/over.out" 2>&1 </dev/null; then
	fail "nullspace keygen overwrote an existing key"
fi
assert_eq "existing key left alone" "$sum" "$(sha256sum "$T/id_plain" "$T/id_plain.pub")"
assert_contains "says why it refused" "already exists" "$T/over.out"
: >"$T/only_pub.pub"
if "$NULLSPACE" keygen -f "$T/only_pub" >"$T/over2.out" 2>&1 </dev/null; then
	fail "nullspace keygen wrote over an existing FILE.pub"
fi
[ -e "$T/only_pub" ] && fail "nullspace keygen left a private key after refusing"
ok "refuses when only FILE.pub exists"

pass
