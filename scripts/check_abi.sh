#!/usr/bin/env bash
# ABI check: the symbols libnullspace.so exports must equal the committed
# list include/abi.txt, so that any change to the exported interface shows
# up as a diff in review. The library exports only what include/nullspace/
# declares (-fvisibility=hidden, nullspace/decls.h).
#
# Usage: scripts/check_abi.sh [LIB]            (default build/rel/libnullspace.so)
#        scripts/check_abi.sh --update [LIB]   rewrite include/abi.txt from LIB
set -euo pipefail
cd "$(dirname "$0")/.."
update=0
if [ "${1:-}" = --update ]; then
	update=1
	shift
fi
LIB=${1:-build/rel/libnullspace.so}
LIST=include/abi.txt
if [ ! -f "$LIB" ]; then
	echo "check_abi: $LIB not found (build it first: make)" >&2
	exit 2
fi
now=$(mktemp)
trap 'rm -f "$now"' EXIT
nm -D --defined-only "$LIB" | awk '{ print $NF }' | LC_ALL=C sort >"$now"
if [ "$update" = 1 ]; then
	cp "$now" "$LIST"
	echo "check_abi: wrote $(wc -l <"$LIST") symbols to $LIST"
	exit 0
fi
if ! diff -u "$LIST" "$now" >&2; then
	echo "check_abi: $LIB exports a different symbol list than $LIST (above: - gone, + new)." >&2
	echo "check_abi: if the change is meant, run scripts/check_abi.sh --update $LIB and commit it." >&2
	exit 1
fi
echo "check_abi: $(wc -l <"$now") exported symbols match $LIST"
