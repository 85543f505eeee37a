#!/usr/bin/env bash
# Resumable connections (issue 18) through `nullspace up`, stock OpenSSH with
# `nullspace proxy tcp://` as its ProxyCommand, and cut_fwd.py between the
# proxy and the relay (it drops every connection and refuses new ones until
# restored): an `ssh -tt` shell with a counter out and lines in survives a
# 10 s cut, every line once and in order, the same shell; 50 MiB each way at
# once across a cut, by sha256; a ControlMaster with three channels across a
# cut; past the grace time the session ends with a message on both sides;
# stolen, replayed and closed-connection tokens refused and logged, no token
# in the log; a plain ssh straight to the relay is unaffected, and one that
# waits for the relay's version line gets it at once.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace
HERE=$(cd "$(dirname "$0")" && pwd)
GRACE=20
start_up --resume-grace "$GRACE" --no-websocket
SB=$("$NULLSPACE" sandbox create --timeout 900) || die "sandbox create failed"
timeout -k 5 60 "$NULLSPACE" ssh "$SB" --no-resume -- true </dev/null 2>"$T/first.err" ||
	die "first nullspace ssh failed: $(cat "$T/first.err")"
KEY=$NULLSPACE_HOME/ssh/id_ed25519
CERT=$NULLSPACE_HOME/ssh/$SB-cert.pub
cp "$NULLSPACE_HOME/ssh/known_hosts" "$T/known_hosts"

FWD=$(pick_port)
spawn "$T/fwd.log" python3 "$HERE/cut_fwd.py" "$FWD" "$RELAY_PORT"
FWD_PID=$SPAWNED
wait_listen cut_fwd "$FWD_PID" "$FWD"
fwd_cut() { kill -USR1 "$FWD_PID"; }
fwd_restore() { kill -USR2 "$FWD_PID"; }
# a second one for the session that stays cut past the grace time, so that
# its wait overlaps the other cuts (the script stays well under 300 s)
FWD2=$(pick_port)
spawn "$T/fwd2.log" python3 "$HERE/cut_fwd.py" "$FWD2" "$RELAY_PORT"
FWD2_PID=$SPAWNED
wait_listen cut_fwd "$FWD2_PID" "$FWD2"
DEST=(-p "$RELAY_PORT" "$SB@127.0.0.1")
rssh()
{
	timeout -k 5 "${RSSH_TIMEOUT:-180}" "${SSH[@]}" -i "$KEY" -o CertificateFile="$CERT" \
		-o "ProxyCommand='$NULLSPACE' proxy tcp://127.0.0.1:${VIA:-$FWD}" "$@"
}

# ---- a plain ssh straight to the relay: unaffected ---------------------------
out=$(timeout -k 5 60 "${SSH[@]}" -i "$KEY" -o CertificateFile="$CERT" "${DEST[@]}" 'echo plain; exit 3' </dev/null 2>"$T/plain.err")
assert_eq "plain ssh to the relay: exit 3" 3 "$?"
assert_eq "plain ssh to the relay: output" plain "$out"
ok "a plain ssh client straight to the relay is served as before"
n0=$(grep -c "event=resume-new" "$UP_LOG")
out=$(timeout -k 5 60 "$NULLSPACE" ssh "$SB" -- 'echo via-ns-ssh; exit 4' </dev/null 2>"$T/ns.err")
assert_eq "nullspace ssh (resumable by default): exit 4" 4 "$?"
assert_eq "nullspace ssh (resumable by default): output" via-ns-ssh "$out"
assert_eq "nullspace ssh went through the resumable transport" $((n0 + 1)) "$(grep -c "event=resume-new" "$UP_LOG")"
timeout -k 5 60 "$NULLSPACE" ssh --no-resume "$SB" -- true </dev/null 2>"$T/nr.err"
assert_eq "nullspace ssh --no-resume: exit 0" 0 "$?"
assert_eq "nullspace ssh --no-resume: not resumable" $((n0 + 1)) "$(grep -c "event=resume-new" "$UP_LOG")"
ok "nullspace ssh is resumable by default, --no-resume connects straight"
# a client that waits for the server's version line first (libssh and
# others; RFC 4253 4.2 lets either side speak first) gets it at once: before
# it sends a single byte, within 0.4 s
line=$(python3 "$HERE/resume_client.py" "$RELAY_PORT" banner 2>&1)
[[ $line == SSH-2.0-* ]] || fail "a client that waits got no version line before sending: [$line]"
ok "a client that waits for the version line gets it at once, before it sends anything"
"$NULLSPACE" ssh-config >"$T/sshcfg" || die "ssh-config failed"
out=$(timeout -k 5 60 ssh -F "$T/sshcfg" -o BatchMode=yes "$SB" 'echo via-config' </dev/null 2>"$T/cfg.err")
assert_eq "ssh through the ssh-config block: output" via-config "$out"
assert_eq "the ssh-config block is resumable by default" $((n0 + 2)) "$(grep -c "event=resume-new" "$UP_LOG")"
"$NULLSPACE" ssh-config --no-resume >"$T/sshcfg2" || die "ssh-config --no-resume failed"
assert_contains "ssh-config --no-resume: the ProxyCommand says so" "--connect %n --no-resume" "$T/sshcfg2"
out=$(timeout -k 5 60 ssh -F "$T/sshcfg2" -o BatchMode=yes "$SB" 'echo via-config2' </dev/null 2>"$T/cfg2.err")
assert_eq "ssh through the --no-resume block: output" via-config2 "$out"
assert_eq "the --no-resume block connects straight" $((n0 + 2)) "$(grep -c "event=resume-new" "$UP_LOG")"
ok "ssh-config: resumable by default, --no-resume straight"

