#!/usr/bin/env bash
# OpenSSH's ssh through `nullspace relay` to `nullspace agent`: a user
# certificate from ssh-keygen, the sandbox id as the login name, routing by
# a registry folder. Exit codes and signals, stdout/stderr apart, 100 MiB
# each way, stdin, PTY size and resize, ControlMaster channels, `nullspace
# connect -c`; every refusal (certificate, auth method, subsystem,
# forwarding, unknown/stopped/unreachable sandbox) with its message on ssh's
# stderr and the relay still serving; a killed agent ends only its own
# sessions; SIGHUP reloads the revocation list; nothing secret in the log.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace
"$NULLSPACE" relay --help >"$T/help.out" 2>&1 ||
	die "nullspace relay --help failed: $(head -c 300 "$T/help.out")"

# A word that appears only inside remote commands: never in the relay log.
MARK=cmdmark$RANDOM$RANDOM

ssh_keygen "$T/ca"
ssh_keygen "$T/other_ca"
ssh_keygen "$T/user"
ns_keygen "$T/relay_host"
ns_keygen "$T/relay_client"

# ---- agents, registry, relay -------------------------------------------------

# The agent for sb_test trusts only the relay's client key.
cat "$T/relay_client.pub" >"$T/agent_authorized_keys"
start_agent
A1_PID=$AGENT_PID
A1_PORT=$AGENT_PORT

# A second agent, for sb_two, with its own key, log and authorized_keys.
ns_keygen "$T/agent2_host"
A2_PORT=$(pick_port)
NS_LOGS+=("$T/agent2.log")
spawn "$T/agent2.log" "$NULLSPACE" agent --home "$(agent_home)" --listen "127.0.0.1:$A2_PORT" \
	--host-key "$T/agent2_host" --authorized-keys "$T/agent_authorized_keys"
A2_PID=$SPAWNED
wait_listen "second nullspace agent" "$A2_PID" "$A2_PORT"

REG=$T/registry
mkdir -p "$REG"
# reg_write ID ENDPOINT HOSTKEY.pub STATE: one registry file, written to a
# temporary name (starting with '.': never a sandbox id) and renamed.
reg_write()
{
	printf '# test entry\nendpoint=%s\nhost_key=%s\nstate=%s\n' "$2" "$(cat "$3")" "$4" \
		>"$REG/.tmp.$1" && mv -f "$REG/.tmp.$1" "$REG/$1" || die "cannot write registry entry $1"
}
CLOSED_PORT=$(pick_port)
reg_write sb_test "127.0.0.1:$A1_PORT" "$AGENT_HOSTKEY.pub" running
reg_write sb_two "127.0.0.1:$A2_PORT" "$T/agent2_host.pub" running
reg_write sb_stopped "127.0.0.1:$A1_PORT" "$AGENT_HOSTKEY.pub" stopped
reg_write sb_closed "127.0.0.1:$CLOSED_PORT" "$AGENT_HOSTKEY.pub" running

echo "serial: 7" >"$T/revoked"
RELAY_PORT=$(pick_port)
RELAY_LOG=$T/relay.log
NS_LOGS+=("$RELAY_LOG")
spawn "$RELAY_LOG" "$NULLSPACE" relay --listen "127.0.0.1:$RELAY_PORT" \
	--host-key "$T/relay_host" --ca-keys "$T/ca.pub" --revoked "$T/revoked" \
	--registry "$REG" --client-key "$T/relay_client"
RELAY_PID=$SPAWNED
wait_listen "nullspace relay" "$RELAY_PID" "$RELAY_PORT"
# the pinned known_hosts: only the relay's host key
known_hosts_line "$RELAY_PORT" "$T/relay_host.pub" >"$T/known_hosts"

relay_alive()
{
	kill -0 "$RELAY_PID" 2>/dev/null || {
		wait "$RELAY_PID"
		die "nullspace relay (pid $RELAY_PID) died (status $?)"
	}
}

