# Shared by tests/interop/fleet_haproxy.sh and bench/fleet.sh (sourced after
# lib.sh; not a test itself, hence not .sh): a CA and user key, one agent
# and its registry entry sb_a, relays with --proxy-protocol-from $LB and an
# admin listener, and Debian's HAProxy in front of them (send-proxy-v2,
# httpchk GET /healthz on the admin ports, connecting from $LB).
LB=${LB:-127.0.0.3} # HAProxy's source address towards the relays
GRACE=${GRACE:-8}   # --login-grace-time: also the time a PROXY header may take
PORTS=() ADMINS=() WSPORTS=() PIDS=() RLOGS=()

# sign NAME [OPTIONS...]: $T/NAME (a copy of the user key) with a cert for sb_a
sign()
{
	local name=$1
	shift
	if [ "$name" != user ]; then
		cp "$T/user" "$T/$name"
		cp "$T/user.pub" "$T/$name.pub"
	fi
	ssh-keygen -q -s "$T/ca" -I "$name" -n sb_a -V -5m:+1h "$@" "$T/$name.pub" \
		</dev/null >/dev/null 2>&1 || die "ssh-keygen -s failed for $name"
}

# fleet_keys_agent: the keys, the agent, the registry and the URL secret.
fleet_keys_agent()
{
	ssh_keygen "$T/ca"
	ssh_keygen "$T/user"
	ns_keygen "$T/relay_host"
	ns_keygen "$T/relay_client"
	sign user
	cat "$T/relay_client.pub" >"$T/agent_authorized_keys"
	start_agent
	mkdir -p "$T/registry"
	printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$AGENT_PORT" \
		"$(cat "$AGENT_HOSTKEY.pub")" >"$T/registry/sb_a"
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/ws_secret"
}

# start_relay I [FLAGS...]: relay I on PORTS[I] (SSH), ADMINS[I], WSPORTS[I]
start_relay()
{
	local i=$1 p a w
	shift
	p=$(pick_port)
	a=$(pick_port)
	[ "$a" != "$p" ] || a=$(pick_port)
	w=$(pick_port)
	[ "$w" != "$p" ] && [ "$w" != "$a" ] || w=$(pick_port)
	RLOGS[i]=$T/relay$i.log
	NS_LOGS+=("${RLOGS[i]}")
	# FLEET_ROUTING=cert: no registry, routes from the certificates alone
	local route=(--registry "$T/registry")
	[ "${FLEET_ROUTING:-registry}" != cert ] || route=(--routing cert)
	spawn "${RLOGS[i]}" "$NULLSPACE" relay --listen "127.0.0.1:$p" --host-key "$T/relay_host" \
		--ca-keys "$T/ca.pub" "${route[@]}" --client-key "$T/relay_client" \
		--keepalive 0 --proxy-protocol-from "$LB/32,::1/128" \
		--login-grace-time $GRACE --admin-listen "127.0.0.1:$a" \
		--websocket-listen "127.0.0.1:$w" --websocket-secret "$T/ws_secret" "$@"
	PIDS[i]=$SPAWNED PORTS[i]=$p ADMINS[i]=$a WSPORTS[i]=$w
	wait_listen "relay $i" "$SPAWNED" "$p"
	wait_listen "relay $i (admin)" "$SPAWNED" "$a"
	wait_listen "relay $i (websocket)" "$SPAWNED" "$w"
	known_hosts_line "$p" "$T/relay_host.pub" >>"$T/known_hosts"
}

# server_state NAME: HAProxy's status of server NAME (UP, DOWN, ...)
server_state()
{
	python3 - "$T/haproxy.sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
for line in data.decode().splitlines():
    f = line.split(",")
    if len(f) > 17 and f[0] == "relays" and f[1] == sys.argv[2]:
        print(f[17].split()[0])
PY
}

# wait_state NAME STATE SECS
wait_state()
{
	local k
	for k in $(seq $(($3 * 10))); do
		[ "$(server_state "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# start_haproxy N: HAProxy on HP in front of relays 1..N, checks every 300 ms;
# waits until it sees all N UP.
start_haproxy()
{
	local i
	HP=$(pick_port)
	cat >"$T/haproxy.cfg" <<EOF
global
	maxconn 500
	stats socket $T/haproxy.sock mode 600 level admin
defaults
	mode tcp
	timeout connect 2s
	timeout client 60s
	timeout server 60s
	retries 3
	option redispatch
frontend ssh
	bind 127.0.0.1:$HP
	default_backend relays
backend relays
	balance roundrobin
	option httpchk GET /healthz
	http-check expect status 200
	default-server inter 300ms fall 2 rise 2 source $LB
EOF
	for i in $(seq "$1"); do
		printf '\tserver r%s 127.0.0.1:%s send-proxy-v2 check port %s\n' "$i" "${PORTS[i]}" \
			"${ADMINS[i]}"
	done >>"$T/haproxy.cfg"
	haproxy -c -f "$T/haproxy.cfg" >"$T/haproxy_c.out" 2>&1 ||
		die "haproxy -c: $(cat "$T/haproxy_c.out")"
	NS_LOGS+=("$T/haproxy.log")
	spawn "$T/haproxy.log" haproxy -db -f "$T/haproxy.cfg"
	HAPROXY_PID=$SPAWNED
	wait_listen haproxy "$HAPROXY_PID" "$HP"
	known_hosts_line "$HP" "$T/relay_host.pub" >>"$T/known_hosts"
	for i in $(seq "$1"); do
		wait_state "r$i" UP 10 || die "HAProxy never saw r$i UP ($(server_state "r$i"))"
	done
}

# login KEY ARGS...: ssh through HAProxy as sb_a with KEY's certificate.
login()
{
	local key=$1
	shift
	timeout -k 5 60 "${SSH[@]}" -i "$T/$key" -o "CertificateFile=$T/$key-cert.pub" \
		-p "$HP" sb_a@127.0.0.1 "$@" </dev/null
}
