#!/usr/bin/env bash
# Routing from the certificate alone (issue 17): two relays with different
# host keys, each with a host certificate from one host CA, neither with a
# registry (--routing cert); the agents of two sandboxes on their own ports,
# named only by the agent@nullspace extension of the user certificates
# (signed here by ssh-keygen -O extension:..., which proves the encoding is
# OpenSSH's). OpenSSH and the built-in client log in through both relays
# with one @cert-authority known_hosts line; a moved agent (other port,
# other key) gives the clear refusal; cert-then-registry falls back to the
# registry; and `nullspace ssh` under `nullspace up` mints anew once when
# its saved certificate's route is stale.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace

ssh_keygen "$T/ca"
ssh_keygen "$T/host_ca"
ssh_keygen "$T/other_host_ca"
ssh_keygen "$T/user"
ns_keygen "$T/relay_client"
cat "$T/relay_client.pub" >"$T/agent_authorized_keys"

# start_agent_on NAME PORT HOSTKEY: a nullspace agent; sets SPAWNED.
start_agent_on()
{
	NS_LOGS+=("$T/$1.log")
	spawn "$T/$1.log" "$NULLSPACE" agent --home "$(agent_home)" --listen "127.0.0.1:$2" \
		--host-key "$3" --authorized-keys "$T/agent_authorized_keys"
	wait_listen "agent $1" "$SPAWNED" "$2"
}
ns_keygen "$T/agent_a_host"
ns_keygen "$T/agent_b_host"
PA=$(pick_port)
start_agent_on agent_a "$PA" "$T/agent_a_host"
AGENT_A=$SPAWNED
PB=$(pick_port)
start_agent_on agent_b "$PB" "$T/agent_b_host"

