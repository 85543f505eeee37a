#!/usr/bin/env bash
# Agent forwarding through the relay (issue 15), with OpenSSH's ssh and a
# real ssh-agent through `nullspace up`: `nullspace ssh -A` lists the user's
# key inside the sandbox and signs with it (ssh-keygen -Y sign with only the
# .pub there, checked outside); SSH_AUTH_SOCK's folder is 0700 and goes
# with the session; a certificate without permit-agent-forwarding (the
# printed command, with -A added) still gets its shell, has no agent and is
# logged refused; of two users on one sandbox only the one with -A gets
# SSH_AUTH_SOCK (the other reaches that socket only through Unix
# permissions: same uid, as with OpenSSH); NS_RELAY_AGENT_CONNS_MAX (8)
# agent connections per session at once, the next refused and logged; straight
# to an agent (no relay) a certificate login gets the standard channel, and
# one without permit-agent-forwarding no SSH_AUTH_SOCK.
. "$(dirname "$0")/lib.sh"

for t in ssh ssh-agent ssh-add ssh-keygen python3; do
	command -v $t >/dev/null || skip "$t missing"
done
need_nullspace
NS=$NULLSPACE

start_up
SB=$("$NS" sandbox create --timeout 600) || die "sandbox create failed"
"$NS" ssh "$SB" -- true >"$T/first.out" 2>&1 || die "nullspace ssh failed: $(cat "$T/first.out")"

# The user's own ssh-agent, its socket in $T, holding a test key.
export SSH_AUTH_SOCK=$T/user-agent.sock
spawn "$T/ssh-agent.log" ssh-agent -D -a "$SSH_AUTH_SOCK"
for i in $(seq 100); do [ -S "$SSH_AUTH_SOCK" ] && break; sleep 0.1; done
[ -S "$SSH_AUTH_SOCK" ] || die "ssh-agent did not start: $(cat "$T/ssh-agent.log")"
ssh-keygen -q -t ed25519 -N '' -C agentfwd-test -f "$T/userkey" </dev/null >/dev/null ||
	die "ssh-keygen failed"
ssh-add -q "$T/userkey" 2>"$T/add.err" || die "ssh-add failed: $(cat "$T/add.err")"
FP=$(ssh-keygen -lf "$T/userkey.pub" | awk '{print $2}')

# ---- nullspace ssh -A: the key is listed and signs inside -------------------------
out=$(timeout -k 5 60 "$NS" ssh -A "$SB" -- ssh-add -l 2>"$T/l.err")
assert_contains "ssh -A: ssh-add -l in the sandbox lists the user's key" "$FP" <(printf '%s' "$out")
assert_contains "the relay logs the agent connection's start" \
	"relay event=agent-forward-start conn=" "$UP_LOG"
assert_contains "... and its end, with bytes" "relay event=agent-forward-end conn=" "$UP_LOG"
ALOG=$NULLSPACE_HOME/state/sandboxes/$SB/agent.log
assert_contains "the agent logs the socket it made" "agent event=agent-forward-listen conn=" "$ALOG"
assert_contains "... and each connection's start" "agent event=agent-forward-start conn=" "$ALOG"
assert_contains "... and end, with bytes" "agent event=agent-forward-end conn=" "$ALOG"

printf 'signed in the sandbox %s\n' "$SB" >"$T/data"
timeout -k 5 60 "$NS" ssh "$SB" -- 'cat >/tmp/userkey.pub' <"$T/userkey.pub" ||
	die "copy of the public key failed"
timeout -k 5 60 "$NS" ssh "$SB" -- 'cat >/tmp/data' <"$T/data" || die "copy of the data failed"
timeout -k 5 60 "$NS" ssh -A "$SB" -- \
	'test ! -e /tmp/userkey && ssh-keygen -q -Y sign -f /tmp/userkey.pub -n file /tmp/data \
	 </dev/null >/dev/null && cat /tmp/data.sig' >"$T/data.sig" 2>"$T/sign.err"
assert_eq "ssh-keygen -Y sign in the sandbox with only the .pub: exit 0" 0 $?
ssh-keygen -Y check-novalidate -n file -s "$T/data.sig" <"$T/data" >"$T/check.out" 2>&1
assert_eq "ssh-keygen -Y check-novalidate verifies the signature outside" 0 $?
assert_contains "... made by the user's key" "$FP" <(ssh-keygen -lf "$T/userkey.pub")
! grep -q "agentfwd-test\|PRIVATE KEY" "$UP_LOG"
assert_eq "no key material in the logs" 0 $?

