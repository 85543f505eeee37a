#!/usr/bin/env bash
# OpenSSH's ssh against `nullspace agent`: negotiated algorithms (sntrup761x25519,
# chacha20-poly1305, strict kex), exit codes and signals, stdout/stderr kept
# apart, 100 MiB each way intact, PTY window size, keys from nullspace keygen,
# garbage from a client, SFTP refused, concurrent sessions and connections,
# several channels on one connection, and no zombie children afterwards.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
need_nullspace
start_agent

ns_keygen "$T/id_ns"
cat "$T/id_ns.pub" >>"$AGENT_AUTH"
known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"

S=("${SSH[@]}" -p "$AGENT_PORT" -i "$T/id_ns")
U=root@127.0.0.1

# --- our keygen's private key is a valid openssh-key-v1 file ---
read -r _ want_blob _ <"$T/id_ns.pub"
ssh-keygen -y -f "$T/id_ns" >"$T/id_ns.derived" 2>"$T/keygen_y.err" ||
	fail "ssh-keygen -y rejects the private key written by nullspace keygen: $(cat "$T/keygen_y.err")"
read -r _ got_blob _ <"$T/id_ns.derived"
assert_eq "ssh-keygen -y derives the same public key as our .pub" "$want_blob" "$got_blob"
perm=$(stat -c %a "$T/id_ns")
assert_eq "private key file mode" 600 "$perm"

# --- negotiated algorithms, as ssh -vvv reports them ---
timeout 60 "${S[@]}" -vvv "$U" 'echo hello' </dev/null >"$T/v.out" 2>"$T/v.err"
assert_eq "ssh -vvv login and exec" 0 $?
assert_eq "ssh -vvv output" hello "$(cat "$T/v.out")"
assert_contains "kex is sntrup761x25519-sha512 (our hybrid first; ssh 9.2 has no mlkem768)" \
	"kex: algorithm: sntrup761x25519-sha512" "$T/v.err"
assert_contains "host key is ed25519" "kex: host key algorithm: ssh-ed25519" "$T/v.err"
assert_contains "server->client cipher" "kex: server->client cipher: chacha20-poly1305@openssh.com" "$T/v.err"
assert_contains "client->server cipher" "kex: client->server cipher: chacha20-poly1305@openssh.com" "$T/v.err"
assert_contains "strict kex (Terrapin fix) negotiated" "will use strict KEX ordering" "$T/v.err"
assert_contains "server-sig-algs sent (ext-info)" "server-sig-algs=<" "$T/v.err"
assert_contains "authenticated with our ed25519 key" "Authenticated to 127.0.0.1" "$T/v.err"

# --- exit status ---
timeout 60 "${S[@]}" "$U" 'exit 7' </dev/null
assert_eq "remote 'exit 7' gives ssh exit code 7" 7 $?
timeout 60 "${S[@]}" "$U" 'true' </dev/null
assert_eq "remote 'true' gives 0" 0 $?
timeout 60 "${S[@]}" "$U" 'kill -TERM $$' </dev/null 2>"$T/sig.err"
assert_eq "remote shell killed by SIGTERM: ssh exits 255" 255 $?
ns_connect -p "$AGENT_PORT" -k "$T/known_hosts" -i "$T/id_ns" "$U" -- 'kill -TERM $$' </dev/null
assert_eq "remote shell killed by SIGTERM: nullspace connect exits 143" 143 $?
ns_connect -p "$AGENT_PORT" -k "$T/known_hosts" -i "$T/id_ns" "$U" -- 'exit 9' </dev/null
assert_eq "nullspace connect -> agent: exit 9" 9 $?

# --- stdout and stderr separated, byte for byte ---
timeout 60 "${S[@]}" "$U" \
	'printf "out one\n"; printf "err one\n" >&2; printf "out two"; printf "err two" >&2; exit 3' \
	</dev/null >"$T/s.out" 2>"$T/s.err"
assert_eq "exit code with output on both streams" 3 $?
assert_eq "stdout carries exactly the remote stdout" "$(printf 'out one\nout two' | od -c)" "$(od -c <"$T/s.out")"
assert_eq "stderr carries exactly the remote stderr" "$(printf 'err one\nerr two' | od -c)" "$(od -c <"$T/s.err")"

# --- 100 MiB in and out ---
head -c 100M /dev/urandom >"$T/blob"
want=$(sha256sum <"$T/blob" | cut -d' ' -f1)
got=$(timeout 300 "${S[@]}" "$U" 'sha256sum' <"$T/blob" | cut -d' ' -f1)
assert_eq "100 MiB uploaded through stdin arrive intact" "$want" "$got"
got=$(timeout 300 "${S[@]}" "$U" "cat $T/blob" </dev/null | sha256sum | cut -d' ' -f1)
assert_eq "100 MiB downloaded through stdout arrive intact" "$want" "$got"
rm -f "$T/blob"

