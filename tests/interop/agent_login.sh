#!/usr/bin/env bash
# The agent sets a session up as sshd does, also in a minimal root (issue
# 16): commands run by the user's shell from the password database (`$SHELL
# -c`), the interactive session is a login shell (`-bash`), HOME USER
# LOGNAME SHELL SSH_CONNECTION SSH_CLIENT are set; without /etc/passwd the
# names are sane for the uid; with no shell at all exec exits 127 saying so;
# with no devpts a PTY request is refused with the reason in the log and on
# the user's stderr. Each agent runs in a mount namespace of its own
# (`unshare -m`) where the test bind-mounts a passwd file or hides /usr/bin
# or /dev/pts; real OpenSSH `ssh` is the client. Needs root.
. "$(dirname "$0")/lib.sh"

command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
[ "$(id -u)" = 0 ] || skip "needs root (mount namespaces)"
command -v unshare >/dev/null || skip "unshare (util-linux) missing"
need_nullspace
NS_BIN=$(readlink -f "$NULLSPACE")

# has WHAT TEXT NEEDLE; check WHAT CMD...
has()
{
	if [[ $2 == *"$3"* ]]; then
		ok "$1"
	else
		fail "$1: '$3' not in [$(printf '%s' "$2" | head -c 600)]"
	fi
}
check()
{
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

ssh_keygen "$T/user"
mkdir -p "$T/home"

# agent_in NAME SETUP [AGENT ARGS...]: an agent in a new mount namespace
# after the shell commands SETUP ran there. Sets PORT, LOG.
agent_in()
{
	local name=$1 setup=$2
	shift 2
	PORT=$(pick_port)
	LOG=$T/agent-$name.log
	NS_LOGS+=("$LOG")
	[ -f "$T/hostkey" ] || ns_keygen "$T/hostkey"
	cat "$T/user.pub" >"$T/auth"
	spawn "$LOG" unshare -m --propagation private sh -c "$setup
exec \"\$0\" agent --listen 127.0.0.1:$PORT --host-key '$T/hostkey' --authorized-keys '$T/auth' \"\$@\"" \
		"$NS_BIN" "$@"
	wait_listen "agent $name" "$SPAWNED" "$PORT"
	known_hosts_line "$PORT" "$T/hostkey.pub" >"$T/known_hosts"
}

run() # run [SSH OPTIONS...] -- remote command; stdout to stdout, stderr to $T/err
{
	local opts=()
	while [ "$1" != "--" ]; do
		opts+=("$1")
		shift
	done
	shift
	timeout -k 5 60 "${SSH[@]}" -i "$T/user" -p "$PORT" "${opts[@]}" root@127.0.0.1 "$@" \
		2>"$T/err"
}

passwd_with() # passwd_with SHELL [HOME]: a passwd file for root and uid 12345
{
	printf 'root:x:0:0:root:%s:%s\nu:x:12345:12345::%s:%s\n' "${2:-$T/home}" "$1" \
		"${2:-$T/home}" "$1" >"$T/passwd"
}
# Only the file: glibc's systemd module would make up a root entry.
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$T/nsswitch.conf"
BIND_PASSWD="mount --bind '$T/passwd' /etc/passwd; mount --bind '$T/nsswitch.conf' /etc/nsswitch.conf"

# --- bash as the login shell ---------------------------------------------
passwd_with /bin/bash
agent_in bash "$BIND_PASSWD"
out=$(run -- 'echo "v=${BASH_VERSION:+set} 0=$0"; [[ a == a ]] && echo dbl')
has "exec runs the passwd shell (bash): BASH_VERSION set" "$out" "v=set"
has "exec's argv[0] is the shell's name, as sshd" "$out" "0=bash"
has "bash syntax works in a command" "$out" "dbl"
out=$(run -- 'echo "H=$HOME U=$USER L=$LOGNAME S=$SHELL P=$PATH"')
has "HOME from passwd" "$out" "H=$T/home "
has "USER and LOGNAME from passwd" "$out" "U=root L=root "
has "SHELL from passwd" "$out" "S=/bin/bash "
out=$(run -- 'echo "C=$SSH_CONNECTION"; echo "K=$SSH_CLIENT"')
check_conn()
{
	[[ $out =~ C=127\.0\.0\.1\ [0-9]+\ 127\.0\.0\.1\ $PORT ]] && [[ $out =~ K=127\.0\.0\.1\ [0-9]+\ $PORT ]]
}
check "SSH_CONNECTION and SSH_CLIENT name both ends" check_conn
out=$(printf 'echo "ZZ${0}ZZ"\nexit 4\n' | run -tt --)
rc=$?
has "the interactive shell is a login shell (-bash)" "$out" "ZZ-bashZZ"
assert_eq "the login shell's exit code comes back" 4 "$rc"
stop_all

# --- dash --------------------------------------------------------------
passwd_with /bin/dash
agent_in dash "$BIND_PASSWD"
out=$(run -- 'echo "v=${BASH_VERSION:-none} 0=$0"')
has "exec runs dash when passwd says dash" "$out" "v=none 0=dash"
out=$(printf 'echo "ZZ${0}ZZ"\nexit\n' | run -tt --)
has "the interactive shell is a login shell (-dash)" "$out" "ZZ-dashZZ"
stop_all

# --- a passwd shell that is not there: /bin/sh, logged -----------------------
passwd_with /nonexistent/zsh
agent_in fallback "$BIND_PASSWD"
out=$(run -- 'echo ok; exit 6')
rc=$?
assert_eq "a missing passwd shell falls back to /bin/sh" "ok 6" "$out $rc"
check "the fallback is logged with its reason" grep -q \
	"event=shell-fallback .*reason=not-executable shell=/nonexistent/zsh using=/bin/sh" "$LOG"
stop_all

# --- no passwd entry: root and uidN, sane HOME ---------------------------------
: >"$T/passwd"
agent_in nopasswd "$BIND_PASSWD"
out=$(run -- 'echo "H=$HOME U=$USER L=$LOGNAME S=$SHELL"')
want_home=/
[ -d /root ] && want_home=/root
has "uid 0 without passwd: USER root, SHELL /bin/sh" "$out" "U=root L=root S=/bin/sh"
has "uid 0 without passwd: HOME /root (or /)" "$out" "H=$want_home "
stop_all
# the agent as an unprivileged uid: the files it reads must be readable
chmod 0755 "$T" && chmod 0644 "$T/auth"
cp "$T/hostkey" "$T/hostkey.u" && chown 12345 "$T/hostkey.u" && chmod 0600 "$T/hostkey.u"
PORT=$(pick_port)
LOG=$T/agent-uid.log
NS_LOGS+=("$LOG")
spawn "$LOG" unshare -m --propagation private sh -c "$BIND_PASSWD
exec setpriv --reuid 12345 --regid 12345 --clear-groups env -u HOME \"\$0\" agent \
	--listen 127.0.0.1:$PORT --host-key '$T/hostkey.u' --authorized-keys '$T/auth'" "$NS_BIN"
wait_listen "agent uid" "$SPAWNED" "$PORT"
known_hosts_line "$PORT" "$T/hostkey.pub" >"$T/known_hosts"
out=$(run -- 'echo "H=$HOME U=$USER S=$SHELL I=$(id -u)"')
has "uid 12345 without passwd: USER uid12345, HOME /" "$out" \
	"H=/ U=uid12345 S=/bin/sh I=12345"
stop_all

# --- no shell at all: exit 127 and the reason ---------------------------------
passwd_with /bin/bash
agent_in noshell "$BIND_PASSWD; mount -t tmpfs -o size=1m none /usr/bin"
out=$(run -- 'echo should-not-run')
rc=$?
assert_eq "no shell: exec exits 127" 127 "$rc"
assert_eq "no shell: nothing ran" "" "$out"
check "no shell: the user is told which shell is missing" \
	grep -q "no shell in this sandbox: /bin/sh not found" "$T/err"
check "no shell: logged with both shells tried" \
	grep -q "event=no-shell .*shell=/bin/bash fallback=/bin/sh" "$LOG"
stop_all

# --- no devpts: the PTY request is refused with its reason --------------------
# ssh asks for a PTY on its own (an interactive login from a terminal: here
# script(1)'s) and goes on without one; with -t/-tt a refused PTY is fatal to
# OpenSSH's ssh, which then exits before writing our message.
passwd_with /bin/bash
agent_in nopts "$BIND_PASSWD; mount -t tmpfs -o size=1m none /dev/pts"
sshcmd=$(printf '%q ' "${SSH[@]}" -i "$T/user" -p "$PORT" root@127.0.0.1)
printf 'echo "T=$(tty)"\nexit 3\n' | timeout -k 5 60 script -qfec "$sshcmd" /dev/null >"$T/pty.out"
rc=${PIPESTATUS[1]}
out=$(tr -d '\r' <"$T/pty.out")
has "no devpts: the user sees why there is no PTY" "$out" \
	"no PTY in this sandbox: devpts is not mounted on /dev/pts"
check "no devpts: the refusal is logged with its reason" \
	grep -q "event=request-refused .*type=pty-req reason=no-devpts" "$LOG"
has "no devpts: the session still runs, without a terminal" "$out" "T=not a tty"
assert_eq "no devpts: its exit code comes back" 3 "$rc"
stop_all

pass
