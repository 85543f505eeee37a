/* Inside `nullspace up`: the log (up_util.c), the state folder with its keys,
 * API key and CLI config (up_state.c), and the relay child (up_relay.c);
 * cmd_up.c ties them together. */
#ifndef NS_CLI_UP_INT_H
#define NS_CLI_UP_INT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "apikey.h"
#include "nullspace/keys.h"
#include "nullspace/sdk.h"

#define NS_UP_API_DEFAULT "127.0.0.1:8780"
#define NS_UP_RELAY_DEFAULT "127.0.0.1:2222"
#define NS_UP_HOST_MAX 256
#define NS_UP_MAX_SANDBOXES_LIMIT 4096 /* --max-sandboxes at most (the usage says 4096) */
#define NS_UP_RELAY_START_MS 10000     /* until the relay says it listens */
#define NS_UP_RELAY_STOP_MS 5000       /* SIGTERM, then SIGKILL */
#define NS_UP_RELAY_DRAIN "2"          /* --drain-timeout of the relay, seconds */
/* --max-cert-lifetime of the relay: the API mints certificates valid for at
 * most 60 minutes, backdated by NS_MINT_BACKDATE (60 s), so 61 minutes, plus
 * 9 minutes of slack; a certificate signed by hand with the CA key for
 * longer is refused. */
#define NS_UP_MAX_CERT_LIFETIME "70m"
#define NS_UP_ERR_MAX 1024

/* up_util.c */
/* "HH:MM:SS nullspace up: ..." on stderr (UTC). */
void ns_up_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A log callback for the runtime and the API server. */
void ns_up_log_line(void *ud, const char *line);
/* "HOST:PORT" or "[V6]:PORT" with HOST an IP address. 0 or NS_ERR_INVALID. */
int ns_up_parse_addr(const char *s, char *host, size_t cap, unsigned *port);
/* The address to reach a listener on host locally: 127.0.0.1 for 0.0.0.0,
 * ::1 for ::, else host. */
const char *ns_up_local_host(const char *host);
/* "HOST:PORT", "[V6]:PORT" into out. */
void ns_up_format_addr(const char *host, unsigned port, char *out, size_t cap);
/* Does a TCP connection to host:port succeed now? (Before the relay
 * starts: a taken address; its readiness comes from --ready-fd.) */
int ns_up_tcp_accepts(const char *host, unsigned port);

/* up_lock.c: one `up` per state folder. */
#define NS_UP_LOCK_NAME "lock"       /* in NULLSPACE_HOME/state */
#define NS_UP_LOCK_INFO_MAX 512      /* the owner's line "PID HOST:PORT\n" */
#define NS_UP_LOCK_INFO_WAIT_MS 1000 /* for an owner that has not written it yet */
/* flock dir/lock (created 0600), never waiting, and write our pid and
 * api_addr into it; *fd holds the lock (close-on-exec: it dies with us).
 * NS_ERR_STATE when another process holds it: err says "NULLSPACE_HOME is
 * in use by pid N (API on HOST:PORT)"; NS_ERR_IO otherwise. */
int ns_up_lock_take(const char *dir, const char *api_addr, int *fd, char *err, size_t cap);
/* Empties the lock file and closes fd (the lock goes with it); -1: nothing. */
void ns_up_lock_release(int fd);
/* The owner's line (pure, exposed for fuzzing): "PID HOST:PORT\n" exactly,
 * PID 1..2^31-1 without leading zeros, HOST:PORT of address characters. 0,
 * NS_ERR_FORMAT or NS_ERR_TOOBIG (past NS_UP_LOCK_INFO_MAX bytes). */
int ns_up_lock_parse(const char *text, size_t len, long *pid, char *addr, size_t cap);

/* up_state.c: NULLSPACE_HOME/state and the CLI config. */
typedef struct ns_up_state {
	char home[PATH_MAX];
	char dir[PATH_MAX];       /* home/state */
	char sandboxes[PATH_MAX]; /* dir/sandboxes */
	char registry[PATH_MAX];  /* dir/registry */
	char revoked[PATH_MAX];   /* dir/revoked: the API's revoked accesses */
	char relay_host_key[PATH_MAX], relay_client_key[PATH_MAX], ca_pub[PATH_MAX];
	char config_path[PATH_MAX];
	ns_key ca;                /* with its private half: signs access certificates */
	ns_key relay_client;      /* the key agents trust: the API's jobs use it */
	uint8_t files_secret[32]; /* signs Files API URLs (NS_FILES_SECRET_LEN) */
	uint8_t relay_host_pk[NS_ED25519_PK_LEN];
	char relay_client_line[NS_KEY_LINE_MAX];
	ns_apikeys keys;
	const char *config_action;       /* "written", "updated" or "kept" */
	ns_api_config config;            /* what ns_up_state_publish writes */
	char new_key[NS_APIKEY_LEN + 1]; /* a key the store learns at publish, or "" */
	int lock_fd;                     /* ns_up_lock_take's, or -1 */
	/* the wss:// listener (up_tls.c): the listener, "" when off or plain
	 * ws://; its files (NS_UP_TLS_* in dir) and the certificate's SHA-256 */
	char ws_listen[NS_UP_HOST_MAX + 16];
	char ws_cert[PATH_MAX], ws_key[PATH_MAX], ws_pin[PATH_MAX];
	char ws_sha256[65];
	/* --relay-host-ca (up_hostca.c): the relay's host certificate, "" when off */
	char relay_host_cert[PATH_MAX];
	char resume_grace[16]; /* --resume-grace SECONDS for the relay, "" for its default */
} ns_up_state;

