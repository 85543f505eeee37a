#!/usr/bin/env bash
# Plain OpenSSH tools reach sandboxes with nothing but the block of
# `nullspace ssh-config --write` (issue 15): `ssh sb_x` (the local login
# name, another login name, exit codes), `scp -O` and `rsync -a` of a
# 1,000-file tree both ways, `git clone` and `git push` to a bare repository
# in the sandbox; a certificate removed is minted again on the next ssh; a
# login name naming another sandbox, a killed sandbox and an unknown one
# are refused with a message. Re-running --write changes nothing. Through
# `nullspace up` on 127.0.0.1.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v rsync >/dev/null || skip "rsync missing (scripts/deps.sh installs it)"
command -v git >/dev/null || skip "git missing"
need_nullspace
NS=$NULLSPACE

has()
{
	if [[ $2 == *"$3"* ]]; then
		ok "$1"
	else
		fail "$1: '$3' not in [$(printf '%s' "$2" | head -c 600)]"
	fi
}

start_up
SB=$("$NS" sandbox create --timeout 600) || die "sandbox create failed"
SB2=$("$NS" sandbox create --timeout 600) || die "sandbox create failed"

# ---- the block --------------------------------------------------------------
export HOME=$T/uh # where ~/.ssh is for the CLI; ssh itself gets -F below
mkdir -p "$HOME"
printf 'Host example\n    User someone\n' >"$T/existing"
mkdir -p "$HOME/.ssh" && cp "$T/existing" "$HOME/.ssh/config" && chmod 0644 "$HOME/.ssh/config"
"$NS" ssh-config --write >"$T/write.out" 2>&1 || die "ssh-config --write failed: $(cat "$T/write.out")"
CFG=$HOME/.ssh/config
INC="Include \"$HOME/.ssh/nullspace.conf\""
assert_eq "the Include line comes first" "$INC" "$(head -1 "$CFG")"
assert_eq "the user's own config is kept below it" "$(cat "$T/existing")" "$(tail -n +2 "$CFG")"
assert_eq "the config keeps its mode" 644 "$(stat -c %a "$CFG")"
assert_eq "nullspace.conf is 0600" 600 "$(stat -c %a "$HOME/.ssh/nullspace.conf")"
"$NS" ssh-config >"$T/printed" 2>&1
assert_eq "--write writes what the command prints" "$(cat "$T/printed")" \
	"$(cat "$HOME/.ssh/nullspace.conf")"
cp "$CFG" "$T/cfg1" && cp "$HOME/.ssh/nullspace.conf" "$T/conf1"
"$NS" ssh-config --write >/dev/null 2>&1
check_same() { cmp -s "$CFG" "$T/cfg1" && cmp -s "$HOME/.ssh/nullspace.conf" "$T/conf1"; }
if check_same; then ok "running --write again changes nothing"; else fail "--write is not idempotent"; fi
assert_eq "exactly one Include line" 1 "$(grep -cF "$INC" "$CFG")"

S=(ssh -F "$CFG" -o BatchMode=yes -o ConnectTimeout=20)
export GIT_SSH_COMMAND="ssh -F '$CFG' -o BatchMode=yes"

# ---- ssh sb_x -----------------------------------------------------------------
out=$(timeout -k 5 60 "${S[@]}" "$SB" 'echo "in $(hostname)"; exit 5' 2>"$T/err")
rc=$?
assert_eq "ssh $SB: the remote exit code" 5 "$rc"
has "ssh $SB: ran in the sandbox" "$out" "in $SB"
check_login() { grep -q "event=auth conn=[0-9]* result=accepted user=$SB .*login=$(id -un)" "$UP_LOG"; }
if check_login; then ok "the relay logs the login name beside the sandbox"; else fail "no login= in the relay's auth line"; fi
out=$(timeout -k 5 60 "${S[@]}" "git@$SB" 'echo named' 2>"$T/err")
assert_eq "another login name (git@) works too" "named" "$out"
out=$(timeout -k 5 60 "${S[@]}" "$SB2@$SB" 'echo SHOULD-NOT-RUN' 2>"$T/err")
rc=$?
assert_eq "a login name naming another sandbox is refused" "255 " "$rc $out"
has "... saying why" "$(cat "$T/err")" "principals do not include"

