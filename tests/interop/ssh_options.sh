#!/usr/bin/env bash
# `nullspace ssh ID [OPTIONS] [-- COMMAND...]` passes OpenSSH's own options
# through to ssh (issue 15): what reaches ssh is checked word for word with
# a fake `ssh` on PATH that prints its argv, and with --print-command; the
# rule (options before "--" or the first non-option word after the id),
# refusals of unknown letters and of those nullspace sets (-p -l -i), the
# built-in client's refusal of what it cannot do; real runs through the
# relay with -v, -tt and -T; -A and --no-port-forwarding change what the
# minted certificate permits (checked with ssh-keygen -L), and so does
# ssh-config --agent-forwarding for the certificates its block prepares. Through
# `nullspace up` on 127.0.0.1.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace
NS=$NULLSPACE

start_up
SB=$("$NS" sandbox create --timeout 600) || die "sandbox create failed"

# A fake ssh that prints each of its words on a line of its own.
mkdir -p "$T/fake"
cat >"$T/fake/ssh" <<'EOF'
#!/bin/sh
for w in "$@"; do printf '%s\n' "$w"; done >"$FAKE_SSH_ARGV"
exit 0
EOF
chmod +x "$T/fake/ssh"
export FAKE_SSH_ARGV=$T/argv

# fake_argv ARGS...: `nullspace ssh ARGS` with the fake ssh; prints the words
# after the destination ("u@host"), one a line, then "|", then those before
# it from the first word nullspace did not put there (after -p PORT).
fake_run()
{
	rm -f "$FAKE_SSH_ARGV"
	PATH=$T/fake:$PATH timeout -k 5 60 "$NS" ssh "$@" >"$T/fake.out" 2>"$T/fake.err"
}
# the user's words: those between "-p PORT" and the destination
user_words() { awk 'f && /@127\.0\.0\.1$/ {exit} f {print} /^-p$/ {getline; f=1}' "$FAKE_SSH_ARGV" | paste -sd' '; }
# the words after the destination
after_dest() { awk 'f {print} /@127\.0\.0\.1$/ {f=1}' "$FAKE_SSH_ARGV" | paste -sd' '; }

# ---- what reaches ssh ------------------------------------------------------------
fake_run "$SB" -L 8080:localhost:3000
assert_eq "-L after the id: exit 0" 0 "$?"
assert_eq "-L after the id reaches ssh as an option" "-L 8080:localhost:3000" "$(user_words)"
assert_eq "... and not as a remote command" "" "$(after_dest)"

fake_run -vv "$SB" -fNL 9000:127.0.0.1:80 -o ServerAliveInterval=5 -D1080 -R 7000:localhost:7000 -W h:1 -q -C -A
assert_eq "options before and after the id, clusters, attached values" \
	"-vv -fNL 9000:127.0.0.1:80 -o ServerAliveInterval=5 -D1080 -R 7000:localhost:7000 -W h:1 -q -C -A" \
	"$(user_words)"
assert_eq "... no command" "" "$(after_dest)"

fake_run "$SB" -tt -o LogLevel=ERROR uname -a -L
assert_eq "the first non-option word starts the command" "-- uname -a -L" "$(after_dest)"
assert_eq "... the options before it go to ssh" "-tt -o LogLevel=ERROR" "$(user_words)"

fake_run "$SB" -T -- -L 8080:x:1
assert_eq "after -- everything is the command" "-- -L 8080:x:1" "$(after_dest)"
assert_eq "... -T before it is an option" "-T" "$(user_words)"

fake_run "$SB" --websocket -N
assert_contains "nullspace's own options are still recognised after the id (--websocket)" \
	"ProxyCommand=" "$FAKE_SSH_ARGV"
assert_eq "... with -N passed through" "-N" "$(user_words)"

# nullspace's own -o options come first: OpenSSH keeps the first value of a
# keyword, so a user's -o cannot undo the pinning
fake_run "$SB" -o StrictHostKeyChecking=no
first=$(grep -n '^StrictHostKeyChecking=' "$FAKE_SSH_ARGV" | head -1)
case $first in
*=yes) ok "the pinned StrictHostKeyChecking=yes comes before the user's -o" ;;
*) fail "the first StrictHostKeyChecking in ssh's argv is [$first]" ;;
esac