# the folder and socket, and their removal with the session
out=$(timeout -k 5 60 "$NS" ssh -A "$SB" -- \
	'd=$(dirname "$SSH_AUTH_SOCK"); echo "$SSH_AUTH_SOCK"; stat -c %a "$d"; stat -c %a "$SSH_AUTH_SOCK"; test -S "$SSH_AUTH_SOCK" && echo socket' 2>&1)
SOCK=$(sed -n 1p <<<"$out")
case $SOCK in
/tmp/ns-agent-??????/agent.sock) ok "SSH_AUTH_SOCK is set ($SOCK)" ;;
*) fail "SSH_AUTH_SOCK: [$out]" ;;
esac
assert_eq "SSH_AUTH_SOCK's folder is 0700" 700 "$(sed -n 2p <<<"$out")"
assert_eq "the socket is 0600" 600 "$(sed -n 3p <<<"$out")"
assert_eq "it is a socket" socket "$(sed -n 4p <<<"$out")"
gone=
for i in $(seq 50); do
	gone=$(timeout -k 5 60 "$NS" ssh "$SB" -- "test -e '$SOCK' || test -e '$(dirname "$SOCK")' || echo gone" 2>&1)
	[ "$gone" = gone ] && break
	sleep 0.2
done
assert_eq "the socket and its folder are removed after the session" gone "$gone"

# ---- without permit-agent-forwarding: the printed command, with -A ----------------
"$NS" sandbox ssh-access "$SB" --print-command >"$T/pc.out" 2>/dev/null ||
	die "ssh-access --print-command failed"
PC=$(grep -v '^#' "$T/pc.out" | grep ssh | tail -1)
[ -n "$PC" ] || die "no command printed: $(cat "$T/pc.out")"
eval "set -- $PC"
[ "$1" = ssh ] || die "the printed command does not start with ssh: $PC"
shift
# its certificate kept aside: the next `nullspace ssh -A` rewrites that file
args=()
for a in "$@"; do
	case $a in
	CertificateFile=*)
		cp "${a#CertificateFile=}" "$T/noA-cert.pub" || die "no certificate: $a"
		args+=("CertificateFile=$T/noA-cert.pub")
		;;
	*) args+=("$a") ;;
	esac
done
set -- "${args[@]}"
assert_not_contains "the printed command's certificate lacks permit-agent-forwarding" \
	"permit-agent-forwarding" <(ssh-keygen -Lf "$T/noA-cert.pub")
mark=$(wc -l <"$UP_LOG")
amark=$(wc -l <"$ALOG")
out=$(timeout -k 5 60 ssh -A "$@" -- 'echo "shell:[$SSH_AUTH_SOCK]"; ssh-add -l; echo "add=$?"' \
	</dev/null 2>"$T/noA.err")
assert_eq "no permit-agent-forwarding: the command still runs, no SSH_AUTH_SOCK" \
	"shell:[]" "$(sed -n 1p <<<"$out")"
assert_contains "... ssh-add -l finds no agent (exit 2)" "add=2" <(printf '%s' "$out")
tail -n +"$mark" "$UP_LOG" >"$T/noA.log"
assert_contains "the relay logs the refusal" \
	"event=agent-forward-refused conn=" "$T/noA.log"
assert_contains "... with its reason" "reason=not-permitted" "$T/noA.log"
tail -n +"$amark" "$ALOG" >"$T/noA.alog"
assert_not_contains "... and passes nothing to the agent" "agent-forward" "$T/noA.alog"

# ---- two users on one sandbox, only one with -A -----------------------------------
spawn "$T/holdA.log" timeout -k 5 120 "$NS" ssh -A "$SB" -- \
	'echo "$SSH_AUTH_SOCK" >/tmp/a.path.new && mv /tmp/a.path.new /tmp/a.path; sleep 60'
HOLD=$SPAWNED
for i in $(seq 100); do
	a=$(timeout -k 5 30 ssh "$@" -- 'cat /tmp/a.path 2>/dev/null' </dev/null 2>/dev/null)
	[ -n "$a" ] && break
	sleep 0.2
