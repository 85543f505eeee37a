#!/usr/bin/env bash
# The five-minute tour on a fresh Debian 12 machine: installs the build
# dependencies, builds nullspace, makes a host key and a user key in a temp
# dir, starts `nullspace agent` on 127.0.0.1 and runs a command through
# `nullspace connect`, then stops the agent and removes the temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh
make -j"$(nproc)" >/dev/null
NS=$PWD/bin/nullspace

dir=$(mktemp -d "${TMPDIR:-/tmp}/nullspace-demo.XXXXXX")
agent_pid=
cleanup()
{
	if [ -n "$agent_pid" ]; then
		kill "$agent_pid" 2>/dev/null || true
		wait "$agent_pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT

# A free port on 127.0.0.1.
port=
for p in $(shuf -i 30000-32699 -n 50); do
	if [ -z "$(ss -Hltn "sport = :$p")" ]; then
		port=$p
		break
	fi
done
[ -n "$port" ] || { echo "demo: no free port found" >&2; exit 1; }

echo "+ nullspace keygen -f $dir/host_key"
"$NS" keygen -f "$dir/host_key" -C demo-host
echo "+ nullspace keygen -f $dir/id_ed25519"
"$NS" keygen -f "$dir/id_ed25519" -C demo-user
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
read -r type blob _ <"$dir/host_key.pub"
echo "[127.0.0.1]:$port $type $blob" >"$dir/known_hosts"

echo "+ nullspace agent --listen 127.0.0.1:$port --host-key $dir/host_key --authorized-keys $dir/authorized_keys &"
"$NS" agent --listen "127.0.0.1:$port" --host-key "$dir/host_key" \
	--authorized-keys "$dir/authorized_keys" 2>"$dir/agent.log" &
agent_pid=$!
for _ in $(seq 50); do
	[ -n "$(ss -Hltn "sport = :$port")" ] && break
	kill -0 "$agent_pid" 2>/dev/null || { cat "$dir/agent.log" >&2; exit 1; }
	sleep 0.1
done

cmd='echo hello from nullspace; uname -a; exit 3'
echo "+ nullspace connect -p $port -i $dir/id_ed25519 -k $dir/known_hosts $(id -un)@127.0.0.1 -- '$cmd'"
echo
set +e
"$NS" connect -p "$port" -i "$dir/id_ed25519" -k "$dir/known_hosts" "$(id -un)@127.0.0.1" -- "$cmd" </dev/null
rc=$?
set -e
echo
echo "remote exit status came back as our exit code: $rc (expected 3)"
echo
echo "agent log:"
sed 's/^/  /' "$dir/agent.log"
[ "$rc" = 3 ]