# route ENDPOINT HOSTKEY.pub: the agent@nullspace value.
route()
{
	printf 'endpoint=%s\nhost_key=%s\nuser=sandbox\n' "$1" "$(cut -d' ' -f1,2 "$2")"
}
# sign NAME PRINCIPAL [ROUTE]: $T/NAME-cert.pub for the user key, with the route.
sign()
{
	local ext=()
	[ $# -lt 3 ] || ext=(-O "extension:agent@nullspace=$3")
	cp "$T/user.pub" "$T/$1.pub"
	ssh-keygen -q -s "$T/ca" -I "key-$1" -n "$2" -V -5m:+1h -O clear -O permit-pty "${ext[@]}" \
		"$T/$1.pub" </dev/null >/dev/null 2>&1 || die "ssh-keygen -s failed for $1"
}
sign a sb_a "$(route "127.0.0.1:$PA" "$T/agent_a_host.pub")"
sign b sb_b "$(route "127.0.0.1:$PB" "$T/agent_b_host.pub")"
sign plain sb_a

ssh-keygen -L -f "$T/a-cert.pub" >"$T/a.L" 2>&1 || die "ssh-keygen -L refuses the certificate"
assert_contains "ssh-keygen -L lists the extension" "agent@nullspace" "$T/a.L"

# two relays: different host keys, host certificates from one host CA
RELAYS=()
RPORTS=()
for i in 1 2; do
	ns_keygen "$T/relay${i}_host"
	ssh-keygen -q -s "$T/host_ca" -h -I "relay$i" -n 127.0.0.1 -V -5m:+1h \
		"$T/relay${i}_host.pub" </dev/null >/dev/null 2>&1 || die "host cert $i"
	p=$(pick_port)
	NS_LOGS+=("$T/relay$i.log")
	spawn "$T/relay$i.log" "$NULLSPACE" relay --listen "127.0.0.1:$p" --routing cert \
		--host-key "$T/relay${i}_host" --host-cert "$T/relay${i}_host-cert.pub" \
		--ca-keys "$T/ca.pub" --client-key "$T/relay_client"
	wait_listen "relay $i" "$SPAWNED" "$p"
	RELAYS+=("$SPAWNED")
	RPORTS+=("$p")
done
P1=${RPORTS[0]}
P2=${RPORTS[1]}
assert_contains "relay logs its routing" "event=routing mode=cert registry=none host_cert=yes" \
	"$T/relay1.log"

# one known_hosts line for the fleet: the host CA
echo "@cert-authority [127.0.0.1]:$P1,[127.0.0.1]:$P2 $(cut -d' ' -f1,2 "$T/host_ca.pub")" \
	>"$T/known_hosts"
echo "@cert-authority [127.0.0.1]:$P1,[127.0.0.1]:$P2 $(cut -d' ' -f1,2 "$T/other_host_ca.pub")" \
	>"$T/known_hosts_other"

# rs CERT PORT USER ARGS...: OpenSSH through a relay.
rs()
{
	local cert=$1 port=$2 user=$3
	shift 3
	timeout -k 5 60 "${SSH[@]}" -i "$T/user" -p "$port" -o "CertificateFile=$T/$cert-cert.pub" \
		"$user@127.0.0.1" "$@" </dev/null
}

for p in "$P1" "$P2"; do
	out=$(rs a "$p" sb_a -- 'echo via-a' 2>"$T/ssh.err")
	assert_eq "sb_a through the relay on $p (ssh, @cert-authority)" "via-a" "$out"
	out=$(rs b "$p" sb_b -- 'echo via-b' 2>"$T/ssh.err")
	assert_eq "sb_b through the relay on $p (ssh, @cert-authority)" "via-b" "$out"
done
cat "$T/relay1.log" "$T/relay2.log" >"$T/relays.log"
assert_not_contains "no registry lookups" "registry-error" "$T/relays.log"

# the built-in client checks the host certificate against the pinned CA
out=$(ns_connect -c "$T/a-cert.pub" -i "$T/user" -k "$T/known_hosts" -p "$P2" sb_a@127.0.0.1 \
	-- echo native 2>"$T/nc.err" </dev/null)
assert_eq "built-in client through relay 2 with the pinned host CA" "native" "$out"
ns_connect -c "$T/a-cert.pub" -i "$T/user" -k "$T/known_hosts_other" -p "$P2" \
	sb_a@127.0.0.1 -- echo native >"$T/nc2.out" 2>"$T/nc2.err" </dev/null
assert_eq "built-in client refuses a host cert of another CA (status)" "1" \
	"$([ "$?" != 0 ] && echo 1 || echo 0)"
assert_eq "... and ran nothing" "" "$(cat "$T/nc2.out")"
cp "$T/known_hosts" "$T/known_hosts.good"
cp "$T/known_hosts_other" "$T/known_hosts"
rs a "$P1" sb_a -- echo x >"$T/o.out" 2>"$T/o.err"
assert_eq "ssh refuses the relays with another host CA pinned" "255" "$?"
assert_contains "... as a host key verification failure" "Host key verification failed" "$T/o.err"
cp "$T/known_hosts.good" "$T/known_hosts"

# no route in the certificate: a cert-only relay says so
rs plain "$P1" sb_a -- 'echo x' >/dev/null 2>"$T/plain.err"
assert_eq "a certificate without a route: ssh exits 255" "255" "$?"
assert_contains "... with the reason" "carries no route (agent@nullspace)" "$T/plain.err"
assert_contains "... logged" "reason=no-route" "$T/relay1.log"

# ---- the sandbox moves -----------------------------------------------------------

kill "$AGENT_A"
wait "$AGENT_A" 2>/dev/null
PA2=$(pick_port)
start_agent_on agent_a2 "$PA2" "$T/agent_a_host"
AGENT_A=$SPAWNED
rs a "$P1" sb_a -- 'echo stale' >"$T/moved.out" 2>"$T/moved.err"
assert_eq "a stale route (agent on another port): ssh exits 255" "255" "$?"
assert_contains "... with the clear refusal" \
	"port $P1:11: sandbox sb_a has moved; mint a new certificate" "$T/moved.err"
assert_eq "... and nothing ran" "" "$(cat "$T/moved.out")"
grep "event=sandbox-moved" "$T/relay1.log" >"$T/moved1.log"
assert_contains "... logged with a reason" "sandbox=sb_a endpoint=127.0.0.1:$PA reason=connection-refused" \
	"$T/moved1.log"
sign a2 sb_a "$(route "127.0.0.1:$PA2" "$T/agent_a_host.pub")"
out=$(rs a2 "$P1" sb_a -- 'echo moved-ok' 2>"$T/ssh.err")
assert_eq "a new certificate with the new route logs in" "moved-ok" "$out"

# same port, another host key
kill "$AGENT_A"
wait "$AGENT_A" 2>/dev/null
ns_keygen "$T/agent_a_host2"
start_agent_on agent_a3 "$PA2" "$T/agent_a_host2"
AGENT_A=$SPAWNED
rs a2 "$P2" sb_a -- 'echo stale' >/dev/null 2>"$T/moved2.err"
assert_eq "a stale host key: ssh exits 255" "255" "$?"
assert_contains "... with the clear refusal" "sandbox sb_a has moved; mint a new certificate" \
	"$T/moved2.err"
grep "event=sandbox-moved" "$T/relay2.log" >"$T/moved2.log"
assert_contains "... logged as host-key-mismatch" "reason=host-key-mismatch" "$T/moved2.log"

# ---- cert-then-registry ------------------------------------------------------------

mkdir -p "$T/registry"
printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$PA2" \
	"$(cat "$T/agent_a_host2.pub")" >"$T/registry/sb_a"
P3=$(pick_port)
NS_LOGS+=("$T/relay3.log")
spawn "$T/relay3.log" "$NULLSPACE" relay --listen "127.0.0.1:$P3" --host-key "$T/relay1_host" \
	--host-cert "$T/relay1_host-cert.pub" --ca-keys "$T/ca.pub" --client-key "$T/relay_client" \
	--registry "$T/registry"
wait_listen "relay 3" "$SPAWNED" "$P3"
assert_contains "default with --registry: cert-then-registry" "mode=cert-then-registry" \
	"$T/relay3.log"
echo "@cert-authority [127.0.0.1]:$P3 $(cut -d' ' -f1,2 "$T/host_ca.pub")" >>"$T/known_hosts"
out=$(rs plain "$P3" sb_a -- 'echo from-registry' 2>"$T/ssh.err")
assert_eq "no route in the certificate: the registry's entry" "from-registry" "$out"
out=$(rs b "$P3" sb_b -- 'echo from-cert' 2>"$T/ssh.err")
assert_eq "sb_b, not in the registry: the certificate's route" "from-cert" "$out"

# refusals of the command line
"$NULLSPACE" relay --routing registry --host-key "$T/relay1_host" --ca-keys "$T/ca.pub" \
	--client-key "$T/relay_client" >"$T/cl.out" 2>&1
assert_eq "--routing registry without --registry is refused" "255" "$?"
assert_contains "... saying why" "--routing registry needs --registry" "$T/cl.out"
"$NULLSPACE" relay --host-key "$T/relay1_host" --host-cert "$T/relay2_host-cert.pub" \
	--ca-keys "$T/ca.pub" --client-key "$T/relay_client" >"$T/cl.out" 2>&1
assert_contains "a host certificate of another key is refused" "not for the key of --host-key" \
	"$T/cl.out"

# ---- the API mints the route; nullspace ssh mints anew on a stale one --------------

command -v jq >/dev/null || skip "jq missing"
ssh_keygen "$T/up_host_ca"
start_up --relay-host-ca "$T/up_host_ca"
NS=$NULLSPACE
"$NS" sandbox create --timeout 300 >"$T/create.out" 2>"$T/create.err" ||
	die "sandbox create failed: $(cat "$T/create.err")"
SB=$(cat "$T/create.out")
"$NS" sandbox ssh-access "$SB" --json >"$T/acc.json" 2>"$T/acc.err" || die "ssh-access failed"
jq -r .certificate "$T/acc.json" >"$T/api-cert.pub"
ssh-keygen -L -f "$T/api-cert.pub" >"$T/api.L" 2>&1 || die "ssh-keygen -L refuses the API's certificate"
assert_contains "the API's certificate carries the route" "agent@nullspace" "$T/api.L"
# a relay of its own trusting up's CA: no registry, the route only
ST=$NULLSPACE_HOME/state
P4=$(pick_port)
NS_LOGS+=("$T/relay4.log")
spawn "$T/relay4.log" "$NULLSPACE" relay --listen "127.0.0.1:$P4" --routing cert \
	--host-key "$ST/relay_host_key" --ca-keys "$ST/ca.pub" --client-key "$ST/relay_client_key"
wait_listen "relay 4" "$SPAWNED" "$P4"
out=$("$NS" ssh "$SB" -- echo via-up 2>"$T/nsssh.err" </dev/null)
assert_eq "nullspace ssh through up's relay" "via-up" "$out"
# one identity: up's relay presents a host certificate, the CLI pins the CA
jq -r .relay.host_ca "$T/acc.json" >"$T/acc_ca.pub"
assert_eq "the access object names the relays' host CA" "$(cut -d' ' -f1,2 "$T/up_host_ca.pub")" \
	"$(cat "$T/acc_ca.pub")"
jq -r .relay.known_hosts "$T/acc.json" >"$T/acc_kh"
assert_contains "... and an @cert-authority known_hosts line" \
	"@cert-authority [127.0.0.1]:$RELAY_PORT ssh-ed25519" "$T/acc_kh"
assert_contains "the CLI pins the CA" \
	"@cert-authority [127.0.0.1]:$RELAY_PORT $(cut -d' ' -f1,2 "$T/up_host_ca.pub")" \
	"$NULLSPACE_HOME/ssh/known_hosts"
grep -v '^@' "$NULLSPACE_HOME/ssh/known_hosts" >"$T/plain_pins" || true
assert_not_contains "... and no key of a single relay" "[127.0.0.1]:$RELAY_PORT" "$T/plain_pins"
ssh-keygen -L -f "$ST/relay_host_key-cert.pub" >"$T/hc.L" 2>&1 || die "no host certificate"
assert_contains "up's relay has a host certificate" "host certificate" "$T/hc.L"
out=$("$NS" ssh --native "$SB" -- echo native-ca 2>"$T/native.err" </dev/null)
assert_eq "the built-in client checks the host certificate against the pinned CA" "native-ca" \
	"$out"
ssh-keygen -y -f "$ST/relay_host_key" >"$T/up_relay.pub" || die "cannot read up's relay key"
known_hosts_line "$P4" "$T/up_relay.pub" >"$T/known_hosts"
out=$(timeout -k 5 60 "${SSH[@]}" -i "$NULLSPACE_HOME/ssh/id_ed25519" -p "$P4" \
	-o "CertificateFile=$NULLSPACE_HOME/ssh/$SB-cert.pub" "$SB@127.0.0.1" -- echo via-route \
	</dev/null 2>"$T/r4.err")
assert_eq "the API's certificate through a cert-only relay" "via-route" "$out"

# the saved certificate now names an agent that is gone (signed by up's CA,
# permitting what nullspace ssh asks for, so that it is reused): nullspace
# ssh is refused as moved, mints anew once and gets in
HK=$(sed -n 's/^host_key=//p' "$ST/registry/$SB")
cp "$NULLSPACE_HOME/ssh/id_ed25519.pub" "$T/stale.pub"
ssh-keygen -q -s "$ST/ca" -I "nullspace:acc_stale:$SB" -n "$SB" -V -1m:+30m -O clear \
	-O permit-pty -O permit-port-forwarding -O "extension:agent@nullspace=$(printf 'endpoint=unix:%s/gone.sock\nhost_key=%s\n' "$T" "$HK")" \
	"$T/stale.pub" </dev/null >/dev/null 2>&1 || die "cannot sign the stale certificate"
cp "$T/stale-cert.pub" "$NULLSPACE_HOME/ssh/$SB-cert.pub"
out=$("$NS" ssh "$SB" -- echo re-minted 2>"$T/remint.err" </dev/null)
assert_eq "nullspace ssh mints anew on the moved refusal and gets in" "re-minted" "$out"
assert_contains "... after ssh showed the refusal" "sandbox $SB has moved; mint a new certificate" \
	"$T/remint.err"
assert_contains "... and saying it tries once more" "minting a new certificate and trying once more" \
	"$T/remint.err"
assert_contains "the relay logged the stale route" "event=sandbox-moved" "$UP_LOG"
# the same with the built-in client
cp "$T/stale-cert.pub" "$NULLSPACE_HOME/ssh/$SB-cert.pub"
out=$("$NS" ssh --native "$SB" -- echo re-minted-native 2>"$T/remint_n.err" </dev/null)
assert_eq "nullspace ssh --native mints anew on the moved refusal too" "re-minted-native" "$out"
assert_contains "... after showing the refusal" "sandbox $SB has moved; mint a new certificate" \
	"$T/remint_n.err"
assert_contains "... and saying it tries once more" "minting a new certificate and trying once more" \
	"$T/remint_n.err"

pass
