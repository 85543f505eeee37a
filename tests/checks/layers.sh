#!/usr/bin/env bash
# The layering check (scripts/check_layers.sh) passes on the tree and fails,
# naming the file and the header, on each kind of planted bad include.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

check "the tree is layered" scripts/check_layers.sh

plant() { # plant FILE LINE: a copy of the sources with LINE added to FILE
	rm -rf "$tmp/t" && mkdir -p "$tmp/t"
	cp -r core cert transport api cli include "$tmp/t/"
	printf '%s\n' "$2" >>"$tmp/t/$1"
	scripts/check_layers.sh "$tmp/t" >"$tmp/out" 2>&1
	PLANT_RC=$?
}
refused() { # refused FILE HEADER: the check failed and named both
	[ "$PLANT_RC" -ne 0 ] && grep -qF "$1: includes $2 (" "$tmp/out"
}

plant core/buf.c '#include "relay.h"'
check "core including transport is refused" refused core/buf.c relay.h
plant cert/cidr.c '#include "nullspace/sdk.h"'
check "cert including the SDK header is refused" refused cert/cidr.c nullspace/sdk.h
plant transport/common/net.c '#include "../api/server.h"'
check "a path out of the folder is refused" refused transport/common/net.c ../api/server.h
plant transport/common/net.c '#include "session.h"'
check "transport's shared code including a program's header is refused" \
	refused transport/common/net.c session.h
plant transport/agent/session.c '#include "relay_int.h"'
check "the agent including the relay's header is refused" \
	refused transport/agent/session.c relay_int.h
plant transport/relay/relay.c '#include "client_int.h"'
check "the relay including the client's header is refused" \
	refused transport/relay/relay.c client_int.h
plant transport/relay/relay.c '#include "ws_frame.h"'
check "a program including transport's shared code is allowed" [ "$PLANT_RC" -eq 0 ]
plant include/nullspace/keys.h '#include "nullspace/client.h"'
check "a core public header including a transport one is refused" \
	refused include/nullspace/keys.h nullspace/client.h
plant api/server.c '#include "relay.h"'
check "api including transport is allowed" [ "$PLANT_RC" -eq 0 ]
plant cli/main.c '#include "server_int.h"'
check "cli including api is allowed" [ "$PLANT_RC" -eq 0 ]

finish
