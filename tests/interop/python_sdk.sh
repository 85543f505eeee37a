#!/usr/bin/env bash
# The Python SDK (sdk/python) against a real `nullspace up`: installs the
# package into a fresh venv with pip and no registry (--no-index
# --no-build-isolation), then runs its pytest suite there: the unit tests
# (an in-process stub API) and the live ones (the product document's examples
# verbatim, the returned ssh command through the relay with OpenSSH, list,
# connect, kill, typed errors, configuration; commands and files, which skip
# while the API answers 404 "no such route" for them). No secret in up's log.
# NS_SDK_BIG_MB (default 16) sizes the streamed upload/download round trip.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
[ -x "$PY" ] || skip "$PY missing"
"$PY" -c 'import pytest' 2>/dev/null || skip "python3-pytest missing"
"$PY" -c 'import venv, ensurepip' 2>/dev/null || skip "python3-venv missing"
need_nullspace

# ---- install, as the SDK's README says, from a copy (pip builds in the tree) ----

SRC=$T/sdk-python
mkdir -p "$SRC"
cp -r "$NS_ROOT/sdk/python/pyproject.toml" "$NS_ROOT/sdk/python/README.md" \
	"$NS_ROOT/sdk/python/src" "$SRC/" || die "cannot copy sdk/python"
"$PY" -m venv --system-site-packages "$T/venv" >"$T/venv.out" 2>&1 ||
	die "python3 -m venv failed: $(cat "$T/venv.out")"
"$T/venv/bin/pip" install --no-index --no-build-isolation "$SRC" >"$T/pip.out" 2>&1 ||
	die "pip install --no-index --no-build-isolation failed: $(tail -n 20 "$T/pip.out")"
ok "pip installs the package with no registry"
WHERE=$(cd "$T" && "$T/venv/bin/python" -c 'import nullspace; print(nullspace.__file__)')
case $WHERE in
"$T/venv/"*) ok "the venv imports the installed package" ;;
*) fail "nullspace imported from [$WHERE], not the venv" ;;
esac
[ -f "${WHERE%/*}/py.typed" ] && ok "the package ships py.typed" || fail "py.typed not installed"

# ---- the suite, against `up` ------------------------------------------------------

start_up --max-sandboxes 6 # test_too_many_sandboxes_is_rate_limit counts on 6
API_KEY=$(sed -n 's/^ *api_key *= *//p' "$NULLSPACE_HOME/config")

export NULLSPACE_TEST_HOME=$NULLSPACE_HOME PYTHONDONTWRITEBYTECODE=1
(cd "$NS_ROOT/sdk/python" && timeout -k 5 240 "$T/venv/bin/python" -m pytest -p no:cacheprovider \
	-v -rs --durations=5 tests) >"$T/pytest.out" 2>&1
rc=$?
grep -E '^(tests/.*(PASSED|FAILED|SKIPPED|ERROR)|SKIPPED|[0-9.]+s (call|setup|teardown) )' "$T/pytest.out" |
	sed 's/^/  /'
SUMMARY=$(tail -n 1 "$T/pytest.out" | tr -d "=" | sed "s/^ *//; s/ *$//")
if [ "$rc" -ne 0 ]; then
	tail -n 60 "$T/pytest.out" >&2
	fail "pytest exit $rc: $SUMMARY"
fi
ok "pytest: $SUMMARY"
LIVE_RUN=$(grep -cE '^tests/test_live\.py::.* PASSED' "$T/pytest.out")
[ "$LIVE_RUN" -ge 9 ] && ok "the live tests ran ($LIVE_RUN passed)" ||
	fail "only $LIVE_RUN live tests passed (skipped? see above)"

assert_not_contains "up's log holds no API key" "$API_KEY" "$UP_LOG"
assert_not_contains "up's log holds no certificate" "-cert-v01@openssh.com AAAA" "$UP_LOG"
pass