# ---- one 10 s cut under three sessions at once: an ssh -tt shell with a
# counter out and lines in, a ControlMaster with three channels, and (on the
# second forwarder, cut until past the grace time) a session that must end
feed()
{
	for i in $(seq 1 30); do
		echo "in$i"
		sleep 0.5
	done
	sleep 1
	echo quit
}
REMOTE='stty -echo; echo "pid=$$"; (i=0; while [ $i -lt 40 ]; do i=$((i+1)); echo "n=$i"; sleep 0.5; done) & while read l; do [ "$l" = quit ] && break; echo "got $l"; done; wait; echo "pid=$$"'
feed | rssh -tt "${DEST[@]}" "$REMOTE" >"$T/tt.out" 2>"$T/tt.err" &
TT=$!
CM=$T/cm.sock
rssh -o ControlMaster=yes -o ControlPath="$CM" -fN "${DEST[@]}" </dev/null 2>"$T/cm.err" ||
	die "ControlMaster did not start: $(cat "$T/cm.err")"
for i in 1 2 3; do
	timeout -k 5 90 "${SSH[@]}" -o ControlPath="$CM" -o ControlMaster=no "${DEST[@]}" \
		"for j in \$(seq 1 12); do echo ch$i-\$j; sleep 1; done; exit 1$i" </dev/null >"$T/ch$i.out" 2>&1 &
	eval "CH$i=\$!"
done
VIA=$FWD2 rssh "${DEST[@]}" 'echo started; sleep 120; echo never' </dev/null >"$T/g.out" 2>"$T/g.err" &
G=$!
for i in $(seq 100); do
	grep -q started "$T/g.out" 2>/dev/null && break
	sleep 0.1
done
sleep 3
fwd_cut
kill -USR1 "$FWD2_PID"
GRACE_CUT=$(date +%s)
sleep 10
fwd_restore
wait "$TT"
assert_eq "ssh -tt across the cut: exit 0" 0 "$?"
tr -d '\r' <"$T/tt.out" >"$T/tt.txt"
assert_eq "the counter: every line once, in order" "$(seq 1 40 | tr '\n' ' ')" \
	"$(sed -n 's/^n=\([0-9]*\)$/\1/p' "$T/tt.txt" | tr '\n' ' ')"
assert_eq "the lines typed: every one once, in order" "$(seq 1 30 | tr '\n' ' ')" \
	"$(sed -n 's/^got in\([0-9]*\)$/\1/p' "$T/tt.txt" | tr '\n' ' ')"
pids=$(sed -n 's/^pid=\([0-9]*\)$/\1/p' "$T/tt.txt" | sort -u | wc -l)
assert_eq "the same shell before and after (one pid, printed twice)" "1 2" \
	"$pids $(grep -c '^pid=' "$T/tt.txt")"
assert_contains "the proxy said it lost the connection" "connection to the relay lost" "$T/tt.err"
assert_contains "the proxy said it resumed" "nullspace proxy: resumed after" "$T/tt.err"
assert_contains "the relay logged the detach" "event=resume-detached" "$UP_LOG"
assert_contains "the relay logged the resume" "event=resume conn=" "$UP_LOG"
ok "ssh -tt across a 10 s cut: the same shell, 40 lines out and 30 in, none lost or twice"
for i in 1 2 3; do
	eval "wait \$CH$i"
	assert_eq "channel $i's exit" "1$i" "$?"
	assert_eq "channel $i's output" "$(seq 1 12 | sed "s/^/ch$i-/" | tr '\n' ' ')" \
		"$(tr '\n' ' ' <"$T/ch$i.out")"
done
"${SSH[@]}" -o ControlPath="$CM" -O exit "${DEST[@]}" 2>/dev/null
sleep 1
# one detach per session cut (the shell, the master, the one past its
# grace): a session that ended (ssh's SIGHUP to its ProxyCommand, -O exit)
# is closed at once, not held for the grace time
assert_eq "sessions that ended are not held for resuming" 3 "$(grep -c "event=resume-detached" "$UP_LOG")"
ok "three channels over one ControlMaster across the same 10 s cut"

# ---- 50 MiB each way at once, across a cut --------------------------------------
head -c $((50 * 1024 * 1024)) /dev/urandom >"$T/up.bin"
rssh "${DEST[@]}" 'exec 3<&0; sha256sum <&3 >&2 & head -c 52428800 /dev/urandom | tee d.bin; sha256sum d.bin >&2; rm -f d.bin; wait' \
	<"$T/up.bin" >"$T/down.out" 2>"$T/big.err" &
