#!/usr/bin/env bash
# Logins refused or accepted at `nullspace agent --ca-keys` and through
# `nullspace relay`, with OpenSSH's ssh and ssh-keygen (asyncssh for RSA
# too): every refused attempt, whatever the key type, is exactly one `event=auth result=refused ... reason=R` line;
# verify-required certificates are refused by name (and by `nullspace cert
# check`); certificates up to 16 KiB (1 KiB key id, 256 principals) log in
# with ssh and `nullspace connect`, one over 16 KiB is refused with a logged
# reason; --max-cert-lifetime refuses longer-lived certificates.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace
PY=/usr/bin/python3
TRY=$(dirname "$0")/py/auth_try.py

ssh_keygen "$T/ca"
ssh_keygen "$T/user"
ssh-keygen -q -t ecdsa -N '' -C ec -f "$T/ec" </dev/null >/dev/null || die "ssh-keygen -t ecdsa"
ssh-keygen -q -t rsa -b 2048 -N '' -C rsa -f "$T/rsa" </dev/null >/dev/null ||
	die "ssh-keygen -t rsa"
ns_keygen "$T/relay_host"
ns_keygen "$T/relay_client"

# ---- servers -------------------------------------------------------------------

# Agent A (no lifetime limit): the sandbox sb_1 behind the relays, and a
# direct target; it trusts the relays' client key and user certificates.
cat "$T/relay_client.pub" >"$T/agent_authorized_keys"
start_agent --ca-keys "$T/ca.pub"
A_PORT=$AGENT_PORT
A_LOG=$AGENT_LOG
# Agent B: --max-cert-lifetime 1h.
ns_keygen "$T/agentb_host"
B_PORT=$(pick_port)
B_LOG=$T/agentb.log
NS_LOGS+=("$B_LOG")
spawn "$B_LOG" "$NULLSPACE" agent --home "$(agent_home)" --listen "127.0.0.1:$B_PORT" --host-key "$T/agentb_host" \
	--ca-keys "$T/ca.pub" --max-cert-lifetime 1h
B_PID=$SPAWNED
wait_listen "agent with --max-cert-lifetime" "$B_PID" "$B_PORT"

REG=$T/registry
mkdir -p "$REG"
printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$A_PORT" \
	"$(cat "$AGENT_HOSTKEY.pub")" >"$REG/sb_1"
# start_relay LOG [ARGS...]: sets R_PORT.
start_relay()
{
	local log=$1
	shift
	R_PORT=$(pick_port)
	NS_LOGS+=("$log")
	spawn "$log" "$NULLSPACE" relay --listen "127.0.0.1:$R_PORT" --host-key "$T/relay_host" \
		--ca-keys "$T/ca.pub" --registry "$REG" --client-key "$T/relay_client" "$@"
	wait_listen "nullspace relay $*" "$SPAWNED" "$R_PORT"
}
start_relay "$T/relay.log"
R_PORT_PLAIN=$R_PORT
R_LOG=$T/relay.log
start_relay "$T/relayf.log" --max-cert-lifetime 1h
RF_PORT=$R_PORT
RF_LOG=$T/relayf.log
{
	known_hosts_line "$A_PORT" "$AGENT_HOSTKEY.pub"
	known_hosts_line "$B_PORT" "$T/agentb_host.pub"
	known_hosts_line "$R_PORT_PLAIN" "$T/relay_host.pub"
	known_hosts_line "$RF_PORT" "$T/relay_host.pub"
} >"$T/known_hosts"

# ---- helpers -------------------------------------------------------------------

# brief FILE: its start on one line, for messages.
brief() { head -c 200 "$1" | tr '\n' ' '; }

# sign NAME KEY [ssh-keygen -s options...]: $T/NAME-cert.pub for KEY.pub by the CA.
sign()
{
	local name=$1 key=$2
	shift 2
	cp "$T/$key.pub" "$T/$name.pub"
	ssh-keygen -q -s "$T/ca" -I "$name" "$@" "$T/$name.pub" </dev/null >"$T/sign.out" 2>&1 ||
		die "ssh-keygen -s failed for $name: $(cat "$T/sign.out")"
}

# attempt LOG NAME PORT USER [ssh options...]: ssh runs 'echo in'; sets OUT
# and RC; $T/NAME.new holds the lines LOG gained meanwhile.
attempt()
{
	local log=$1 name=$2 port=$3 user=$4 from
	shift 4
	from=$(wc -l <"$log")
	OUT=$(timeout -k 5 60 "${SSH[@]}" -p "$port" "$@" "$user@127.0.0.1" 'echo in' \
		</dev/null 2>"$T/$name.err")
	RC=$?
	tail -n +"$((from + 1))" "$log" >"$T/$name.new"
}

