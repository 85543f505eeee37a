#!/usr/bin/env bash
# Layering check: a file may include only headers of its own layer or of a
# layer below it. Layers, lowest first: core, cert, transport, api, cli
# (include/nullspace/*.h are sorted into layers by the table below). tests/,
# fuzz/, bench/ and examples/ may include anything. Paths that climb out of a
# folder ("../") are refused in the library and the CLI.
#
# Usage: scripts/check_layers.sh [ROOT]   (default: the repository)
# Prints one line per offending include and exits 1; silent and 0 when clean.
set -euo pipefail
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT"

rank_of_dir()
{
	case $1 in
	core) echo 0 ;;
	cert) echo 1 ;;
	transport) echo 2 ;;
	api) echo 3 ;;
	cli) echo 4 ;;
	*) echo -1 ;;
	esac
}

# The layer of each public header: where the code that implements it lives.
rank_of_public()
{
	case $1 in
	types.h | error.h | keys.h | pubkey.h | engine.h | authfile.h | version.h | decls.h) echo 0 ;;
	cert.h | known_hosts.h) echo 1 ;;
	client.h | sshagent.h) echo 2 ;;
	sdk.h) echo 3 ;;
	*) echo 99 ;; # a new public header must be placed in the table
	esac
}

# The layer of an internal header by name: the folder that holds it.
rank_of_internal()
{
	local d
	for d in core cert transport api cli; do
		if [ -e "$d/$1" ]; then
			rank_of_dir "$d"
			return
		fi
	done
	echo 99
}

bad=0
complain()
{
	echo "$1: includes $2 ($3)"
	bad=1
}

check_file()
{
	local f=$1 own=$2 line h r
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
			r=$(rank_of_internal "$h")
			[ "$r" -le "$own" ] || complain "$f" "$h" "a header of a layer above"
			;;
		esac
	done < <(grep -E '^#[[:space:]]*include[[:space:]]*["<]' "$f" || true)
}

for d in core cert transport api cli; do
	own=$(rank_of_dir "$d")
	for f in "$d"/*.c "$d"/*.h; do
		[ -e "$f" ] && check_file "$f" "$own"
	done
done
for f in include/nullspace/*.h; do
	check_file "$f" "$(rank_of_public "$(basename "$f")")"
done
exit $bad
