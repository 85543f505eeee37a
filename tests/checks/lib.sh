# Shared by the checks of the tree (tests/checks/*.sh): run from the
# repository root, count failures, a temporary folder removed at exit.
# check NAME CMD...: "ok NAME" when CMD succeeds, else "FAIL NAME".
# finish: "N failed", and the exit status.
cd "$(dirname "$0")/../.." || exit 1
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check()
{
	local name=$1
	shift
	if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
finish()
{
	echo "$fails failed"
	[ "$fails" -eq 0 ]
}
