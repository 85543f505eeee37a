#!/usr/bin/env bash
# The product end to end from an empty NULLSPACE_HOME: `nullspace up` (API,
# relay, local sandboxes), `nullspace sandbox create/list/get/kill`,
# `nullspace ssh` through OpenSSH and the built-in client (exit codes, file
# modes, certificate reuse and re-minting, pinned relay key),
# `sandbox ssh-access --print-command | --json`, the SDK example, every
# documented CLI error exit code, API errors as JSON, timeouts, and no secret
# in any log. Ends with SIGTERM to `up`, which must stop every sandbox.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v curl >/dev/null || skip "curl missing"
need_nullspace
EXAMPLE=$(dirname "$NULLSPACE")/examples/sdk_example
[ -x "$EXAMPLE" ] || die "SDK example $EXAMPLE not built"

NS=$NULLSPACE
start_up
API=http://127.0.0.1:$API_PORT

mode() { stat -c '%a' "$1"; }

# ---- set-up written by `up` ----------------------------------------------------

[ -f "$NULLSPACE_HOME/config" ] || die "nullspace up wrote no $NULLSPACE_HOME/config"
assert_eq "NULLSPACE_HOME is 0700" 700 "$(mode "$NULLSPACE_HOME")"
assert_eq "config is 0600" 600 "$(mode "$NULLSPACE_HOME/config")"
assert_contains "config names the API" "api_url" "$NULLSPACE_HOME/config"
API_KEY=$(sed -n 's/^ *api_key *= *//p' "$NULLSPACE_HOME/config")
case $API_KEY in
nsk_?*) ok "config holds a development API key" ;;
*) fail "no api_key = nsk_... line in the config" ;;
esac
assert_not_contains "the API key file holds digests only" "$API_KEY" "$NULLSPACE_HOME/state/api_keys"

# ---- sandboxes -----------------------------------------------------------------

"$NS" sandbox create --timeout 300 >"$T/create.out" 2>"$T/create.err" ||
	die "sandbox create failed: $(cat "$T/create.err")"
SB=$(cat "$T/create.out")
[[ $SB =~ ^sb_[a-z0-9]+$ ]] && ok "sandbox create prints an id ($SB)" ||
	fail "sandbox create printed [$SB]"
"$NS" sandbox list >"$T/list.out" 2>&1 || fail "sandbox list failed: $(cat "$T/list.out")"
assert_contains "list shows the sandbox" "$SB" "$T/list.out"
assert_contains "list shows it running" "running" "$T/list.out"
"$NS" sandbox get "$SB" >"$T/get.out" 2>&1 || fail "sandbox get failed: $(cat "$T/get.out")"
assert_contains "get shows the template" "base" "$T/get.out"

# Readiness comes from --ready-fd, not from probe connections: before any
# login, neither the relay nor the new sandbox's agent saw a connection.
assert_not_contains "no probe connection in the relay's log" "relay event=connect" "$UP_LOG"
assert_contains "the relay logged that it listens" "relay event=listen" "$UP_LOG"
SB_LOG=$NULLSPACE_HOME/state/sandboxes/$SB/agent.log
assert_contains "the sandbox's agent logged that it listens" "agent event=listen" "$SB_LOG"
assert_not_contains "no probe connection in the agent's log" "agent event=connect" "$SB_LOG"

# A second `up` whose relay address is taken says so and exits 1.
API2_PORT=$(pick_port)
env NULLSPACE_HOME="$T/home_busy" "$NS" up --api-listen "127.0.0.1:$API2_PORT" \
	--relay-listen "127.0.0.1:$RELAY_PORT" >"$T/busy.out" 2>&1
assert_eq "up with a taken relay address: exit 1" 1 $?
assert_contains "up with a taken relay address: says so" \
	"cannot start the relay on 127.0.0.1:$RELAY_PORT: address already in use" "$T/busy.out"
# Bound but not listening (no connection to find it): the relay's own bind
# fails, it exits, and up learns it from the readiness pipe's end.
if command -v python3 >/dev/null; then
	BOUND_PORT=$(pick_port)
	spawn "$T/bound.out" python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
