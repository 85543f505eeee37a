#!/usr/bin/env bash
# The agent keeps streaming when nothing but its own output wakes it (issue
# 10, the stall behind NS_SESSION_CHUNK 64 KiB): `nullspace connect` gives
# window back only in half-window steps (1 MiB), so between two steps the
# agent hears nothing from its peer. A session that stopped watching its
# child because the connection's output was full must watch it again once
# that output is sent, or the stream stops for good (it did: about 200 KiB
# of a download came, then nothing until the client's time limit). Straight
# to the agent (no relay), downloads and two-way streams, each within
# WAKEUP_SECS; sha256 checked. About 10 s under ASan.
. "$(dirname "$0")/lib.sh"

command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace

SECS=${WAKEUP_SECS:-30}
ns_keygen "$T/user"
cat "$T/user.pub" >"$T/agent_authorized_keys"
start_agent
known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"

conn()
{
	NSC_TIMEOUT=$SECS ns_connect -i "$T/user" -k "$T/known_hosts" -p "$AGENT_PORT" \
		root@127.0.0.1 -- "$@"
}

head -c 24M /dev/urandom >"$T/blob"
want=$(sha256sum <"$T/blob" | cut -d' ' -f1)

# downloads: the child writes as fast as it can, the client only reads
for i in 1 2 3; do
	start=$(date +%s)
	got=$(conn "head -c 64M /dev/zero" </dev/null | wc -c)
	rc=${PIPESTATUS[0]}
	assert_eq "download $i of 64 MiB: exit 0" 0 "$rc"
	assert_eq "download $i: every byte" $((64 * 1048576)) "$got"
	echo "# download $i: $(($(date +%s) - start)) s"
done

# the same bytes back and forth at once, then through a filter
for filter in cat 'gzip -1 | gunzip'; do
	start=$(date +%s)
	got=$(conn "$filter" <"$T/blob" | sha256sum | cut -d' ' -f1)
	assert_eq "'$filter' 24 MiB both ways: sha256" "$want" "$got"
	echo "# '$filter': $(($(date +%s) - start)) s"
done

# stderr alone, and stdout with stderr at once
got=$(conn "head -c 16M /dev/zero >&2" 2>&1 </dev/null | wc -c)
assert_eq "16 MiB on stderr: every byte" $((16 * 1048576)) "$got"
got=$(conn "head -c 16M /dev/zero & head -c 16M /dev/zero >&2; wait" 2>&1 </dev/null | wc -c)
assert_eq "16 MiB on stdout and 16 MiB on stderr at once: every byte" $((32 * 1048576)) "$got"

agent_alive
pass
