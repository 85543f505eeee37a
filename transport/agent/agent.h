/* `nullspace agent`: the SSH server that runs inside a sandbox (no sshd).
 * One single-threaded epoll loop serves every connection; sessions run shell
 * or exec children on a PTY or pipes (transport/session.h). Public-key
 * authentication against an authorized_keys file re-read at each attempt. */
#ifndef NS_TRANSPORT_AGENT_H
#define NS_TRANSPORT_AGENT_H

#include <stdint.h>
#include <stdio.h>

#include "nullspace/keys.h"

#define NS_AGENT_MAX_CONNECTIONS 256
#define NS_AGENT_MAX_CONNECTIONS_LIMIT 65536
#define NS_AGENT_LOGIN_GRACE_MS (30 * 1000)
/* Unauthenticated connections one source address may hold at once (TCP
 * only: unix-socket peers, the relay in a sandbox, are not counted). */
#define NS_AGENT_MAX_UNAUTH_PER_SOURCE 16
#define NS_AGENT_MAX_CHANNELS 64 /* session channels per connection, by default */
/* The most --max-channels allows: a relay's one connection carries every
 * session of its sandbox (NS_RELAY_MAX_CHANNELS_PER_SANDBOX). */
#define NS_AGENT_MAX_CHANNELS_LIMIT 8192
#define NS_AGENT_CLOSE_LINGER_MS 2000 /* time to flush a DISCONNECT */
#define NS_AGENT_AUTHKEYS_MAX (1024 * 1024)
/* Remote forwards (tcpip-forward, streamlocal-forward listeners) one
 * connection may hold at once; one more is refused (forward-refused
 * reason=max-remote-forwards). */
#define NS_AGENT_RFWD_MAX 16
/* Connections a remote forward's listener accepts per wakeup. */
#define NS_AGENT_RFWD_ACCEPTS 16

typedef struct ns_agent_config {
	const char *listen;       /* "HOST:PORT", "[V6]:PORT" or "unix:PATH" */
	const ns_key *host_key;   /* with the private half */
	const uint8_t *host_cert; /* optional OpenSSH host certificate blob */
	size_t host_cert_len;
	const char *authorized_keys;    /* path or NULL; read again at every auth request */
	const char *ca_keys;            /* path or NULL: CA public keys whose user
	                                   certificates are trusted (principal = the
	                                   login name); read again at every request */
	const char *home;               /* sessions' HOME and working folder;
	                                   NULL: the user's home from the passwd entry */
	FILE *log;                      /* one line per event; NULL: stderr */
	uint32_t max_connections;       /* 0: NS_AGENT_MAX_CONNECTIONS */
	uint32_t login_grace_ms;        /* 0: NS_AGENT_LOGIN_GRACE_MS */
	uint32_t max_unauth_per_source; /* 0: NS_AGENT_MAX_UNAUTH_PER_SOURCE */
	uint32_t max_channels;          /* per connection, 0: NS_AGENT_MAX_CHANNELS */
	uint32_t max_auth_tries;        /* per connection, 0: NS_DEFAULT_MAX_AUTH_TRIES */
	uint32_t keepalive_ms;          /* 0: no keepalives */
	uint64_t max_cert_lifetime;     /* seconds: refuse user certificates valid for
	                                   longer (valid_before - valid_after); 0: no limit */
	/* Remote forwarding (ssh -R) may bind addresses other than loopback
	 * (0.0.0.0, an interface's address); default 0: loopback only. */
	int forward_bind_any;
	/* What to offer (ns_engine_config's lists); NULL: every algorithm. */
	const char *ciphers, *kex, *macs;
	/* Optional: called once when the socket listens, before serving (a
	 * supervisor's readiness notice, `nullspace agent --ready-fd`). */
	void (*on_ready)(void *ud);
	void *ready_ud;
} ns_agent_config;

/* Serve until SIGTERM or SIGINT: then every connection is closed, every
 * child's process group gets SIGHUP, and 0 is returned. A negative NS_ERR_*
 * when the agent cannot start (the reason goes to the log). */
int ns_agent_run(const ns_agent_config *cfg);

#endif