print("bound", flush=True)
time.sleep(120)' "$BOUND_PORT"
	BOUND_PID=$SPAWNED
	for i in $(seq 100); do
		grep -q bound "$T/bound.out" && break
		sleep 0.1
	done
	env NULLSPACE_HOME="$T/home_bound" "$NS" up --api-listen "127.0.0.1:$API2_PORT" \
		--relay-listen "127.0.0.1:$BOUND_PORT" >"$T/bound_up.out" 2>&1
	assert_eq "up with a bound relay address: exit 1" 1 $?
	assert_contains "up with a bound relay address: the relay says why" "in use" "$T/bound_up.out"
	assert_contains "up with a bound relay address: up says the relay did not start" \
		"the relay did not start (exit 255; its reason is above)" "$T/bound_up.out"
	kill "$BOUND_PID"
	wait "$BOUND_PID" 2>/dev/null
	KEEP=()
	for p in "${NS_PIDS[@]}"; do
		[ "$p" = "$BOUND_PID" ] || KEEP+=("$p")
	done
	NS_PIDS=("${KEEP[@]}")
else
	echo "note: python3 missing, bound relay address check not run"
fi

# ---- nullspace ssh through OpenSSH ---------------------------------------------

"$NS" ssh "$SB" -- 'echo ok; exit 3' >"$T/ssh1.out" 2>"$T/ssh1.err"
assert_eq "ssh (OpenSSH): remote exit code is ours" 3 $?
assert_eq "ssh (OpenSSH): output" ok "$(cat "$T/ssh1.out")"
D=$NULLSPACE_HOME/ssh
assert_eq "ssh folder is 0700" 700 "$(mode "$D")"
assert_eq "private key is 0600" 600 "$(mode "$D/id_ed25519")"
assert_eq "certificate is 0600" 600 "$(mode "$D/$SB-cert.pub")"
assert_eq "known_hosts is 0600" 600 "$(mode "$D/known_hosts")"
assert_contains "known_hosts pins the relay" "[127.0.0.1]:$RELAY_PORT ssh-ed25519 " "$D/known_hosts"
ssh-keygen -L -f "$D/$SB-cert.pub" >"$T/cert1.txt" 2>&1 || fail "ssh-keygen -L cannot read the cert"
assert_contains "certificate principal is the sandbox id" "$SB" "$T/cert1.txt"
assert_contains "certificate permits a pty" "permit-pty" "$T/cert1.txt"
# issue 15: port forwarding by default, agent forwarding only on request
assert_contains "certificate permits port forwarding" "permit-port-forwarding" "$T/cert1.txt"
assert_not_contains "certificate permits no agent forwarding" "permit-agent-forwarding" "$T/cert1.txt"
assert_not_contains "certificate permits no X11 forwarding" "permit-X11-forwarding" "$T/cert1.txt"
CERT1=$(cat "$D/$SB-cert.pub")

"$NS" ssh "$SB" -- 'echo again' >"$T/ssh2.out" 2>"$T/ssh2.err"
assert_eq "second ssh exits 0" 0 $?
assert_eq "certificate reused while valid" "$CERT1" "$(cat "$D/$SB-cert.pub")"

# A certificate valid for only a minute is not worth reusing: the next call mints.
"$NS" ssh --expires-in 1 "$SB" -- true >"$T/ssh3.out" 2>&1 || fail "ssh --expires-in 1: $(cat "$T/ssh3.out")"
CERT2=$(cat "$D/$SB-cert.pub")
[ "$CERT2" != "$CERT1" ] && ok "--expires-in 1 minted a new certificate" || fail "certificate not re-minted"
"$NS" ssh "$SB" -- true >"$T/ssh4.out" 2>&1 || fail "ssh after short cert: $(cat "$T/ssh4.out")"
[ "$(cat "$D/$SB-cert.pub")" != "$CERT2" ] && ok "nearly expired certificate re-minted" ||
	fail "a certificate with under a minute left was reused"

# ---- the built-in client ---------------------------------------------------------

