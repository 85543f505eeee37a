#!/usr/bin/env bash
# The API of `nullspace up` under attack, with its default limits (docs/api.md,
# "Limits"), 127.0.0.0/8 only, bounded in count and time (about 40 s):
# - slowloris from one address: 40 connections trickling a header byte every
#   2 s; 32 are held, 8 refused at once, the 32 closed by the 10 s header
#   deadline; meanwhile a health check from another address answers at once;
# - 288 stalled connections from 9 addresses: 256 fill every slot, 32 are
#   refused at once; a newcomer from a tenth address is still served (the
#   oldest stalled one is evicted);
# - DELETE /v1/sandboxes/SB%00x_notreal is refused with 400 and SB lives on
#   (it used to kill SB); a %00 in the query and a control byte in a header
#   are refused too;
# - a 70 KiB body gets 413.
# Every refusal is in up's log with its reason.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || skip "curl missing"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace

start_up
API=http://127.0.0.1:$API_PORT
API_KEY=$(sed -n 's/^ *api_key *= *//p' "$NULLSPACE_HOME/config")
[ -n "$API_KEY" ] || die "no api_key in $NULLSPACE_HOME/config"

# A client that opens connections from given source addresses, sends a
# request line and then trickles header bytes (or holds still), and reports
# per connection when the server closed it (or that it never did).
cat >"$T/stall.py" <<'EOF'
import os, select, socket, sys, time
port, total_s, drip_s = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
srcs = sys.argv[4:]
conns, t0 = [], time.monotonic()
for src in srcs:
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /v1/health HTTP/1.1\r\nX-Slow: ")
    conns.append([s, None])
if os.environ.get("READY"):
    open(os.environ["READY"], "w").close()
open_ = lambda: [c for c in conns if c[1] is None]
next_drip = t0 + drip_s if drip_s > 0 else None
while open_() and time.monotonic() - t0 < total_s:
    r, _, _ = select.select([c[0] for c in open_()], [], [], 0.1)
    for c in open_():
        if c[0] in r:
            try:
                data = c[0].recv(4096)
            except OSError:
                data = b""
            if not data:
                c[1] = time.monotonic() - t0
    if next_drip is not None and time.monotonic() >= next_drip:
        for c in open_():
            try:
                c[0].send(b"a")
            except OSError:
                c[1] = time.monotonic() - t0
        next_drip += drip_s
for c in conns:
    print("open" if c[1] is None else "%.2f" % c[1])
    c[0].close()
EOF

# health_from SRC: "STATUS SECONDS" of GET /v1/health from that address.
health_from()
{
	curl -s -o /dev/null --interface "$1" --max-time 5 -w '%{http_code} %{time_total}' \
		"$API/v1/health"
}

# ---- slowloris from one address ----------------------------------------------
srcs=()
for i in $(seq 40); do srcs+=(127.0.0.3); done
python3 "$T/stall.py" "$API_PORT" 16 2 "${srcs[@]}" >"$T/slow.out" &
STALL=$!
sleep 2
read -r code secs <<<"$(health_from 127.0.0.2)"
assert_eq "health from another address during the slowloris" 200 "$code"
awk -v s="$secs" 'BEGIN { exit !(s < 1.0) }' ||
	fail "health took ${secs}s during the slowloris (want < 1 s)"
ok "health answered in ${secs}s"
wait "$STALL"
refused=$(awk '$1 != "open" && $1 < 1' "$T/slow.out" | wc -l)
late=$(awk '$1 != "open" && $1 >= 9.5 && $1 < 14' "$T/slow.out" | wc -l)
still=$(grep -c open "$T/slow.out")
assert_eq "connections over the per-address cap closed at once" 8 "$refused"
assert_eq "held connections closed by the header deadline (10 s)" 32 "$late"
assert_eq "connections still open at the end" 0 "$still"
assert_contains "per-address refusals logged" \
	"api: event=refused reason=per-address-limit peer=127.0.0.3 limit=32" "$UP_LOG"
