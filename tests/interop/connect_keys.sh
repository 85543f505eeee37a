#!/usr/bin/env bash
# `nullspace connect` to a real OpenSSH sshd with the keys people keep:
# (a) a passphrase-protected key (ssh-keygen -N, -a rounds) typed at a
# terminal prompt, wrong passphrases refused; (b) the same key with no
# terminal: a clear refusal, exit 255; (c) the key only in a real ssh-agent
# (private file absent), also a protected key and a certificate; (d) an
# agent that refuses to sign (ssh-add -c, confirmation denied).
. "$(dirname "$0")/lib.sh"

need_root
need_nullspace
command -v ssh-agent >/dev/null && command -v ssh-add >/dev/null ||
	skip "ssh-agent / ssh-add missing (openssh-client)"
command -v python3 >/dev/null || skip "python3 missing (drives the terminal prompt)"
PTY_ANSWER=$NS_ROOT/tests/interop/py/pty_answer.py

ssh-keygen -q -t ed25519 -N '' -C ca -f "$T/ca" </dev/null >/dev/null || die "ssh-keygen ca"
start_sshd "TrustedUserCAKeys $T/ca.pub"
known_hosts_line "$SSHD_PORT" "$SSHD_HOSTKEY.pub" >"$T/known_hosts"
C=(-p "$SSHD_PORT" -k "$T/known_hosts" -T)
U=root@127.0.0.1
PASS='correct horse'
# No agent unless a check starts one, no ~/.ssh of the machine's user.
unset SSH_AUTH_SOCK
export HOME=$T/home
mkdir -p "$HOME"

ssh-keygen -q -t ed25519 -N "$PASS" -a 8 -C protected -f "$T/id_pass" </dev/null >/dev/null ||
	die "ssh-keygen -N failed"
cat "$T/id_pass.pub" >>"$SSHD_AUTH"
PROMPT="Enter passphrase for key '$T/id_pass': "

# --- (a) passphrase typed at the prompt ---
python3 "$PTY_ANSWER" 60 "$PROMPT" "$PASS" -- \
	"$NULLSPACE" connect "${C[@]}" -i "$T/id_pass" "$U" -- 'echo via-passphrase' >"$T/a.out" 2>&1
assert_eq "(a) protected key with the right passphrase: exit 0" 0 $?
assert_contains "(a) the prompt names the key file like ssh" "$PROMPT" "$T/a.out"
assert_contains "(a) the command ran" "via-passphrase" "$T/a.out"
assert_not_contains "(a) the passphrase is not echoed" "$PASS" "$T/a.out"
grep -q "Accepted publickey for root.*ED25519 $(ssh-keygen -lf "$T/id_pass.pub" | cut -d' ' -f2)" \
	"$SSHD_LOG" || fail "(a) sshd log does not show the protected key accepted"
ok "(a) sshd accepted the protected key"

python3 "$PTY_ANSWER" 60 "$PROMPT" "not it" "$PASS" -- \
	"$NULLSPACE" connect "${C[@]}" -i "$T/id_pass" "$U" -- 'echo second-try' >"$T/a2.out" 2>&1
assert_eq "(a) a wrong then the right passphrase: exit 0" 0 $?
assert_contains "(a) the wrong one is named as such" "wrong passphrase for key $T/id_pass" "$T/a2.out"
assert_contains "(a) and the second try runs the command" "second-try" "$T/a2.out"

python3 "$PTY_ANSWER" 60 "$PROMPT" x y z -- \
	"$NULLSPACE" connect "${C[@]}" -i "$T/id_pass" "$U" -- "touch $T/ran_wrong" >"$T/a3.out" 2>&1
assert_eq "(a) three wrong passphrases: exit 255" 255 $?
assert_contains "(a) after three tries it gives up" "(3 tries)" "$T/a3.out"
[ ! -e "$T/ran_wrong" ] || fail "(a) command ran without the passphrase"
ok "(a) no command ran with wrong passphrases"

long=$(head -c 1100 /dev/zero | tr '\0' a)
python3 "$PTY_ANSWER" 60 "$PROMPT" "$long" -- \
	"$NULLSPACE" connect "${C[@]}" -i "$T/id_pass" "$U" -- "touch $T/ran_long" >"$T/a4.out" 2>&1
assert_eq "(a) a passphrase over NS_CLI_PASSPHRASE_MAX: exit 255" 255 $?
assert_contains "(a) it says so" "passphrase longer than we read" "$T/a4.out"

# A hostile file asking for 4 million bcrypt rounds (the count is stored in
# clear) is refused at once, not computed for hours.
python3 - "$T/id_pass" "$T/id_rounds" <<'PY'
import base64, struct, sys
lines = open(sys.argv[1]).read().split("\n")
body = bytearray(base64.b64decode("".join(lines[1:-2])))
off = 15 + 4 + 10 + 4 + 6 + 4 + 4 + 16  # magic, cipher, kdf, kdfopts len, salt
body[off:off + 4] = struct.pack(">I", 4000000)
b64 = base64.b64encode(bytes(body)).decode()
with open(sys.argv[2], "w") as f:
    f.write(lines[0] + "\n" + "\n".join(b64[i:i + 70] for i in range(0, len(b64), 70)) + "\n" + lines[-2] + "\n")
PY
chmod 0600 "$T/id_rounds"
start=$(date +%s)
python3 "$PTY_ANSWER" 60 "Enter passphrase" "$PASS" -- \
	"$NULLSPACE" connect "${C[@]}" -i "$T/id_rounds" "$U" -- true >"$T/a5.out" 2>&1
assert_eq "(a) 4000000 bcrypt rounds: exit 255" 255 $?
assert_contains "(a) the refusal names the limit" \
	"asks for 4000000 bcrypt rounds, more than our limit of 1024 (event=key-refused reason=kdf-rounds)" \
	"$T/a5.out"