# --- PTY: ssh -tt sends the size of its terminal ---
pty_run 40 100 "${S[@]}" -tt "$U" 'stty size; tty' >"$T/pty.out"
size=$(grep -oE '[0-9]+ [0-9]+$' "$T/pty.out" | tail -n 1)
assert_eq "ssh -tt: remote 'stty size' reports the local 40x100" "40 100" "$size"
assert_contains "ssh -tt: remote command runs on a tty" "/dev/pts/" "$T/pty.out"
out=$(timeout 60 "${S[@]}" -T "$U" 'tty' </dev/null)
assert_eq "ssh -T: no tty" "not a tty" "$out"

# --- garbage from one client does not hurt the agent ---
head -c 5000 /dev/urandom >"$T/garbage"
timeout 5 bash -c "cat '$T/garbage' >/dev/tcp/127.0.0.1/$AGENT_PORT" 2>/dev/null
sleep 0.5
agent_alive
ok "agent alive after 5000 random bytes"
out=$(timeout 60 "${S[@]}" "$U" 'echo still serving' </dev/null)
assert_eq "ssh works after the garbage client" "still serving" "$out"

# --- SFTP and subsystems refused with a clear message ---
timeout 60 "${S[@]}" -s "$U" sftp </dev/null >/dev/null 2>"$T/sftp.err"
rc=$?
[ "$rc" -ne 0 ] || fail "ssh -s sftp succeeded"
ok "ssh -s sftp fails (exit $rc)"
assert_contains "ssh -s sftp shows the refusal" "SFTP and SSH subsystems are not supported" "$T/sftp.err"
timeout 60 sftp -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes \
	-o "UserKnownHostsFile=$T/known_hosts" -o IdentitiesOnly=yes -i "$T/id_ns" \
	-P "$AGENT_PORT" -b - "$U" </dev/null >/dev/null 2>"$T/sftp2.err"
rc=$?
[ "$rc" -ne 0 ] || fail "sftp succeeded"
ok "sftp fails (exit $rc)"
assert_contains "sftp shows the refusal" "SFTP and SSH subsystems are not supported" "$T/sftp2.err"
assert_contains "the agent logs the refused subsystem and why" \
	"subsystem=sftp reason=subsystems-not-supported" "$AGENT_LOG"

# --- 10 connections at once, each with its own exit status ---
for i in $(seq 1 10); do
	timeout 120 "${S[@]}" "$U" "echo start $i; sleep 1; echo end $i; exit $((i + 20))" \
		</dev/null >"$T/par.$i.out" 2>"$T/par.$i.err" &
	pids[i]=$!
done
for i in $(seq 1 10); do
	wait "${pids[i]}"
	rc=$?
	[ "$rc" = $((i + 20)) ] || fail "parallel ssh #$i exited $rc, expected $((i + 20)): $(cat "$T/par.$i.err")"
	[ "$(cat "$T/par.$i.out")" = "$(printf 'start %s\nend %s' "$i" "$i")" ] ||
		fail "parallel ssh #$i output: $(cat "$T/par.$i.out")"
done
ok "10 parallel ssh sessions: each its own output and exit status"

# --- several channels on one connection (OpenSSH multiplexing) ---
spawn "$T/master.log" "${S[@]}" -o ControlMaster=yes -o "ControlPath=$T/cm" -N "$U"
master=$SPAWNED
for i in $(seq 50); do
	[ -S "$T/cm" ] && break
	kill -0 "$master" 2>/dev/null || fail "ssh master exited: $(cat "$T/master.log")"
	sleep 0.1
done
[ -S "$T/cm" ] || fail "ssh master did not create its control socket"
M=(ssh -F /dev/null -o BatchMode=yes -o ControlMaster=no -o "ControlPath=$T/cm" -p "$AGENT_PORT")
for i in 1 2 3; do
	timeout 60 "${M[@]}" "$U" "sleep 1; echo chan $i; exit $i" </dev/null >"$T/mux.$i.out" 2>&1 &
	mpids[i]=$!
done
for i in 1 2 3; do
	wait "${mpids[i]}"
	rc=$?
	[ "$rc" = "$i" ] || fail "multiplexed session $i exited $rc: $(cat "$T/mux.$i.out")"
	[ "$(cat "$T/mux.$i.out")" = "chan $i" ] || fail "multiplexed session $i output: $(cat "$T/mux.$i.out")"
done
ok "3 concurrent channels on one connection: own output and exit status each"
timeout 10 "${M[@]}" -O exit "$U" 2>/dev/null
for i in $(seq 50); do
	kill -0 "$master" 2>/dev/null || break
	sleep 0.1
done

# --- no zombies (nor stray children) left under the agent ---
agent_alive
children()
{
	local st
	for st in /proc/[0-9]*/stat; do
		# field 4 is the ppid, field 3 the state (comm may hold spaces)
		awk -v p="$AGENT_PID" '{ sub(/^.*\) /, ""); if ($2 == p) print $1 }' "$st" 2>/dev/null
	done
}
for i in $(seq 50); do
	left=$(children | tr -d '\n')
	[ -z "$left" ] && break
	sleep 0.1
done
case $left in
*Z*) fail "zombie children under the agent after 5 s: states '$left'" ;;
?*) fail "children still running under the agent after 5 s: states '$left'" ;;
esac
ok "no zombie or stray children under the agent"

pass