"$NS" ssh --native "$SB" -- 'echo ok; exit 3' >"$T/n1.out" 2>"$T/n1.err"
assert_eq "ssh --native: remote exit code" 3 $?
assert_eq "ssh --native: output" ok "$(cat "$T/n1.out")"
mkdir -p "$T/nossh"
env PATH="$T/nossh" "$NS" ssh "$SB" -- 'echo nossh; exit 4' >"$T/n2.out" 2>"$T/n2.err"
assert_eq "no ssh on PATH: built-in client, exit code" 4 $?
assert_eq "no ssh on PATH: output" nossh "$(cat "$T/n2.out")"

# ---- ssh-access --print-command / --json ------------------------------------------

"$NS" sandbox ssh-access "$SB" --print-command >"$T/cmd.out" 2>"$T/cmd.err" ||
	fail "ssh-access --print-command failed: $(cat "$T/cmd.err")"
assert_eq "--print-command warns once on stderr" 1 "$(grep -c . "$T/cmd.err")"
assert_contains "the warning says it is a credential" "credential" "$T/cmd.err"
sh -c "$(cat "$T/cmd.out") 'echo printed; exit 5'" </dev/null >"$T/cmd.run" 2>"$T/cmd.run.err"
assert_eq "the printed command runs under sh (exit code)" 5 $?
assert_eq "the printed command runs under sh (output)" printed "$(cat "$T/cmd.run")"

"$NS" sandbox ssh-access "$SB" --json --expires-in 5 >"$T/acc.json" 2>"$T/acc.err" ||
	fail "ssh-access --json failed: $(cat "$T/acc.err")"
assert_eq "--json warns once on stderr" 1 "$(grep -c . "$T/acc.err")"
for f in access_id sandbox_id user certificate expires_at relay host port host_key known_hosts command; do
	assert_contains "--json has $f" "\"$f\"" "$T/acc.json"
done
if command -v python3 >/dev/null; then
	python3 - "$T/acc.json" "$SB" "$RELAY_PORT" >"$T/json.check" 2>&1 <<'EOF'
