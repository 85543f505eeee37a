#!/usr/bin/env bash
# Sandboxes of `nullspace up` are isolated (api/isolate.h): from inside one,
# through the relay, the CA key, the API key, the registry and another
# sandbox's home cannot be read; the user is uid 1000, not root; / is the
# sandbox's own root; the API is out of reach (loopback-only network); the
# forged-certificate attack of issue 9 fails at its first step; a memory hog
# and a fork bomb are contained by the cgroup limits, other sandboxes keep
# working, and the sandbox stays killable with nothing of it left.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
need_nullspace
[ "$(id -u)" = 0 ] || skip "needs root (a host uid per sandbox, cgroups)"

NS=$NULLSPACE
start_up

assert_contains "up says which isolation is in force" \
	"isolation: namespaces (user, mount, pid, net with loopback only, uts, ipc, cgroup)" "$UP_LOG"
LIMITS=0
grep -q "limits: memory .* (cgroup v1)" "$UP_LOG" && LIMITS=1

A=$("$NS" sandbox create 2>"$T/a.err") || die "create A: $(cat "$T/a.err")"
B=$("$NS" sandbox create 2>"$T/b.err") || die "create B: $(cat "$T/b.err")"
SBDIR=$NULLSPACE_HOME/state/sandboxes

# in A: run a script, stdout to $T/NAME.out, exit code returned
in_a() { "$NS" ssh "$A" -- "$2" >"$T/$1.out" 2>"$T/$1.err"; }

"$NS" ssh "$B" -- 'echo only-b > marker' >/dev/null 2>&1 || fail "write a file in B"
[ -f "$SBDIR/$B/home/marker" ] && ok "B's file is in B's home on the host" ||
	fail "B's file not at $SBDIR/$B/home/marker"

# ---- who and where -------------------------------------------------------------

in_a id 'id -u; id -un; hostname; pwd'
assert_eq "the sandbox user is uid 1000, named user, in its home, with its id as hostname" \
	"1000 user $A /home/user" "$(tr '\n' ' ' <"$T/id.out" | sed 's/ $//')"
HOST_UID=$(stat -c %u "$SBDIR/$A/home")
[ "$HOST_UID" -ge 2000000000 ] && ok "A's home belongs to host uid $HOST_UID (unprivileged)" ||
	fail "A's home belongs to host uid $HOST_UID"
[ "$(stat -c %u "$SBDIR/$B/home")" != "$HOST_UID" ] && ok "A and B have different host uids" ||
	fail "A and B share host uid $HOST_UID"
in_a root 'ls /'
want="bin dev etc home opt proc root run sbin tmp usr var"
for d in lib lib32 lib64 libx32; do
	[ -e "/$d" ] && want="$want $d"
done
assert_eq "/ is the sandbox's own root" "$(tr ' ' '\n' <<<"$want" | sort | tr '\n' ' ')" \
	"$(sort "$T/root.out" | tr '\n' ' ')"
in_a ps 'ps -eo pid=,comm='
assert_not_contains "no host process in view" "nullspace up" "$T/ps.out"
assert_eq "the agent is pid 1" "1 nullspace" "$(head -n 1 "$T/ps.out" | awk '{print $1, $2}')"

# ---- secrets out of reach --------------------------------------------------------

in_a ca "cat '$NULLSPACE_HOME/ca' || cat ../../../ca || cat ../../../../ca; echo rc=\$?"
assert_contains "the CA key is not readable" "rc=1" "$T/ca.out"
assert_not_contains "no private key came out" "PRIVATE KEY" "$T/ca.out"
in_a forge "cp ../../../ca c"
assert_eq "the forged-certificate attack fails at its first step (cp ../../../ca)" 1 $?
in_a cfg "cat '$NULLSPACE_HOME/config' ../../../../config 2>&1; test -e '$NULLSPACE_HOME' && echo SEEN"
assert_not_contains "the API key is not readable" "api_key" "$T/cfg.out"
assert_not_contains "NULLSPACE_HOME is not there at all" "SEEN" "$T/cfg.out"
in_a other "cat '$SBDIR/$B/home/marker' 2>&1; ls /home; ls '$NULLSPACE_HOME/state/registry' 2>&1"
assert_not_contains "B's home is not readable from A" "only-b" "$T/other.out"
assert_eq "/home holds only the sandbox user's home" "user" "$(sed -n 2p "$T/other.out")"
assert_not_contains "the registry is not listed" "$A" "$T/other.out"
in_a keys 'ls /run/nullspace; cat /etc/passwd | cut -d: -f1 | tr "\n" " "'
assert_not_contains "the relay's client key is not there" "relay_client_key" "$T/keys.out"
in_a sock 'rm -f /run/nullspace/agent.sock; ln -sf /tmp/x /run/nullspace/evil.sock; ls /run/nullspace'
assert_contains "the agent's socket cannot be removed or swapped for a link" "agent.sock" "$T/sock.out"
assert_not_contains "nothing can be added next to it" "evil.sock" "$T/sock.out"
[ -S "$SBDIR/$A/run/agent.sock" ] && [ "$(stat -c %u "$SBDIR/$A/run/agent.sock")" = 0 ] &&
	ok "the agent's socket on the host is root's" || fail "the agent's socket is not a socket of root's"