# refusals NAME COUNT REASON [NEEDLE]: the last attempt was refused (ssh 255,
# nothing ran) with COUNT refused lines, each with a reason=, exactly one of
# them with reason=REASON (and NEEDLE, if given).
refusals()
{
	local name=$1 count=$2 reason=$3 needle=${4:-} f=$T/$1.new n
	assert_eq "$name: refused (exit 255; $(brief "$T/$name.err"))" 255 "$RC"
	assert_eq "$name: nothing ran" "" "$OUT"
	n=$(grep -c ' event=auth .*result=refused' "$f")
	assert_eq "$name: $count refused attempt(s) logged" "$count" "$n"
	n=$(grep ' event=auth .*result=refused' "$f" | grep -vc ' reason=[a-z]')
	assert_eq "$name: every refused line has a reason" 0 "$n"
	n=$(grep ' event=auth .*result=refused' "$f" | grep -c " reason=$reason\( \|\$\)")
	assert_eq "$name: exactly one line says reason=$reason" 1 "$n"
	if [ -n "$needle" ]; then
		assert_contains "$name: the line names $needle" "$needle" "$f"
	fi
}

# accepted NAME: the last attempt logged in and ran the command.
accepted()
{
	assert_eq "$1: logged in (exit 0; $(brief "$T/$1.err"))" 0 "$RC"
	assert_eq "$1: the command ran" "in" "$OUT"
	assert_contains "$1: accepted line" "result=accepted" "$T/$1.new"
}

# ssh offers an ed25519 certificate, then (if refused) its plain key: two
# attempts, two refused lines, one of them for the certificate. (Leaving the
# plain key out with PubkeyAcceptedAlgorithms also leaves ssh without the
# private key to sign with.)
# ---- 1. key types other than ssh-ed25519 -------------------------------------------
# ECDSA P-256 and RSA (rsa-sha2-*) keys are judged like ed25519 ones (not
# listed / no certificate: refused; a certificate from the CA: accepted);
# ECDSA on another curve is refused by the engine as unsupported-key-type.

ssh-keygen -q -t ecdsa -b 384 -N '' -C ec384 -f "$T/ec384" </dev/null >/dev/null ||
	die "ssh-keygen -t ecdsa -b 384"
sign ecc ec -n sb_1 -V -5m:+1h
for side in agent relay; do
	if [ $side = agent ]; then
		log=$A_LOG port=$A_PORT
	else
		log=$R_LOG port=$R_PORT_PLAIN
	fi
	attempt "$log" "$side-ecdsa" "$port" sb_1 -i "$T/ec"
	if [ $side = agent ]; then
		refusals "$side-ecdsa" 1 key-not-authorized
	else
		refusals "$side-ecdsa" 1 not-a-certificate
	fi
	attempt "$log" "$side-ecdsa384" "$port" sb_1 -i "$T/ec384"
	refusals "$side-ecdsa384" 1 unsupported-key-type "alg=ecdsa-sha2-nistp384 "
	attempt "$log" "$side-ecdsa-cert" "$port" sb_1 -i "$T/ec" \
		-o "CertificateFile=$T/ecc-cert.pub" \
		-o PubkeyAcceptedAlgorithms=ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp256
	accepted "$side-ecdsa-cert"
	# a plain ed25519 key without a certificate (agent: not in authorized_keys)
	attempt "$log" "$side-plain" "$port" sb_1 -i "$T/user"
	if [ $side = agent ]; then
		refusals "$side-plain" 1 key-not-authorized
	else
		refusals "$side-plain" 1 not-a-certificate
	fi
done
assert_contains "relay: ssh shows why an ECDSA P-384 key is refused" \
	"ecdsa-sha2-nistp384 key refused (unsupported-key-type)" "$T/relay-ecdsa384.err"

