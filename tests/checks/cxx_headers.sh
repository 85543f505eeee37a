#!/usr/bin/env bash
# Every public header compiles on its own as C and as C++ (extern "C"
# guards), and a C++ program links against the library's C symbols.
# NS_BUILD: the build folder holding libnullspace.a (default build/asan).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
if ! command -v g++ >/dev/null; then
	echo "SKIP no g++"
	exit 77
fi
for h in include/nullspace/*.h; do
	n=nullspace/$(basename "$h")
	printf '#include "%s"\n' "$n" >"$tmp/one.c"
	check "$n alone as C" cc -std=c11 -Wall -Werror -Iinclude -fsyntax-only "$tmp/one.c"
	cp "$tmp/one.c" "$tmp/one.cc"
	check "$n alone as C++" g++ -std=c++17 -Wall -Werror -Iinclude -fsyntax-only "$tmp/one.cc"
done
cat >"$tmp/main.cc" <<'CC'
#include <cstdio>
#include <cstring>
#include "nullspace/engine.h"
#include "nullspace/version.h"
int main()
{
	ns_engine_config cfg;
	ns_engine *e = nullptr;
	ns_engine_config_init(&cfg);
	cfg.role = NS_ROLE_CLIENT;
	cfg.alloc = ns_allocator_libc();
	if (ns_engine_new(&cfg, &e) != 0) return 1;
	ns_engine_free(e);
	std::printf("%s\n", ns_version());
	return std::strcmp(ns_version(), NS_VERSION_STRING) != 0;
}
CC
B=${NS_BUILD:-build/asan}
SAN=
case $B in *asan*) SAN=-fsanitize=address,undefined ;; esac
check "a C++ program links and runs" bash -c "g++ -std=c++17 $SAN -Iinclude -o '$tmp/main' '$tmp/main.cc' '$B/libnullspace.a' \$(pkg-config --libs libsodium) -lbearssl -lutil -lcurl -ljansson -lmicrohttpd && '$tmp/main'"
finish
