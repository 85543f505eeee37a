#!/usr/bin/env bash
# Benchmarks the relay's WebSocket listener (issue 13) in one run, against
# the same relay's SSH port: throughput of OpenSSH's ssh through `nullspace
# proxy` over wss:// (pinned self-signed ECDSA P-256 certificate, TLS 1.2,
# the suite BearSSL and the proxy agree on) and over plain ws://, next to ssh
# straight to the relay (BENCH_BYTES each way, chacha20-poly1305 inside);
# then the relay's memory per idle session held open over wss, ws and TCP
# (BENCH_IDLE `sleep` sessions each, the relay's Pss_Anon before and after,
# divided). Release build (bin/nullspace or NULLSPACE).
#
# Environment: BENCH_BYTES (default 256M), BENCH_IDLE (default 50).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NULLSPACE=${NULLSPACE:-$ROOT/bin/nullspace}
. "$ROOT/tests/interop/lib.sh"

BYTES_SPEC=${BENCH_BYTES:-256M}
BYTES=$(numfmt --from=iec "$BYTES_SPEC") || die "bad BENCH_BYTES=$BYTES_SPEC"
IDLE_N=${BENCH_IDLE:-50}
need_nullspace
command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
now() { date +%s.%N; }

ssh_keygen "$T/user"
"$NULLSPACE" tls-cert 127.0.0.1 "$T/wss.pem" "$T/wss.key" >"$T/fp" 2>/dev/null ||
	die "tls-cert failed"
FP=$(cat "$T/fp")
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/ws_secret"
start_agent --max-connections 256 --max-channels 4096
WSS_PORT=$(pick_port)
start_relay_to_agent sb_bench --websocket-listen "127.0.0.1:$WSS_PORT" \
	--websocket-secret "$T/ws_secret" --tls-cert "$T/wss.pem" --tls-key "$T/wss.key" \
	--max-authed-per-source 1000 --max-connections-per-sandbox 1000
wait_listen "relay wss" "$RELAY_PID" "$WSS_PORT"
WS_PORT=$(pick_port)
spawn "$T/relay_ws.log" "$NULLSPACE" relay --listen "127.0.0.1:$(pick_port)" \
	--host-key "$RELAY_HOSTKEY" --ca-keys "$T/ca.pub" --registry "$T/registry" \
	--client-key "$T/relay_client" --websocket-listen "127.0.0.1:$WS_PORT" \
	--websocket-secret "$T/ws_secret" --max-authed-per-source 1000 \
	--max-connections-per-sandbox 1000
WS_PID=$SPAWNED
wait_listen "relay ws" "$WS_PID" "$WS_PORT"
sign_user "$T/user.pub" bench sb_bench
read -r kt kb _ <"$RELAY_HOSTKEY.pub"
{
	echo "wsrelay $kt $kb"
	known_hosts_line "$RELAY_PORT" "$RELAY_HOSTKEY.pub"
} >"$T/known_hosts"
EXP=$(($(date +%s) + 3600))
URL=$(/usr/bin/python3 "$ROOT/tests/interop/ws_tool.py" url "$T/ws_secret" "$WSS_PORT" \
	sb_bench "$EXP")
WSS_URL=wss://${URL#ws://}
WS_URL=$(/usr/bin/python3 "$ROOT/tests/interop/ws_tool.py" url "$T/ws_secret" "$WS_PORT" \
	sb_bench "$EXP")

ALGS=(-c chacha20-poly1305@openssh.com -o KexAlgorithms=curve25519-sha256
	-o HostKeyAlgorithms=ssh-ed25519 -o Compression=no -o ControlMaster=no)
BASE=("${SSH[@]}" "${ALGS[@]}" -i "$T/user" -o "CertificateFile=$T/bench-cert.pub")
TCP=("${BASE[@]}" -p "$RELAY_PORT" sb_bench@127.0.0.1)
WSS=("${BASE[@]}" -o HostKeyAlias=wsrelay
	-o "ProxyCommand=$NULLSPACE proxy --pin-sha256 $FP '$WSS_URL'" sb_bench@wsrelay)
