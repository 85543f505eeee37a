/* The nullspace C SDK: a client of the control plane API (HTTP + JSON over
 * libcurl). Create, get, list and kill sandboxes, and mint short-lived SSH
 * access (an OpenSSH user certificate for a caller's ed25519 public key plus
 * the relay's pinned host key). Connect with the built-in client
 * (nullspace/client.h) or OpenSSH.
 *
 *   ns_api *api;
 *   char err[NS_API_ERR_MAX];
 *   if (ns_api_open(&api, NULL, NULL, err, sizeof(err)) != 0) { puts(err); ... }
 *   ns_sandbox_info sb;
 *   ns_api_sandbox_create(api, "base", 600, &sb);
 *   ns_ssh_access acc;
 *   ns_api_create_ssh_access(api, sb.id, "ssh-ed25519 AAAA...", 10, &acc);
 *   ...
 *   ns_ssh_access_free(&acc);
 *   ns_api_close(api);
 *
 * Every call returns 0 or a negative NS_ERR_*; the server's message (or what
 * went wrong locally) is then in ns_api_error(api). Not thread-safe: one
 * ns_api per thread. No call ever puts the API key in a message. */
#ifndef NULLSPACE_SDK_H
#define NULLSPACE_SDK_H

#include "nullspace/decls.h"

#include <stddef.h>
#include <stdint.h>

NS_BEGIN_DECLS

#define NS_API_ERR_MAX 512
#define NS_API_URL_MAX 512
#define NS_API_KEY_MAX 128
#define NS_API_ID_MAX 64 /* sandbox ids, access ids */
#define NS_API_TEMPLATE_MAX 64
#define NS_API_STATE_MAX 16 /* "running", "stopped" */
/* Why a sandbox stopped: "killed", "timeout", "exited", "shutdown". */
#define NS_API_REASON_MAX 32
#define NS_API_RESPONSE_MAX (1024 * 1024) /* largest response body we accept */
#define NS_API_TIMEOUT_MS 30000

#define NS_API_EXPIRES_MIN 1 /* minutes */
#define NS_API_EXPIRES_MAX 60
#define NS_API_EXPIRES_DEFAULT 10
#define NS_API_SANDBOX_TIMEOUT_DEFAULT 600 /* seconds */
#define NS_API_SANDBOX_TIMEOUT_MAX 86400
/* max_lifetime: activity through the relay moves expires_at to now +
 * timeout, never past created_at + max_lifetime (docs/api.md). */
#define NS_API_SANDBOX_LIFETIME_DEFAULT 86400 /* seconds */
#define NS_API_SANDBOX_LIFETIME_MAX 86400

typedef struct ns_api ns_api;

typedef struct ns_sandbox_info {
	char id[NS_API_ID_MAX + 1];
	char template_name[NS_API_TEMPLATE_MAX + 1];
	char state[NS_API_STATE_MAX + 1];
	char stop_reason[NS_API_REASON_MAX + 1]; /* "" while running */
	int64_t created_at;                      /* unix seconds */
	int64_t expires_at;                      /* when the timeout stops it */
	uint32_t timeout;                        /* seconds, as created: the idle window */
	/* Keep-awake (docs/api.md): activity through the relay moves expires_at
	 * to now + timeout, never past max_expires_at = created_at +
	 * max_lifetime. From an older server: max_lifetime = timeout,
	 * max_expires_at = expires_at. last_activity_at: the last report, 0
	 * for none. */
	uint32_t max_lifetime;
	int64_t max_expires_at;
	int64_t last_activity_at;
} ns_sandbox_info;

/* The access object of POST /v1/sandboxes/{id}/ssh-access. Strings are
 * NUL-terminated heap copies; certificate, command and websocket_url are
 * credentials. Size-tagged: set it up with ns_ssh_access_init, so that a
 * caller built against an older (shorter) struct gets only what it knows. */
typedef struct ns_ssh_access {
	size_t size; /* set by ns_ssh_access_init */
	char *access_id;
	char *sandbox_id;
	char *user;        /* SSH login name (the sandbox id) */
	char *certificate; /* "ssh-ed25519-cert-v01@openssh.com AAAA... comment" */
	int64_t expires_at;
	char *relay_host;
	unsigned relay_port;
	char *relay_host_key;    /* "ssh-ed25519 AAAA..." */
	char *relay_known_hosts; /* "[host]:port ssh-ed25519 AAAA..." */
	char *command;           /* an ssh command line, see docs/api.md */
	/* The legacy signed WebSocket URL (ws:// or wss://), a bearer
	 * credential bound to this sandbox and expires_at; NULL when the
	 * deployment has no WebSocket listener. */
	char *websocket_url;
	/* wss:// only: the SHA-256 of the listener's certificate, 64 hex
	 * digits, to pin (nullspace proxy --pin-sha256); NULL otherwise. */
	char *websocket_tls_sha256;
	/* The relays' host CA ("ssh-ed25519 AAAA..."), or NULL: every relay
	 * behind relay_host presents a host certificate it signed, and
	 * relay_known_hosts is then "@cert-authority [host]:port KEY", so any
	 * relay of the fleet passes host-key checking. */
	char *relay_host_ca;
} ns_ssh_access;
/* The size of the first ns_ssh_access (before websocket_url). */
#define NS_SSH_ACCESS_SIZE_MIN offsetof(ns_ssh_access, websocket_url)
/* Zeroes *a and sets a->size. */
void ns_ssh_access_init(ns_ssh_access *a);