# sign NAME CA [ssh-keygen -s options...]: $T/NAME-cert.pub for the user key.
sign()
{
	local name=$1 ca=$2
	shift 2
	cp "$T/user.pub" "$T/$name.pub"
	ssh-keygen -q -s "$ca" -I "key-$name" "$@" "$T/$name.pub" </dev/null >/dev/null 2>&1 ||
		die "ssh-keygen -s failed for $name"
}
sign good "$T/ca" -n sb_test -V -5m:+1h -z 100
sign two "$T/ca" -n sb_two -V -5m:+1h -z 101
sign misc "$T/ca" -n sb_nope,sb_stopped,sb_closed -V -5m:+1h -z 102
sign hup "$T/ca" -n sb_test -V -5m:+1h -z 200

R=("${SSH[@]}" -i "$T/user" -p "$RELAY_PORT")
# rs CERT USER ARGS...: ssh through the relay with $T/CERT-cert.pub.
rs()
{
	local cert=$1 user=$2
	shift 2
	timeout -k 5 120 "${R[@]}" -o "CertificateFile=$T/$cert-cert.pub" "$user@127.0.0.1" "$@"
}
# nc_relay CERT ARGS...: nullspace connect through the relay.
nc_relay()
{
	local cert=$1
	shift
	ns_connect -c "$T/$cert-cert.pub" -i "$T/user" -k "$T/known_hosts" -p "$RELAY_PORT" "$@"
}

# still_serving WHY: a good login right after something was refused.
still_serving()
{
	local out
	relay_alive
	out=$(rs good sb_test -- ": $MARK; echo alive" </dev/null 2>"$T/alive.err")
	assert_eq "relay still serves a good login after: $1" "alive" "$out"
}

# ---- sessions ----------------------------------------------------------------

rs good sb_test -- 'exit 42' </dev/null 2>"$T/exit42.err"
assert_eq "ssh through the relay: 'exit 42' gives 42" 42 $?
rs good sb_test -- 'true' </dev/null
assert_eq "ssh through the relay: 'true' gives 0" 0 $?

rs good sb_test -- ": $MARK; "'printf "out one\n"; printf "err one\n" >&2; printf "out two"; printf "err two" >&2; exit 3' \
	</dev/null >"$T/s.out" 2>"$T/s.err"
assert_eq "exit code with output on both streams" 3 $?
assert_eq "stdout carries exactly the remote stdout" "$(printf 'out one\nout two' | od -c)" "$(od -c <"$T/s.out")"
assert_eq "stderr carries exactly the remote stderr" "$(printf 'err one\nerr two' | od -c)" "$(od -c <"$T/s.err")"

out=$(printf 'round\ntrip\0 bytes' | rs good sb_test -- "cat; : $MARK" | od -c)
assert_eq "stdin round-trips through relay and agent" "$(printf 'round\ntrip\0 bytes' | od -c)" "$out"

head -c 100M /dev/urandom >"$T/blob"
head -c 100M /dev/urandom >"$T/blob2"
want=$(sha256sum <"$T/blob" | cut -d' ' -f1)
want2=$(sha256sum <"$T/blob2" | cut -d' ' -f1)
got=$(rs good sb_test -- 'sha256sum' <"$T/blob" | cut -d' ' -f1)
assert_eq "100 MiB up through stdin arrive intact" "$want" "$got"
rs good sb_test -- "cat '$T/blob' & cat '$T/blob2' >&2; wait" </dev/null \
	> >(sha256sum | cut -d' ' -f1 >"$T/down.sum") 2> >(sha256sum | cut -d' ' -f1 >"$T/down2.sum")
rc=$?
for i in $(seq 100); do
	[ -s "$T/down.sum" ] && [ -s "$T/down2.sum" ] && break
	sleep 0.1
done
assert_eq "100 MiB down on stdout and 100 MiB on stderr at once: exit 0" 0 "$rc"
assert_eq "100 MiB down on stdout arrive intact" "$want" "$(cat "$T/down.sum")"
assert_eq "100 MiB down on stderr arrive intact, apart from stdout" "$want2" "$(cat "$T/down2.sum")"
rm -f "$T/blob" "$T/blob2"

