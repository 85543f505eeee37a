#!/usr/bin/env bash
# Installs the Debian (12, bookworm) packages nullspace needs to build, test,
# fuzz and lint, if any is missing. Idempotent: with everything present it
# only asks dpkg and returns. Runs apt-get as root (or through sudo).
set -euo pipefail

PKGS=(
	build-essential make gcc pkg-config # compiler and build
	clang libclang-rt-14-dev            # libFuzzer and sanitizer runtimes
	clang-format git                    # make lint
	libsodium-dev libcmocka-dev         # crypto, unit tests
	libbearssl-dev                      # HMAC-SHA1 (hashed known_hosts), TLS
	libcurl4-openssl-dev libjansson-dev # API client (SDK, CLI), JSON
	libmicrohttpd-dev                   # API server (nullspace up)
	openssh-client openssh-server       # interop tests and bench
	coreutils procps iproute2 curl      # timeout, sha256sum, ps, ss; curl (API tests)
	bsdutils util-linux                 # script (PTY tests), setsid
	python3-asyncssh                    # an independent SSH peer (interop/asyncssh.sh)
	python3-paramiko ssh-audit          # interop/algs_clients.sh (curl's libssh2 too)
	python3-cryptography                # tests/kat/gen_packet_aes.py (known answers)
	python3-websockets                  # an independent WebSocket client (interop/ws_relay.sh)
	tinyproxy-bin                       # an HTTP CONNECT proxy (interop/ws_proxy.sh), no service
	haproxy                             # a load balancer with send-proxy-v2 (interop/fleet_haproxy.sh)
	musl-tools dpkg-dev                 # make static: musl-gcc; dpkg-source unpacks the deps' sources
	autoconf automake libtool           # make static: libsodium's source has no configure
	busybox-static                      # interop/static_root.sh: a static /bin/sh for the empty root
	openssl ca-certificates             # interop/ws_tls.sh: s_client, x509, verify; system CAs
	python3-pytest python3-venv         # the Python SDK's tests (interop/python_sdk.sh),
	python3-pip python3-wheel           # which pip-installs sdk/python with no registry
	valgrind                            # constant-time check of the KEMs (checks/ct_valgrind.sh)
	rsync                               # everyday tools through the relay (interop/ssh_config.sh)
)

# Wanted as commands, from whichever package a machine has them: Node.js
# and npm fetch @noble/post-quantum for interop/mlkem_noble.sh. A machine
# with NodeSource's nodejs (which bundles npm and conflicts with Debian's npm
# package) is left as it is.
CMDS=(node:nodejs npm:npm)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done
for c in "${CMDS[@]}"; do
	command -v "${c%%:*}" >/dev/null || missing+=("${c#*:}")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || {
		echo "deps: missing packages (${missing[*]}) and not root: run as root" >&2
		exit 1
	}
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null

# Installing openssh-server may start the system sshd on port 22. The tests
# run their own sshd on other ports and do not need it: on a systemd machine
# turn it off again; elsewhere leave it be.
if [[ " ${missing[*]} " == *" openssh-server "* ]] && [ -d /run/systemd/system ]; then
	$SUDO systemctl disable --now ssh >/dev/null 2>&1 || true
fi
echo "deps: done"