/* Where the API is and which key to use: each of url and key comes from the
 * argument when non-NULL, else NULLSPACE_API_URL / NULLSPACE_API_KEY, else
 * the config file NULLSPACE_HOME/config (NULLSPACE_HOME defaults to
 * ~/.nullspace). NS_ERR_NOTFOUND with a message naming what is missing. */
int ns_api_open(ns_api **out, const char *url, const char *key, char *err, size_t cap);
void ns_api_close(ns_api *api);
/* The message of the last failed call ("" when none). */
const char *ns_api_error(const ns_api *api);
/* The HTTP status of the last call (0 when no response came). */
int ns_api_status(const ns_api *api);
/* The URL in use (never the key). */
const char *ns_api_url(const ns_api *api);

/* Errors the calls return besides NS_ERR_NOMEM / NS_ERR_INVALID:
 *   NS_ERR_IO        the API could not be reached (connection refused, DNS, timeout)
 *   NS_ERR_AUTH      401: bad or missing API key
 *   NS_ERR_NOTFOUND  404: no such sandbox
 *   NS_ERR_STATE     409: the sandbox is stopped
 *   NS_ERR_FORMAT    400 from the server, or a response we cannot read
 *   NS_ERR_PROTOCOL  any other status */

/* template NULL: "base"; timeout_s 0: NS_API_SANDBOX_TIMEOUT_DEFAULT. */
int ns_api_sandbox_create(ns_api *api, const char *template_name, uint32_t timeout_s,
                          ns_sandbox_info *out);
/* A new sandbox's options. Size-tagged: set it up with ns_sandbox_opts_init. */
typedef struct ns_sandbox_opts {
	size_t size;               /* set by ns_sandbox_opts_init */
	const char *template_name; /* NULL: "base" */
	uint32_t timeout_s;        /* 0: NS_API_SANDBOX_TIMEOUT_DEFAULT; the idle window */
	uint32_t max_lifetime_s;   /* 0: the server's default (NS_API_SANDBOX_LIFETIME_DEFAULT);
	                              at least timeout_s; equal to it: a fixed deadline */
} ns_sandbox_opts;
/* Zeroes *o and sets o->size. */
void ns_sandbox_opts_init(ns_sandbox_opts *o);
/* ns_api_sandbox_create with options (opts NULL: the defaults); the request
 * carries "max_lifetime" only when set, so an older API takes it as before.
 * NS_ERR_INVALID for an opts without its size set. */
int ns_api_sandbox_create_opts(ns_api *api, const ns_sandbox_opts *opts, ns_sandbox_info *out);
int ns_api_sandbox_get(ns_api *api, const char *id, ns_sandbox_info *out);
/* Fills up to cap entries, newest first; *n is how many there are in all. */
int ns_api_sandbox_list(ns_api *api, ns_sandbox_info *out, size_t cap, size_t *n);
int ns_api_sandbox_kill(ns_api *api, const char *id);

/* public_key: one "ssh-ed25519 AAAA... [comment]" line; expires_in_minutes
 * 0: NS_API_EXPIRES_DEFAULT. *out set up by ns_ssh_access_init (its size
 * at least NS_SSH_ACCESS_SIZE_MIN, else NS_ERR_INVALID). On success free
 * *out with ns_ssh_access_free. */
int ns_api_create_ssh_access(ns_api *api, const char *sandbox_id, const char *public_key,
                             int expires_in_minutes, ns_ssh_access *out);
/* What a new certificate permits besides a PTY. Size-tagged: set it up with
 * ns_ssh_access_opts_init (defaults: NS_API_EXPIRES_DEFAULT minutes, port
 * forwarding permitted, agent forwarding not). */
typedef struct ns_ssh_access_opts {
	size_t size;            /* set by ns_ssh_access_opts_init */
	int expires_in_minutes; /* 0: NS_API_EXPIRES_DEFAULT */
	int no_port_forwarding; /* 1: without permit-port-forwarding (ssh -L/-D/-W/-R refused) */
	int agent_forwarding;   /* 1: with permit-agent-forwarding (ssh -A) */
} ns_ssh_access_opts;
/* Zeroes *o and sets o->size. */
void ns_ssh_access_opts_init(ns_ssh_access_opts *o);
/* ns_api_create_ssh_access with options (opts NULL: the defaults); the
 * request carries "permit_port_forwarding": false and
 * "permit_agent_forwarding": true only when they differ from the API's
 * defaults. NS_ERR_INVALID for an opts without its size set. */
