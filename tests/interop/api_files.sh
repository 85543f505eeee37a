#!/usr/bin/env bash
# The Commands and Files APIs of `nullspace up` (issue 14), end to end:
# - commands: exit codes, stderr apart from stdout, 10 MB of output, env and
#   cwd, a timeout (timed_out, no exit code), a signal, the streaming form
#   (NDJSON, base64), `nullspace sandbox exec` (exit code, streams), and the
#   API answering a health check at once while a command runs;
# - files: a 100 MB upload and download checked with sha256 while the API
#   process's peak memory (VmHWM) stays within a bound; ls, rm, mode, parents;
#   the CLI's upload/download/ls/rm/url;
# - signed URLs: fetched and uploaded with curl and no API key; the same URL
#   after its expiry, with one changed byte, for another sandbox or method,
#   refused with 403 and a reason; no signature or secret in up's log;
# - path escapes refused: "..", an absolute path outside the home, a symbolic
#   link out of it, a NUL byte; an upload over 1 GiB (413);
# - a killed sandbox: exec and upload refused with 409.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || skip "curl missing"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace
NS=$NULLSPACE

# ASan keeps freed memory in a quarantine (256 MiB by default), which would
# hide whether the API streams: keep it small for this run.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4
start_up
API=http://127.0.0.1:$API_PORT
KEY=$(sed -n 's/^ *api_key *= *//p' "$NULLSPACE_HOME/config")
[ -n "$KEY" ] || die "no api_key in $NULLSPACE_HOME/config"
AUTH="Authorization: Bearer $KEY"
SB=$("$NS" sandbox create --timeout 600) || die "sandbox create failed"
SB2=$("$NS" sandbox create --timeout 600) || die "second sandbox create failed"

# api METHOD PATH [curl args...]: the body to $T/body, the status printed.
api()
{
	local m=$1 p=$2
	shift 2
	curl -s -o "$T/body" -w '%{http_code}' -X "$m" -H "$AUTH" "$@" "$API$p"
}
cmd() { api POST "/v1/sandboxes/$SB/commands" -d "$1"; }
field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(json.dumps(v) if not isinstance(v,str) else v, end="")' "$T/body" "$1"; }

# ---- commands ------------------------------------------------------------------

assert_eq "command answers 200" 200 "$(cmd '{"cmd":"echo out; echo err >&2; exit 3"}')"
assert_eq "exit code 3" 3 "$(field exit_code)"
assert_eq "stdout apart" "out" "$(field stdout)"
assert_eq "stderr apart" "err" "$(field stderr)"
assert_eq "not timed out" false "$(field timed_out)"
cmd '{"cmd":"exit 0"}' >/dev/null
assert_eq "exit code 0" 0 "$(field exit_code)"
cmd '{"cmd":"echo $FOO:$(pwd)","env":{"FOO":"bar baz"},"cwd":"/tmp"}' >/dev/null
assert_eq "env and cwd" "bar baz:/tmp" "$(field stdout | tr -d '\n')"
cmd '{"cmd":"head -c 10000000 /dev/zero | tr \"\\\\0\" x"}' >/dev/null
assert_eq "10 MB of stdout" 10000000 "$(field stdout | wc -c)"
assert_eq "10 MB: not truncated" false "$(field stdout_truncated)"
start=$(date +%s%N)
cmd '{"cmd":"sleep 30","timeout":2}' >/dev/null
took=$((($(date +%s%N) - start) / 1000000))
assert_eq "timeout: timed_out" true "$(field timed_out)"
assert_eq "timeout: no exit code" null "$(field exit_code)"
[ "$took" -lt 10000 ] && ok "timeout: answered after ${took} ms" || fail "timeout took $took ms"
cmd '{"cmd":"kill -9 $$"}' >/dev/null
assert_eq "signal named" KILL "$(field signal)"
assert_eq "bad body: 400" 400 "$(cmd '{"cmd":5}')"
assert_eq "timeout out of range: 400" 400 "$(cmd '{"cmd":"true","timeout":99999}')"
assert_eq "no key: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"cmd":"true"}' "$API/v1/sandboxes/$SB/commands")"

