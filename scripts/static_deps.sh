#!/usr/bin/env bash
# Builds the musl static libraries that `make static` links: libsodium and
# BearSSL from Debian's source packages (the versions pinned below, the .dsc
# checked against its sha256 here, the tarballs against the .dsc by
# dpkg-source), compiled with musl-gcc. Idempotent: the result is cached under
# OUT (default build/static-deps) with a stamp of everything that went into it;
# a second run with nothing changed only compares the stamp and returns.
#
# Why `apt-get source`: it is Debian's own reproducible path (signed Sources
# index -> .dsc -> checksummed tarballs + Debian's patches, e.g. libsodium's
# CVE-2025-69277 fix). The machine's apt configuration is left as it is: the
# deb-src lines are written to a private apt folder under OUT, made from the
# Debian archives the machine already uses (`apt-get indextargets`), the
# security archive last: apt fetches a source from the first archive listing
# its version, and a package that reached a point release is in the main one.
#
# Usage: scripts/static_deps.sh [OUT]
# Environment: JOBS (make -j, default 2); SODIUM_OPT (default -O2) and
# BEARSSL_OPT (default -Os, as Debian builds it): -Os would make libsodium's
# chacha20-poly1305 and AES-GCM take ~50% more CPU for 28 KB, BearSSL's AES-GCM
# is as fast at -Os (docs/container.md has the measurement).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${1:-build/static-deps}
JOBS=${JOBS:-2}
SODIUM_OPT=${SODIUM_OPT:--O2}
BEARSSL_OPT=${BEARSSL_OPT:--Os}
CC_MUSL=${CC_MUSL:-musl-gcc}

# name=version sha256-of-the-.dsc: bump both together.
SODIUM_VER=1.0.18-1+deb12u1
SODIUM_DSC_SHA256=2c23c57b5a9385dab5a1916014c9b5f2cdd7dadeb8a35b28c1bfb603ce7095c4
BEARSSL_VER=0.6+dfsg.1-3
BEARSSL_DSC_SHA256=9bd17e07fc9824b0223dcb4ba14adac17981a4d8f1d63b6655819fe8f2ed98d1

SECTIONS="-ffunction-sections -fdata-sections" # for the link's --gc-sections

die()
{
	echo "static_deps: $*" >&2
	exit 1
}

command -v "$CC_MUSL" >/dev/null || die "$CC_MUSL not found: install musl-tools (scripts/deps.sh does)"
for t in dpkg-source autoreconf libtoolize automake; do
	command -v $t >/dev/null || die "$t not found: install dpkg-dev autoconf automake libtool (scripts/deps.sh does)"
done

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
stamp_want=$(
	{
		cat "$0"
		echo "$SODIUM_OPT $BEARSSL_OPT $SECTIONS"
		"$CC_MUSL" --version 2>&1 | head -n 1
		dpkg-query -W -f='${Version}' musl-dev 2>/dev/null || true
	} | sha256sum | cut -d' ' -f1
)
if [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$stamp_want" ] &&
	[ -f "$OUT/lib/libsodium.a" ] && [ -f "$OUT/lib/libbearssl.a" ]; then
	echo "static_deps: cached in $OUT"
	exit 0
fi
t0=$(date +%s)
rm -rf "$OUT/src" "$OUT/include" "$OUT/lib" "$OUT/stamp"

# ---- sources: a private apt folder with deb-src lines for Debian's archives ----
APT=$OUT/apt
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$OUT/src"
APT_OPTS=(-o "Dir::Etc::SourceList=$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" -o APT::Sandbox::User=root
	-o Acquire::Languages=none -q)
debian_archives()
{
	apt-get indextargets --format '$(ORIGIN) $(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk '$1 == "Debian" { print ($3 ~ /-security$/), $2, $3 }' | sort -u | sort -s -n -k1,1 |
		while read -r _ uri suite; do
			echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
		done
}
debian_archives >"$APT/sources.list"
if [ ! -s "$APT/sources.list" ] && [ "$(id -u)" = 0 ]; then
	apt-get update -qq >/dev/null 2>&1 || true # lists removed (as in slim images): fetch them
	debian_archives >"$APT/sources.list"
fi
[ -s "$APT/sources.list" ] || die "no Debian archive in the machine's apt sources (apt-get indextargets): run apt-get update first"
if [ ! -f "$APT/updated" ]; then
	apt-get "${APT_OPTS[@]}" update >"$APT/update.log" 2>&1 || {
		cat "$APT/update.log" >&2
		die "apt-get update of the source indexes failed"
	}
	touch "$APT/updated"
fi

# fetch NAME VERSION SHA256: downloads and unpacks one source package, checks its .dsc.
fetch()
{
	local name=$1 ver=$2 sum=$3 dsc got
	(cd "$OUT/src" && apt-get "${APT_OPTS[@]}" source --only-source --download-only "$name=$ver") \
		>"$OUT/src/$name.log" 2>&1 || {
		cat "$OUT/src/$name.log" >&2
		apt-cache "${APT_OPTS[@]}" showsrc "$name" 2>/dev/null | grep '^Version:' >&2 || true
		die "cannot fetch source $name=$ver (versions the index has are listed above): update the pin"
	}
	dsc=$OUT/src/${name}_${ver#*:}.dsc
	got=$(sha256sum "$dsc" | cut -d' ' -f1)
	[ "$got" = "$sum" ] || die "$dsc: sha256 $got, pinned $sum"
	(cd "$OUT/src" && dpkg-source -x "$dsc" "$name") >>"$OUT/src/$name.log" 2>&1 ||
		die "dpkg-source -x $dsc failed (see $OUT/src/$name.log)"
}
fetch libsodium "$SODIUM_VER" "$SODIUM_DSC_SHA256"
fetch bearssl "$BEARSSL_VER" "$BEARSSL_DSC_SHA256"
t_fetch=$(date +%s)

# ---- libsodium: autoreconf as Debian's rules do (the tarball has no configure) ----
(
	cd "$OUT/src/libsodium"
	autoreconf -fi >build.log 2>&1
	./configure CC="$CC_MUSL" CFLAGS="$SODIUM_OPT $SECTIONS" --prefix="$OUT" --disable-shared \
		--enable-static --disable-dependency-tracking --disable-pie >>build.log 2>&1
	make -j"$JOBS" install >>build.log 2>&1
) || {
	tail -n 40 "$OUT/src/libsodium/build.log" >&2
	die "libsodium build failed"
}
t_sodium=$(date +%s)

# ---- BearSSL: the library only (no tools, tests or shared object) ----
(
	cd "$OUT/src/bearssl"
	make -j"$JOBS" CC="$CC_MUSL" LD="$CC_MUSL" AR=ar CFLAGS="-W -Wall $BEARSSL_OPT $SECTIONS" \
		build/libbearssl.a >build.log 2>&1
	install -d "$OUT/include" "$OUT/lib"
	install -m 0644 inc/*.h "$OUT/include/"
	install -m 0644 build/libbearssl.a "$OUT/lib/"
) || {
	tail -n 40 "$OUT/src/bearssl/build.log" >&2
	die "BearSSL build failed"
}
t_end=$(date +%s)

echo "$stamp_want" >"$OUT/stamp"
echo "static_deps: built in $OUT in $((t_end - t0))s" \
	"(fetch $((t_fetch - t0))s, libsodium $((t_sodium - t_fetch))s, BearSSL $((t_end - t_sodium))s)"