# ---- refusals ----------------------------------------------------------------------
refused()
{
	local what=$1 needle=$2
	shift 2
	fake_run "$@"
	local rc=$?
	assert_eq "$what: exit 2" 2 "$rc"
	assert_contains "$what: says why" "$needle" "$T/fake.err"
	if [ -e "$FAKE_SSH_ARGV" ]; then fail "$what: ssh ran"; else ok "$what: ssh did not run"; fi
}
refused "an unknown letter" "unknown option -Z" "$SB" -Z
refused "an unknown letter in a cluster" "unknown option -Z in -NZ" "$SB" -NZ
refused "an unknown long option" "unknown option --forward" "$SB" --forward
refused "-p (the relay's port)" "-p (in -p) is set by nullspace itself" "$SB" -p 22
refused "-l (the login name)" "-l (in -lroot) is set by nullspace itself" -lroot "$SB"
refused "-i (the key)" "-i (in -i) is set by nullspace itself" "$SB" -i key
refused "a value missing" "-L (in -L) wants a value" "$SB" -L
refused "the built-in client and -v" "the built-in client does not do -v" --native "$SB" -v
refused "the built-in client and -A" "the built-in client does not do -A" --native "$SB" -A -- true
refused "the built-in client and -R" "the built-in client does not do -R" --native "$SB" -R 1:h:2

# ---- --print-command ------------------------------------------------------------------
"$NS" ssh "$SB" -L 8080:localhost:3000 -N --print-command >"$T/pc.out" 2>"$T/pc.err"
assert_eq "--print-command: exit 0" 0 "$?"
assert_contains "--print-command shows the options" "-L 8080:localhost:3000 -N sb_" "$T/pc.out"
assert_contains "--print-command warns that it is a credential" "credential" "$T/pc.err"
"$NS" ssh "$SB" -T --print-command -- echo 'a b' >"$T/pc2.out" 2>/dev/null
assert_contains "--print-command shows the command, quoted" "-T $SB@127.0.0.1 -- echo 'a b'" "$T/pc2.out"