# streaming: NDJSON lines of base64, then the exit line
curl -s -N -X POST -H "$AUTH" -D "$T/stream.h" -d '{"cmd":"echo one; echo two >&2; exit 7"}' \
	"$API/v1/sandboxes/$SB/commands?stream=1" >"$T/stream"
assert_contains "stream: ndjson" "application/x-ndjson" "$T/stream.h"
python3 - "$T/stream" >"$T/stream.dec" <<'PY'
import base64, json, sys
out = {"stdout": b"", "stderr": b""}
last = None
for line in open(sys.argv[1]):
    j = json.loads(line)
    for k in ("stdout", "stderr"):
        if k in j:
            out[k] += base64.b64decode(j[k])
    last = j
print(out["stdout"].decode().strip(), out["stderr"].decode().strip(), last["exit_code"], last["timed_out"])
PY
assert_eq "stream: output and exit" "one two 7 False" "$(cat "$T/stream.dec")"

# the API stays responsive while a command runs
curl -s -o /dev/null -X POST -H "$AUTH" -d '{"cmd":"sleep 4"}' "$API/v1/sandboxes/$SB/commands" &
bg=$!
sleep 0.5
start=$(date +%s%N)
assert_eq "health during a command" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$API/v1/health")"
took=$((($(date +%s%N) - start) / 1000000))
[ "$took" -lt 1000 ] && ok "health answered in ${took} ms while a command runs" || fail "health took $took ms"
"$NS" sandbox exec "$SB" -- true && ok "exec during another command" || fail "exec blocked"
wait $bg

# the CLI
"$NS" sandbox exec "$SB" -- 'echo to-out; echo to-err >&2; exit 4' >"$T/x.out" 2>"$T/x.err"
assert_eq "sandbox exec: exit code" 4 "$?"
assert_eq "sandbox exec: stdout" to-out "$(cat "$T/x.out")"
assert_eq "sandbox exec: stderr" to-err "$(cat "$T/x.err")"

# ---- files ---------------------------------------------------------------------

hwm() { awk '/VmHWM/ {print $2}' "/proc/$UP_PID/status"; }
# reset the peak to the current size (clear_refs 5), so that the 10 MB
# command above does not set it
echo 5 >"/proc/$UP_PID/clear_refs" 2>/dev/null || true
head -c 100000000 /dev/urandom >"$T/big"
want=$(sha256sum <"$T/big" | cut -d' ' -f1)
before=$(hwm)
assert_eq "100 MB upload: 201" 201 "$(api PUT "/v1/sandboxes/$SB/files?path=data/big.bin" -T "$T/big")"
assert_eq "upload answer: size" 100000000 "$(field size)"
assert_eq "100 MB download: 200" 200 "$(curl -s -o "$T/big2" -w '%{http_code}' -H "$AUTH" "$API/v1/sandboxes/$SB/files?path=data/big.bin")"
assert_eq "sha256 round trip" "$want" "$(sha256sum <"$T/big2" | cut -d' ' -f1)"
after=$(hwm)
grow=$(((after - before) / 1024))
echo "# API VmHWM before ${before} kB, after ${after} kB (+${grow} MiB) for 100 MB each way"
[ "$grow" -lt 48 ] && ok "API memory flat (+${grow} MiB < 48 MiB for 100 MB)" || fail "API VmHWM grew by ${grow} MiB"
rm -f "$T/big2"

printf 'hello' >"$T/small"
assert_eq "upload with mode" 201 "$(api PUT "/v1/sandboxes/$SB/files?path=a/b/c.txt&mode=0600" -T "$T/small")"
assert_eq "list" 200 "$(api GET "/v1/sandboxes/$SB/files/list?path=a/b")"
assert_contains "list: entry" '{"name": "c.txt", "type": "file", "size": 5, "mode": 384}' \
	<(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["entries"][0], sort_keys=False))' "$T/body")
