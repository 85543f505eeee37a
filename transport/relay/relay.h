/* `nullspace relay`: the public SSH front door. It authenticates users by
 * OpenSSH user certificate (principal = SSH user name = sandbox id), finds
 * the sandbox in the registry and splices each session channel onto an
 * inner SSH connection to the sandbox's agent, windows honoured end to end.
 * It never runs user code. One single-threaded epoll loop. */
#ifndef NS_TRANSPORT_RELAY_H
#define NS_TRANSPORT_RELAY_H

#include <stdint.h>
#include <stdio.h>

#include "nullspace/keys.h"

#define NS_RELAY_MAX_CONNECTIONS 10000
#define NS_RELAY_MAX_CONNECTIONS_LIMIT 1000000
#define NS_RELAY_MAX_UNAUTH_PER_SOURCE 32
#define NS_RELAY_LOGIN_GRACE_MS (30 * 1000)
#define NS_RELAY_MAX_CHANNELS 16 /* session channels per user connection */
#define NS_RELAY_KEEPALIVE_MS (60 * 1000)
#define NS_RELAY_DRAIN_MS (30 * 1000)
/* PROXY headers being read at once (each holds NS_PROXY_V2_MAX bytes):
 * past it a balancer's new connection is closed (reason=proxy-pending-full). */
#define NS_RELAY_PROXY_PENDING_MAX 256
/* The admin listener: connections at once, the time one may take, the
 * most a /metrics answer may hold. */
#define NS_RELAY_ADMIN_CONNS_MAX 16
#define NS_RELAY_ADMIN_TIMEOUT_MS 5000
#define NS_RELAY_ADMIN_OUT_MAX (64 * 1024)
/* MaxStartups (sshd's start:rate:full) over every unauthenticated
 * connection: from START waiting, an arrival forces one drop with RATE
 * percent chance, rising linearly to 100 at FULL. Scaled for a relay whose
 * connections cost kilobytes, not a process: START well above a busy burst
 * of honest logins (each needs well under a second), FULL at 30% of the
 * default connection cap so a flood never takes the slots of logged-in
 * users. docs/relay.md says more. */
#define NS_RELAY_STARTUPS_START 1000
#define NS_RELAY_STARTUPS_RATE 30
#define NS_RELAY_STARTUPS_FULL 3000
/* Once authenticated (0 in the config: these defaults). */
#define NS_RELAY_MAX_CONNS_PER_SANDBOX 32 /* connections logged in to one sandbox */
/* Sessions across them: they share the relay's one connection to the
 * sandbox's agent, whose --max-channels the runtime sets to this. */
#define NS_RELAY_MAX_CHANNELS_PER_SANDBOX 4096
#define NS_RELAY_MAX_CHANNELS_PER_SANDBOX_STR "4096"
#define NS_RELAY_MAX_CHANNELS_PER_SANDBOX_LIMIT 8192 /* the agent's most */
#define NS_RELAY_MAX_AUTHED_PER_SOURCE 256           /* logged-in connections from one address */
/* What an idle session may cost, relay and agent together (their heaps:
 * Pss_Anon), when each session is its own user connection: the budget
 * bench/relay.sh reports against and tests/interop/relay_idle.sh asserts.
 * Measured well under it: docs/relay.md, "Idle sessions". */
#define NS_RELAY_IDLE_SESSION_BUDGET (16 * 1024)

/* MaxStartups: unauthenticated connections from `start` on, `rate` percent
 * drop chance rising to 100 at `full`. */
typedef struct ns_relay_startups {
	uint32_t start, rate, full;
} ns_relay_startups;

/* "START:RATE:FULL" (START <= FULL, RATE 1-100) or "N" (N at most, no early
 * drop): 0 or NS_ERR_INVALID. */
int ns_relay_startups_parse(const char *s, ns_relay_startups *out);

/* Default --resume-grace (nullspace relay): a resumable connection whose
 * socket was lost is kept this long; at most the MAX. */
#define NS_RELAY_RESUME_GRACE_MS 120000
#define NS_RELAY_RESUME_GRACE_MAX_S 3600
/* Default --expiry-warning: seconds before a certificate's end that the
 * sessions are told (with --end-sessions-at-expiry). */
#define NS_RELAY_EXPIRY_WARNING_S 300