/* up_hostca.c: sign the relay host key for public_host with the host CA in
 * ca_path (valid from NS_UP_HOST_CERT_BACKDATE seconds ago for
 * NS_UP_HOST_CERT_LIFETIME: re-signed at each start) into
 * st->relay_host_cert; the CA's public key into ca_pk. 0 or err set. */
#define NS_UP_HOST_CERT_BACKDATE 3600
#define NS_UP_HOST_CERT_LIFETIME (365 * 86400)
int ns_up_host_ca(ns_up_state *st, const char *ca_path, const char *public_host,
                  uint8_t ca_pk[NS_ED25519_PK_LEN], char *err, size_t cap);

/* up_tls.c: the relay's wss:// listener of `nullspace up` (the default): its
 * self-signed certificate, made on the first start and kept (pins stay
 * valid) until NS_TLS_CERT_RENEW_DAYS before it expires, in the state folder. */
#define NS_UP_TLS_CERT "ws_tls_cert.pem"   /* ECDSA P-256, 0644 */
#define NS_UP_TLS_KEY "ws_tls_key.pem"     /* 0600 */
#define NS_UP_TLS_PIN "ws_tls_cert.sha256" /* the DER's SHA-256, hex, 0644 */
/* Make or keep the files for listen (HOST:PORT) with a certificate for
 * public_host; st->ws_* set. 0, or an error in err. */
int ns_up_tls_prepare(ns_up_state *st, const char *listen, const char *public_host, char *err,
                      size_t cap);

/* Lock the state folder (ns_up_lock_take, api_addr written into the lock),
 * then create or load the keys; the CLI config is only read here. err says
 * what failed (never a secret). Call ns_up_state_close even on failure. */
int ns_up_state_open(ns_up_state *st, const char *api_url, const char *api_addr, char *err,
                     size_t cap);
/* Once up serves: a new API key into the store, the CLI config written
 * when it changed (config_action says how). */
int ns_up_state_publish(ns_up_state *st, char *err, size_t cap);
/* Wipes the CA key and the config, frees the key set, releases the lock. */
void ns_up_state_close(ns_up_state *st);

/* up_ws.c: the WebSocket URL signing secret, shared by the API and the
 * relay: NULLSPACE_HOME/state/ws_secret (hex of NS_UP_WS_SECRET_BYTES
 * random bytes, 0600, made on first use). */
#define NS_UP_WS_SECRET_NAME "ws_secret"
#define NS_UP_WS_SECRET_BYTES 32
typedef struct ns_up_ws {
	char secret_path[PATH_MAX];
	uint8_t *secret; /* the file's bytes as the relay reads them; wiped */
	size_t secret_len;
} ns_up_ws;
/* Create (when missing) and load dir/ws_secret; err never holds the secret. */
int ns_up_ws_secret(const char *dir, ns_up_ws *ws, char *err, size_t cap);
void ns_up_ws_free(ns_up_ws *ws);
/* A port free now on host (an IP address): bound with port 0 and let go.
 * The relay's WebSocket listener takes it when `up` is given none (on by
 * default, --no-websocket turns it off). 0 or NS_ERR_IO. */
int ns_up_free_port(const char *host, unsigned *port);

/* up_relay.c: `exe relay ... --ready-fd 3` in its own process group,
 * stderr inherited; *ready_fd: the read end of its readiness pipe. With
 * ws_listen (else NULL), also --websocket-listen ws_listen
 * --websocket-secret ws_secret (a file). */
int ns_up_relay_start(const char *exe, const char *listen, const char *ws_listen,
                      const char *ws_secret, const ns_up_state *st, pid_t *pid, int *ready_fd,
                      char *err, size_t cap);
/* Until the relay says it listens; NS_ERR_IO when it exits first (it is
 * then reaped, *pid 0) or after timeout_ms. Closes *ready_fd (then -1). */
int ns_up_relay_wait(pid_t *pid, int *ready_fd, int timeout_ms, char *err, size_t cap);
/* Has the relay exited (reaped, status in *status)? 1 or 0. */
int ns_up_relay_exited(pid_t pid, int *status);
/* SIGTERM to its group, up to grace_ms, then SIGKILL; reaped. */
void ns_up_relay_stop(pid_t pid, int grace_ms);

#endif