assert_eq "download missing: 404" 404 "$(api GET "/v1/sandboxes/$SB/files?path=nope")"
assert_eq "download a folder: 400" 400 "$(api GET "/v1/sandboxes/$SB/files?path=a")"
assert_eq "remove" 200 "$(api DELETE "/v1/sandboxes/$SB/files?path=a/b/c.txt")"
assert_eq "removed" 404 "$(api GET "/v1/sandboxes/$SB/files?path=a/b/c.txt")"
assert_eq "no Content-Length: 411" 411 "$(api PUT "/v1/sandboxes/$SB/files?path=x" -H 'Transfer-Encoding: chunked' --data-binary @"$T/small")"
assert_eq "over 1 GiB: 413" 413 "$(api PUT "/v1/sandboxes/$SB/files?path=x" -H 'Content-Length: 1073741825' --max-time 5 --data-binary @"$T/small")"

# the CLI
"$NS" sandbox files upload "$SB" "$T/small" cli/s.txt && ok "files upload" || fail "files upload"
"$NS" sandbox files ls "$SB" cli >"$T/ls" && assert_contains "files ls" "s.txt" "$T/ls"
"$NS" sandbox files download "$SB" cli/s.txt "$T/back" && assert_eq "files download" hello "$(cat "$T/back")"
"$NS" sandbox files rm "$SB" cli/s.txt && ok "files rm" || fail "files rm"

# ---- path escapes ----------------------------------------------------------------

assert_eq "..: 400" 400 "$(api GET "/v1/sandboxes/$SB/files?path=../../etc/passwd")"
assert_contains ".. named" '..' "$T/body"
assert_eq "absolute outside: 400" 400 "$(api GET "/v1/sandboxes/$SB/files?path=/etc/passwd")"
assert_contains "absolute named" "outside" "$T/body"
cmd '{"cmd":"ln -s /etc out; ln -s ../../.. up"}' >/dev/null
assert_eq "symlink out: 400" 400 "$(api GET "/v1/sandboxes/$SB/files?path=out/passwd")"
assert_contains "symlink named" "symbolic link" "$T/body"
assert_eq "symlink up, upload: 400" 400 "$(api PUT "/v1/sandboxes/$SB/files?path=up/evil" -T "$T/small")"
assert_eq "NUL byte: 400" 400 "$(api GET "/v1/sandboxes/$SB/files?path=a%00b")"
assert_eq "NUL in a URL request: 400" 400 "$(api POST "/v1/sandboxes/$SB/files/url" -d '{"path":"a\u0000b"}')"
assert_contains "NUL named" "NUL" "$T/body"

# ---- signed URLs -----------------------------------------------------------------

printf 'signed content' >"$T/s"
api PUT "/v1/sandboxes/$SB/files?path=pub/s.txt" -T "$T/s" >/dev/null
assert_eq "mint a download URL" 201 "$(api POST "/v1/sandboxes/$SB/files/url" -d '{"path":"pub/s.txt","expires_in_minutes":5}')"
URL=$(field url)
assert_eq "method GET" GET "$(field method)"
assert_eq "fetched without a key" "signed content" "$(curl -s "$URL")"
assert_eq "one changed byte: 403" 403 "$(curl -s -o "$T/r" -w '%{http_code}' "${URL%?}$(printf '%s' "${URL: -1}" | tr '0-9a-f' '1-9a0')")"
assert_contains "changed byte: reason" "signature" "$T/r"
other=${URL/sandbox=$SB/sandbox=$SB2}
assert_eq "other sandbox: 403" 403 "$(curl -s -o /dev/null -w '%{http_code}' "$other")"
assert_eq "another method: 403" 403 "$(curl -s -o /dev/null -w '%{http_code}' -T "$T/s" "$URL")"
# an expired URL, signed with the server's own secret (the test reads it)
past=$(($(date +%s) - 5))
sig=$(python3 -c 'import hmac,hashlib,sys; k=open(sys.argv[1],"rb").read(); print(hmac.new(k, ("nullspace-files-v1\n%s\nGET\n%s\npub/s.txt" % (sys.argv[2], sys.argv[3])).encode(), hashlib.sha256).hexdigest())' \
	"$NULLSPACE_HOME/state/files_url_secret" "$SB" "$past")
