#!/usr/bin/env bash
# Issue 17 as a whole, on one machine: three relays with NO registry behind
# Debian's HAProxy (send-proxy-v2, health checks on /healthz), routing each
# login by the certificate's agent@nullspace extension alone, to two
# sandboxes whose agents each live in a network namespace of their own (a
# veth pair to the host; the agent listens only on the namespace's
# address). Checks: logins to both sandboxes through HAProxy all succeed,
# spread over the three relays, each on the agent its certificate names;
# every relay says it routes by certificate with no registry; a
# certificate naming the other sandbox's agent (its host key differs) is
# refused as moved, one with no route as such; one relay killed: new logins
# still all succeed through the other two.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
command -v ip >/dev/null || skip "ip (iproute2) missing"
command -v haproxy >/dev/null || skip "haproxy missing (Debian package haproxy)"
command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace
. "$(dirname "$0")/fleet.bash"

# ---- two sandboxes, each an agent in a network namespace -----------------------
NET=10.$((RANDOM % 200 + 20)).$((RANDOM % 250))
NSS=()
netns_down()
{
	local n
	for n in "${NSS[@]}"; do
		ip netns del "$n" 2>/dev/null # its end of the veth pair goes with it
	done
}
trap 'r=$?; stop_all; netns_down; (exit $r); ns_cleanup' EXIT

ssh_keygen "$T/ca"
ssh_keygen "$T/user"
ns_keygen "$T/relay_host"
ns_keygen "$T/relay_client"
cat "$T/relay_client.pub" >"$T/agent_authorized_keys"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/ws_secret"

# sandbox NAME K: namespace, veth $NET.(4K+1) (host) <-> $NET.(4K+2), agent
# on $NET.(4K+2):2222 inside; sets ADDR_NAME.
sandbox()
{
	local name=$1 k=$2 n=nsf$$$1 host ip
	host=$NET.$((4 * k + 1))
	ip=$NET.$((4 * k + 2))
	ip netns add "$n" || die "ip netns add $n failed"
	NSS+=("$n")
	ip link add "v$$$name" type veth peer name eth0 netns "$n" || die "veth for $n failed"
	ip addr add "$host/30" dev "v$$$name"
	ip link set "v$$$name" up
	ip netns exec "$n" ip addr add "$ip/30" dev eth0
	ip netns exec "$n" ip link set eth0 up
	ip netns exec "$n" ip link set lo up
	ns_keygen "$T/agent_$name"
	NS_LOGS+=("$T/agent_$name.log")
	spawn "$T/agent_$name.log" ip netns exec "$n" "$NULLSPACE" agent --listen "$ip:2222" \
		--host-key "$T/agent_$name" --authorized-keys "$T/agent_authorized_keys" \
		--home "$(agent_home)"
	local i
	for i in $(seq 200); do
		[ -n "$(ip netns exec "$n" ss -Hltn 'sport = :2222')" ] && break
		kill -0 "$SPAWNED" 2>/dev/null || die "the agent of $name exited: $(cat "$T/agent_$name.log")"
		sleep 0.1
	done
	printf -v "ADDR_$name" '%s' "$ip"
}
sandbox sb_a 0
sandbox sb_b 1
port_listening 2222 && fail "an agent listens in the host's namespace"