# PTY: ssh -tt sends its terminal's size
pty_run 40 100 "${R[@]}" -o "CertificateFile=$T/good-cert.pub" -tt sb_test@127.0.0.1 \
	"stty size; tty; : $MARK" >"$T/pty.out"
size=$(grep -oE '[0-9]+ [0-9]+$' "$T/pty.out" | head -n 1)
assert_eq "ssh -tt: remote 'stty size' reports the local 40x100" "40 100" "$size"
assert_contains "ssh -tt: remote command runs on a tty" "/dev/pts/" "$T/pty.out"
out=$(rs good sb_test -T -- 'tty' </dev/null)
assert_eq "ssh -T: no tty" "not a tty" "$out"

# PTY resize: a pty of our own (python3), resized once the remote is ready;
# ssh gets SIGWINCH and sends window-change, the remote shell traps WINCH.
if command -v python3 >/dev/null; then
	cat >"$T/resize.py" <<'EOF'
import fcntl, os, pty, select, signal, struct, sys, termios, time
def size(fd, r, c):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", r, c, 0, 0))
pid, fd = pty.fork()
if pid == 0:
    size(0, 40, 100)
    os.execvp(sys.argv[1], sys.argv[1:])
buf, resized, end = b"", False, time.time() + 30
while time.time() < end and b"50 120" not in buf:
    if select.select([fd], [], [], 0.2)[0]:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        buf += data
    if not resized and b"ready" in buf:
        size(fd, 50, 120)
        resized = True
os.kill(pid, signal.SIGTERM)
os.waitpid(pid, 0)
sys.stdout.write(buf.decode("utf-8", "replace").replace("\r", ""))
EOF
	timeout -k 5 60 python3 "$T/resize.py" "${R[@]}" -o "CertificateFile=$T/good-cert.pub" -tt \
		sb_test@127.0.0.1 \
		"trap 'stty size' WINCH; stty size; echo ready; : $MARK; while :; do sleep 0.1; done" \
		>"$T/resize.out" 2>&1
	assert_contains "PTY: initial size 40x100" "40 100" "$T/resize.out"
	assert_contains "PTY: a resize to 50x120 reaches the remote process" "50 120" "$T/resize.out"
else
	echo "note: python3 missing, PTY resize check not run"
fi

# signals
rs good sb_test -- 'kill -TERM $$' </dev/null 2>"$T/sig.err"
assert_eq "remote shell killed by SIGTERM: ssh exits 255" 255 $?
nc_relay good sb_test@127.0.0.1 -- 'kill -TERM $$' </dev/null 2>"$T/sig2.err"
assert_eq "remote shell killed by SIGTERM: nullspace connect -c exits 143" 143 $?
nc_relay good sb_test@127.0.0.1 -- 'kill -KILL $$' </dev/null 2>"$T/sig3.err"
assert_eq "remote shell killed by SIGKILL: nullspace connect -c exits 137" 137 $?

# nullspace connect -c through the relay
nc_relay good sb_test@127.0.0.1 'exit 42' </dev/null 2>"$T/nc42.err"
assert_eq "nullspace connect -c CERT through the relay: exit 42" 42 $?
out=$(nc_relay good sb_test@127.0.0.1 -- "echo native; : $MARK" </dev/null 2>"$T/nc.err")
assert_eq "nullspace connect -c: output" "native" "$out"

# three channels at once on one ControlMaster connection
spawn "$T/master.log" "${R[@]}" -o "CertificateFile=$T/good-cert.pub" -o ControlMaster=yes \
	-o "ControlPath=$T/cm" -N sb_test@127.0.0.1
master=$SPAWNED
for i in $(seq 100); do
	[ -S "$T/cm" ] && break
	kill -0 "$master" 2>/dev/null || fail "ssh master exited: $(cat "$T/master.log")"
	sleep 0.1
done
[ -S "$T/cm" ] || fail "ssh master did not create its control socket"
M=(ssh -F /dev/null -o BatchMode=yes -o ControlMaster=no -o "ControlPath=$T/cm" -p "$RELAY_PORT")
for i in 1 2 3; do
	timeout 60 "${M[@]}" sb_test@127.0.0.1 "sleep 1; echo chan $i; exit $((i + 10))" \
		</dev/null >"$T/mux.$i.out" 2>&1 &
	mpids[i]=$!