assert_eq "a well-signed URL fetches" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$API/v1/files/signed?sandbox=$SB&method=GET&exp=$(($past + 65))&path=pub/s.txt&sig=$(python3 -c 'import hmac,hashlib,sys; k=open(sys.argv[1],"rb").read(); print(hmac.new(k, ("nullspace-files-v1\n%s\nGET\n%s\npub/s.txt" % (sys.argv[2], sys.argv[3])).encode(), hashlib.sha256).hexdigest())' "$NULLSPACE_HOME/state/files_url_secret" "$SB" "$(($past + 65))")")"
assert_eq "after expiry: 403" 403 "$(curl -s -o "$T/r" -w '%{http_code}' "$API/v1/files/signed?sandbox=$SB&method=GET&exp=$past&path=pub/s.txt&sig=$sig")"
assert_contains "expiry: reason" "expired" "$T/r"
assert_eq "mint an upload URL" 201 "$(api POST "/v1/sandboxes/$SB/files/url" -d '{"path":"pub/up.txt","upload":true}')"
UPURL=$(field url)
assert_eq "upload through it without a key" 201 "$(curl -s -o /dev/null -w '%{http_code}' -T "$T/s" "$UPURL")"
assert_eq "the upload landed" 200 "$(api GET "/v1/sandboxes/$SB/files?path=pub/up.txt")"
assert_eq "mode 0600 secret file" 600 "$(stat -c %a "$NULLSPACE_HOME/state/files_url_secret")"
assert_not_contains "no signature in the log" "${URL##*sig=}" "$UP_LOG"
assert_not_contains "no signed query in the log" "sig=" "$UP_LOG"
assert_contains "refusal logged with its reason" "reason=expired" "$UP_LOG"
"$NS" sandbox files url "$SB" pub/s.txt >"$T/u" 2>"$T/u.err"
assert_eq "files url: fetches" "signed content" "$(curl -s "$(cat "$T/u")")"
assert_contains "files url: credential warning" "credential" "$T/u.err"

# ---- the SDK example: exec and a file upload -----------------------------------------

EXAMPLE=$(dirname "$NS")/examples/sdk_example
if [ -x "$EXAMPLE" ]; then
	"$EXAMPLE" 'exit 6' >"$T/sdk.out" 2>"$T/sdk.err"
	assert_eq "SDK example: remote exit status" 6 "$?"
	assert_contains "SDK example: uploaded, then read by a command" "hello from the Files API" "$T/sdk.out"
else
	fail "SDK example $EXAMPLE not built"
fi

# ---- a killed sandbox ------------------------------------------------------------

"$NS" sandbox kill "$SB" >/dev/null
assert_eq "exec on a killed sandbox: 409" 409 "$(cmd '{"cmd":"true"}')"
assert_eq "upload to a killed sandbox: 409" 409 "$(api PUT "/v1/sandboxes/$SB/files?path=z" -T "$T/s")"
assert_contains "409 says stopped" "stopped" "$T/body"
assert_eq "signed URL of a killed sandbox: 409" 409 "$(curl -s -o /dev/null -w '%{http_code}' "$URL")"
"$NS" sandbox exec "$SB" -- true 2>/dev/null
assert_eq "sandbox exec on a killed sandbox: exit 68" 68 "$?"

sanitizer_findings
pass