# RSA through asyncssh as well (rsa-sha2-512): the key alone is refused as
# not listed / no certificate. asyncssh 2.10 names an RSA certificate
# ssh-rsa-cert-v01@openssh.com whatever it signs with: refused as
# unsupported-key-type, as OpenSSH's sshd does by default since 8.8.
sign rsac rsa -n sb_1 -V -5m:+1h
if "$PY" -c 'import asyncssh' 2>/dev/null; then
	for side in agent relay; do
		if [ $side = agent ]; then
			log=$A_LOG port=$A_PORT why=key-not-authorized
		else
			log=$R_LOG port=$R_PORT_PLAIN why=not-a-certificate
		fi
		from=$(wc -l <"$log")
		OUT=$(timeout -k 5 60 "$PY" "$TRY" "$port" sb_1 "$T/rsa" 2>"$T/$side-rsa.err")
		assert_eq "$side-rsa: asyncssh denied ($(brief "$T/$side-rsa.err"))" denied "$OUT"
		tail -n +"$((from + 1))" "$log" >"$T/$side-rsa.new"
		OUT= RC=255
		refusals "$side-rsa" 1 "$why"
		from=$(wc -l <"$log")
		OUT=$(timeout -k 5 60 "$PY" "$TRY" "$port" sb_1 "$T/rsa" "$T/rsac-cert.pub" \
			2>"$T/$side-rsa-cert.err")
		assert_eq "$side-rsa-cert: asyncssh denied ($(brief "$T/$side-rsa-cert.err"))" \
			denied "$OUT"
		tail -n +"$((from + 1))" "$log" >"$T/$side-rsa-cert.new"
		n=$(grep -c ' event=auth .*result=refused' "$T/$side-rsa-cert.new")
		assert_eq "$side-rsa-cert: certificate and key, one line each" 2 "$n"
		assert_contains "$side-rsa-cert: the certificate's line" \
			"alg=ssh-rsa-cert-v01@openssh.com reason=unsupported-key-type" \
			"$T/$side-rsa-cert.new"
	done
else
	echo "note: python3-asyncssh missing, RSA refusals not run"
fi

# ---- 2. verify-required ------------------------------------------------------------

sign vr user -n sb_1 -V -5m:+1h -O verify-required
attempt "$A_LOG" agent-vr "$A_PORT" sb_1 -i "$T/user" -o "CertificateFile=$T/vr-cert.pub"
refusals agent-vr 2 verify-required "cert=yes"
attempt "$R_LOG" relay-vr "$R_PORT_PLAIN" sb_1 -i "$T/user" -o "CertificateFile=$T/vr-cert.pub"
refusals relay-vr 2 verify-required "cert_id=vr"
assert_contains "relay-vr: ssh shows why" "verify-required" "$T/relay-vr.err"
"$NULLSPACE" cert check --ca "$T/ca.pub" --principal sb_1 "$T/vr-cert.pub" >"$T/check.out" 2>&1
assert_eq "cert check: verify-required refused (exit 1)" 1 $?
assert_contains "cert check: says verify-required" "refused: verify-required" "$T/check.out"

# ---- 3. large certificates -----------------------------------------------------------

# principals N LEN: sb_1 and N-1 more names of LEN bytes, comma-separated.
principals()
{
	local n=$1 len=$2 i pad
	pad=$(printf '%*s' "$len" '' | tr ' ' x)
	printf 'sb_1'
	for i in $(seq 2 "$n"); do
		printf ',%s' "$(printf 'p%03d-%s' "$i" "$pad" | head -c "$len")"
	done
}
blob_size() { awk '{ print $2 }' "$1" | base64 -d | wc -c; }
KEYID=$(printf '%*s' 1024 '' | tr ' ' k)
sign big user -n "$(principals 256 8)" -V -5m:+1h
cp "$T/user.pub" "$T/big2.pub"
ssh-keygen -q -s "$T/ca" -I "$KEYID" -n "$(principals 256 8)" -V -5m:+1h "$T/big2.pub" \
	</dev/null >/dev/null 2>&1 || die "ssh-keygen -s with a 1 KiB key id failed"
cp "$T/user.pub" "$T/huge.pub"
ssh-keygen -q -s "$T/ca" -I "$KEYID" -n "$(principals 256 53)" -V -5m:+1h "$T/huge.pub" \
	</dev/null >/dev/null 2>&1 || die "ssh-keygen -s of a 16 KiB certificate failed"
cp "$T/user.pub" "$T/over.pub"
ssh-keygen -q -s "$T/ca" -I "$KEYID" -n "$(principals 256 70)" -V -5m:+1h "$T/over.pub" \
	</dev/null >/dev/null 2>&1 || die "ssh-keygen -s of a 20 KiB certificate failed"
size=$(blob_size "$T/huge-cert.pub")
[ "$size" -gt 15872 ] && [ "$size" -le 16384 ] || die "huge certificate is $size bytes"
ok "a certificate of $size bytes (1 KiB key id, 256 principals)"
size=$(blob_size "$T/over-cert.pub")
[ "$size" -gt 16384 ] || die "over certificate is only $size bytes"
ok "a certificate of $size bytes, over the 16 KiB limit"

