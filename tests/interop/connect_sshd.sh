#!/usr/bin/env bash
# `nullspace connect` against a real OpenSSH sshd: exit codes and signals,
# stdout/stderr kept apart, 100 MiB each way intact, PTY window size,
# host-key pinning (unknown and changed keys refused), keys from both
# nullspace keygen and ssh-keygen.
. "$(dirname "$0")/lib.sh"

need_root
need_nullspace
start_sshd

ns_keygen "$T/id_ns"
ssh_keygen "$T/id_openssh"
ssh_keygen "$T/id_stranger"
cat "$T/id_ns.pub" "$T/id_openssh.pub" >>"$SSHD_AUTH"
known_hosts_line "$SSHD_PORT" "$SSHD_HOSTKEY.pub" >"$T/known_hosts"

C=(-p "$SSHD_PORT" -k "$T/known_hosts")
U=root@127.0.0.1

# --- exit status ---
ns_connect "${C[@]}" -i "$T/id_ns" "$U" -- 'exit 7' </dev/null
assert_eq "remote 'exit 7' gives exit code 7" 7 $?
ns_connect "${C[@]}" -i "$T/id_ns" "$U" -- 'true' </dev/null
assert_eq "remote 'true' gives exit code 0" 0 $?
ns_connect "${C[@]}" -i "$T/id_ns" "$U" -- 'kill -TERM $$' </dev/null
assert_eq "remote shell killed by SIGTERM gives 128+15" 143 $?

# --- stdout and stderr separated, byte for byte, last output not lost ---
ns_connect "${C[@]}" -i "$T/id_ns" "$U" -- \
	'printf "out one\n"; printf "err one\n" >&2; printf "out two"; printf "err two" >&2; exit 3' \
	</dev/null >"$T/s.out" 2>"$T/s.err"
assert_eq "exit code with output on both streams" 3 $?
assert_eq "stdout carries exactly the remote stdout" "$(printf 'out one\nout two' | od -c)" "$(od -c <"$T/s.out")"
assert_eq "stderr carries exactly the remote stderr" "$(printf 'err one\nerr two' | od -c)" "$(od -c <"$T/s.err")"

# --- remote command gets its arguments as one command line ---
out=$(ns_connect "${C[@]}" -i "$T/id_ns" "$U" -- echo a '  ' b </dev/null)
assert_eq "command words joined by spaces like ssh" "a b" "$out"

# --- 100 MiB in and out ---
head -c 100M /dev/urandom >"$T/blob"
want=$(sha256sum <"$T/blob" | cut -d' ' -f1)
got=$(ns_connect "${C[@]}" -i "$T/id_ns" "$U" -- 'sha256sum' <"$T/blob" | cut -d' ' -f1)
assert_eq "100 MiB uploaded through stdin arrive intact" "$want" "$got"
got=$(ns_connect "${C[@]}" -i "$T/id_ns" "$U" -- "cat $T/blob" </dev/null | sha256sum | cut -d' ' -f1)
assert_eq "100 MiB downloaded through stdout arrive intact" "$want" "$got"
rm -f "$T/blob"

# --- PTY: the window size comes from the local terminal ---
pty_run 40 100 "$NULLSPACE" connect -t "${C[@]}" -i "$T/id_ns" "$U" -- 'stty size; tty' >"$T/pty.out"
size=$(grep -oE '[0-9]+ [0-9]+$' "$T/pty.out" | tail -n 1)
assert_eq "-t: remote 'stty size' reports the local 40x100" "40 100" "$size"
assert_contains "-t: remote command runs on a tty" "/dev/pts/" "$T/pty.out"
out=$(ns_connect "${C[@]}" -T -i "$T/id_ns" "$U" -- 'tty' </dev/null)
assert_eq "-T: no tty" "not a tty" "$out"

# --- an ssh-keygen key works with -i; a key not authorized does not ---
out=$(ns_connect "${C[@]}" -i "$T/id_openssh" "$U" -- 'echo via-openssh-key' </dev/null)
assert_eq "-i with a key made by ssh-keygen" "via-openssh-key" "$out"
grep -q "Accepted publickey for root.*ED25519 $(ssh-keygen -lf "$T/id_openssh.pub" | cut -d' ' -f2)" "$SSHD_LOG" ||
	fail "sshd log does not show the ssh-keygen key accepted"
ok "sshd accepted the ssh-keygen key (fingerprint in its log)"
ns_connect "${C[@]}" -i "$T/id_stranger" "$U" -- "touch $T/ran_stranger" </dev/null 2>"$T/stranger.err"
assert_eq "an unauthorized key is refused with 255" 255 $?
[ ! -e "$T/ran_stranger" ] || fail "command ran with an unauthorized key"
ok "no command ran with the unauthorized key"

# --- host key pinning ---
: >"$T/known_empty"
ns_connect -p "$SSHD_PORT" -k "$T/known_empty" -i "$T/id_ns" "$U" -- "touch $T/ran_unknown" \
	</dev/null 2>"$T/unknown.err"
assert_eq "unknown host key: exit 255" 255 $?
assert_contains "unknown host key: the message names the host" "127.0.0.1" "$T/unknown.err"
[ ! -e "$T/ran_unknown" ] || fail "command ran although the host key is unknown"
ok "unknown host key: no command ran"
[ ! -s "$T/known_empty" ] || fail "unknown host key was added to known_hosts"
ok "unknown host key: known_hosts left alone"

ssh_keygen "$T/other_host"
known_hosts_line "$SSHD_PORT" "$T/other_host.pub" >"$T/known_changed"
ns_connect -p "$SSHD_PORT" -k "$T/known_changed" -i "$T/id_ns" "$U" -- "touch $T/ran_changed" \
	</dev/null 2>"$T/changed.err"
assert_eq "changed host key: exit 255" 255 $?
assert_contains "changed host key: the message names the host" "127.0.0.1" "$T/changed.err"
[ ! -e "$T/ran_changed" ] || fail "command ran although the host key changed"
ok "changed host key: no command ran"

# The pinned entry for another port must not vouch for this one.
known_hosts_line "$((SSHD_PORT + 1))" "$SSHD_HOSTKEY.pub" >"$T/known_otherport"
ns_connect -p "$SSHD_PORT" -k "$T/known_otherport" -i "$T/id_ns" "$U" -- true </dev/null 2>/dev/null
assert_eq "a key pinned for another port does not count" 255 $?

pass
