#!/usr/bin/env bash
# Layering check: a file may include only headers of its own layer or of a
# layer below it. Layers, lowest first: core, cert, transport, api, cli
# (include/nullspace/*.h are sorted into layers by the table below). Inside
# transport/, common/ is shared and client/, agent/ and relay/ are three
# programs side by side: each may include common/ and itself, never one
# another. tests/, fuzz/, bench/ and examples/ may include anything. Paths
# that climb out of a folder ("../") are refused in the library and the CLI.
#
# Usage: scripts/check_layers.sh [ROOT]   (default: the repository)
# Prints one line per offending include and exits 1; silent and 0 when clean.
set -euo pipefail
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT"

# Layers are ranked in tens; the three transport programs share rank 22
# and are told apart by name (see below_or_same).
rank_of_dir()
{
	case $1 in
	core) echo 0 ;;
	cert) echo 10 ;;
	transport/common) echo 20 ;;
	transport/client | transport/agent | transport/relay) echo 22 ;;
	api) echo 30 ;;
	cli) echo 40 ;;
	*) echo -1 ;;
	esac
}

DIRS="core cert transport/common transport/client transport/agent transport/relay api cli"

# The layer of each public header: where the code that implements it lives.
rank_of_public()
{
	case $1 in
	types.h | error.h | keys.h | pubkey.h | engine.h | authfile.h | version.h | decls.h) echo 0 ;;
	cert.h | known_hosts.h) echo 10 ;;
	client.h | sshagent.h) echo 22 ;;
	sdk.h) echo 30 ;;
	*) echo 99 ;; # a new public header must be placed in the table
	esac
}

# The folder that holds an internal header, by name ("" when none does).
dir_of_internal()
{
	local d
	for d in $DIRS; do
		if [ -e "$d/$1" ]; then
			echo "$d"
			return
		fi
	done
}

# May a file of folder $1 include a header of folder $2? Below, or the same
# folder; of two transport programs, neither sees the other.
may_include()
{
	local a b
	[ -n "$2" ] || return 1
	a=$(rank_of_dir "$1")
	b=$(rank_of_dir "$2")
	[ "$b" -lt "$a" ] || [ "$1" = "$2" ]
}

bad=0
complain()
{
	echo "$1: includes $2 ($3)"
	bad=1
}

check_file()
{
	local f=$1 dir=$2 own line h r
	own=$(rank_of_dir "$dir")
	while IFS= read -r line; do
		[[ $line =~ ^#[[:space:]]*include[[:space:]]*[\"\<]([^\">]+) ]] || continue
		h=${BASH_REMATCH[1]}
		case $h in
		*../*) complain "$f" "$h" "a path out of its folder" ;;
		nullspace/*)
			r=$(rank_of_public "${h#nullspace/}")
			[ "$r" -le "$own" ] || complain "$f" "$h" "a header of a layer above"
			;;
		*.h)
			case $line in
			*'<'*) continue ;; # system header
			esac
			r=$(dir_of_internal "$h")
			may_include "$dir" "$r" || complain "$f" "$h" "a header of a layer above or beside"
			;;
		esac
	done < <(grep -E '^#[[:space:]]*include[[:space:]]*["<]' "$f" || true)
}

for d in $DIRS; do
	for f in "$d"/*.c "$d"/*.h; do
		[ -e "$f" ] && check_file "$f" "$d"
	done
done
# A public header is checked as if it lived in the folder of its layer.
for f in include/nullspace/*.h; do
	case $(rank_of_public "$(basename "$f")") in
	0) d=core ;;
	10) d=cert ;;
	22) d=transport/client ;;
	30) d=api ;;
	*) d=none ;;
	esac
	check_file "$f" "$d"
done
exit $bad