for c in big big2 huge; do
	"$NULLSPACE" cert check --ca "$T/ca.pub" --principal sb_1 "$T/$c-cert.pub" >"$T/check.out" 2>&1
	assert_eq "cert check $c: ok ($(brief "$T/check.out"))" 0 $?
	attempt "$A_LOG" "agent-$c" "$A_PORT" sb_1 -i "$T/user" -o "CertificateFile=$T/$c-cert.pub"
	accepted "agent-$c"
	attempt "$R_LOG" "relay-$c" "$R_PORT_PLAIN" sb_1 -i "$T/user" \
		-o "CertificateFile=$T/$c-cert.pub"
	accepted "relay-$c"
	for port in "$A_PORT" "$R_PORT_PLAIN"; do
		out=$(ns_connect -p "$port" -i "$T/user" -c "$T/$c-cert.pub" -k "$T/known_hosts" \
			sb_1@127.0.0.1 'echo native' </dev/null 2>"$T/nc-$c.err")
		assert_eq "nullspace connect -c $c to port $port ($(brief "$T/nc-$c.err"))" \
			native "$out"
	done
done
"$NULLSPACE" cert check --ca "$T/ca.pub" --principal sb_1 "$T/over-cert.pub" >"$T/check.out" 2>&1
assert_eq "cert check over 16 KiB: refused (exit 255)" 255 $?
assert_contains "cert check over 16 KiB: says so" "exceeds a size limit" "$T/check.out"
out=$(ns_connect -p "$A_PORT" -i "$T/user" -c "$T/over-cert.pub" -k "$T/known_hosts" \
	sb_1@127.0.0.1 'echo SHOULD-NOT-RUN' </dev/null 2>"$T/nc-over.err")
assert_eq "nullspace connect -c over 16 KiB: refused before connecting" 255 $?
assert_eq "nullspace connect -c over 16 KiB: nothing ran" "" "$out"
assert_contains "nullspace connect -c over 16 KiB: says so" "exceeds a size limit" \
	"$T/nc-over.err"
attempt "$A_LOG" agent-over "$A_PORT" sb_1 -i "$T/user" -o "CertificateFile=$T/over-cert.pub"
refusals agent-over 2 certificate-too-large
attempt "$R_LOG" relay-over "$R_PORT_PLAIN" sb_1 -i "$T/user" \
	-o "CertificateFile=$T/over-cert.pub"
refusals relay-over 2 certificate-too-large
assert_contains "relay-over: ssh shows why" "certificate-too-large" "$T/relay-over.err"

# ---- 4. --max-cert-lifetime ------------------------------------------------------------

sign day user -n sb_1 -V +1d
sign forever user -n sb_1 -V always:forever
sign short user -n sb_1 -V -5m:+50m
cert_try()
{
	local log=$1 name=$2 port=$3 cert=$4
	attempt "$log" "$name" "$port" sb_1 -i "$T/user" -o "CertificateFile=$T/$cert-cert.pub"
}
cert_try "$B_LOG" agentb-day "$B_PORT" day
refusals agentb-day 2 lifetime-too-long
cert_try "$B_LOG" agentb-forever "$B_PORT" forever
refusals agentb-forever 2 lifetime-too-long
cert_try "$B_LOG" agentb-short "$B_PORT" short
accepted agentb-short
cert_try "$A_LOG" agent-day "$A_PORT" day
accepted agent-day
cert_try "$RF_LOG" relayf-day "$RF_PORT" day
refusals relayf-day 2 lifetime-too-long
assert_contains "relayf-day: ssh shows why" "valid for longer than this relay allows" \
	"$T/relayf-day.err"
cert_try "$RF_LOG" relayf-forever "$RF_PORT" forever
refusals relayf-forever 2 lifetime-too-long
cert_try "$RF_LOG" relayf-short "$RF_PORT" short
accepted relayf-short
cert_try "$R_LOG" relay-day "$R_PORT_PLAIN" day
accepted relay-day
out=$(ns_connect -p "$RF_PORT" -i "$T/user" -c "$T/day-cert.pub" -k "$T/known_hosts" \
	sb_1@127.0.0.1 'echo SHOULD-NOT-RUN' </dev/null 2>"$T/nc-day.err")
assert_eq "nullspace connect -c a 1-day certificate to a 1h relay: refused" 255 $?
assert_contains "nullspace connect shows the relay's reason" "lifetime" "$T/nc-day.err"
for bad in 0 1x -5 ''; do
	"$NULLSPACE" relay --max-cert-lifetime "$bad" --help >/dev/null 2>"$T/bad.err"
	assert_eq "relay --max-cert-lifetime '$bad' is refused" 255 $?
	"$NULLSPACE" agent --max-cert-lifetime "$bad" --help >/dev/null 2>"$T/bad.err"
	assert_eq "agent --max-cert-lifetime '$bad' is refused" 255 $?
done

kill -0 "$B_PID" 2>/dev/null || die "agent B died"
agent_alive
pass
