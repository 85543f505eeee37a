/* The built-in SSH client as a library: a blocking wrapper over the sans-I/O
 * engine for programs and embedders. One ns_client is one authenticated
 * connection; each run/exec opens one session channel on it, so several
 * commands may run one after the other on the same connection.
 *
 *   ns_client_config cfg = {.host = "example.org", .user = "me", .key = &key,
 *                           .known_hosts = "/home/me/.ssh/known_hosts"};
 *   ns_client *c;
 *   char err[NS_CLIENT_ERR_MAX];
 *   if (ns_client_connect(&cfg, &c, err, sizeof(err)) != 0) { puts(err); ... }
 *   int code = ns_client_run(c, NULL);   // a shell on fds 0/1/2
 *   ns_client_close(c);
 */
#ifndef NULLSPACE_CLIENT_H
#define NULLSPACE_CLIENT_H

#include "nullspace/decls.h"

#include <stddef.h>
#include <stdint.h>

#include "nullspace/keys.h"
#include "nullspace/types.h"

NS_BEGIN_DECLS

#define NS_CLIENT_ERR_MAX 1024 /* an error message always fits */
#define NS_CLIENT_PORT_DEFAULT 22
#define NS_CLIENT_CONNECT_TIMEOUT_DEFAULT 30000      /* ms: TCP + handshake + auth */
#define NS_CLIENT_KNOWN_HOSTS_MAX (4 * 1024 * 1024)  /* largest file we read */
#define NS_CLIENT_CAPTURE_DEFAULT (64 * 1024 * 1024) /* per stream */
#define NS_CLIENT_COMMAND_MAX (16 * 1024)
#define NS_TTY_MODES_MAX 512 /* encoded terminal modes */
#define NS_CLIENT_TERM_MAX 64

typedef struct ns_client ns_client;

enum ns_hostkey_policy {
	/* The host key must be listed for host:port in the known_hosts file;
	 * unknown and changed keys are refused (no trust on first use). */
	NS_HOSTKEY_STRICT = 0,
	/* The host key must equal hostkey_pin (e.g. returned by an API). */
	NS_HOSTKEY_PINNED = 1,
};

typedef struct ns_client_config {
	size_t size;      /* set by ns_client_config_init */
	const char *host; /* name, IPv4/IPv6 address or "unix:PATH" */
	unsigned port;    /* 0: 22 */
	const char *user;
	const ns_key *key;   /* ed25519 key with its secret half (unless sign) */
	const uint8_t *cert; /* optional OpenSSH certificate blob for key */
	size_t cert_len;
	int hostkey_policy;          /* enum ns_hostkey_policy */
	const char *known_hosts;     /* STRICT: path of the known_hosts file */
	const uint8_t *hostkey_pin;  /* PINNED: NS_ED25519_PK_LEN bytes */
	uint32_t connect_timeout_ms; /* 0: NS_CLIENT_CONNECT_TIMEOUT_DEFAULT */
	uint32_t keepalive_ms;       /* 0: none; else probe when idle that long */
	const ns_allocator *alloc;   /* NULL: ns_allocator_libc() */
	/* Optional: called with the server's pre-auth banner (not NUL-ended). */
	void (*banner)(void *ud, const char *text, size_t len);
	void *banner_ud;
	/* Optional: sign the authentication request outside (ssh-agent, see
	 * nullspace/sshagent.h; a token). key then needs only its public half
	 * (has_sk may be 0). sign writes the signature blob of data for pk and
	 * returns 0, or an NS_ERR_* that fails the connection. */
	int (*sign)(void *ud, const uint8_t pk[NS_ED25519_PK_LEN], const uint8_t *data, size_t len,
	            uint8_t sig[NS_SIG_BLOB_LEN]);
	void *sign_ud;
} ns_client_config;

/* Zero a config and set its size: call it first, then fill in the fields
 * (new fields of later versions default to zero). */
void ns_client_config_init(ns_client_config *cfg);
/* The same as an initializer: ns_client_config cfg = NS_CLIENT_CONFIG_INIT; */
#define NS_CLIENT_CONFIG_INIT                                                                      \
	{                                                                                          \
		.size = sizeof(ns_client_config)                                                   \
	}