in_a ro 'touch /usr/x 2>&1; touch /etc/x 2>&1; echo hi > /tmp/t && echo tmp-ok; echo hi > f && echo home-ok'
assert_contains "/usr is read-only" "Read-only file system" "$T/ro.out"
assert_contains "/tmp is writable" "tmp-ok" "$T/ro.out"
assert_contains "the home is writable" "home-ok" "$T/ro.out"

# ---- network: loopback only ------------------------------------------------------

in_a net "bash -c 'exec 3<>/dev/tcp/127.0.0.1/$API_PORT' 2>&1 && echo REACHED; ip -o link 2>/dev/null | cut -d: -f2 | tr -d ' \n'"
assert_not_contains "the API on the host's loopback is out of reach" "REACHED" "$T/net.out"
in_a lo "python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(); c=socket.create_connection(s.getsockname()); print(\"lo-ok\")' 2>&1 || echo no-python"
grep -q no-python "$T/lo.out" ||
	assert_contains "the sandbox's own loopback works" "lo-ok" "$T/lo.out"

# ---- a PTY -----------------------------------------------------------------------

pty_run 24 80 "$NS" ssh -t "$A" -- tty >"$T/pty.out" 2>&1
assert_contains "a PTY from the sandbox's own /dev/pts" "/dev/pts/" "$T/pty.out"

# ---- limits ------------------------------------------------------------------------

if [ "$LIMITS" = 1 ]; then
	CG=$(ls -d /sys/fs/cgroup/pids/*/"$A" /sys/fs/cgroup/pids/*/*/*/"$A" 2>/dev/null | head -n 1)
	[ -n "$CG" ] && ok "A has a pids cgroup ($CG)" || fail "no pids cgroup for $A"
	in_a mem 'head -c 1500000000 /dev/zero | tail; echo tail=$?'
	assert_contains "a 1.5 GB memory hog is killed by the memory limit" "tail=137" "$T/mem.out"
	in_a alive 'echo alive'
	assert_eq "A still serves after its hog was killed" "alive" "$(cat "$T/alive.out")"
	# the fork bomb runs on in the background until the sandbox is killed
	timeout 60 "$NS" ssh "$A" -- 'b() { b | b & }; b' >/dev/null 2>&1 &
	BOMB=$!
	sleep 4
	n=$(cat "$CG/pids.current")
	max=$(cat "$CG/pids.max")
	[ "$n" -le "$max" ] && ok "the fork bomb is held at $n of $max processes" ||
		fail "fork bomb: $n processes, limit $max"
	"$NS" ssh "$B" -- 'echo b-ok' >"$T/b.out" 2>&1
	assert_eq "B serves during A's fork bomb" "b-ok" "$(cat "$T/b.out")"
	t0=$(date +%s)
	"$NS" sandbox kill "$A" >"$T/kill.out" 2>&1 || fail "kill A: $(cat "$T/kill.out")"
	ok "A killed in $(($(date +%s) - t0)) s during its fork bomb"
	kill "$BOMB" 2>/dev/null
	wait "$BOMB" 2>/dev/null
	left=$(ps -eo uid= | awk -v u="$HOST_UID" '$1 == u' | wc -l)
	assert_eq "no process of A's host uid is left" 0 "$left"
	[ ! -e "$CG" ] && ok "A's cgroup is removed" || fail "A's cgroup $CG is still there"
else
	echo "SKIP (limits not enforced on this machine): memory hog and fork bomb" >&2
	"$NS" sandbox kill "$A" >/dev/null 2>&1 || fail "kill A"
fi
"$NS" ssh "$B" -- 'cat marker' >"$T/b2.out" 2>&1
assert_eq "B and its file are intact" "only-b" "$(cat "$T/b2.out")"

# ---- --no-isolation: development only, and it says so ------------------------------

API2=$(pick_port)
RELAY2=$(pick_port)
[ "$API2" != "$RELAY2" ] || RELAY2=$(pick_port)
spawn "$T/up2.log" env NULLSPACE_HOME="$T/home2" "$NS" up --no-isolation --max-sandboxes 1 \
	--api-listen "127.0.0.1:$API2" --relay-listen "127.0.0.1:$RELAY2"
UP2_PID=$SPAWNED
wait_listen "nullspace up --no-isolation" "$UP2_PID" "$API2" 60
wait_listen "nullspace up --no-isolation (relay)" "$UP2_PID" "$RELAY2" 60
wait_up_config "$T/up2.log" "$UP2_PID"
assert_contains "--no-isolation is announced as such" "isolation: NONE" "$T/up2.log"
C=$(NULLSPACE_HOME=$T/home2 "$NS" sandbox create 2>"$T/c.err") || die "create C: $(cat "$T/c.err")"
NULLSPACE_HOME=$T/home2 "$NS" ssh "$C" -- 'id -u; test -r "$NULLSPACE_HOME/ca" || test -r ../../../ca && echo CA-VISIBLE' \
	>"$T/c.out" 2>&1
assert_eq "without isolation the sandbox runs as up's user and sees the CA key" "0 CA-VISIBLE" \
	"$(tr '\n' ' ' <"$T/c.out" | sed 's/ $//')"
NULLSPACE_HOME=$T/home2 "$NS" sandbox create >/dev/null 2>"$T/c2.err"
assert_eq "--max-sandboxes 1: a second sandbox is refused" 1 $?
assert_contains "--max-sandboxes 1: the refusal names the limit" "too many sandboxes running (1)" "$T/c2.err"
kill -TERM "$UP2_PID"

pass