typedef struct ns_relay_config {
	const char *listen;       /* "HOST:PORT", "[V6]:PORT" or "unix:PATH" */
	const ns_key *host_key;   /* the relay's host key (with the private half) */
	const ns_key *client_key; /* the relay's key towards agents */
	const char *ca_keys;      /* CA public keys file (read at start and SIGHUP) */
	const char *revoked;      /* revocation list file or NULL (likewise) */
	const char *registry;     /* the sandbox registry folder */
	FILE *log;                /* one line per event; NULL: stderr */
	uint32_t max_connections; /* 0: defaults above */
	uint32_t max_unauth_per_source;
	uint32_t login_grace_ms;
	uint32_t max_channels;
	uint32_t max_auth_tries;
	ns_relay_startups startups; /* full 0: the defaults above */
	uint32_t max_conns_per_sandbox;
	uint32_t max_channels_per_sandbox;
	uint32_t max_authed_per_source;
	uint32_t keepalive_ms;      /* to users and agents; 0: off */
	uint32_t drain_ms;          /* after SIGTERM: longest wait for sessions to end */
	uint64_t max_cert_lifetime; /* seconds: refuse certificates valid for longer
	                               (valid_before - valid_after); 0: no limit */
	/* What to offer users (ns_engine_config's lists); NULL: every
	 * algorithm. The hop to agents keeps its own preference. */
	const char *ciphers, *kex, *macs;
	/* Optional: called once when the socket listens, before serving (a
	 * supervisor's readiness notice, `nullspace relay --ready-fd`). */
	void (*on_ready)(void *ud);
	void *ready_ud;
	/* The WebSocket front door (relay_ws.c): "HOST:PORT" or NULL, and the
	 * secret its signed URLs are checked with (NS_WS_SECRET_MIN bytes at
	 * least). */
	const char *ws_listen;
	const uint8_t *ws_secret;
	size_t ws_secret_len;
	/* wss://: the certificate chain and private key PEM files (both or
	 * neither; transport/common/tls_server.h says which keys). */
	const char *tls_cert, *tls_key;
	/* Where logins go (relay_route.c, docs/relay.md "Routing"):
	 * NS_RELAY_ROUTE_*; 0: cert-then-registry with a registry, cert
	 * without. registry may be NULL in cert mode. */
	int routing;
	/* An OpenSSH host certificate for host_key, signed by a host CA, offered
	 * to users (one identity for a fleet of relays): the blob, or NULL. */
	const uint8_t *host_cert;
	size_t host_cert_len;
	/* Live revocation (relay_revoke.c, docs/relay.md): the list's URL (the
	 * API's GET /v1/revocations), polled every revocations_interval_ms with
	 * If-None-Match, sent revocations_key as a Bearer token (NULL: none).
	 * With no list fetched for revocations_max_stale_ms, new logins are
	 * refused (fail closed, 0) or let in (revocations_fail_open 1). */
	const char *revocations_url, *revocations_key;
	uint32_t revocations_interval_ms, revocations_max_stale_ms;
	int revocations_fail_open;
	/* Resumable connections (relay_resume.c): how long a connection whose
	 * socket was lost is kept for its proxy to come back; 0: off (the
	 * magic preamble is then an SSH protocol error). */
	uint32_t resume_grace_ms;
	/* relay_lifetime.c: end a logged-in connection after this long without
	 * channel bytes (0: never); with end_at_expiry, at its certificate's
	 * valid_before, warning each session expiry_warning_s before. */
	uint32_t idle_timeout_ms;
	int end_at_expiry;
	uint32_t expiry_warning_s;
	/* PROXY protocol v2 (relay_proxyproto.c): the balancers' addresses, a
	 * comma-separated list of IPv4/IPv6 CIDRs, or NULL. From them a header
	 * is required on both listeners; from anyone else it is refused. */
	const char *proxy_from;
	/* "HOST:PORT" of the admin listener (GET /healthz, /metrics) or NULL. */
	const char *admin_listen;
	/* Keep-awake (relay_activity.c, docs/relay.md): every
	 * activity_interval_ms, the sandboxes whose sessions moved bytes are
	 * POSTed to activity_url (the API's /v1/activity) with activity_key as
	 * a Bearer token (NULL: none). NULL url: off. */
	const char *activity_url, *activity_key;
	uint32_t activity_interval_ms;
} ns_relay_config;

#define NS_RELAY_REVOCATIONS_INTERVAL_MS (30 * 1000)
#define NS_RELAY_REVOCATIONS_MAX_STALE_MS (5 * 60 * 1000)
#define NS_RELAY_ACTIVITY_INTERVAL_MS (30 * 1000) /* --activity-interval default */

enum { NS_RELAY_ROUTE_CERT = 1, NS_RELAY_ROUTE_REGISTRY, NS_RELAY_ROUTE_CERT_THEN_REGISTRY };
/* "cert", "registry", "cert-then-registry": an NS_RELAY_ROUTE_*, 0 for
 * anything else. */
int ns_relay_route_parse_mode(const char *s);

/* Serve until SIGTERM or SIGINT: then stop accepting, let running sessions
 * end (at most drain_ms), close everything and return 0. SIGHUP re-reads
 * the CA keys and the revocation list. A negative NS_ERR_* when the relay
 * cannot start (the reason goes to the log). */
int ns_relay_run(const ns_relay_config *cfg);

#endif
