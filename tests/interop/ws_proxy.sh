#!/usr/bin/env bash
# `nullspace proxy` behind an HTTP proxy (issue 13): Debian's tinyproxy on
# 127.0.0.1 allowing CONNECT to the WebSocket port only; with HTTPS_PROXY
# set, real OpenSSH through it to a sandbox of `nullspace up` (exit 7 -> 7,
# `nullspace ssh --websocket` too); a CONNECT the proxy refuses (403) and a
# proxy wanting credentials (407) give a clear message and exit 70; the
# credentials of the proxy URL make it through and never reach a message;
# NO_PROXY sends the connection straight; a dead proxy is exit 69.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v tinyproxy >/dev/null || skip "tinyproxy missing (scripts/deps.sh installs tinyproxy-bin)"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace
NS=$NULLSPACE

start_up
WS_PORT=
for i in $(seq 100); do
	WS_PORT=$(sed -n 's/.*WebSocket listener on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$UP_LOG" | head -1)
	[ -n "$WS_PORT" ] && break
	sleep 0.1
done
[ -n "$WS_PORT" ] || die "up logged no WebSocket listener"

# tinyproxy PORT CONF_EXTRA...: one on 127.0.0.1, CONNECT to the WebSocket
# port only, in the foreground, logging into the temp dir.
mkdir -p "$T/tp"
tinyproxy_start()
{
	local name=$1 port=$2
	shift 2
	{
		echo "Port $port"
		echo "Listen 127.0.0.1"
		echo "Allow 127.0.0.1"
		echo "Timeout 60"
		echo "MaxClients 16"
		echo "LogLevel Info"
		echo "LogFile \"$T/tp/$name.log\""
		echo "ConnectPort $WS_PORT"
		for line in "$@"; do echo "$line"; done
	} >"$T/$name.conf"
	if [ "$(id -u)" = 0 ]; then # tinyproxy drops root: its log folder is open to nobody
		echo "User nobody" >>"$T/$name.conf"
		echo "Group nogroup" >>"$T/$name.conf"
		chmod 0711 "$T"
		chmod 0777 "$T/tp"
	fi
	spawn "$T/$name.out" tinyproxy -d -c "$T/$name.conf"
	NS_LOGS+=("$T/tp/$name.log")
	wait_listen "tinyproxy $name" "$SPAWNED" "$port"
}
P1=$(pick_port)
tinyproxy_start open "$P1"
P2=$(pick_port)
[ "$P2" != "$P1" ] || P2=$(pick_port)
tinyproxy_start auth "$P2" "BasicAuth nsuser s3cret-pw"

SB=$("$NS" sandbox create --timeout 600) || die "sandbox create failed"
"$NS" sandbox ssh-access "$SB" --print-command >/dev/null 2>&1 || die "ssh-access failed"
"$NS" sandbox ssh-access "$SB" --json >"$T/acc.json" 2>/dev/null || die "ssh-access --json failed"
URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["websocket_url"])' "$T/acc.json")
PIN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["websocket_tls_sha256"])' "$T/acc.json")
[[ $URL == wss://* && $PIN =~ ^[0-9a-f]{64}$ ]] || die "up's default is not wss:// with a pin: [$URL] [$PIN]"
cp "$NULLSPACE_HOME/ssh/known_hosts" "$T/known_hosts"
KEY=$NULLSPACE_HOME/ssh/id_ed25519
CERT=$NULLSPACE_HOME/ssh/$SB-cert.pub
unset http_proxy HTTP_PROXY https_proxy no_proxy NO_PROXY

wssh()
{
	timeout -k 5 120 "${SSH[@]}" -i "$KEY" -o CertificateFile="$CERT" \
		-o "ProxyCommand='$NS' proxy --pin-sha256 $PIN '$URL'" -p "$RELAY_PORT" "$SB@127.0.0.1" "$@"
}

# ---- through the proxy ------------------------------------------------------------
out=$(HTTPS_PROXY=http://127.0.0.1:$P1 wssh 'echo via-proxy; exit 7' </dev/null 2>"$T/e1")
assert_eq "ssh through tinyproxy: exit 7" 7 "$?"
assert_eq "ssh through tinyproxy: output" via-proxy "$out"
grep -q "CONNECT.*127.0.0.1:$WS_PORT" "$T/tp/open.log" || fail "tinyproxy logged no CONNECT to the WebSocket port"
n_connect=$(grep -c "CONNECT" "$T/tp/open.log")
out=$(https_proxy=http://127.0.0.1:$P1/ timeout -k 5 60 "$NS" ssh "$SB" --websocket -- 'echo again; exit 3' \
	</dev/null 2>"$T/e2")
assert_eq "nullspace ssh --websocket through tinyproxy (https_proxy): exit 3" 3 "$?"
assert_eq "nullspace ssh --websocket through tinyproxy: output" again "$out"
[ "$(grep -c "CONNECT" "$T/tp/open.log")" -gt "$n_connect" ] || fail "the second session did not use the proxy"
ok "OpenSSH and nullspace ssh --websocket through tinyproxy's CONNECT"

# ---- credentials: 407 without, through with; never shown --------------------------
HTTPS_PROXY=http://127.0.0.1:$P2 "$NS" proxy --pin-sha256 "$PIN" "$URL" </dev/null >/dev/null 2>"$T/e3"
assert_eq "a proxy wanting credentials: exit 70" 70 "$?"
assert_contains "a proxy wanting credentials: says so" "refused the tunnel: HTTP/1.0 407" "$T/e3"
out=$(HTTPS_PROXY='http://nsuser:s3cret%2Dpw@127.0.0.1:'"$P2" wssh 'echo authed; exit 5' </dev/null 2>"$T/e4")
assert_eq "with the proxy's credentials: exit 5" 5 "$?"
assert_eq "with the proxy's credentials: output" authed "$out"
HTTPS_PROXY="http://nsuser:wrong-pw@127.0.0.1:$P2" "$NS" proxy --pin-sha256 "$PIN" "$URL" </dev/null >/dev/null 2>"$T/e5"
assert_eq "wrong credentials: exit 70" 70 "$?"
assert_not_contains "the password is never shown" "wrong-pw" "$T/e5"
assert_not_contains "the user is never shown" "nsuser" "$T/e5"
ok "Proxy-Authorization from the proxy URL (percent-decoded); 407 is exit 70; no credential shown"

# ---- a CONNECT the proxy refuses: 403 ------------------------------------------------
BADPORT_URL=${URL/:$WS_PORT\//:$RELAY_PORT/}
HTTPS_PROXY=http://127.0.0.1:$P1 "$NS" proxy --pin-sha256 "$PIN" "$BADPORT_URL" </dev/null >/dev/null 2>"$T/e6"
assert_eq "a CONNECT to another port: exit 70" 70 "$?"
assert_contains "a CONNECT to another port: the proxy's status shown" \
	"the HTTP proxy 127.0.0.1:$P1 (HTTPS_PROXY) refused the tunnel: HTTP/1.1 403" "$T/e6"
HTTPS_PROXY=http://127.0.0.1:$P1 wssh true </dev/null >/dev/null 2>&1
assert_eq "the proxy still tunnels after refusing" 0 "$?"
ok "a refused CONNECT (403): a one-line reason and exit 70"

# ---- NO_PROXY, a dead proxy, a bad variable ------------------------------------------
DEAD=$(pick_port)
out=$(HTTPS_PROXY=http://127.0.0.1:$DEAD NO_PROXY="example.com, 127.0.0.1:$WS_PORT" wssh 'echo straight' \
	</dev/null 2>/dev/null)
assert_eq "NO_PROXY with host:port: straight to the relay" straight "$out"
out=$(HTTPS_PROXY=http://127.0.0.1:$DEAD no_proxy='*' wssh 'echo star' </dev/null 2>/dev/null)
assert_eq "no_proxy=*: straight" star "$out"
HTTPS_PROXY=http://u:hidden-pw@127.0.0.1:$DEAD "$NS" proxy --pin-sha256 "$PIN" "$URL" </dev/null >/dev/null 2>"$T/e7"
assert_eq "a dead proxy: exit 69" 69 "$?"
assert_contains "a dead proxy: named" "cannot reach the HTTP proxy 127.0.0.1:$DEAD (HTTPS_PROXY)" "$T/e7"
assert_not_contains "a dead proxy: no password shown" "hidden-pw" "$T/e7"
HTTPS_PROXY=socks5://127.0.0.1:1 "$NS" proxy --pin-sha256 "$PIN" "$URL" </dev/null >/dev/null 2>"$T/e8"
assert_eq "a proxy URL we cannot use: exit 2" 2 "$?"
assert_contains "a proxy URL we cannot use: the variable named" "HTTPS_PROXY is not an http://" "$T/e8"
ok "NO_PROXY host:port and *, a dead proxy (69), a socks URL (2)"
# command lines that cannot work: exit 2, with the reason
"$NS" proxy --renew "$SB" --no-resume --pin-sha256 "$PIN" "$URL" </dev/null >/dev/null 2>"$T/e9"
assert_eq "--renew with --no-resume: exit 2" 2 "$?"
assert_contains "... saying why" "--renew needs the resumable transport" "$T/e9"
"$NS" proxy --no-resume tcp://127.0.0.1:1 </dev/null >/dev/null 2>"$T/e10"
assert_eq "tcp:// with --no-resume: exit 2" 2 "$?"
assert_contains "... saying why" "tcp:// is the resumable transport" "$T/e10"
assert_not_contains "the URL's signature is not in tinyproxy's log" "${URL##*sig=}" "$T/tp/open.log"
pass