done
for i in 1 2 3; do
	wait "${mpids[i]}"
	rc=$?
	[ "$rc" = $((i + 10)) ] || fail "multiplexed session $i exited $rc: $(cat "$T/mux.$i.out")"
	[ "$(cat "$T/mux.$i.out")" = "chan $i" ] || fail "multiplexed session $i output: $(cat "$T/mux.$i.out")"
done
ok "3 concurrent channels on one ControlMaster connection: own output and exit status each"
timeout 10 "${M[@]}" -O exit sb_test@127.0.0.1 2>/dev/null
for i in $(seq 50); do
	kill -0 "$master" 2>/dev/null || break
	sleep 0.1
done

# ---- certificate policy through the relay -------------------------------------

# force-command replaces the command (exec and shell alike)
sign forced "$T/ca" -n sb_test -V -5m:+1h -z 300 -O force-command='echo forced; exit 6'
out=$(rs forced sb_test -- 'echo asked' </dev/null 2>"$T/forced.err")
assert_eq "force-command through the relay: its exit status" 6 "$?"
assert_eq "force-command through the relay: it ran instead of the command" "forced" "$out"
# without permit-pty the PTY request is refused (ssh -tt then reports it), with it granted
sign nopty "$T/ca" -n sb_test -V -5m:+1h -z 301 -O no-pty
rs nopty sb_test -tt -- 'tty' </dev/null >"$T/nopty.out" 2>"$T/nopty.err"
assert_contains "no permit-pty: the PTY request is refused" "PTY allocation request failed" \
	"$T/nopty.err"
rs good sb_test -tt -- 'tty' </dev/null >"$T/pty.out" 2>"$T/pty.err"
assert_contains "permit-pty: the command runs on a tty" "/dev/pts/" "$T/pty.out"

# ---- refusals ------------------------------------------------------------------

# refused NAME CERT USER NEEDLE LOGGED [ssh options...]: ssh exits 255, the
# command does not run, NEEDLE is on ssh's stderr, LOGGED (if not empty) in
# the relay log, and the relay still serves.
refused()
{
	local name=$1 cert=$2 user=$3 needle=$4 logged=$5 out rc
	shift 5
	if [ -n "$cert" ]; then
		set -- -o "CertificateFile=$T/$cert-cert.pub" "$@"
	fi
	out=$(timeout -k 5 60 "${R[@]}" "$@" "$user@127.0.0.1" "echo SHOULD-NOT-RUN; : $MARK" \
		</dev/null 2>"$T/$name.err")
	rc=$?
	assert_eq "$name: ssh exits 255" 255 "$rc"
	assert_eq "$name: command did not run" "" "$out"
	assert_contains "$name: message on ssh's stderr" "$needle" "$T/$name.err"
	if [ -n "$logged" ]; then
		assert_contains "$name: reason in the relay log" "$logged" "$RELAY_LOG"
	fi
	still_serving "$name"
}

sign expired "$T/ca" -n sb_test -V 20200101:20200102 -z 11
sign othersb "$T/ca" -n sb_other -V -5m:+1h -z 12
sign otherca "$T/other_ca" -n sb_test -V -5m:+1h -z 13
sign revoked "$T/ca" -n sb_test -V -5m:+1h -z 7

# Certificate refusals: the user must see why (the word below), not only
# OpenSSH's generic "Permission denied (publickey)".
refused expired expired sb_test "expired" "reason=expired"
refused othersb othersb sb_test "principal" "reason=wrong-principal"
refused otherca otherca sb_test "trusted" "reason=untrusted-ca"
refused revoked revoked sb_test "revoked" "reason=revoked-serial"
# A login name that is no principal names the certificate's only sandbox
# (`ssh sb_x` through `nullspace ssh-config` logs in as the local user), but
# never with several principals, and never for a name shaped like an id.
out=$(timeout -k 5 60 "${R[@]}" -o "CertificateFile=$T/good-cert.pub" alice@127.0.0.1 \
	'echo via-alias' </dev/null 2>"$T/alias.err")
