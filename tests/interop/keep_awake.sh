#!/usr/bin/env bash
# Keep-awake (issue 18) through `nullspace up --activity-interval 1`, with
# OpenSSH's ssh: sandboxes with an 8 s timeout. A session that prints a line
# a second (the client only receives) and one that sends a line a second
# (the sandbox prints nothing) keep theirs alive for 3x the timeout; once
# the bytes stop, the sandbox stops "timeout" about one timeout later. An
# idle sandbox created with them stops on time (one's activity never
# extends another). A max_lifetime of 14 s stops a busy sandbox then, with
# stop_reason "max_lifetime". An API that does not answer for a while: the
# relay logs failed reports, then recovers and the sandbox lives on.
# Bad bodies of POST /v1/activity are 400 with a reason.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v curl >/dev/null || skip "curl missing"
command -v jq >/dev/null || skip "jq missing"
need_nullspace
NS=$NULLSPACE
TO=8

# the flags' checks
"$NS" relay --host-key a --ca-keys b --client-key c --activity-key d >/dev/null 2>"$T/flag.err"
assert_contains "--activity-key alone is refused" "--activity-key goes with --activity-url" "$T/flag.err"
"$NS" relay --host-key a --ca-keys b --client-key c --activity-url http://127.0.0.1:1 \
	--activity-interval 0 >/dev/null 2>"$T/flag.err"
assert_contains "--activity-interval 0 is refused" "--activity-interval 0" "$T/flag.err"
"$NS" up --activity-interval x >/dev/null 2>"$T/flag.err"
assert_eq "up --activity-interval x: usage error" 2 "$?"

start_up --activity-interval 1
KEY=$(sed -n 's/^api_key = //p' "$NULLSPACE_HOME/config")
API=http://127.0.0.1:$API_PORT
grep -q "relay event=activity url-set=yes interval_ms=1000" "$UP_LOG" ||
	fail "the relay of up does not report activity"

api()
{
	curl -s --max-time 20 -H "Authorization: Bearer $KEY" "$@"
}
create()
{
	api -X POST -d "$1" "$API/v1/sandboxes" | jq -r .id
}
field()
{
	api "$API/v1/sandboxes/$1" | jq -r ".$2"
}
# wait_stopped ID SECONDS: until the sandbox is stopped; prints the time taken.
wait_stopped()
{
	local i
	for i in $(seq $(($2 * 10))); do
		[ "$(field "$1" state)" = stopped ] && {
			echo "$i"
			return 0
		}
		sleep 0.1
	done
	echo never
}

# ---- the API: fields, defaults, bad bodies ----------------------------------
A=$(create "{\"timeout\": $TO}")
E=$(create "{\"timeout\": $TO}")
B=$(create "{\"timeout\": $TO}")
C=$("$NS" sandbox create --timeout $TO --max-lifetime 14) # the CLI's flags
for id in "$A" "$E" "$B" "$C"; do
	case $id in sb_*) ;; *) die "sandbox create failed: $id" ;; esac
done
T0=$(date +%s)
assert_eq "max_lifetime defaults to 86400" 86400 "$(field "$A" max_lifetime)"
assert_eq "max_lifetime as asked" 14 "$(field "$C" max_lifetime)"
assert_eq "no activity yet" null "$(field "$A" last_activity_at)"
created=$(date -d "$(field "$C" created_at)" +%s)
assert_eq "max_expires_at = created_at + max_lifetime" $((created + 14)) \
	"$(date -d "$(field "$C" max_expires_at)" +%s)"
code=$(api -o "$T/bad.json" -w '%{http_code}' -X POST -d '{"timeout": 60, "max_lifetime": 30}' \
	"$API/v1/sandboxes")
assert_eq "max_lifetime below timeout: 400" 400 "$code"
assert_contains "... with a reason" "max_lifetime must be at least timeout" "$T/bad.json"
for body in '' '[]' '{"sandboxes": "sb_x"}' '{"sandboxes": [1]}' '{"sandboxes": ["a b"]}' \
	"{\"sandboxes\": [$(printf '"sb_%d",' $(seq 1 513) | sed 's/,$//')]}"; do
	code=$(api -o "$T/bad.json" -w '%{http_code}' -X POST -d "$body" "$API/v1/activity")
	assert_eq "POST /v1/activity ${body:0:30}: 400" 400 "$code"
	grep -q '"error"' "$T/bad.json" || fail "no reason for ${body:0:30}: $(cat "$T/bad.json")"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"sandboxes": []}' "$API/v1/activity")
assert_eq "POST /v1/activity without a key: 401" 401 "$code"
assert_eq "unknown sandboxes are counted, not refused" '0 0 2' \
	"$(api -X POST -d '{"sandboxes": ["sb_nosuch1", "sb_nosuch2", "sb_nosuch1"]}' \
		"$API/v1/activity" | jq -r '"\(.extended) \(.unchanged) \(.ignored)"')"
grep -q "api: POST /v1/activity 200 extended=0 unchanged=0 ignored=2" "$UP_LOG" ||
	fail "the API's log line for a report"