# ---- real runs through the relay --------------------------------------------------------
out=$(timeout -k 5 60 "$NS" ssh "$SB" -v -- echo hello 2>"$T/v.err")
assert_eq "-v: the command runs" "hello" "$out"
assert_contains "-v: ssh's debug output" "debug1:" "$T/v.err"
out=$(timeout -k 5 60 "$NS" ssh "$SB" -q -T tty </dev/null 2>&1)
assert_eq "-T: no terminal" "not a tty" "$out"
out=$(timeout -k 5 60 "$NS" ssh "$SB" -tt -o LogLevel=ERROR tty </dev/null 2>&1 | tr -d '\r')
case $out in
/dev/pts/*) ok "-tt: a terminal ($out)" ;;
*) fail "-tt: tty printed [$out]" ;;
esac
timeout -k 5 60 "$NS" ssh "$SB" -o ServerAliveInterval=5 -- 'exit 7' </dev/null
assert_eq "-o Key=Value: the exit code still comes back" 7 "$?"
out=$(timeout -k 5 60 "$NS" ssh --native "$SB" -T -- 'tty; echo native' </dev/null 2>&1)
assert_eq "the built-in client takes -T" "not a tty
native" "$out"

# the built-in client gets -N -L: it listens (what the relay does with the
# forward is the relay's part, tests/interop of issue 15's relay side)
NPORT=$(pick_port)
spawn "$T/native_fwd.log" "$NS" ssh --native "$SB" -N -L "$NPORT:127.0.0.1:1"
NATIVE_PID=$SPAWNED
wait_listen "nullspace ssh --native -N -L" "$NATIVE_PID" "$NPORT" 60
ok "the built-in client listens for -L under nullspace ssh --native -N"
kill "$NATIVE_PID" 2>/dev/null

# ---- what the certificate permits -----------------------------------------------------------
CERT=$NULLSPACE_HOME/ssh/$SB-cert.pub
exts() { ssh-keygen -L -f "$CERT" | sed -n '/Extensions:/,$p' | grep -o 'permit-[a-z-]*' | paste -sd' '; }
assert_eq "the default certificate permits port forwarding, no agent forwarding" \
	"permit-port-forwarding permit-pty" "$(exts)"
timeout -k 5 60 "$NS" ssh "$SB" -A -- true </dev/null 2>"$T/a.err"
assert_eq "-A: exit 0" 0 "$?"
assert_eq "-A mints a certificate with permit-agent-forwarding" \
	"permit-agent-forwarding permit-port-forwarding permit-pty" "$(exts)"
timeout -k 5 60 "$NS" ssh "$SB" -- true </dev/null
assert_eq "without -A the next run mints without it again" \
	"permit-port-forwarding permit-pty" "$(exts)"
timeout -k 5 60 "$NS" ssh "$SB" --no-port-forwarding -- true </dev/null
assert_eq "--no-port-forwarding mints without permit-port-forwarding" "permit-pty" "$(exts)"
"$NS" sandbox ssh-access "$SB" --print-command >/dev/null 2>&1
assert_eq "ssh-access --print-command mints with port forwarding again" \
	"permit-port-forwarding permit-pty" "$(exts)"
"$NS" sandbox ssh-access "$SB" --print-command --no-port-forwarding >/dev/null 2>&1
assert_eq "ssh-access --no-port-forwarding" "permit-pty" "$(exts)"
"$NS" sandbox ssh-access "$SB" --json --agent-forwarding >"$T/acc.json" 2>/dev/null
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["certificate"])' "$T/acc.json" >"$T/json-cert.pub"
CERT=$T/json-cert.pub
assert_eq "ssh-access --json --agent-forwarding" \
	"permit-agent-forwarding permit-port-forwarding permit-pty" "$(exts)"

# ssh-config: options pass through plain ssh as they are; --agent-forwarding
# makes the block prepare certificates that permit it
"$NS" ssh-config >"$T/block" 2>&1
assert_not_contains "the default ssh-config block asks for no agent forwarding" "--agent-forwarding" "$T/block"
"$NS" ssh-config --agent-forwarding >"$T/block" 2>&1
assert_contains "ssh-config --agent-forwarding: the block's --prepare asks for it" \
	"--agent-forwarding --prepare %n" "$T/block"
CERT=$NULLSPACE_HOME/ssh/$SB-cert.pub
"$NS" ssh-config --agent-forwarding --prepare "$SB" 2>/dev/null
assert_eq "ssh-config --agent-forwarding --prepare: the certificate permits it" \
	"permit-agent-forwarding permit-port-forwarding permit-pty" "$(exts)"
"$NS" ssh-config --prepare "$SB" 2>/dev/null
assert_eq "ssh-config --prepare: the default permits again" "permit-port-forwarding permit-pty" "$(exts)"

# the API's own request fields
KEY_LINE=$(cat "$NULLSPACE_HOME/ssh/id_ed25519.pub")
API_KEY=$(sed -n 's/^ *api_key *= *//p' "$NULLSPACE_HOME/config")
mint()
{
	curl -sS -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
		-d "$1" "http://127.0.0.1:$API_PORT/v1/sandboxes/$SB/ssh-access" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["certificate"])' >"$T/api-cert.pub"
}
CERT=$T/api-cert.pub
body() { printf '{"public_key": "%s"%s}' "$KEY_LINE" "$1"; }
mint "$(body '')"
assert_eq "API default" "permit-port-forwarding permit-pty" "$(exts)"
mint "$(body ', "permit_port_forwarding": false, "permit_agent_forwarding": true')"
assert_eq "API permit_port_forwarding false, permit_agent_forwarding true" \
	"permit-agent-forwarding permit-pty" "$(exts)"
code=$(curl -s -o "$T/bad.json" -w '%{http_code}' -H "Authorization: Bearer $API_KEY" \
	-H 'Content-Type: application/json' -d "$(body ', "permit_agent_forwarding": "yes"')" \
	"http://127.0.0.1:$API_PORT/v1/sandboxes/$SB/ssh-access")
assert_eq "API: a permit_* that is not a boolean is refused" 400 "$code"
assert_contains "... saying why" "permit_agent_forwarding must be true or false" "$T/bad.json"

pass