assert_contains "header deadline logged" \
	"api: event=closed reason=header-deadline peer=127.0.0.3 limit=10000" "$UP_LOG"

# ---- every slot taken from 9 addresses ---------------------------------------
srcs=()
for a in 10 11 12 13 14 15 16 17 18; do
	for i in $(seq 32); do srcs+=("127.0.0.$a"); done
done
READY=$T/fill.ready python3 "$T/stall.py" "$API_PORT" 6 0 "${srcs[@]}" >"$T/fill.out" &
STALL=$!
for i in $(seq 50); do [ -e "$T/fill.ready" ] || sleep 0.1; done
[ -e "$T/fill.ready" ] || die "the 288 stalled connections were not all open after 5 s"
sleep 1.5 # all 256 held, every one past the 1 s eviction age
read -r code secs <<<"$(health_from 127.0.0.20)"
assert_eq "health from a tenth address with every slot taken" 200 "$code"
awk -v s="$secs" 'BEGIN { exit !(s < 1.0) }' ||
	fail "health took ${secs}s with every slot taken (want < 1 s)"
ok "health answered in ${secs}s"
wait "$STALL"
refused=$(awk '$1 != "open" && $1 < 1' "$T/fill.out" | wc -l)
evicted=$(awk '$1 != "open" && $1 >= 1' "$T/fill.out" | wc -l)
assert_eq "connections over the total cap closed at once" 32 "$refused"
assert_eq "stalled connections evicted for the health check" 1 "$evicted"
assert_contains "total cap logged" "api: event=refused reason=connection-limit peer=127.0.0.18 limit=256" "$UP_LOG"
assert_contains "eviction logged" "api: event=closed reason=evicted peer=127.0.0.10 limit=256" "$UP_LOG"

# ---- control bytes -------------------------------------------------------------
AUTH="Authorization: Bearer $API_KEY"
curl -s --max-time 60 -H "$AUTH" -H 'Content-Type: application/json' -d '{}' \
	"$API/v1/sandboxes" >"$T/create.json" || die "create failed: $(cat "$T/create.json")"
SB=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T/create.json") ||
	die "no sandbox id in $(cat "$T/create.json")"
code=$(curl -s -o "$T/nul.json" -w '%{http_code}' --max-time 10 -X DELETE -H "$AUTH" \
	"$API/v1/sandboxes/${SB}%00x_notreal")
assert_eq "DELETE /v1/sandboxes/SB%00x_notreal" 400 "$code"
assert_contains "the 400 says why" "control character" "$T/nul.json"
curl -s --max-time 10 -H "$AUTH" "$API/v1/sandboxes/$SB" >"$T/get.json"
assert_contains "the sandbox still runs" '"state":"running"' "$T/get.json"
assert_contains "refusal logged with the path as sent" \
	"api: DELETE /v1/sandboxes/${SB}%00x_notreal 400 reason=control-byte-in-url" "$UP_LOG"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$API/v1/health?x=%00")
assert_eq "%00 in the query" 400 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "X-Note: a$(printf '\001')b" \
	"$API/v1/health")
assert_eq "a control byte in a header" 400 "$code"
assert_contains "header refusal logged" \
	"api: GET /v1/health 400 reason=control-byte-in-header" "$UP_LOG"

# ---- body size -----------------------------------------------------------------
head -c 71680 /dev/zero | tr '\0' ' ' >"$T/big.json"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "$AUTH" -H 'Expect:' \
	-H 'Content-Type: application/json' --data-binary @"$T/big.json" "$API/v1/sandboxes")
assert_eq "a 70 KiB body" 413 "$code"

code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X DELETE -H "$AUTH" \
	"$API/v1/sandboxes/$SB")
assert_eq "the sandbox is killed by its real path" 200 "$code"
pass