ok "the sandbox object shows max_lifetime and max_expires_at; bad reports are 400"

# ---- three sessions for 3x the timeout, both directions; B idle -----------
"$NS" ssh "$A" -- true >"$T/first.out" 2>&1 || die "nullspace ssh failed: $(cat "$T/first.out")"
N=$((3 * TO))
# A: the client only receives
timeout -k 5 120 "$NS" ssh "$A" -- "for i in \$(seq 1 $N); do echo line \$i; sleep 1; done" \
	</dev/null >"$T/a.out" 2>"$T/a.err" &
PA=$!
# E: the client only sends, the sandbox prints nothing
(for i in $(seq 1 $N); do
	echo "up $i"
	sleep 1
done) | timeout -k 5 120 "$NS" ssh "$E" -- 'cat >/dev/null; echo got-eof' >"$T/e.out" 2>"$T/e.err" &
PE=$!
# C: busy past its max_lifetime
timeout -k 5 120 "$NS" ssh "$C" -- "for i in \$(seq 1 $N); do echo tick \$i; sleep 1; done" \
	</dev/null >"$T/c.out" 2>"$T/c.err" &
PC=$!

took=$(wait_stopped "$B" 20)
[ "$took" != never ] || fail "the idle sandbox B was not stopped"
assert_eq "B stopped for its timeout" timeout "$(field "$B" stop_reason)"
t=$(($(date +%s) - T0))
[ "$t" -le $((TO + 4)) ] || fail "B stopped after $t s, want about $TO"
ok "an idle sandbox created with the busy ones stops on time ($t s)"

wait "$PA"
assert_eq "A's session ran to its end" 0 "$?"
assert_eq "A's session showed every line" "$N" "$(grep -c '^line' "$T/a.out")"
assert_eq "A is still running after $N s" running "$(field "$A" state)"
[ "$(field "$A" last_activity_at)" != null ] || fail "A's last_activity_at not set"
"$NS" sandbox get "$A" >"$T/get.out" || fail "sandbox get failed"
assert_contains "sandbox get shows the last activity" "last_activity_at: " "$T/get.out"
assert_contains "... and the maximum" "max_lifetime: 86400" "$T/get.out"
wait "$PE"
assert_eq "E's session ran to its end" 0 "$?"
assert_eq "E saw the end of its input" got-eof "$(cat "$T/e.out")"
assert_eq "E (a session that only sends) is still running" running "$(field "$E" state)"
ok "sessions printing and sending a line a second keep their sandboxes alive for ${N} s (3x $TO s)"

wait "$PC"
assert_eq "C stopped at its max_lifetime" max_lifetime "$(field "$C" stop_reason)"
n=$(grep -c '^tick' "$T/c.out")
[ "$n" -ge 5 ] && [ "$n" -le 18 ] || fail "C's session ran $n s, want about 14 less its login"
ok "a max_lifetime of 14 s stops a busy sandbox then (ran $n s, stop_reason max_lifetime)"

# after the bytes stop: A stops about one timeout later
T1=$(date +%s)
took=$(wait_stopped "$A" 25)
[ "$took" != never ] || fail "A was not stopped after its session ended"
t=$(($(date +%s) - T1))
[ "$t" -ge $((TO - 3)) ] && [ "$t" -le $((TO + 4)) ] || fail "A stopped $t s after, want about $TO"
assert_eq "A stopped for its timeout" timeout "$(field "$A" stop_reason)"
ok "once the session stops moving bytes, the sandbox stops $t s later (timeout $TO s)"
grep -Eq "relay event=activity-report sandboxes=[1-9][0-9]* result=ok" "$UP_LOG" ||
	fail "no relay event=activity-report result=ok"
grep -Eq "api: POST /v1/activity 200 extended=[1-9]" "$UP_LOG" || fail "no extension logged"

# ---- the API does not answer for 6 s: failures logged, then recovery -------
# a longer timeout than the pause, and than the report that failed during it
G=$(create '{"timeout": 12}')
timeout -k 5 120 "$NS" ssh "$G" -- "for i in \$(seq 1 22); do echo g \$i; sleep 1; done" \
	</dev/null >"$T/g.out" 2>"$T/g.err" &
PG=$!
sleep 4
kill -STOP "$UP_PID"
sleep 6
kill -CONT "$UP_PID"
wait "$PG"
assert_eq "G's session ran to its end" 0 "$?"
assert_eq "G's session showed every line" 22 "$(grep -c '^g' "$T/g.out")"
assert_eq "G is still running" running "$(field "$G" state)"
grep -q 'relay event=activity-report sandboxes=1 result=failed reason=' "$UP_LOG" ||
	fail "the failed report was not logged"
last_fail=$(grep -n 'activity-report .*result=failed' "$UP_LOG" | tail -1 | cut -d: -f1)
tail -n +"$last_fail" "$UP_LOG" | grep -q 'activity-report sandboxes=1 result=ok' ||
	fail "no report succeeded after the failures"
ok "an API that does not answer for 6 s: failed reports logged, then sent again and the sandbox lives on"
pass