int ns_api_create_ssh_access_opts(ns_api *api, const char *sandbox_id, const char *public_key,
                                  const ns_ssh_access_opts *opts, ns_ssh_access *out);
/* Wipes the credential strings and frees all; zeroes *a (its size too:
 * ns_ssh_access_init it again to reuse it). */
void ns_ssh_access_free(ns_ssh_access *a);

/* ---- Commands and Files (docs/sdk.md) ------------------------------------ */

#define NS_API_EXEC_OUTPUT_MAX (16 * 1024 * 1024) /* per stream, non-streaming */
#define NS_API_EXEC_TIMEOUT_MAX 3600              /* seconds */
#define NS_API_UPLOAD_MAX (1ULL << 30)            /* bytes per upload */
#define NS_API_STREAM_LINE_MAX (128 * 1024)       /* one NDJSON line of a stream */
#define NS_API_FILE_NAME_MAX 255
#define NS_API_SIGNAL_MAX 16
#define NS_API_FILE_URL_MAX (16 * 1024)

/* Options of ns_api_exec. */
typedef struct ns_exec_opts {
	size_t size;            /* set by ns_exec_opts_init */
	const char *cwd;        /* NULL: the sandbox user's home */
	const char *const *env; /* "NAME=VALUE" strings, NULL-terminated; NULL: none */
	uint32_t timeout_s;     /* 0: the server's default (60 s) */
	/* Stream the output to these descriptors as it comes (the streaming
	 * form of the API); -1 (the default) for both: collect it into the
	 * result instead. */
	int fd_out, fd_err;
} ns_exec_opts;
/* Zero o, set its size, fd_out = fd_err = -1. */
void ns_exec_opts_init(ns_exec_opts *o);

typedef struct ns_exec_result {
	int exit_code; /* -1 when none (timed out, killed by a signal) */
	int timed_out;
	char signal[NS_API_SIGNAL_MAX]; /* "KILL" when killed by one, else "" */
	char *out, *err;                /* collected output (NUL-ended), NULL when streamed */
	size_t out_len, err_len;
	int out_truncated, err_truncated;
} ns_exec_result;
/* Run cmd (sh -c) in a running sandbox and wait for its end. o NULL:
 * defaults. Free r with ns_exec_result_free. */
int ns_api_exec(ns_api *api, const char *id, const char *cmd, const ns_exec_opts *o,
                ns_exec_result *r);
void ns_exec_result_free(ns_exec_result *r);

/* Upload size bytes read from fd to path (relative to the sandbox user's
 * home, or absolute under it; parents created) with mode (0: 0644). At
 * most NS_API_UPLOAD_MAX. */
int ns_api_file_upload(ns_api *api, const char *id, const char *path, int fd, uint64_t size,
                       unsigned mode);
/* Download path into fd; *size (may be NULL) gets the bytes written. */
int ns_api_file_download(ns_api *api, const char *id, const char *path, int fd, uint64_t *size);
typedef struct ns_file_entry {
	char name[NS_API_FILE_NAME_MAX + 1];
	char type[8]; /* "file", "dir", "symlink", "other" */
	uint64_t size;
	unsigned mode;
} ns_file_entry;
/* The entries of folder path (NULL: the home), up to cap; *n in all. */
int ns_api_file_list(ns_api *api, const char *id, const char *path, ns_file_entry *out, size_t cap,
                     size_t *n);
/* Remove a file (or an empty folder). */
int ns_api_file_remove(ns_api *api, const char *id, const char *path);
/* A signed URL for GET (upload 0) or PUT (upload 1) of path, valid for
 * expires_in_minutes (0: 10; at most 1440), usable without an API key: a
 * bearer credential, never log it. *expires_at (may be NULL): Unix time. */
int ns_api_file_url(ns_api *api, const char *id, const char *path, int upload,
                    int expires_in_minutes, char *url, size_t cap, int64_t *expires_at);

/* Client configuration (NULLSPACE_HOME/config): "key = value" lines, '#'
 * comments. Keys: api_url, api_key. Unknown keys are ignored. */
typedef struct ns_api_config {
	char api_url[NS_API_URL_MAX];
	char api_key[NS_API_KEY_MAX];
} ns_api_config;
#define NS_API_CONFIG_MAX 16384
/* Parse a config file's text (pure). NS_ERR_FORMAT with *line the 1-based
 * line of the first bad line. */
int ns_api_config_parse(const char *text, size_t len, ns_api_config *out, int *line);
/* NULLSPACE_HOME, else $HOME/.nullspace, into out. */
int ns_api_home(char *out, size_t cap);
/* Read HOME/config into out (fields left "" when absent); a missing file is
 * not an error. NS_ERR_FORMAT / NS_ERR_IO with a message in err. */
int ns_api_config_load(const char *home, ns_api_config *out, char *err, size_t cap);
/* Write HOME/config atomically, mode 0600 (HOME created 0700 if missing). */
int ns_api_config_save(const char *home, const ns_api_config *cfg, char *err, size_t cap);

NS_END_DECLS

#endif