assert_not_contains "(a) and nothing is asked" "Enter passphrase" "$T/a5.out"
[ $(($(date +%s) - start)) -lt 20 ] || fail "(a) refusing the rounds took $(($(date +%s) - start)) s"
ok "(a) refused without computing"

# --- (b) no terminal to ask on ---
setsid -w "$NULLSPACE" connect "${C[@]}" -i "$T/id_pass" "$U" -- "touch $T/ran_notty" \
	</dev/null >"$T/b.out" 2>"$T/b.err"
assert_eq "(b) protected key without a terminal: exit 255" 255 $?
assert_contains "(b) the refusal says why" \
	"$T/id_pass is encrypted and there is no terminal to ask for its passphrase" "$T/b.err"
[ ! -e "$T/ran_notty" ] || fail "(b) command ran"
ok "(b) no command ran"

# --- (c) keys only in a real ssh-agent ---
start_ssh_agent()
{
	SSH_AUTH_SOCK=$T/agent$1.sock
	export SSH_AUTH_SOCK
	spawn "$T/ssh-agent$1.log" env SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force \
		DISPLAY=none ssh-agent -D -a "$SSH_AUTH_SOCK"
	for _ in $(seq 50); do
		[ -S "$SSH_AUTH_SOCK" ] && return 0
		sleep 0.1
	done
	die "ssh-agent did not create $SSH_AUTH_SOCK"
}
# ssh-add asks the passphrase of a protected key, and the agent asks for
# confirmation (ssh-add -c), through this program: the answer is in a file.
printf '#!/bin/sh\ncat %q\n' "$T/askpass.answer" >"$T/askpass"
chmod 0755 "$T/askpass"
start_ssh_agent 1

ssh_keygen "$T/id_agent"
cat "$T/id_agent.pub" >>"$SSHD_AUTH"
ssh-add -q "$T/id_agent" </dev/null 2>"$T/add.err" || die "ssh-add failed: $(cat "$T/add.err")"
rm -f "$T/id_agent"
ns_connect "${C[@]}" -i "$T/id_agent" "$U" -- 'echo via-agent' </dev/null >"$T/c1.out" 2>"$T/c1.err"
assert_eq "(c) key file gone, its .pub names the agent's key: exit 0" 0 $?
assert_eq "(c) the command ran" "via-agent" "$(cat "$T/c1.out")"
rm -f "$T/id_agent.pub"
ns_connect "${C[@]}" "$U" -- 'echo agent-default' </dev/null >"$T/c2.out" 2>"$T/c2.err"
assert_eq "(c) no key file at all: the agent's ed25519 key is used" 0 $?
assert_eq "(c) the command ran" "agent-default" "$(cat "$T/c2.out")"

# a protected key added to the agent: no prompt, even without a terminal
echo "$PASS" >"$T/askpass.answer"
SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=none setsid -w ssh-add -q "$T/id_pass" \
	</dev/null 2>"$T/add2.err" || die "ssh-add of the protected key failed: $(cat "$T/add2.err")"
setsid -w "$NULLSPACE" connect "${C[@]}" -i "$T/id_pass" "$U" -- 'echo protected-in-agent' \
	</dev/null >"$T/c3.out" 2>"$T/c3.err"
assert_eq "(c) protected key held by the agent, no terminal: exit 0" 0 $?
assert_eq "(c) the command ran" "protected-in-agent" "$(cat "$T/c3.out")"
assert_not_contains "(c) nothing was asked" "passphrase" "$T/c3.err"

# a certificate (-c) for a key that only the agent holds and sshd only
# accepts through the CA
ssh_keygen "$T/id_cert"
ssh-keygen -q -s "$T/ca" -I agent-cert -n root "$T/id_cert.pub" </dev/null >/dev/null ||
	die "ssh-keygen -s failed"
ssh-add -q "$T/id_cert" </dev/null 2>/dev/null || die "ssh-add id_cert failed"
rm -f "$T/id_cert" "$T/id_cert.pub"
ns_connect "${C[@]}" -i "$T/id_cert" -c "$T/id_cert-cert.pub" "$U" -- 'echo cert-via-agent' \
	</dev/null >"$T/c4.out" 2>"$T/c4.err"
assert_eq "(c) certificate with its key in the agent: exit 0" 0 $?
assert_eq "(c) the command ran" "cert-via-agent" "$(cat "$T/c4.out")"
grep -q "Accepted publickey for root.*ED25519-CERT.*ID agent-cert" "$SSHD_LOG" ||
	fail "(c) sshd log does not show the certificate accepted"
ok "(c) sshd accepted the certificate signed through the agent"

# --- (d) an agent that refuses to sign ---
start_ssh_agent 2
ssh_keygen "$T/id_confirm"
cat "$T/id_confirm.pub" >>"$SSHD_AUTH"
ssh-add -q -c "$T/id_confirm" </dev/null 2>/dev/null || die "ssh-add -c failed"
rm -f "$T/id_confirm"
printf 'no\n' >"$T/askpass.answer"
printf '#!/bin/sh\nexit 1\n' >"$T/askpass" # the person says no
ns_connect "${C[@]}" -i "$T/id_confirm" "$U" -- "touch $T/ran_refused" </dev/null \
	>"$T/d.out" 2>"$T/d.err"
assert_eq "(d) agent refuses to sign: exit 255" 255 $?
assert_contains "(d) the message says the agent refused" "ssh-agent refused to sign with ssh-ed25519" \
	"$T/d.err"
[ ! -e "$T/ran_refused" ] || fail "(d) command ran"
ok "(d) no command ran"

pass