/* Connect, exchange keys, check the host key by policy, authenticate with
 * publickey. Blocking. On failure *out is NULL and err holds one line that
 * says what went wrong (host key refusals name the host, the offered key's
 * fingerprint and the known_hosts file and line). Returns 0 or NS_ERR_*:
 * NS_ERR_HOSTKEY_UNKNOWN, NS_ERR_HOSTKEY_CHANGED, NS_ERR_AUTH, NS_ERR_TIMEOUT,
 * NS_ERR_IO, NS_ERR_DISCONNECTED, ... */
int ns_client_connect(const ns_client_config *cfg, ns_client **out, char *err, size_t cap);
/* Disconnect politely and free everything; NULL is fine. */
void ns_client_close(ns_client *c);
/* The message of the last failed call on c ("" when none). */
const char *ns_client_error(const ns_client *c);

#define NS_CLIENT_FWD_MAX 16      /* -L forwards per run */
#define NS_CLIENT_FWD_CONN_MAX 64 /* forwarded connections open at once; more wait */
#define NS_CLIENT_FWD_BUF (32 * 1024)

/* One local forward: listen_host must be a loopback address (NULL:
 * 127.0.0.1); host is as the server resolves it. */
typedef struct ns_client_forward {
	const char *listen_host;
	unsigned listen_port;
	const char *host;
	unsigned port;
} ns_client_forward;

typedef struct ns_client_run_opts {
	size_t size;                              /* set by ns_client_run_opts_init */
	const char *command;                      /* NULL: the login shell */
	int fd_in, fd_out, fd_err;                /* default 0, 1, 2 (need not be non-blocking) */
	int pty;                                  /* request a PTY */
	const char *term;                         /* pty: TERM (NULL: "dumb") */
	uint32_t cols, rows, width_px, height_px; /* pty: window size */
	const uint8_t *modes; /* pty: encoded terminal modes (ns_tty_modes_encode) */
	size_t modes_len;
	/* Optional (default -1): readable when the window size may have
	 * changed (the read end of a self-pipe written by a SIGWINCH handler);
	 * it is drained and the size read from tty_fd with TIOCGWINSZ. */
	int winch_fd, tty_fd;
	/* Local forwards (ssh -L): each listens on its loopback address while
	 * the run lasts; every connection accepted opens a direct-tcpip
	 * channel to host:port (the server connects), spliced with flow
	 * control both ways. At most NS_CLIENT_FWD_MAX of them. */
	const struct ns_client_forward *forwards;
	size_t nforwards;
	/* ssh -N: open no session; serve the forwards until the connection
	 * ends (the run then returns its error). */
	int no_session;
} ns_client_run_opts;

/* Defaults: shell, fds 0/1/2, no PTY, no resize source; sets the size. */
void ns_client_run_opts_init(ns_client_run_opts *o);

/* Run a command (or shell) on the caller's fds until the channel closes.
 * stdin is read only while the channel can take it; received output is
 * written fully to fd_out/fd_err before the window is reopened. Returns the
 * remote exit status, 128+N when the remote process died of signal N (its
 * local number), 255 when the channel closed without either, or a negative
 * NS_ERR_* (message in ns_client_error). opts NULL: defaults. */
int ns_client_run(ns_client *c, const ns_client_run_opts *opts);

/* Bytes captured by ns_client_exec_capture. Zero-initialise; set max to
 * bound it (0: NS_CLIENT_CAPTURE_DEFAULT); free with ns_client_buf_free. */
typedef struct ns_client_buf {
	uint8_t *p;
	size_t len, cap, max;
	const ns_allocator *alloc;
} ns_client_buf;

void ns_client_buf_free(ns_client_buf *b);

/* Run command with in_len bytes of stdin (then EOF), collecting stdout and
 * stderr (either may be NULL to discard). *exit_status: the status, or -1
 * when none came; *exit_signal: the local number of the signal that killed
 * the remote process, 0 when none, -1 for a signal name we don't know.
 * Returns 0, NS_ERR_TOOBIG when output went over a buffer's max (the rest
 * was discarded, the command ran to its end), or another NS_ERR_*. */
int ns_client_exec_capture(ns_client *c, const char *command, const uint8_t *in, size_t in_len,
                           ns_client_buf *out, ns_client_buf *err, int *exit_status,
                           int *exit_signal);

NS_END_DECLS

#endif