# cert NAME SANDBOX [ROUTE]: $T/NAME (a copy of the user key) with a
# certificate for SANDBOX whose agent@nullspace is ROUTE (none if empty)
cert()
{
	local name=$1 sb=$2 ext=()
	cp "$T/user" "$T/$name"
	cp "$T/user.pub" "$T/$name.pub"
	[ -z "${3:-}" ] || ext=(-O "extension:agent@nullspace=$3")
	ssh-keygen -q -s "$T/ca" -I "$name" -n "$sb" -V -5m:+1h -O clear -O permit-pty "${ext[@]}" \
		"$T/$name.pub" </dev/null >/dev/null 2>&1 || die "ssh-keygen -s failed for $name"
}
route() { printf 'endpoint=%s:2222\nhost_key=%s\nuser=sandbox\n' "$1" "$(cut -d' ' -f1,2 "$2")"; }
cert key_a sb_a "$(route "$ADDR_sb_a" "$T/agent_sb_a.pub")"
cert key_b sb_b "$(route "$ADDR_sb_b" "$T/agent_sb_b.pub")"
cert key_wrong sb_b "$(route "$ADDR_sb_a" "$T/agent_sb_b.pub")" # sb_a's address, sb_b's key
cert key_none sb_a

# ---- three relays without a registry, HAProxy in front ---------------------------
export FLEET_ROUTING=cert
for i in 1 2 3; do
	start_relay $i
	assert_contains "relay $i routes by certificate, no registry" \
		"event=routing mode=cert registry=none" "${RLOGS[i]}"
done
start_haproxy 3
ok "three relays without a registry behind HAProxy, all UP"

# go KEY SANDBOX CMD: ssh through HAProxy
go()
{
	timeout -k 5 60 "${SSH[@]}" -i "$T/$1" -o "CertificateFile=$T/$1-cert.pub" -p "$HP" \
		"$2@127.0.0.1" "$3" </dev/null
}
WHERE='ip -o -4 addr show dev eth0 | awk "{print \$4}"'
: >"$T/where.out"
for round in 1 2 3 4 5 6; do
	pids=()
	for sb in sb_a sb_b; do
		(w=$(go "key_${sb#sb_}" "$sb" "$WHERE") && echo "$sb $w" >>"$T/where.out") &
		pids+=($!)
	done
	wait "${pids[@]}"
done
assert_eq "12 logins through HAProxy all succeed" 12 "$(wc -l <"$T/where.out")"
assert_eq "sb_a's six ran in sb_a's namespace" 6 "$(grep -c "^sb_a $ADDR_sb_a/30$" "$T/where.out")"
assert_eq "sb_b's six ran in sb_b's namespace" 6 "$(grep -c "^sb_b $ADDR_sb_b/30$" "$T/where.out")"
for i in 1 2 3; do
	c=$(grep -c "event=auth .*result=accepted" "${RLOGS[i]}")
	[ "$c" -ge 2 ] || fail "relay $i took $c of 12 logins: not spread"
	grep -q "event=agent-connect sandbox=sb_" "${RLOGS[i]}" || fail "relay $i reached no agent"
done
ok "12 logins spread over three relays, each on the agent its certificate names"

# ---- refusals ------------------------------------------------------------------
go key_wrong sb_b true >/dev/null 2>"$T/wrong.err"
assert_eq "a route to another sandbox's agent: refused" 255 "$?"
assert_contains "... as moved" "sandbox sb_b has moved; mint a new certificate" "$T/wrong.err"
cat "${RLOGS[@]}" >"$T/relays.log"
assert_contains "... logged with the reason" "event=sandbox-moved" "$T/relays.log"
go key_none sb_a true >/dev/null 2>"$T/none.err"
assert_eq "a certificate with no route: refused" 255 "$?"
assert_contains "... saying so" "carries no route (agent@nullspace)" "$T/none.err"
ok "a route with the wrong host key is refused as moved, no route as such"

# ---- one relay killed: new logins go on through the others -----------------------
kill -KILL "${PIDS[1]}"
wait_state r1 DOWN 10 || fail "HAProxy never marked the killed relay DOWN"
: >"$T/after.out"
for k in 1 2 3 4 5 6; do
	go key_a sb_a 'echo after' >>"$T/after.out" 2>/dev/null
done
assert_eq "after a relay died, 6 new logins all succeed" 6 "$(grep -c '^after$' "$T/after.out")"
ok "a killed relay: HAProxy marks it DOWN, new logins succeed through the other two"
pass
