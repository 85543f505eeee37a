#!/usr/bin/env bash
# The five-minute tour on a fresh Debian 12 machine: installs the build
# dependencies, builds nullspace, starts the embedded default (`nullspace up`:
# API, relay and local sandbox runtime) with a temporary NULLSPACE_HOME,
# creates a sandbox and runs a command in it with `nullspace ssh` (OpenSSH's
# ssh when installed, else the built-in client), then stops everything and
# removes the folder. Your own ~/.nullspace is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh
make -j"$(nproc)" >/dev/null
NS=$PWD/bin/nullspace

dir=$(mktemp -d "${TMPDIR:-/tmp}/nullspace-demo.XXXXXX")
export NULLSPACE_HOME=$dir/home
unset NULLSPACE_API_URL NULLSPACE_API_KEY
up_pid=
cleanup()
{
	if [ -n "$up_pid" ]; then
		kill -TERM "$up_pid" 2>/dev/null || true
		wait "$up_pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT

# Two free ports on 127.0.0.1.
ports=()
for p in $(shuf -i 30000-32699 -n 50); do
	if [ -z "$(ss -Hltn "sport = :$p")" ]; then
		ports+=("$p")
		[ ${#ports[@]} -lt 2 ] || break
	fi
done
[ ${#ports[@]} -eq 2 ] || { echo "demo: no free ports found" >&2; exit 1; }
api=${ports[0]} relay=${ports[1]}

echo "+ nullspace up --api-listen 127.0.0.1:$api --relay-listen 127.0.0.1:$relay &"
"$NS" up --api-listen "127.0.0.1:$api" --relay-listen "127.0.0.1:$relay" 2>"$dir/up.log" &
up_pid=$!
for _ in $(seq 100); do
	[ -n "$(ss -Hltn "sport = :$api")" ] && break
	kill -0 "$up_pid" 2>/dev/null || { cat "$dir/up.log" >&2; exit 1; }
	sleep 0.1
done

echo "+ nullspace sandbox create"
sb=$("$NS" sandbox create)
echo "$sb"
cmd='echo hello from $(pwd); uname -a; exit 3'
echo "+ nullspace ssh $sb -- '$cmd'"
echo
set +e
"$NS" ssh "$sb" -- "$cmd" </dev/null
rc=$?
set -e
echo
echo "remote exit status came back as our exit code: $rc (expected 3)"
echo "+ nullspace sandbox kill $sb"
"$NS" sandbox kill "$sb"
echo
echo "nullspace up log:"
sed 's/^/  /' "$dir/up.log"
[ "$rc" = 3 ]