assert_eq "a login name that is no principal: the certificate's one sandbox" "via-alias" "$out"
assert_contains "... logged with the login name" "result=accepted user=sb_test key=" "$RELAY_LOG"
assert_contains "... login=alice" "login=alice" "$RELAY_LOG"
refused aliasmany misc alice "principal" "reason=wrong-principal"
refused aliasid good sb_tset "principal" "reason=wrong-principal"
refused plainkey "" sb_test "certificate" "reason=not-a-certificate"
# Password and keyboard-interactive are never offered: publickey is the only method listed.
refused password "" sb_test "Permission denied (publickey)." "" \
	-o PreferredAuthentications=password
refused kbdint "" sb_test "Permission denied (publickey)." "" \
	-o PreferredAuthentications=keyboard-interactive
refused unknown misc sb_nope "sandbox sb_nope not found" "reason=sandbox-not-found"
refused stopped misc sb_stopped "sandbox sb_stopped is stopped" "reason=sandbox-stopped"
refused unreachable misc sb_closed "sandbox sb_closed is unreachable" "event=agent-unreachable"

# sftp and subsystems
rs good sb_test -s sftp </dev/null >/dev/null 2>"$T/sftp.err"
rc=$?
[ "$rc" -ne 0 ] || fail "ssh -s sftp through the relay succeeded"
ok "ssh -s sftp fails (exit $rc)"
assert_contains "ssh -s sftp shows the refusal" \
	'SFTP and SSH subsystems are not supported; copy files with `scp -O`, `rsync` or the Files API (`nullspace sandbox files`)' "$T/sftp.err"
timeout 60 sftp -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes \
	-o "UserKnownHostsFile=$T/known_hosts" -o IdentitiesOnly=yes -i "$T/user" \
	-o "CertificateFile=$T/good-cert.pub" -P "$RELAY_PORT" -b - sb_test@127.0.0.1 \
	</dev/null >/dev/null 2>"$T/sftp2.err"
rc=$?
[ "$rc" -ne 0 ] || fail "sftp through the relay succeeded"
ok "sftp fails (exit $rc)"
assert_contains "sftp shows the refusal" "SFTP and SSH subsystems are not supported" "$T/sftp2.err"
assert_contains "the relay logs the refused subsystem and why" \
	"subsystem=sftp reason=subsystems-not-supported" "$RELAY_LOG"
still_serving "sftp"

# port forwarding: -W opens a direct-tcpip channel, -R asks for tcpip-forward
# (forward.sh: allowed with permit-port-forwarding), refused without it
sign nofwd "$T/ca" -n sb_test -V -5m:+1h -z 302 -O no-port-forwarding
rs nofwd sb_test -W 127.0.0.1:22 </dev/null >/dev/null 2>"$T/fwd_w.err"
assert_eq "ssh -W (direct-tcpip) without permit-port-forwarding: ssh exits 255" 255 $?
assert_contains "ssh -W: refusal shown" "port forwarding is not permitted by this certificate" \
	"$T/fwd_w.err"
assert_contains "ssh -W: refusal logged" "event=forward-refused" "$RELAY_LOG"
timeout -k 5 30 "${R[@]}" -o "CertificateFile=$T/nofwd-cert.pub" -o ExitOnForwardFailure=yes \
	-N -R 0:127.0.0.1:9 sb_test@127.0.0.1 </dev/null >/dev/null 2>"$T/fwd_r.err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] ||
	fail "ssh -R with ExitOnForwardFailure: exit $rc (0: accepted, 124: hung)"
ok "ssh -R with ExitOnForwardFailure exits $rc"
assert_contains "ssh -R: refusal shown" "remote port forwarding failed" "$T/fwd_r.err"
still_serving "forwarding"

# ---- SIGHUP: a new revocation without dropping an open session -----------------

out=$(rs hup sb_test -- "echo hup-before; : $MARK" </dev/null 2>"$T/hup0.err")
assert_eq "certificate serial 200 accepted before the reload" "hup-before" "$out"
rs good sb_test -- "echo started; sleep 4; echo survived; exit 3" </dev/null \
	>"$T/open.out" 2>"$T/open.err" &
