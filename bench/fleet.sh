#!/usr/bin/env bash
# Figures for a fleet of relays behind HAProxy (docs/operations.md): the
# same logins (exec `true`, OpenSSH, one connection each) straight to one
# relay and through HAProxy in front of three, sequential (the latency HAProxy
# adds: median and 90th percentile) and BENCH_PAR at a time (logins per
# second); then BENCH_HOLD idle sessions held through HAProxy and the heap
# (Pss_Anon) each relay grew by, per connection it holds. Every relay runs
# on this machine, so logins per second measure the machine's cores, not
# how far three relays scale: read them side by side, as one run.
#
# Environment: BENCH_LOGINS (default 60), BENCH_PAR (6), BENCH_HOLD (90),
# NULLSPACE (default bin/nullspace, the release build). Needs haproxy.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NULLSPACE=${NULLSPACE:-$ROOT/bin/nullspace}
. "$ROOT/tests/interop/lib.sh"
GRACE=120 # a loaded machine may take seconds to log a session in
. "$ROOT/tests/interop/fleet.bash"

command -v haproxy >/dev/null || skip "haproxy missing"
need_nullspace
N=${BENCH_LOGINS:-60}
PAR=${BENCH_PAR:-6}
HOLD=${BENCH_HOLD:-90}

fleet_keys_agent
for i in 1 2 3; do
	start_relay "$i" --max-unauth-per-source 1000 --max-authed-per-source 10000 \
		--max-connections-per-sandbox 10000
done
start_haproxy 3

# one PORT: a login straight to PORT (HP: through HAProxy); prints its ms.
one()
{
	local t0 t1
	t0=$(date +%s%N)
	timeout -k 5 60 "${SSH[@]}" -i "$T/user" -o "CertificateFile=$T/user-cert.pub" \
		-p "$1" sb_a@127.0.0.1 true </dev/null || echo "login to $1 failed" >&2
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

# latency PORT: median and p90 of N sequential logins, ms.
latency()
{
	local k
	for k in $(seq "$N"); do one "$1"; done | sort -n |
		awk '{ a[NR] = $1 } END { printf "%d %d", a[int((NR + 1) / 2)], a[int(NR * 0.9)] }'
}

# rate PORT: logins per second, PAR at a time.
rate()
{
	local t0 t1 k pids=()
	t0=$(date +%s%N)
	for k in $(seq "$PAR"); do
		(for j in $(seq $((N / PAR))); do one "$1" >/dev/null; done) &
		pids+=($!)
	done
	wait "${pids[@]}"
	t1=$(date +%s%N)
	awk -v n=$((N / PAR * PAR)) -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", n / (ns / 1e9) }'
}

one "${PORTS[1]}" >/dev/null # the agent connection is open before timing
one "$HP" >/dev/null
read -r d50 d90 <<<"$(latency "${PORTS[1]}")"
read -r h50 h90 <<<"$(latency "$HP")"
r1=$(rate "${PORTS[1]}")
r3=$(rate "$HP")

pss_of() { awk '$1 == "Pss_Anon:" { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
declare -A before
for i in 1 2 3; do before[$i]=$(pss_of "${PIDS[i]}"); done
holders=()
for k in $(seq "$HOLD"); do
	timeout -k 5 300 "${SSH[@]}" -i "$T/user" -o "CertificateFile=$T/user-cert.pub" \
		-p "$HP" sb_a@127.0.0.1 'sleep 120' </dev/null >/dev/null 2>&1 &
	holders+=($!)
	[ $((k % 5)) -ne 0 ] || sleep 1
done
# open_sessions: sessions started and not ended, all relays
open_sessions()
{
	echo $(($(cat "${RLOGS[@]}" | grep -c 'event=session-start') -
		$(cat "${RLOGS[@]}" | grep -c 'event=session-end')))
}
for k in $(seq 600); do
	[ "$(open_sessions)" -ge "$HOLD" ] && break
	sleep 0.2
done
[ "$(open_sessions)" -ge "$HOLD" ] || echo "only $(open_sessions) of $HOLD idle sessions came up" >&2
sleep 2 # idle: engine buffers go back after NS_IDLE_RELEASE_MS
echo "== nullspace relay fleet: 3 relays behind HAProxy $(haproxy -v | head -1 | cut -d' ' -f3), $(nproc) cores"
printf '%-44s %10s %10s\n' "" "one relay" "HAProxy+3"
printf '%-44s %10s %10s\n' "login (exec true), median ms, sequential" "$d50" "$h50"
printf '%-44s %10s %10s\n' "login, 90th percentile ms" "$d90" "$h90"
printf '%-44s %10s %10s\n' "logins per second, $PAR at a time" "$r1" "$r3"
for i in 1 2 3; do
	held=$(grep -c "event=session-start" "${RLOGS[i]}")
	ended=$(grep -c "event=session-end" "${RLOGS[i]}")
	open=$((held - ended))
	after=$(pss_of "${PIDS[i]}")
	if [ "$open" -gt 0 ]; then
		echo "relay $i: $open idle sessions held, $(((after - before[$i]) * 1000 / open)) bytes of heap (Pss_Anon) each"
	fi
done
kill "${holders[@]}" 2>/dev/null
wait "${holders[@]}" 2>/dev/null
pass
