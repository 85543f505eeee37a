#!/usr/bin/env bash
# The exported symbols of libnullspace.so equal include/abi.txt
# (scripts/check_abi.sh), and the check notices a symbol gone or added.
# NS_BUILD: the build folder holding libnullspace.so (default build/asan).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
LIB=${NS_BUILD:-build/asan}/libnullspace.so

check "the library exports what include/abi.txt lists" scripts/check_abi.sh "$LIB"
check "every export is declared in include/nullspace" \
	bash -c "nm -D --defined-only '$LIB' | awk '{print \$NF}' | while read -r s; do
		grep -qw \"\$s\" include/nullspace/*.h || { echo \"undeclared export \$s\"; exit 1; }; done"
# A changed list is noticed: run the check against a copy with one line
# dropped and one added.
cp -r scripts include "$tmp/"
sed -i '1d' "$tmp/include/abi.txt"
echo ns_not_a_symbol >>"$tmp/include/abi.txt"
check "a changed symbol list fails the check" bash -c "! '$tmp/scripts/check_abi.sh' '$PWD/$LIB' 2>$tmp/err"
check "the failure names both symbols" \
	bash -c "grep -q '^+$(head -1 include/abi.txt)\$' $tmp/err && grep -q '^-ns_not_a_symbol\$' $tmp/err"
MAJOR=$(sed -n 's/^#define NS_VERSION_MAJOR //p' include/nullspace/version.h)
MINOR=$(sed -n 's/^#define NS_VERSION_MINOR //p' include/nullspace/version.h)
if [ "$MAJOR" = 0 ]; then WANT=libnullspace.so.0.$MINOR; else WANT=libnullspace.so.$MAJOR; fi
check "the soname follows the version ($WANT: before 1.0 each minor may change the ABI)" \
	bash -c "objdump -p '$LIB' | grep -q 'SONAME *$WANT\$'"

finish