import json, sys, datetime
a = json.load(open(sys.argv[1]))
assert a["sandbox_id"] == sys.argv[2] and a["user"] == sys.argv[2], a
assert a["access_id"].startswith("acc_"), a["access_id"]
assert a["certificate"].startswith("ssh-ed25519-cert-v01@openssh.com "), "certificate"
assert a["relay"]["port"] == int(sys.argv[3]), a["relay"]
assert a["relay"]["host_key"].startswith("ssh-ed25519 "), a["relay"]
assert a["relay"]["known_hosts"].startswith("[127.0.0.1]:%s ssh-ed25519 " % sys.argv[3])
exp = datetime.datetime.strptime(a["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
left = (exp - datetime.datetime.utcnow()).total_seconds()
assert 240 < left <= 300, left
assert a["command"].startswith("ssh "), "command"
print("json ok")
EOF
	assert_eq "--json fields have the documented values" "json ok" "$(tail -1 "$T/json.check")"
fi

# ---- the SDK example ------------------------------------------------------------------

"$EXAMPLE" 'echo from-sdk; exit 6' >"$T/sdk.out" 2>"$T/sdk.err"
assert_eq "SDK example: remote exit status" 6 $?
assert_contains "SDK example: output" "from-sdk" "$T/sdk.out"

# ---- API errors are JSON ------------------------------------------------------------

code=$(curl -s -o "$T/h.json" -w '%{http_code}' "$API/v1/health")
assert_eq "health without a key" 200 "$code"
code=$(curl -s -o "$T/e401.json" -w '%{http_code}' -H 'Authorization: Bearer nsk_wrong' "$API/v1/sandboxes")
assert_eq "bad API key: 401" 401 "$code"
assert_contains "401 has a JSON error body" '"error"' "$T/e401.json"
auth=(-H "Authorization: Bearer $API_KEY")
code=$(curl -s -o "$T/e404.json" -w '%{http_code}' "${auth[@]}" "$API/v1/sandboxes/sb_nosuchbox")
assert_eq "unknown sandbox: 404" 404 "$code"
assert_contains "404 has a JSON error body" '"error"' "$T/e404.json"
code=$(curl -s -o "$T/e400.json" -w '%{http_code}' "${auth[@]}" -d '{"public_key": ' "$API/v1/sandboxes/$SB/ssh-access")
assert_eq "malformed JSON: 400" 400 "$code"
assert_contains "400 has a JSON error body" '"error"' "$T/e400.json"
# RSA keys are taken from 2048 bits (keytypes_up.sh logs in with them)
ssh-keygen -q -t rsa -b 1024 -N '' -f "$T/rsa" >/dev/null 2>&1 || die "ssh-keygen rsa failed"
printf '{"public_key": "%s"}' "$(cat "$T/rsa.pub")" >"$T/rsa.json"
code=$(curl -s -o "$T/rsa.out" -w '%{http_code}' "${auth[@]}" --data-binary @"$T/rsa.json" "$API/v1/sandboxes/$SB/ssh-access")
assert_eq "RSA-1024 key: 400" 400 "$code"
assert_contains "RSA-1024 key: the message says why" "2048 to 8192 bits" "$T/rsa.out"
code=$(curl -s -o "$T/exp.out" -w '%{http_code}' "${auth[@]}" \
	-d "{\"public_key\": \"$(cat "$D/id_ed25519.pub")\", \"expires_in_minutes\": 61}" "$API/v1/sandboxes/$SB/ssh-access")
assert_eq "expires_in_minutes 61: 400" 400 "$code"

# The relay of `up` refuses certificates longer-lived than the API mints
# (--max-cert-lifetime 70m), even ones signed with the real CA key.
cp "$D/id_ed25519.pub" "$T/long.pub"
ssh-keygen -q -s "$NULLSPACE_HOME/state/ca" -I long -n "$SB" -V -1m:+1d "$T/long.pub" \
	</dev/null >/dev/null 2>&1 || die "ssh-keygen -s with the state CA failed"
ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes \
	-o "UserKnownHostsFile=$D/known_hosts" -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes \
	-i "$D/id_ed25519" -o "CertificateFile=$T/long-cert.pub" -p "$RELAY_PORT" "$SB@127.0.0.1" \
	'echo SHOULD-NOT-RUN' </dev/null >"$T/long.out" 2>"$T/long.err"
assert_eq "a 1-day certificate from the state CA: refused by up's relay" 255 $?
assert_contains "the relay logged why" "reason=lifetime-too-long" "$UP_LOG"

# ---- CLI errors and their exit codes ---------------------------------------------

NULLSPACE_API_KEY=nsk_wrong "$NS" sandbox list >/dev/null 2>"$T/badkey.err"
assert_eq "bad API key: exit 77" 77 $?
assert_contains "bad API key: message" "API key" "$T/badkey.err"
assert_not_contains "bad API key: the key is not echoed" "nsk_wrong" "$T/badkey.err"
CLOSED=$(pick_port)
NULLSPACE_API_URL=http://127.0.0.1:$CLOSED "$NS" sandbox list >/dev/null 2>"$T/down.err"
assert_eq "API unreachable: exit 69" 69 $?
assert_contains "API unreachable: message names the URL" "127.0.0.1:$CLOSED" "$T/down.err"
"$NS" ssh sb_nosuchbox -- true >/dev/null 2>"$T/unknown.err"
assert_eq "unknown sandbox: exit 68" 68 $?
assert_contains "unknown sandbox: message" "sb_nosuchbox" "$T/unknown.err"
"$NS" sandbox create --template nosuch >/dev/null 2>"$T/tmpl.err"
[ $? -ne 0 ] && ok "unknown template refused" || fail "unknown template accepted"
assert_contains "unknown template: message" "nosuch" "$T/tmpl.err"
"$NS" ssh >/dev/null 2>&1
assert_eq "ssh without an id: usage, exit 2" 2 $?
for c in "up" "ssh" "sandbox" "sandbox create" "sandbox list" "sandbox kill" "sandbox ssh-access"; do
	# shellcheck disable=SC2086
	"$NS" $c --help >"$T/help.out" 2>&1 && [ -s "$T/help.out" ] && ok "nullspace $c --help" ||
		fail "nullspace $c --help"
done

# A relay presenting another key than the pinned one: the CLI refuses (76).
cp "$D/known_hosts" "$T/known_hosts.good"
ssh-keygen -q -t ed25519 -N '' -f "$T/other" >/dev/null 2>&1
printf '[127.0.0.1]:%s %s\n' "$RELAY_PORT" "$(cut -d' ' -f1,2 "$T/other.pub")" >"$D/known_hosts"
"$NS" ssh "$SB" -- true >/dev/null 2>"$T/changed.err"
assert_eq "relay host key changed: exit 76" 76 $?
assert_contains "relay host key changed: message names the file" "known_hosts" "$T/changed.err"
"$NS" ssh --native "$SB" -- true >/dev/null 2>"$T/changed2.err"
assert_eq "relay host key changed (--native): exit 76" 76 $?
assert_contains "relay host key changed (--native): message names the file" "known_hosts" "$T/changed2.err"
cp "$T/known_hosts.good" "$D/known_hosts"

# A file under NULLSPACE_HOME/ssh that cannot be written is a local failure
# (1), not an unreachable API (69); the message names the file and why. A
# folder where a file must be stops root too.
mv "$D/$SB-cert.pub" "$T/cert.good"
mkdir "$D/$SB-cert.pub"
"$NS" ssh "$SB" -- true >/dev/null 2>"$T/certdir.err"
assert_eq "certificate not writable: exit 1" 1 $?
assert_contains "certificate not writable: message names the file" "$D/$SB-cert.pub" "$T/certdir.err"
assert_contains "certificate not writable: message says why" "Is a directory" "$T/certdir.err"
"$NS" sandbox ssh-access "$SB" --print-command >/dev/null 2>"$T/certdir2.err"
assert_eq "certificate not writable (ssh-access): exit 1" 1 $?
assert_contains "certificate not writable (ssh-access): message" "$SB-cert.pub: Is a directory" "$T/certdir2.err"
rmdir "$D/$SB-cert.pub"
mv "$T/cert.good" "$D/$SB-cert.pub"
mv "$D/known_hosts" "$T/known_hosts.good"
mkdir "$D/known_hosts"
"$NS" ssh "$SB" -- true >/dev/null 2>"$T/khdir.err"
assert_eq "known_hosts not readable: exit 1" 1 $?
assert_contains "known_hosts not readable: message names the file and why" "$D/known_hosts: Is a directory" "$T/khdir.err"
rmdir "$D/known_hosts"
mv "$T/known_hosts.good" "$D/known_hosts"
mkdir -p "$T/home2"
: >"$T/home2/ssh"
NULLSPACE_HOME=$T/home2 NULLSPACE_API_URL=$API NULLSPACE_API_KEY=$API_KEY "$NS" ssh "$SB" -- true >/dev/null 2>"$T/sshfile.err"
assert_eq "a file where the ssh folder must be: exit 1" 1 $?
assert_contains "a file where the ssh folder must be: message" "$T/home2/ssh is not a folder" "$T/sshfile.err"
"$NS" ssh "$SB" -- true >"$T/restored.out" 2>&1 || fail "ssh after the local failures: $(cat "$T/restored.out")"

# ---- kill and timeout -----------------------------------------------------------------

# Detached processes (setsid, nohup) outlive their session while the sandbox
# runs, adopted by its agent, and die with the sandbox.
MARK=$((4000 + RANDOM % 5000))
"$NS" ssh "$SB" -- "setsid sleep 1${MARK}1 </dev/null >/dev/null 2>&1 & nohup sleep 1${MARK}2 </dev/null >/dev/null 2>&1 & echo started" >"$T/detach.out" 2>&1
assert_eq "detached processes started" "started" "$(cat "$T/detach.out")"
# The agent is pid 1 of the sandbox's pid namespace: the child of the
# `nullspace isolate` monitor that names the sandbox.
SB_MONITOR=$(pgrep -f "isolate --id $SB " | head -n 1)
SB_AGENT=$(pgrep -P "$SB_MONITOR" | head -n 1)
[ -n "$SB_AGENT" ] && ok "the agent of $SB runs under its isolate monitor" ||
	fail "no agent under an isolate monitor for $SB"
for i in $(seq 20); do
	[ "$(pgrep -c -f "^sleep 1${MARK}[12]\$")" = 2 ] && break
	sleep 0.1
done
assert_eq "both detached processes outlive their session" 2 "$(pgrep -c -f "^sleep 1${MARK}[12]\$")"
for p in $(pgrep -f "^sleep 1${MARK}[12]\$"); do
	assert_eq "detached process $p is adopted by the sandbox's agent" "$SB_AGENT" "$(ps -o ppid= -p "$p" | tr -d ' ')"
done
"$NS" sandbox kill "$SB" >"$T/kill.out" 2>&1 || fail "sandbox kill failed: $(cat "$T/kill.out")"
left=$(pgrep -f "^sleep 1${MARK}[12]\$" | tr '\n' ' ')
assert_eq "sandbox kill leaves no detached process behind" "" "$left"
# nothing of a sandbox outlives its pid namespace: the runtime had none to kill
assert_not_contains "no leftovers for the runtime to kill" "left behind by stopped sandboxes" "$UP_LOG"
"$NS" ssh "$SB" -- true >/dev/null 2>"$T/killed.err"
assert_eq "killed sandbox: exit 68" 68 $?
assert_contains "killed sandbox: message says stopped" "stopped" "$T/killed.err"
"$NS" sandbox ssh-access "$SB" --json >/dev/null 2>"$T/killed2.err"
assert_eq "ssh-access on a killed sandbox: exit 68" 68 $?

SB2=$("$NS" sandbox create --timeout 2 2>"$T/create2.err") || die "create: $(cat "$T/create2.err")"
for i in $(seq 50); do
	"$NS" sandbox get "$SB2" 2>/dev/null | grep -q stopped && break
	sleep 0.2
done
"$NS" ssh "$SB2" -- true >/dev/null 2>"$T/timeout.err"
assert_eq "timed-out sandbox: exit 68" 68 $?
assert_contains "timed-out sandbox: message says timeout" "timeout" "$T/timeout.err"
"$NS" sandbox list >"$T/list2.out" 2>&1
assert_contains "list shows the stopped sandbox" "$SB2" "$T/list2.out"

# A running sandbox to be stopped by the shutdown below, with a detached
# process in it.
SB3=$("$NS" sandbox create 2>/dev/null) || die "third create failed"
"$NS" ssh "$SB3" -- "setsid sleep 1${MARK}3 </dev/null >/dev/null 2>&1 &" >/dev/null 2>&1 || fail "ssh into the third sandbox"
AGENT_PIDS=$(pgrep -f "$NULLSPACE_HOME/state/sandboxes/" | tr '\n' ' ')
[ -n "$AGENT_PIDS" ] && ok "sandbox agents run ($AGENT_PIDS)" || fail "no agent process found"

# ---- shutdown -------------------------------------------------------------------------

kill -TERM "$UP_PID"
for i in $(seq 100); do
	kill -0 "$UP_PID" 2>/dev/null || break
	sleep 0.1
done
wait "$UP_PID"
assert_eq "up exits 0 on SIGTERM" 0 $?
NS_PIDS=()
left=$(pgrep -f "$NULLSPACE_HOME/state/" | tr '\n' ' ')
assert_eq "no sandbox or relay process left" "" "$left"
left=$(pgrep -f "^sleep 1${MARK}3\$" | tr '\n' ' ')
assert_eq "no process detached in a sandbox is left after shutdown" "" "$left"
assert_contains "up logged the shutdown of sandboxes" "$SB3" "$UP_LOG"

NS_LOGS+=("$NULLSPACE_HOME"/state/sandboxes/*/agent.log)

# ---- secrets in logs ----------------------------------------------------------------

LOGS=("$UP_LOG" "$NULLSPACE_HOME"/state/sandboxes/*/agent.log "$T"/*.err)
secret_lines=("$API_KEY" "$(sed -n 2p "$D/id_ed25519")" "$(cut -d' ' -f2 <<<"$CERT1" | cut -c1-60)")
for f in "${LOGS[@]}"; do
	[ -f "$f" ] || continue
	for s in "${secret_lines[@]}"; do
		if grep -qF -- "$s" "$f"; then
			fail "a secret (${s:0:8}...) appears in $f"
		fi
	done
done
ok "no API key, private key or certificate in any log"

pass
