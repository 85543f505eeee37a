#!/usr/bin/env bash
# The API mints certificates for RSA and ECDSA public keys made by ssh-keygen
# (POST /v1/sandboxes/ID/ssh-access) and OpenSSH's ssh uses them through the
# relay of `nullspace up`: the certificate type follows the key
# (ssh-rsa-cert-v01, ecdsa-sha2-nistp256-cert-v01), exit codes, 20 MiB up and
# down at once intact. An RSA key under 2048 bits and an ECDSA key on
# another curve are refused with 400 and a message naming what is accepted.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v curl >/dev/null || skip "curl missing"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace

start_up
API=http://127.0.0.1:$API_PORT
API_KEY=$(sed -n 's/^ *api_key *= *//p' "$NULLSPACE_HOME/config")
auth=(-H "Authorization: Bearer $API_KEY")
"$NULLSPACE" sandbox create --timeout 300 >"$T/create.out" 2>"$T/create.err" ||
	die "sandbox create failed: $(cat "$T/create.err")"
SB=$(cat "$T/create.out")

head -c 20M /dev/urandom >"$T/up.bin"
UP_SUM=$(sha256sum <"$T/up.bin" | cut -d' ' -f1)

# mint NAME: POST the public key $T/NAME.pub; the reply in $T/NAME.json,
# the HTTP code printed.
mint()
{
	python3 -c 'import json,sys; print(json.dumps({"public_key": open(sys.argv[1]).read().strip(), "expires_in_minutes": 10}))' \
		"$T/$1.pub" >"$T/$1.req"
	curl -s -o "$T/$1.json" -w '%{http_code}' "${auth[@]}" --data-binary @"$T/$1.req" \
		"$API/v1/sandboxes/$SB/ssh-access"
}

# use NAME TYPE: mint for $T/NAME, then ssh through the relay with it.
use()
{
	local name=$1 type=$2
	assert_eq "$name: minted (201)" 201 "$(mint "$name")"
	python3 - "$T/$name.json" "$T/$name-cert.pub" "$T/known_hosts" <<'PY' || fail "$name: reply: $(cat "$T/$name.json")"
import json, sys
a = json.load(open(sys.argv[1]))
open(sys.argv[2], "w").write(a["certificate"] + "\n")
open(sys.argv[3], "w").write(a["relay"]["known_hosts"] + "\n")
PY
	assert_contains "$name: certificate type follows the key" "$type " "$T/$name-cert.pub"
	ssh-keygen -Lf "$T/$name-cert.pub" >"$T/$name.L" 2>&1
	assert_contains "$name: ssh-keygen reads the certificate" "user certificate" "$T/$name.L"
	local S=("${SSH[@]}" -i "$T/$name" -o "CertificateFile=$T/$name-cert.pub" -p "$RELAY_PORT"
		"$SB@127.0.0.1")
	# the sandbox has its own root: the data to send down is made inside it
	timeout -k 5 120 "${S[@]}" 'head -c 20971520 /dev/urandom >/tmp/down; sha256sum </tmp/down' \
		</dev/null >"$T/$name.want" 2>"$T/$name.err0" || fail "$name: no data made in the sandbox"
	timeout -k 5 120 "${S[@]}" 'cat /tmp/down & sha256sum >/tmp/up.sum; wait; exit 9' \
		<"$T/up.bin" 2>"$T/$name.err" | sha256sum | cut -d' ' -f1 >"$T/$name.down"
	assert_eq "$name: exit status through the relay" 9 "${PIPESTATUS[0]}"
	assert_eq "$name: 20 MiB down intact" "$(cut -d' ' -f1 "$T/$name.want")" "$(cat "$T/$name.down")"
	timeout -k 5 60 "${S[@]}" 'cat /tmp/up.sum' </dev/null >"$T/$name.upsum" 2>/dev/null
	assert_eq "$name: 20 MiB up intact, at the same time" "$UP_SUM" "$(cut -d' ' -f1 "$T/$name.upsum")"
}

ssh-keygen -q -N '' -t rsa -b 2048 -f "$T/rsa" </dev/null >/dev/null 2>&1 || die "ssh-keygen rsa"
ssh-keygen -q -N '' -t ecdsa -b 256 -f "$T/ecdsa" </dev/null >/dev/null 2>&1 || die "ssh-keygen ecdsa"
ssh-keygen -q -N '' -t rsa -b 1024 -f "$T/rsa1024" </dev/null >/dev/null 2>&1 || die "ssh-keygen rsa1024"
ssh-keygen -q -N '' -t ecdsa -b 384 -f "$T/ecdsa384" </dev/null >/dev/null 2>&1 || die "ssh-keygen ecdsa384"

use rsa ssh-rsa-cert-v01@openssh.com
use ecdsa ecdsa-sha2-nistp256-cert-v01@openssh.com

assert_eq "RSA-1024: 400" 400 "$(mint rsa1024)"
assert_contains "RSA-1024: the message gives the limits" "2048 to 8192 bits" "$T/rsa1024.json"
assert_eq "ecdsa-sha2-nistp384: 400" 400 "$(mint ecdsa384)"
assert_contains "ecdsa-sha2-nistp384: the message names what is accepted" \
	"accepted public keys: ssh-ed25519, ecdsa-sha2-nistp256" "$T/ecdsa384.json"
pass