open_pid=$!
for i in $(seq 100); do
	grep -q started "$T/open.out" 2>/dev/null && break
	sleep 0.1
done
assert_contains "a session is open before SIGHUP" "started" "$T/open.out"
printf 'serial: 7\nserial: 200\n' >"$T/revoked.new" && mv -f "$T/revoked.new" "$T/revoked"
kill -HUP "$RELAY_PID"
sleep 0.5
relay_alive
refused hup_revoked hup sb_test "revoked" "serial=200 reason=revoked-serial"
wait "$open_pid"
assert_eq "the session open across SIGHUP ends normally: exit 3" 3 $?
assert_eq "the session open across SIGHUP: complete output" "$(printf 'started\nsurvived')" \
	"$(cat "$T/open.out")"

# ---- a killed agent ends its own sessions only ----------------------------------

# descendants PID: every process below PID.
descendants()
{
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}
rs good sb_test -- "echo started; sleep 30; : $MARK" </dev/null >"$T/lost.out" 2>"$T/lost.err" &
lost_pid=$!
rs two sb_two -- "echo started; sleep 3; echo two-done; exit 5" </dev/null \
	>"$T/two.out" 2>"$T/two.err" &
two_pid=$!
for i in $(seq 100); do
	grep -q started "$T/lost.out" 2>/dev/null && grep -q started "$T/two.out" 2>/dev/null && break
	sleep 0.1
done
assert_contains "session on sb_test open" "started" "$T/lost.out"
assert_contains "session on sb_two open" "started" "$T/two.out"
kids=$(descendants "$A1_PID")
kill -KILL "$A1_PID"
wait "$A1_PID" 2>/dev/null
[ -n "$kids" ] && kill -KILL $kids 2>/dev/null
t0=$(date +%s)
wait "$lost_pid"
rc=$?
took=$(($(date +%s) - t0))
assert_eq "agent killed: the sb_test session ends with 255" 255 "$rc"
[ "$took" -le 10 ] || fail "agent killed: the session took ${took}s to end"
ok "agent killed: the session ended within ${took}s"
assert_contains "agent killed: the user is told" "connection to sandbox sb_test lost" "$T/lost.err"
wait "$two_pid"
assert_eq "agent of sb_test killed: the sb_two session ends normally (exit 5)" 5 $?
assert_eq "agent of sb_test killed: sb_two output complete" "$(printf 'started\ntwo-done')" \
	"$(cat "$T/two.out")"
out=$(rs two sb_two -- "echo two-new" </dev/null 2>"$T/two2.err")
assert_eq "agent of sb_test killed: a new login to sb_two works" "two-new" "$out"
rs good sb_test -- "echo SHOULD-NOT-RUN" </dev/null >/dev/null 2>"$T/dead.err"
assert_eq "agent of sb_test dead: a new login gets 255" 255 $?
assert_contains "agent of sb_test dead: unreachable" "sandbox sb_test is unreachable" "$T/dead.err"
relay_alive

# ---- the log: events, and nothing secret -----------------------------------------

assert_contains "relay logs structured events" "relay event=" "$RELAY_LOG"
for c in good hup expired revoked; do
	read -r _ body _ <"$T/$c-cert.pub"
	assert_not_contains "relay log: no certificate ($c) base64" "$body" "$RELAY_LOG"
	assert_not_contains "relay log: no certificate ($c) base64 prefix" "${body:0:40}" "$RELAY_LOG"
done
assert_not_contains "relay log: no private key" "PRIVATE KEY" "$RELAY_LOG"
# the key file's base64 lines after the first (a header common to all keys)
grep -v -- '-----' "$T/relay_client" | tail -n +2 | cut -c1-40 >"$T/priv_lines"
while read -r l; do
	grep -qF -- "$l" "$RELAY_LOG" && fail "relay log holds client private key material: $l"
done <"$T/priv_lines"
ok "relay log: no client private key material ($(wc -l <"$T/priv_lines") lines checked)"
assert_not_contains "relay log: no command text" "$MARK" "$RELAY_LOG"

relay_alive
pass