# ---- scp -O ---------------------------------------------------------------------
head -c 5M /dev/urandom >"$T/blob"
want=$(sha256sum <"$T/blob" | cut -d' ' -f1)
timeout -k 5 120 scp -O -F "$CFG" -o BatchMode=yes -q "$T/blob" "$SB:blob" 2>"$T/err"
assert_eq "scp -O upload" 0 "$?"
got=$(timeout -k 5 60 "${S[@]}" "$SB" 'sha256sum < blob' 2>>"$T/err" | cut -d' ' -f1)
assert_eq "scp -O upload: same bytes" "$want" "$got"
timeout -k 5 120 scp -O -F "$CFG" -o BatchMode=yes -q "$SB:blob" "$T/blob.back" 2>"$T/err"
assert_eq "scp -O download: same bytes" "$want" "$(sha256sum <"$T/blob.back" | cut -d' ' -f1)"

# ---- rsync of 1,000 files both ways ----------------------------------------------
mkdir -p "$T/tree"
for d in $(seq 1 10); do
	mkdir -p "$T/tree/d$d"
	for f in $(seq 1 100); do
		echo "file $d/$f $RANDOM" >"$T/tree/d$d/f$f"
	done
done
sum_tree() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum); }
timeout -k 5 180 rsync -a -e "ssh -F '$CFG' -o BatchMode=yes" "$T/tree/" "$SB:tree/" 2>"$T/err"
assert_eq "rsync -a up: exit 0" 0 "$?"
n=$(timeout -k 5 60 "${S[@]}" "$SB" 'find tree -type f | wc -l' 2>>"$T/err")
assert_eq "rsync -a up: 1,000 files in the sandbox" 1000 "$n"
timeout -k 5 180 rsync -a -e "ssh -F '$CFG' -o BatchMode=yes" "$SB:tree/" "$T/tree.back/" 2>"$T/err"
assert_eq "rsync -a down: exit 0" 0 "$?"
assert_eq "rsync -a both ways: the same tree" "$(sum_tree "$T/tree")" "$(sum_tree "$T/tree.back")"

# ---- git clone and push over ssh --------------------------------------------------
timeout -k 5 60 "${S[@]}" "$SB" 'git init -q --bare --initial-branch=main repo.git' 2>"$T/err" || fail "git init --bare failed: $(cat "$T/err")"
git -c init.defaultBranch=main init -q "$T/work"
(cd "$T/work" && echo one >README && git add README &&
	git -c user.name=t -c user.email=t@example.org commit -qm one &&
	git remote add origin "$SB:repo.git" &&
	timeout -k 5 120 git push -q origin main) 2>"$T/err"
assert_eq "git push over ssh" 0 "$?"
timeout -k 5 120 git clone -q "$SB:repo.git" "$T/clone" 2>"$T/err"
assert_eq "git clone over ssh" 0 "$?"
assert_eq "the clone holds the pushed commit" "one" "$(cat "$T/clone/README" 2>/dev/null)"

# ---- the certificate on demand ------------------------------------------------------
rm -f "$NULLSPACE_HOME/ssh/$SB-cert.pub"
out=$(timeout -k 5 60 "${S[@]}" "$SB" 'echo again' 2>"$T/err")
assert_eq "a removed certificate is minted again by the next ssh" "again" "$out"
[ -s "$NULLSPACE_HOME/ssh/$SB-cert.pub" ] && ok "... and written" || fail "no new certificate file"

# ---- refusals -------------------------------------------------------------------
"$NS" sandbox kill "$SB2" >/dev/null 2>&1
out=$(timeout -k 5 60 "${S[@]}" "$SB2" 'echo SHOULD-NOT-RUN' 2>"$T/err")
rc=$?
assert_eq "a killed sandbox: ssh fails" "255 " "$rc $out"
has "a killed sandbox: the user is told" "$(cat "$T/err")" "is stopped"
out=$(timeout -k 5 60 "${S[@]}" sb_000000000000 'echo SHOULD-NOT-RUN' 2>"$T/err")
rc=$?
assert_eq "an unknown sandbox: ssh fails" "255 " "$rc $out"
has "an unknown sandbox: the API's message" "$(cat "$T/err")" "sb_000000000000"
out=$(timeout -k 5 60 "${S[@]}" "$SB" 'echo still' 2>"$T/err")
assert_eq "the first sandbox still answers" "still" "$out"

pass
