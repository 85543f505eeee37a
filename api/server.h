/* The control plane's HTTP server (libmicrohttpd, JSON by jansson), driven
 * from the caller's loop: ns_api_server_run waits up to a timeout for
 * requests and serves them, all on the calling thread, so handlers may call
 * the runtime without locks. Every answer is JSON, errors are
 * {"error": "message"}; every request is logged as one line (method, path,
 * status, never a header or a body). Routes and limits in docs/api.md. */
#ifndef NS_API_SERVER_H
#define NS_API_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "apikey.h"
#include "nullspace/keys.h"
#include "runtime.h"

/* Limits on connections (docs/api.md, "Limits"). A connection carries one
 * request (every answer says Connection: close). */
#define NS_API_CONNECTIONS_MAX 256        /* open at once, from everyone */
#define NS_API_CONNECTIONS_PER_ADDRESS 32 /* from one IPv4 address or IPv6 /64 */
#define NS_API_HEADER_DEADLINE_MS 10000   /* accept to the end of the headers */
#define NS_API_BODY_DEADLINE_MS 30000     /* accept to the end of the body */
/* All slots taken: a newcomer closes the oldest connection that has been
 * sending its headers for this long (a client without a key holds a slot
 * no longer than that while others wait). */
#define NS_API_EVICT_AGE_MS 1000
#define NS_API_IDLE_TIMEOUT_S 30 /* no byte in either direction */

typedef struct ns_api_server ns_api_server;

typedef struct ns_api_server_config {
	const char *listen_host; /* an IPv4 or IPv6 address, e.g. "127.0.0.1" */
	unsigned listen_port;
	ns_runtime *runtime;
	const ns_apikeys *keys;
	const ns_key *ca;       /* signs access certificates */
	const char *relay_host; /* what clients connect to */
	unsigned relay_port;
	const uint8_t *relay_host_key; /* NS_ED25519_PK_LEN: pinned by clients */
	/* NS_ED25519_PK_LEN or NULL: the relays' host CA; the access object then
	 * carries relay.host_ca and an @cert-authority known_hosts line. */
	const uint8_t *relay_host_ca;
	/* The Commands and Files APIs (NULL agent_key: those routes answer 500):
	 * the key agents trust (the relay's client key), the registry, the
	 * secret of signed file URLs and the base of the URLs handed out. */
	const ns_key *agent_key;
	const char *registry_dir;
	const uint8_t *url_secret; /* NS_FILES_SECRET_LEN bytes */
	const char *public_url;    /* "http://HOST:PORT" */
	/* The legacy signed WebSocket URL (docs/api.md), minted into every
	 * access when ws_hostport is set: "HOST:PORT" clients reach the relay's
	 * WebSocket listener at, ws_tls for wss://, the signing secret (the
	 * relay checks with the same bytes; never logged), and the listener
	 * certificate's SHA-256 pin (64 hex digits, NULL for plain ws). */
	const char *ws_hostport;
	int ws_tls;
	const uint8_t *ws_secret;
	size_t ws_secret_len;
	const char *ws_tls_sha256;
	/* The revoked accesses' file (NULL: kept in memory only): read at
	 * start, written after each revocation (docs/api.md). */
	const char *revoked_path;
	void (*log)(void *ud, const char *line); /* NULL: stderr */
	void *log_ud;
	/* 0: the NS_API_* defaults above (tests make them small). */
	unsigned max_connections, max_per_address;
	unsigned header_deadline_ms, body_deadline_ms, evict_age_ms;
} ns_api_server_config;

/* Bind and listen (NS_ERR_IO with err naming the address). */
int ns_api_server_start(const ns_api_server_config *cfg, ns_api_server **out, char *err,
                        size_t cap);
/* Serve for at most timeout_ms (returns early after serving something or
 * on a signal, and in time to close connections past their deadlines). */
int ns_api_server_run(ns_api_server *s, int timeout_ms);
void ns_api_server_stop(ns_api_server *s);

/* "[host]:port ssh-ed25519 AAAA..." or "host ssh-ed25519 ..." for port 22. */
int ns_api_known_hosts_line(const char *host, unsigned port, const uint8_t pk[NS_ED25519_PK_LEN],
                            char *out, size_t cap);
/* "@cert-authority [host]:port ssh-ed25519 AAAA..." for a host CA. */
int ns_api_ca_known_hosts_line(const char *host, unsigned port, const uint8_t ca[NS_ED25519_PK_LEN],
                               char *out, size_t cap);
/* The command of the access object (see docs/api.md): ssh with the files
 * named id_ed25519, id_ed25519-cert.pub and known_hosts in the current
 * folder. */
int ns_api_access_command(const char *user, const char *host, unsigned port, char *out, size_t cap);

#endif
