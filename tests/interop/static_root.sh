#!/usr/bin/env bash
# The static (musl) binary of `make static` in an empty root: a temp dir with
# only the binary, /etc/hosts and its keys, entered with unshare (mount and pid
# namespaces) + chroot. Real OpenSSH logs in; exec without any shell exits 127
# with a reason; with a static busybox as /bin/sh, `exit 3` gives 3; `nullspace
# connect` run inside the root resolves names from the root's /etc/hosts (no
# NSS, no glibc); with a devpts mounted in the agent's namespace, a PTY session
# works. Environment: NULLSPACE_STATIC (default: bin/nullspace-static,
# built here with `make static` if musl-gcc is there).
. "$(dirname "$0")/lib.sh"

need_root
command -v musl-gcc >/dev/null || skip "musl-gcc missing (Debian's musl-tools: scripts/deps.sh installs it)"
command -v unshare >/dev/null && command -v chroot >/dev/null || skip "unshare/chroot missing (util-linux, coreutils)"
BUSYBOX=$(command -v busybox || true)
# static_elf FILE: true if FILE is an ELF executable with no program interpreter
static_elf()
{
	readelf -lW "$1" 2>/dev/null | grep -q 'Elf file type is EXEC' &&
		! readelf -lW "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}
[ -n "$BUSYBOX" ] && static_elf "$BUSYBOX" ||
	die "no static busybox (Debian's busybox-static: scripts/deps.sh installs it)"

# ---- the static binary ------------------------------------------------------
NULLSPACE_STATIC=${NULLSPACE_STATIC:-}
if [ -z "$NULLSPACE_STATIC" ]; then
	make -C "$NS_ROOT" static >"$T/make_static.log" 2>&1 || {
		tail -n 30 "$T/make_static.log" >&2
		die "make static failed"
	}
	NULLSPACE_STATIC=$NS_ROOT/bin/nullspace-static
fi
[ -x "$NULLSPACE_STATIC" ] || die "$NULLSPACE_STATIC is not an executable"
static_elf "$NULLSPACE_STATIC" || die "$NULLSPACE_STATIC is not statically linked"
size=$(stat -c %s "$NULLSPACE_STATIC")
if [ "$size" -le 1048576 ]; then
	ok "static binary is $size bytes (at most 1 MiB)"
else
	fail "static binary is $size bytes, over 1 MiB"
fi
NS_FULL=$NULLSPACE           # the whole program (up, sandbox, ssh) for the last part
NULLSPACE=$NULLSPACE_STATIC # keygen below runs the static binary too

# ---- the root: the binary, /etc/hosts, keys; no shell, no libc, no /dev ------
R=$T/root
mkdir -p "$R/etc" "$R/keys" "$R/tmp"
cp "$NULLSPACE_STATIC" "$R/nullspace"
# nsbox.test is in no DNS: only this file can resolve it
printf '127.0.0.1\tlocalhost nsbox.test\n' >"$R/etc/hosts"
ns_keygen "$R/keys/host"
ssh_keygen "$T/client"
cp "$T/client.pub" "$R/keys/authorized_keys"
cp "$T/client" "$R/keys/client" # for the client run inside the root

# The agent in fresh mount and pid namespaces, chrooted: every process of its
# sessions dies with it (the namespace's first process).
PORT=$(pick_port)
AGENT_LOG=$T/agent.log
NS_LOGS+=("$AGENT_LOG")
spawn "$AGENT_LOG" unshare --mount --pid --fork --kill-child chroot "$R" /nullspace agent \
	--listen "127.0.0.1:$PORT" --host-key /keys/host --authorized-keys /keys/authorized_keys
AGENT_PID=$SPAWNED
wait_listen "static agent in the root" "$AGENT_PID" "$PORT"
known_hosts_line "$PORT" "$R/keys/host.pub" >"$T/known_hosts"
hostkey=$(cut -d' ' -f1,2 "$R/keys/host.pub")
printf '[localhost]:%s %s\n[nsbox.test]:%s %s\n' "$PORT" "$hostkey" "$PORT" "$hostkey" >"$R/keys/known_hosts"

ssh_root()
{
	timeout -k 5 60 "${SSH[@]}" -i "$T/client" -p "$PORT" root@127.0.0.1 "$@"
}

# ---- no shell at all: the login works, exec fails with 127 and says why ------
rc=0
ssh_root 'echo should-not-run' >"$T/noshell.out" 2>"$T/noshell.err" </dev/null || rc=$?
assert_eq "exec without any shell: exit status" 127 "$rc"
assert_contains "OpenSSH logged in to the static agent" "event=auth conn=1 result=accepted user=root" "$AGENT_LOG"
assert_eq "exec without any shell: nothing on stdout" "" "$(cat "$T/noshell.out")"
assert_contains "exec without any shell: the reason on stderr" \
	"no shell in this sandbox: /bin/sh not found" "$T/noshell.err"

# ---- a static busybox as /bin/sh --------------------------------------------
mkdir -p "$R/bin"
cp "$BUSYBOX" "$R/bin/sh"
rc=0
ssh_root 'echo in-root; exit 3' >"$T/sh.out" 2>"$T/sh.err" </dev/null || rc=$?
assert_eq "busybox sh: exit 3 reaches OpenSSH" 3 "$rc"
assert_eq "busybox sh: output" in-root "$(cat "$T/sh.out")"
rc=0
ssh_root '/bin/sh -c "test -e /nullspace && ! test -e /usr" && echo chrooted' >"$T/ls.out" 2>&1 </dev/null || rc=$?
assert_eq "the session runs inside the empty root" "0 chrooted" "$rc $(cat "$T/ls.out")"

# ---- the static client inside the root resolves from its /etc/hosts ---------
for name in localhost nsbox.test; do
	rc=0
	timeout -k 5 60 unshare --mount --pid --fork --kill-child chroot "$R" /nullspace connect \
		-p "$PORT" -i /keys/client -k /keys/known_hosts "root@$name" -- 'echo via-name; exit 4' \
		>"$T/connect_$name.out" 2>"$T/connect_$name.err" </dev/null || rc=$?
	assert_eq "connect root@$name from inside the root: exit 4 and output" \
		"4 via-name" "$rc $(cat "$T/connect_$name.out")"
	assert_not_contains "connect root@$name: no resolver error" "cannot resolve" "$T/connect_$name.err"
done
# and from a session of the agent itself: its shell runs the static client
rc=0
ssh_root "/nullspace connect -p $PORT -i /keys/client -k /keys/known_hosts root@nsbox.test -- 'exit 5'" \
	>"$T/nested.out" 2>&1 </dev/null || rc=$?
assert_eq "connect by name from a session inside the root: exit 5" 5 "$rc"

# ---- a PTY session, with a devpts of its own mounted in the agent's namespace --
# (mounted inside the new mount namespace: gone with it, never seen outside)
mkdir -p "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"
PTY_PORT=$(pick_port)
NS_LOGS+=("$T/agent_pty.log")
spawn "$T/agent_pty.log" unshare --mount --pid --fork --kill-child sh -c \
	'mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$1/dev/pts" && shift && exec chroot "$@"' \
	_ "$R" "$R" /nullspace agent --listen "127.0.0.1:$PTY_PORT" --host-key /keys/host \
	--authorized-keys /keys/authorized_keys
wait_listen "static agent with devpts" "$SPAWNED" "$PTY_PORT"
known_hosts_line "$PTY_PORT" "$R/keys/host.pub" >>"$T/known_hosts"
rc=0
timeout -k 5 60 "${SSH[@]}" -tt -i "$T/client" -p "$PTY_PORT" root@127.0.0.1 \
	'[ -t 0 ] && [ -t 1 ] && echo on-a-tty; exit 6' >"$T/pty.out" 2>"$T/pty.err" </dev/null || rc=$?
assert_eq "PTY session in the root (devpts mounted): exit 6 and a terminal" \
	"6 on-a-tty" "$rc $(tr -d '\r' <"$T/pty.out")"
assert_eq "the root's devpts is not mounted outside its namespace" "" \
	"$(grep -F " $R/" /proc/self/mountinfo || true)"

# ---- clean-up: the agents and every process in the root are gone ------------
stop_all
left=
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && left+=" ${p#/proc/}"
done
assert_eq "no process left inside the root after the agent stopped" "" "$left"

# ---- `nullspace up --agent-binary`: the static build as every sandbox's agent ----
NULLSPACE=$NS_FULL
start_up --agent-binary "$NULLSPACE_STATIC" --no-websocket
SB=$("$NULLSPACE" sandbox create --timeout 300) || die "sandbox create failed"
rc=0
out=$(timeout -k 5 60 "$NULLSPACE" ssh "$SB" -- 'echo via-static; exit 7' </dev/null 2>"$T/up_ssh.err") || rc=$?
assert_eq "up --agent-binary: nullspace ssh through the relay, exit 7" "7 via-static" "$rc $out"
agents=0
for p in /proc/[0-9]*; do
	if [ "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null | cut -d' ' -f2)" = agent ] &&
		cmp -s "$p/exe" "$NULLSPACE_STATIC" 2>/dev/null; then
		agents=$((agents + 1))
	fi
done
[ "$agents" -ge 1 ] && ok "up --agent-binary: the sandbox's agent is the static binary" ||
	fail "up --agent-binary: no agent process runs the static binary"
out=$(timeout -k 5 60 "$NULLSPACE" sandbox exec "$SB" -- 'echo helper-ok' 2>"$T/up_exec.err")
assert_eq "up --agent-binary: the Commands API runs the static binary's helper" helper-ok "$out"
pass