done
[ -n "$a" ] || die "the first user's session did not start: $(cat "$T/holdA.log")"
out=$(timeout -k 5 60 ssh -A "$@" -- 'echo "[$SSH_AUTH_SOCK]"' </dev/null 2>/dev/null)
assert_eq "the other user's session has no SSH_AUTH_SOCK" "[]" "$out"
out=$(timeout -k 5 60 ssh "$@" -- "SSH_AUTH_SOCK='$a' ssh-add -l" </dev/null 2>&1)
assert_contains "... but the sandbox's uid reaches the first user's socket (Unix permissions, as OpenSSH)" \
	"$FP" <(printf '%s' "$out")
out=$(timeout -k 5 60 ssh "$@" -- "stat -c '%a %u' '$(dirname "$a")'; id -u" </dev/null 2>&1)
assert_eq "... which is the folder owner's, 0700" "700 $(sed -n 2p <<<"$out")" "$(sed -n 1p <<<"$out")"

# ---- at most 8 agent connections per session at once -------------------------------
cat >"$T/conns.py" <<'PY'
import os, socket, struct, sys
n = int(sys.argv[1])
socks = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(20)
    s.connect(os.environ["SSH_AUTH_SOCK"])
    socks.append(s)
ok = refused = 0
for s in socks:
    try:
        s.sendall(struct.pack(">IB", 1, 11))  # SSH2_AGENTC_REQUEST_IDENTITIES
        b = s.recv(5)
    except OSError:  # refused: closed before or after the request
        b = b""
    if len(b) == 5 and b[4] == 12:
        ok += 1
    else:
        refused += 1
print("ok=%d refused=%d" % (ok, refused))
PY
timeout -k 5 60 "$NS" ssh "$SB" -- 'cat >/tmp/conns.py' <"$T/conns.py" || die "copy failed"
mark=$(wc -l <"$UP_LOG")
out=$(timeout -k 5 60 "$NS" ssh -A "$SB" -- 'python3 /tmp/conns.py 9' 2>&1)
assert_eq "9 agent connections at once: 8 answered, 1 refused" "ok=8 refused=1" "$out"
tail -n +"$mark" "$UP_LOG" >"$T/cap.log"
assert_contains "the relay logs the refusal" "reason=max-agent-connections" "$T/cap.log"
assert_contains "... and the agent closes that connection" "reason=peer-refused" \
	<(tail -n +"$amark" "$ALOG" | grep "agent event=agent-forward-refused")
out=$(timeout -k 5 60 "$NS" ssh -A "$SB" -- 'python3 /tmp/conns.py 8' 2>&1)
assert_eq "8 at once: all answered" "ok=8 refused=0" "$out"

kill "$HOLD" 2>/dev/null

# ---- straight to an agent, no relay: a certificate login gets auth-agent@openssh.com --
ssh_keygen "$T/ca"
ssh_keygen "$T/direct"
start_agent --ca-keys "$T/ca.pub"
known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"
cp "$T/direct.pub" "$T/dA.pub"
ssh-keygen -q -s "$T/ca" -I dA -n root -V -5m:+1h "$T/dA.pub" </dev/null >/dev/null 2>&1 ||
	die "ssh-keygen -s failed"
cp "$T/direct.pub" "$T/dN.pub"
ssh-keygen -q -s "$T/ca" -I dN -n root -V -5m:+1h -O no-agent-forwarding "$T/dN.pub" \
	</dev/null >/dev/null 2>&1 || die "ssh-keygen -s failed"
out=$(timeout -k 5 60 "${SSH[@]}" -A -i "$T/direct" -o "CertificateFile=$T/dA-cert.pub" \
	-p "$AGENT_PORT" root@127.0.0.1 'ssh-add -l' </dev/null 2>&1)
assert_contains "straight to the agent with -A: ssh-add -l lists the user's key" "$FP" \
	<(printf '%s' "$out")
assert_contains "... over a standard auth-agent@openssh.com channel" \
	"kind=auth-agent@openssh.com" "$AGENT_LOG"
out=$(timeout -k 5 60 "${SSH[@]}" -A -i "$T/direct" -o "CertificateFile=$T/dN-cert.pub" \
	-p "$AGENT_PORT" root@127.0.0.1 'echo "[$SSH_AUTH_SOCK]"' </dev/null 2>&1)
assert_eq "a certificate with no-agent-forwarding: no SSH_AUTH_SOCK" "[]" "$out"
assert_contains "... the agent logs the refusal" "reason=not-permitted" "$AGENT_LOG"
pass