WS=("${BASE[@]}" -o HostKeyAlias=wsrelay -o "ProxyCommand=$NULLSPACE proxy '$WS_URL'"
	sb_bench@wsrelay)

rate() { awk -v b="$BYTES" -v a="$1" -v z="$2" 'BEGIN { printf "%.1f", b / 1048576 / (z - a) }'; }
upload()
{
	local t0 got
	t0=$(now)
	got=$(head -c "$BYTES" /dev/zero | timeout 600 "$@" -T -- 'wc -c')
	[ "$got" = "$BYTES" ] || die "upload: remote counted '$got' bytes, sent $BYTES"
	rate "$t0" "$(now)"
}
download()
{
	local t0 got
	t0=$(now)
	got=$(timeout 600 "$@" -T -- "head -c $BYTES /dev/zero" </dev/null | wc -c)
	[ "$got" = "$BYTES" ] || die "download: received $got bytes, expected $BYTES"
	rate "$t0" "$(now)"
}
pss() { awk '$1 == "Pss_Anon:" { print $2 }' "/proc/$1/smaps_rollup"; }

# idle N PID CLIENT...: N `sleep` sessions held through CLIENT; KiB of the
# relay PID's Pss_Anon per session (they are ended after).
IDLE=()
idle()
{
	local n=$1 pid=$2 p0 p1 i up=0
	shift 2
	p0=$(pss "$pid")
	for i in $(seq "$n"); do
		"$@" -T -- 'echo up; exec sleep 300' </dev/null >"$T/idle.$i" 2>/dev/null &
		IDLE+=($!)
		[ $((i % 10)) = 0 ] && sleep 1
	done
	for i in $(seq 100); do
		up=$(cat "$T"/idle.* 2>/dev/null | grep -c up)
		[ "$up" -ge "$n" ] && break
		sleep 0.2
	done
	[ "$up" -ge "$n" ] || die "only $up of $n idle sessions came up"
	sleep 1
	p1=$(pss "$pid")
	kill "${IDLE[@]}" 2>/dev/null
	wait "${IDLE[@]}" 2>/dev/null
	IDLE=()
	rm -f "$T"/idle.*
	awk -v a="$p0" -v b="$p1" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }'
}

t_up=$(upload "${TCP[@]}") || exit 1
t_down=$(download "${TCP[@]}") || exit 1
s_up=$(upload "${WSS[@]}") || exit 1
s_down=$(download "${WSS[@]}") || exit 1
w_up=$(upload "${WS[@]}") || exit 1
w_down=$(download "${WS[@]}") || exit 1
SUITE=$(grep -o 'event=tls .*suite=[^ ]*' "$RELAY_LOG" | tail -1 | sed 's/.*suite=//')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
printf '%-28s %10s %10s %10s %10s %10s\n' metric tcp wss ws wss/tcp ws/tcp
printf '%-28s %10s %10s %10s %10s %10s\n' "upload $BYTES_SPEC (MiB/s)" "$t_up" "$s_up" "$w_up" \
	"$(ratio "$s_up" "$t_up")" "$(ratio "$w_up" "$t_up")"
printf '%-28s %10s %10s %10s %10s %10s\n' "download $BYTES_SPEC (MiB/s)" "$t_down" "$s_down" \
	"$w_down" "$(ratio "$s_down" "$t_down")" "$(ratio "$w_down" "$t_down")"
echo "(TLS suite: $SUITE; inside: chacha20-poly1305, curve25519-sha256)"

m_tcp=$(idle "$IDLE_N" "$RELAY_PID" "${TCP[@]}") || exit 1
m_wss=$(idle "$IDLE_N" "$RELAY_PID" "${WSS[@]}") || exit 1
m_ws=$(idle "$IDLE_N" "$WS_PID" "${WS[@]}") || exit 1
echo
printf '%-40s %10s %10s %10s\n' "relay KiB (Pss_Anon) per idle session" tcp wss ws
printf '%-40s %10s %10s %10s\n' "($IDLE_N sessions each)" "$m_tcp" "$m_wss" "$m_ws"
pass