BIG=$!
for i in $(seq 100); do
	[ "$(stat -c %s "$T/down.out" 2>/dev/null || echo 0)" -gt 1000000 ] && break
	sleep 0.1
done
fwd_cut
sleep 10
fwd_restore
wait "$BIG"
assert_eq "50 MiB both ways across a cut: exit 0" 0 "$?"
assert_eq "50 MiB down: size" $((50 * 1024 * 1024)) "$(stat -c %s "$T/down.out")"
assert_contains "50 MiB up: sha256 equal" "$(sha256sum <"$T/up.bin" | cut -d' ' -f1)" "$T/big.err"
assert_contains "50 MiB down: sha256 equal" "$(sha256sum <"$T/down.out" | cut -d' ' -f1)  d.bin" "$T/big.err"
assert_contains "the transfer was cut and resumed" "resumed after" "$T/big.err"
rm -f "$T/up.bin" "$T/down.out"
ok "50 MiB each way at once across a 10 s cut, sha256 equal"

# ---- tokens: stolen, replayed, closed --------------------------------------------
RC=(python3 "$HERE/resume_client.py" "$RELAY_PORT")
A=$("${RC[@]}" new) || die "resume_client new failed"
B=$("${RC[@]}" new) || die "resume_client new failed"
AID=$(echo "$A" | sed -n 's/^id=\([0-9]*\) .*/\1/p')
ATOK=$(echo "$A" | sed -n 's/.*token=\([0-9a-f]*\)$/\1/p')
BID=$(echo "$B" | sed -n 's/^id=\([0-9]*\) .*/\1/p')
BTOK=$(echo "$B" | sed -n 's/.*token=\([0-9a-f]*\)$/\1/p')
[ ${#ATOK} = 64 ] && [ ${#BTOK} = 64 ] || die "no tokens: [$A] [$B]"
assert_eq "a stolen token (A's, for B) is refused" "refuse bad-token" "$("${RC[@]}" resume "$BID" "$ATOK" 0)"
R1=$("${RC[@]}" resume "$AID" "$ATOK" 0)
[[ $R1 == "accept id=$AID token="* ]] || fail "A's own token did not resume: [$R1]"
ATOK2=${R1##*token=}
[ "$ATOK2" != "$ATOK" ] || fail "the token was not rotated at the resume"
assert_eq "a replayed old token is refused" "refuse bad-token" "$("${RC[@]}" resume "$AID" "$ATOK" 0)"
R2=$("${RC[@]}" resume "$AID" "$ATOK2" 0)
[[ $R2 == "accept id=$AID token="* ]] || fail "the rotated token did not resume: [$R2]"
assert_eq "a count past what the relay kept is refused" "refuse out-of-window" \
	"$("${RC[@]}" resume "$AID" "${R2##*token=}" 1000000000)"
C=$("${RC[@]}" newend) || die "resume_client newend failed"
CID=$(echo "$C" | sed -n 's/^id=\([0-9]*\) .*/\1/p')
CTOK=$(echo "$C" | sed -n 's/.*token=\([0-9a-f]*\)$/\1/p')
sleep 0.5
assert_eq "a closed connection's token is refused" "refuse no-such-connection" \
	"$("${RC[@]}" resume "$CID" "$CTOK" 0)"
assert_eq "an unknown connection is refused" "refuse no-such-connection" \
	"$("${RC[@]}" resume 999999 "$ATOK" 0)"
grep -q "event=resume-refused .*target=$BID reason=bad-token" "$UP_LOG" || fail "stolen token not logged"
grep -q "event=resume-refused .*target=$CID reason=no-such-connection" "$UP_LOG" || fail "closed not logged"
assert_eq "each refusal is logged once (with its target)" \
	"$(grep -c "event=resume-refused .*target=.*reason=bad-token" "$UP_LOG")" \
	"$(grep -c "event=resume-refused .*reason=bad-token" "$UP_LOG")"
for tok in "$ATOK" "$ATOK2" "$BTOK" "$CTOK"; do
	assert_not_contains "no token in the log" "$tok" "$UP_LOG"
	assert_not_contains "no token prefix in the log" "${tok:0:16}" "$UP_LOG"
done
ok "tokens: stolen, replayed and closed-connection ones refused and logged; none in the log"

# ---- past the grace time: the session ends, with a message on both sides ---------
sleep $((GRACE_CUT + GRACE + 6 - $(date +%s) > 0 ? GRACE_CUT + GRACE + 6 - $(date +%s) : 0))
kill -USR2 "$FWD2_PID"
wait "$G"
rc=$?
[ "$rc" = 255 ] || fail "past the grace time: ssh exit $rc, want 255"
assert_contains "past the grace time: the proxy says why" "gave up: the relay was unreachable for $GRACE s" "$T/g.err"
assert_not_contains "past the grace time: no output after" never "$T/g.out"
assert_contains "past the grace time: the relay logged it" "event=resume-expired" "$UP_LOG"
ok "past the $GRACE s grace time the session ends: the proxy and the relay say so"
pass
