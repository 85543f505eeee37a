/* The sans-I/O SSH-2 engine: one connection, client or server role.
 *
 * The caller moves bytes and time; the engine never touches a socket or a
 * clock. The loop is:
 *   ns_engine_input()  feed received bytes (it reports how many it took; it
 *                      stops taking while an event is pending or while more
 *                      than NS_OUTPUT_HIGH bytes wait to be sent);
 *   ns_engine_event()  pull the next event (views inside it stay valid until
 *                      the next call into the engine);
 *   ns_engine_output() / ns_engine_output_ack()  bytes to send;
 *   ns_engine_tick()   pass the time (rekey by time, keepalives).
 *
 * Memory per connection is bounded: the receive buffer holds at most
 * NS_INPUT_MAX bytes (several packets: a transport reads straight into it),
 * the send buffer at most NS_OUTPUT_MAX bytes, plus the channel table (~72
 * bytes per open channel, grown on demand up to max_channels); buffers are
 * released when idle (NS_IDLE_RELEASE_MS). Data never exceeds the peer's
 * window: writes accept only what the window and the send buffer allow
 * (backpressure), and the engine reopens our window only as the caller
 * reports data consumed. Channel data fills the send buffer only to 64 KiB
 * below NS_OUTPUT_HIGH, so an engine busy sending keeps reading its peer
 * (window adjusts are never stuck behind its own data). */
#ifndef NULLSPACE_ENGINE_H
#define NULLSPACE_ENGINE_H

#include "nullspace/decls.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h> /* struct iovec: ns_channel_write_iov */

#include "nullspace/keys.h"
#include "nullspace/pubkey.h"
#include "nullspace/types.h"

NS_BEGIN_DECLS

#define NS_OUTPUT_MAX (1024 * 1024)
#define NS_OUTPUT_HIGH (256 * 1024)
#define NS_DEFAULT_REKEY_BYTES (1ULL << 30)
#define NS_DEFAULT_REKEY_MS (3600ULL * 1000)
#define NS_DEFAULT_MAX_AUTH_TRIES 6
#define NS_DEFAULT_MAX_CHANNELS 64
#define NS_DEFAULT_WINDOW (2 * 1024 * 1024)
#define NS_DEFAULT_MAX_PACKET 32768
#define NS_MAX_CHANNELS_LIMIT 16384
#define NS_KEEPALIVE_MAX_MISSED 3
/* Buffers of a connection idle this long (no bytes in or out between two
 * ticks) are released at the next tick; ns_engine_next_timeout asks for it. */
#define NS_IDLE_RELEASE_MS 1000

/* Cipher names for ns_engine_config.ciphers. */
#define NS_CIPHER_CHACHA20_POLY1305 "chacha20-poly1305@openssh.com"
#define NS_CIPHER_AES256_GCM "aes256-gcm@openssh.com"
#define NS_CIPHER_AES128_GCM "aes128-gcm@openssh.com"
#define NS_CIPHER_AES256_CTR "aes256-ctr"
#define NS_CIPHER_AES128_CTR "aes128-ctr"

enum ns_role { NS_ROLE_CLIENT = 0, NS_ROLE_SERVER = 1 };

/* SSH_MSG_DISCONNECT reason codes (RFC 4253 11.1). */
enum ns_disconnect_reason {
	NS_DISC_HOST_NOT_ALLOWED = 1,
	NS_DISC_PROTOCOL_ERROR = 2,
	NS_DISC_KEY_EXCHANGE_FAILED = 3,
	NS_DISC_MAC_ERROR = 5,
	NS_DISC_SERVICE_NOT_AVAILABLE = 7,
	NS_DISC_PROTOCOL_VERSION_NOT_SUPPORTED = 8,
	NS_DISC_HOST_KEY_NOT_VERIFIABLE = 9,
	NS_DISC_CONNECTION_LOST = 10,
	NS_DISC_BY_APPLICATION = 11,
	NS_DISC_TOO_MANY_CONNECTIONS = 12,
	NS_DISC_AUTH_CANCELLED_BY_USER = 13,
	NS_DISC_NO_MORE_AUTH_METHODS = 14,
	NS_DISC_ILLEGAL_USER_NAME = 15,
};

/* SSH_MSG_CHANNEL_OPEN_FAILURE reason codes (RFC 4254 5.1). */
enum ns_open_failure {
	NS_OPEN_ADMINISTRATIVELY_PROHIBITED = 1,
	NS_OPEN_CONNECT_FAILED = 2,
	NS_OPEN_UNKNOWN_CHANNEL_TYPE = 3,
	NS_OPEN_RESOURCE_SHORTAGE = 4,
};

typedef struct ns_engine ns_engine;

typedef struct ns_engine_config {
	size_t size;               /* set by ns_engine_config_init */
	int role;                  /* NS_ROLE_CLIENT or NS_ROLE_SERVER */
	const ns_allocator *alloc; /* required */
	const char *software;      /* version string part, default "nullspace_0.1" */
	const ns_key *host_key;    /* server: required (copied) */
	/* server: an OpenSSH host certificate for host_key (copied), offered as
	 * ssh-ed25519-cert-v01@openssh.com; client: non-zero to accept host
	 * certificates (offered first; NS_EV_HOSTKEY then has is_cert set). */
	const uint8_t *host_cert;
	size_t host_cert_len;
	int host_certs;
	uint64_t rekey_bytes;    /* 0: NS_DEFAULT_REKEY_BYTES */
	uint64_t rekey_ms;       /* 0: NS_DEFAULT_REKEY_MS */
	uint32_t max_auth_tries; /* server; 0: default */
	uint32_t max_channels;   /* 0: default; at most NS_MAX_CHANNELS_LIMIT */
	uint32_t window;         /* our initial window per channel; 0: default */
	uint32_t max_packet;     /* our max packet per channel; 0: default */
	uint32_t keepalive_ms;   /* 0: no keepalives; else probe the peer when
	                            idle that long, disconnect after
	                            NS_KEEPALIVE_MAX_MISSED unanswered */
	/* Ciphers to offer, comma-separated in order of preference, each of
	 * the NS_CIPHER_* names at most once (the client's order decides). NULL:
	 * a client prefers aes256-gcm, a server lists chacha20-poly1305 first,
	 * then aes128-gcm, aes256-ctr, aes128-ctr (docs/algorithms.md).
	 * aes256-gcm is left out where the CPU lacks AES-NI and PCLMUL.
	 * ns_engine_new: NS_ERR_INVALID for an unknown or repeated name,
	 * NS_ERR_UNSUPPORTED when nothing is left. */
	const char *ciphers;
	/* Key exchange methods and MACs to offer, the same way (names from
	 * docs/algorithms.md, each once). NULL: all of ours, strongest first.
	 * The MACs apply to aes*-ctr only. NS_ERR_INVALID for an unknown or
	 * repeated name. */
	const char *kex;
	const char *macs;
	/* Where the engine's random bytes come from (key exchange secrets,
	 * KEXINIT cookies, padding): fill buf with len cryptographically secure
	 * bytes. NULL: libsodium's randombytes_buf. Tests and fuzzers pass a
	 * seeded generator to replay a connection byte for byte. */
	void (*random)(void *ctx, uint8_t *buf, size_t len);
	void *random_ctx;
	/* client: non-zero to pass the server's channel opens (forwarded-tcpip,
	 * auth-agent@openssh.com, ...) to the caller as NS_EV_CHANNEL_OPEN
	 * rather than refuse them (a relay's connection to an agent). */
	int accept_channels;
	/* server: non-zero to pass the forwarding global requests to the
	 * caller as NS_EV_GLOBAL_REQUEST rather than refuse them. */
	int forward_requests;
} ns_engine_config;

/* Set up the library's crypto once per process (libsodium, CPU feature
 * probes); thread-safe, idempotent. ns_engine_new calls it too, so an
 * embedder need not, but may to learn early that it failed: 0 or
 * NS_ERR_CRYPTO. */
int ns_init(void);

enum ns_event_type {
	NS_EV_NONE = 0,
	/* client: the server's host key; answer with ns_engine_hostkey_verdict()
	 * before the handshake goes on. */
	NS_EV_HOSTKEY,
	/* client: the userauth service is ready; call ns_engine_auth_*(). */
	NS_EV_AUTH_READY,
	/* client: authenticated. */
	NS_EV_AUTH_SUCCESS,
	/* client: the attempt failed; methods says what may continue. */
	NS_EV_AUTH_FAILURE,
	/* client: the server would accept the queried key (PK_OK). */
	NS_EV_AUTH_PK_OK,
	/* client: a banner to show the user (message). */
	NS_EV_AUTH_BANNER,
	/* server: a userauth request; answer with ns_engine_auth_verdict().
	 * For publickey with a signature, the engine has already verified it;
	 * one it refused itself (refused set) comes too, so that every refusal
	 * can be logged once. */
	NS_EV_AUTH_REQUEST,
	/* the peer asks to open a channel (channel_type, open_data):
	 * ns_channel_accept/reject(). A server gets every type; a client only
	 * with accept_channels. */
	NS_EV_CHANNEL_OPEN,
	/* client: our session open was confirmed / refused. */
	NS_EV_CHANNEL_OPENED,
	NS_EV_CHANNEL_OPEN_FAILED,
	/* a channel request from the peer; ns_channel_reply() if want_reply. */
	NS_EV_CHANNEL_REQUEST,
	/* the peer answered one of our want_reply requests (ok says how). */
	NS_EV_CHANNEL_REPLY,
	/* channel data: ext 0 = data, 1 = stderr. Report consumption with
	 * ns_channel_consumed() to reopen the window. */
	NS_EV_CHANNEL_DATA,
	NS_EV_CHANNEL_EOF,
	/* both sides closed: the channel id is free after this event. */
	NS_EV_CHANNEL_CLOSED,
	/* the engine can take more data: a peer window grew or a key exchange
	 * ended (poll writes again). channel is the one that grew, or
	 * NS_CHANNEL_ALL. */
	NS_EV_WRITABLE,
	/* the connection is over: reason, message, by_peer. Flush the output
	 * (it may hold our DISCONNECT) and close the socket. */
	NS_EV_DISCONNECT,
	/* a channel request of the peer's that the engine refused itself (a
	 * field over its limit, e.g. a pty-req TERM over 256 bytes): it has
	 * answered CHANNEL_FAILURE if a reply was wanted, and the connection
	 * goes on. req.type and req.want_reply are set (no other field), error
	 * says why (NS_ERR_TOOBIG). For the log; nothing to answer. */
	NS_EV_CHANNEL_REQUEST_REFUSED,
	/* server with forward_requests: the peer's tcpip-forward,
	 * cancel-tcpip-forward, streamlocal-forward@openssh.com or
	 * cancel-streamlocal-forward@openssh.com (req.type, req.want_reply;
	 * fwd.host the address or path, fwd.port the port; channel: a handle
	 * for the answer). Answer with ns_global_reply() if want_reply, in any
	 * order: the replies go out in request order. */
	NS_EV_GLOBAL_REQUEST,
	/* the peer answered one of our ns_global_request()s: ok, and fwd.port
	 * the port a REQUEST_SUCCESS carried (tcpip-forward of port 0), else 0 */
	NS_EV_GLOBAL_REPLY,
};

#define NS_CHANNEL_ALL UINT32_MAX

/* Our channel request, from the relay to the agent on each session channel
 * of its connection, before pty-req/exec/shell: string key id, uint64
 * serial, string source address (docs/relay.md, "What the agent learns per
 * session"). A field over its limit refuses the request. */
#define NS_CHAN_SESSION_INFO "nullspace-session@nullspace.dev"
#define NS_CHAN_KEY_ID_MAX 1024 /* the certificate's key id */
#define NS_CHAN_SOURCE_MAX 64   /* the user's address */

/* Its fields: who the relay let in, for the agent's log only, never for a
 * decision. */
typedef struct ns_session_info {
	ns_str key_id;   /* the user certificate's key id */
	uint64_t serial; /* ... and serial */
	ns_str source;   /* the user's address as the relay saw it */
} ns_session_info;

/* Fields of a channel request, by type (RFC 4254 6.2-6.10). */
typedef struct ns_chan_request {
	ns_str type; /* "pty-req", "exec", ... */
	int want_reply;
	ns_str term;                              /* pty-req */
	uint32_t cols, rows, width_px, height_px; /* pty-req, window-change */
	ns_str modes;                             /* pty-req: encoded terminal modes */
	ns_str name, value;                       /* env */
	ns_str command;                           /* exec; subsystem name for subsystem */
	ns_str signal;                            /* signal, exit-signal: name without "SIG" */
	uint32_t exit_status;
	int core_dumped;   /* exit-signal */
	ns_str message;    /* exit-signal */
	int client_can_do; /* xon-xoff: the client may do flow control (RFC 4254 6.8) */
} ns_chan_request;

/* The open data of the forwarding channel types (NS_CHAN_* below), and
 * the fields of forwarding global requests: direct-tcpip (host and port to connect,
 * originator address and port), forwarded-tcpip (address and port that
 * was connected, originator address and port), direct-streamlocal (path
 * in host; then a reserved string and uint32), forwarded-streamlocal (path
 * in host; then a reserved string). Views into data. */
typedef struct ns_chan_open_info {
	ns_str host;
	uint32_t port;
	ns_str orig_host;
	uint32_t orig_port;
} ns_chan_open_info;

typedef struct ns_event {
	size_t size; /* set by ns_event_init; the engine keeps it */
	int type;
	uint32_t channel; /* our channel id */
	/* NS_EV_CHANNEL_DATA */
	uint32_t ext;
	ns_str data;
	/* NS_EV_CHANNEL_REQUEST */
	ns_chan_request req;
	/* NS_EV_CHANNEL_REPLY, verdicts */
	int ok;
	/* NS_EV_HOSTKEY: host key blob (a certificate when is_cert) and the key */
	ns_str hostkey_blob;
	uint8_t hostkey[NS_ED25519_PK_LEN]; /* when the host key is ssh-ed25519 */
	/* the host key of any type (a certificate's key when is_cert): ed25519,
	 * ecdsa-sha2-nistp256 or RSA; valid until the verdict */
	const ns_pubkey *hostkey_pubkey;
	/* NS_EV_AUTH_REQUEST */
	ns_str user, service, method, alg, key_blob;
	uint8_t key[NS_ED25519_PK_LEN]; /* when the key is ssh-ed25519 */
	int key_parsed;                 /* pubkey (and key for ed25519) is set */
	/* the key of any type (pubkey.h; a certificate's key when is_cert),
	 * valid until the verdict */
	const ns_pubkey *pubkey;
	int is_cert;   /* key_blob is an OpenSSH certificate (pubkey is its key):
	                the caller parses and judges it with cert/ (nullspace/cert.h) */
	int signed_ok; /* publickey: a signature was present and verified */
	/* signed_ok with a FIDO (sk-*) key: its flags and counter; the caller
	 * refuses a signature without user presence (NS_SK_FLAG_UP) unless
	 * no-touch-required allows it */
	ns_sig_info sig_info;
	/* publickey the engine refused itself, a short reason for the log:
	 * "unsupported-key-type" (an algorithm not in server-sig-algs, ssh-rsa
	 * SHA-1 included), "malformed-key", "rsa-key-too-small" /
	 * "rsa-key-too-large", "invalid-ecdsa-point", "certificate-too-large" /
	 * "key-too-large" (blob over 16 KiB), "invalid-signature" (no proof of
	 * possession); NULL otherwise. key_parsed is 0 then and every verdict is
	 * a refusal. */
	const char *refused;
	/* NS_EV_AUTH_FAILURE */
	ns_str methods;
	int partial;
	/* NS_EV_CHANNEL_OPEN: channel type; NS_EV_CHANNEL_OPEN_FAILED: reason */
	ns_str channel_type;
	uint32_t reason; /* open failure reason, disconnect reason */
	/* NS_EV_DISCONNECT, NS_EV_AUTH_BANNER, NS_EV_CHANNEL_OPEN_FAILED */
	ns_str message;
	int by_peer;
	int error; /* NS_EV_DISCONNECT: NS_ERR_* cause (0: clean) */
	/* NS_EV_CHANNEL_REQUEST of type NS_CHAN_SESSION_INFO: its fields (last,
	 * so that the fields before keep their places) */
	ns_session_info info;
	/* NS_EV_CHANNEL_OPEN: the channel type specific data after the
	 * maximum packet size (ns_channel_open_parse reads the known ones) */
	ns_str open_data;
	/* NS_EV_GLOBAL_REQUEST, NS_EV_GLOBAL_REPLY (above) */
	ns_chan_open_info fwd;
} ns_event;

/* Zero a config and set its size: call it first, then fill in the fields.
 * The size lets a library that has grown new fields (zero means default)
 * keep working with a caller built against this header. */
void ns_engine_config_init(ns_engine_config *cfg);
/* The same as an initializer: ns_engine_config cfg = NS_ENGINE_CONFIG_INIT; */
#define NS_ENGINE_CONFIG_INIT                                                                      \
	{                                                                                          \
		.size = sizeof(ns_engine_config)                                                   \
	}
/* Zero an event and set its size, once before the first ns_engine_event. */
void ns_event_init(ns_event *ev);
#define NS_EVENT_INIT                                                                              \
	{                                                                                          \
		.size = sizeof(ns_event)                                                           \
	}

/* The allocator must return memory aligned as malloc's (16 bytes): the
 * engine holds AES-GCM key schedules (NS_ERR_INVALID otherwise). */
NS_NODISCARD int ns_engine_new(const ns_engine_config *cfg, ns_engine **out);
void ns_engine_free(ns_engine *e);

/* Feed received bytes; *consumed says how many were taken (maybe 0 while an
 * event is pending: pull events, send output, then feed the rest again).
 * The bytes are copied; ns_engine_input_space() avoids that copy. */
NS_NODISCARD int ns_engine_input(ns_engine *e, const uint8_t *in, size_t len, size_t *consumed);
/* Zero-copy input. The transport reads straight into the engine's receive
 * buffer, where packets are authenticated and decrypted in place:
 *   ns_engine_input_space()   room for at most *len bytes (NULL, *len 0:
 *                             the buffer is full until the caller pulls
 *                             events and sends output, or the engine is
 *                             closed);
 *   ns_engine_input_commit()  n bytes were written there: handle what can
 *                             be handled now. Bytes it cannot handle yet
 *                             (an event is pending, the output is over
 *                             NS_OUTPUT_HIGH) stay buffered: call it again
 *                             with n = 0 after pulling events and sending
 *                             output, while ns_engine_input_pending() > 0.
 *   ns_engine_input_pending() bytes buffered that hold at least one whole
 *                             line or packet the engine has not handled
 *                             (0: it waits for more bytes). Feed EOF only
 *                             when this is 0.
 * Views in events point into this buffer: valid until the next call into
 * the engine. The data of NS_EV_CHANNEL_DATA stays valid longer, until the
 * next ns_engine_input_space(), ns_engine_input(), ns_engine_tick() or
 * ns_engine_free() (the only calls that move, wipe or free handled bytes),
 * so a transport may gather the data of several packets, pulled and
 * committed one by one, and write them out at once. Both APIs may be used on one engine:
 * ns_engine_input() handles the bytes buffered here first. */
#define NS_INPUT_MAX (256 * 1024)
/* Before authentication the space offered is only what the packet being
 * read needs, at least this much: an unauthenticated peer holds no bulk
 * buffer (at most one packet, as before zero-copy input). */
#define NS_INPUT_PREAUTH 4096
uint8_t *ns_engine_input_space(ns_engine *e, size_t *len);
NS_NODISCARD int ns_engine_input_commit(ns_engine *e, size_t n);
size_t ns_engine_input_pending(const ns_engine *e);
/* The transport reached EOF without a DISCONNECT. */
void ns_engine_input_eof(ns_engine *e);
/* Next event into ev (NS_EV_NONE when there is none); 0 or NS_ERR_*. */
NS_NODISCARD int ns_engine_event(ns_engine *e, ns_event *ev);
/* Bytes waiting to be sent: a view valid until the next call. */
const uint8_t *ns_engine_output(ns_engine *e, size_t *len);
void ns_engine_output_ack(ns_engine *e, size_t n);
/* Pass the current time (monotonic, milliseconds). */
NS_NODISCARD int ns_engine_tick(ns_engine *e, uint64_t now_ms);
/* Milliseconds until the engine next wants a tick (UINT64_MAX: none). */
uint64_t ns_engine_next_timeout(const ns_engine *e, uint64_t now_ms);
/* Close the connection with a reason (queues DISCONNECT). */
NS_NODISCARD int ns_engine_disconnect(ns_engine *e, uint32_t reason, const char *message);
/* Start a key exchange now (either side may). */
NS_NODISCARD int ns_engine_rekey(ns_engine *e);
/* 1 once the connection has ended (after NS_EV_DISCONNECT). */
int ns_engine_closed(const ns_engine *e);
/* 1 once user authentication succeeded. */
int ns_engine_authenticated(const ns_engine *e);
/* The session identifier (H of the first kex), or NULL before: 32 bytes,
 * or 64 after a SHA-512 kex (sntrup761x25519-sha512). */
const uint8_t *ns_engine_session_id(const ns_engine *e);
/* Negotiated algorithm names and flags, for logs and tests. */
const char *ns_engine_kex_alg(const ns_engine *e);
const char *ns_engine_cipher(const ns_engine *e);
int ns_engine_strict_kex(const ns_engine *e);
/* The peer's version line (without CR LF), empty before it arrived. */
ns_str ns_engine_peer_version(const ns_engine *e);
/* Count of completed key exchanges (1 after the first). */
uint32_t ns_engine_kex_count(const ns_engine *e);

/* Client: answer NS_EV_HOSTKEY (ok != 0 accepts; otherwise the engine
 * disconnects with HOST_KEY_NOT_VERIFIABLE). */
NS_NODISCARD int ns_engine_hostkey_verdict(ns_engine *e, int ok);
/* Client auth: "none", and publickey. query != 0 first asks whether the key
 * would be accepted (NS_EV_AUTH_PK_OK), otherwise sends the signed request. */
NS_NODISCARD int ns_engine_auth_none(ns_engine *e, const char *user);
NS_NODISCARD int ns_engine_auth_publickey(ns_engine *e, const char *user, const ns_key *key,
                                          int query);
/* publickey with an OpenSSH certificate for key (cert is the certificate
 * blob; algorithm ssh-ed25519-cert-v01@openssh.com). */
NS_NODISCARD int ns_engine_auth_cert(ns_engine *e, const char *user, const ns_key *key,
                                     const uint8_t *cert, size_t cert_len, int query);

/* publickey signed by the caller, for a key whose secret half lives
 * elsewhere (ssh-agent, a token, another process). Two steps, no callback,
 * so the signing may take as long as it needs between them:
 *   ns_engine_auth_sign_data()  the bytes to sign (RFC 4252 7: session id,
 *                               user, "ssh-connection", the algorithm and
 *                               key or certificate blob) into out;
 *   ns_engine_auth_signed()     sends the request with sig, a signature
 *                               blob (string "ssh-ed25519", string sig[64]),
 *                               after checking that it verifies with pk
 *                               (NS_ERR_SIGNATURE otherwise: nothing sent).
 * pk is the ed25519 public key; cert (NULL: none) an OpenSSH certificate
 * for it, as in ns_engine_auth_cert. Both calls take the same user, pk and
 * cert; the answer comes as NS_EV_AUTH_SUCCESS / NS_EV_AUTH_FAILURE. */
#define NS_AUTH_SIGN_DATA_MAX (20 * 1024) /* room enough for out */
NS_NODISCARD int ns_engine_auth_sign_data(ns_engine *e, const char *user,
                                          const uint8_t pk[NS_ED25519_PK_LEN], const uint8_t *cert,
                                          size_t cert_len, uint8_t *out, size_t cap, size_t *len);
NS_NODISCARD int ns_engine_auth_signed(ns_engine *e, const char *user,
                                       const uint8_t pk[NS_ED25519_PK_LEN], const uint8_t *cert,
                                       size_t cert_len, const uint8_t *sig, size_t sig_len);

/* Server: send a USERAUTH_BANNER (RFC 4252 5.4), e.g. why a certificate was
 * refused; clients such as ssh show it to the user. Only before success. */
NS_NODISCARD int ns_engine_auth_banner(ns_engine *e, const char *text);
/* Server: answer NS_EV_AUTH_REQUEST. accept is honoured only for publickey
 * requests the engine did not refuse itself (ev->refused NULL; query: PK_OK;
 * signed: success). Refusals count against max_auth_tries; methods is the
 * list sent back ("publickey"). */
NS_NODISCARD int ns_engine_auth_verdict(ns_engine *e, int accept);

/* Channels. Ids are ours (small integers). */
NS_NODISCARD int ns_channel_open_session(ns_engine *e, uint32_t *id);
/* Open a channel of any type (either role, once authenticated), with its
 * type specific data (len bytes, at most NS_CHAN_OPEN_DATA_MAX, sent as
 * is; build it with the wire layout of ns_chan_open_info). The answer
 * comes as NS_EV_CHANNEL_OPENED / NS_EV_CHANNEL_OPEN_FAILED. */
#define NS_CHAN_OPEN_DATA_MAX 8192
NS_NODISCARD int ns_channel_open(ns_engine *e, const char *type, const uint8_t *data, size_t len,
                                 uint32_t *id);

/* Channel types of forwarding (RFC 4254 7.2, OpenSSH PROTOCOL 2.4, 2.5). */
#define NS_CHAN_DIRECT_TCPIP "direct-tcpip"
#define NS_CHAN_FORWARDED_TCPIP "forwarded-tcpip"
#define NS_CHAN_DIRECT_STREAMLOCAL "direct-streamlocal@openssh.com"
#define NS_CHAN_FORWARDED_STREAMLOCAL "forwarded-streamlocal@openssh.com"
#define NS_CHAN_AUTH_AGENT "auth-agent@openssh.com"
/* Agent forwarding behind a relay (docs/relay.md): the agent opens this to
 * the relay for a connection to a session's SSH_AUTH_SOCK; its data is one
 * uint32, the session channel it belongs to as the relay numbers it (the
 * recipient channel of the agent's own messages on that session). */
#define NS_CHAN_AGENT_FWD "auth-agent@nullspace.dev"
#define NS_CHAN_HOST_MAX 255  /* a host name or address in an open */
#define NS_CHAN_PATH_MAX 1024 /* a socket path in an open */

/* 0; NS_ERR_UNSUPPORTED for another type (nothing read); NS_ERR_FORMAT
 * for malformed data (trailing bytes, a port over 65535); NS_ERR_TOOBIG
 * for a host or path over its limit or holding a NUL. *out zeroed unless
 * 0. */
NS_NODISCARD int ns_channel_open_parse(ns_str type, ns_str data, ns_chan_open_info *out);
/* NS_CHAN_AGENT_FWD's data: exactly one uint32 into *session (0), else
 * NS_ERR_FORMAT with *session 0. */
NS_NODISCARD int ns_channel_open_agent_parse(ns_str data, uint32_t *session);
/* Open NS_CHAN_AGENT_FWD for our open channel session (its peer's number
 * goes in the data): 0 with *id, NS_ERR_CLOSED when session is not open,
 * else as ns_channel_open. */
NS_NODISCARD int ns_channel_open_agent(ns_engine *e, uint32_t session, uint32_t *id);
/* A "direct-tcpip" channel (RFC 4254 7.2, what ssh -L opens), built on
 * ns_channel_open: the server connects to host:port; orig_host:orig_port is
 * who connected to us (for its log). Client only (NS_ERR_STATE otherwise).
 * NS_ERR_INVALID: a name over NS_CHAN_HOST_MAX bytes or a port over 65535. */
NS_NODISCARD int ns_channel_open_direct_tcpip(ns_engine *e, const char *host, uint32_t port,
                                              const char *orig_host, uint32_t orig_port,
                                              uint32_t *id);
NS_NODISCARD int ns_channel_accept(ns_engine *e, uint32_t id);
NS_NODISCARD int ns_channel_reject(ns_engine *e, uint32_t id, uint32_t reason, const char *message);
/* Send a request; fields used by type as in ns_chan_request. */
NS_NODISCARD int ns_channel_request(ns_engine *e, uint32_t id, const ns_chan_request *req);
/* Send NS_CHAN_SESSION_INFO (want_reply false) on channel id: what the
 * relay tells the agent about each session. NS_ERR_INVALID: a field over
 * its limit. */
NS_NODISCARD int ns_channel_session_info(ns_engine *e, uint32_t id, const ns_session_info *info);
/* Answer a want_reply request of the peer, in the order they came (RFC
 * 4254 5.4). Never NS_ERR_AGAIN: room for each owed reply is held in the
 * send buffer from the moment the request arrives. */
NS_NODISCARD int ns_channel_reply(ns_engine *e, uint32_t id, int ok);
/* The peer's window on this channel: bytes we may still send (0 for an
 * unknown or closed channel). A relay passes it on to the sender. */
uint32_t ns_channel_window(const ns_engine *e, uint32_t id);
/* How many bytes ns_channel_write would take right now. */
size_t ns_channel_writable(const ns_engine *e, uint32_t id);
/* Queue data (ext 0) or stderr (ext 1); *accepted may be less than len. */
NS_NODISCARD int ns_channel_write(ns_engine *e, uint32_t id, uint32_t ext, const uint8_t *data,
                                  size_t len, size_t *accepted);
/* ns_channel_write without its copy: the caller reads its data straight
 * into the packets' places in the output, and the engine seals them there.
 *   n = ns_channel_write_iov(e, id, ext, v, max)  room for data now, as n
 *       (<= max) spans v[0..n), each one packet's data: 0 when the channel
 *       is not writable (as a short write: NS_EV_WRITABLE when it reopens),
 *       negative on error (as ns_channel_write's);
 *   fill them in order (readv(fd, v, n)) with k bytes, then
 *   ns_channel_write_commit(e, id, ext, k): those k bytes are sent (k 0:
 *       nothing; the room is simply not used).
 * No other call on e between the two: the room may move. */
int ns_channel_write_iov(ns_engine *e, uint32_t id, uint32_t ext, struct iovec *v, int max);
NS_NODISCARD int ns_channel_write_commit(ns_engine *e, uint32_t id, uint32_t ext, size_t n);
/* The caller has consumed n bytes of this channel's received data. */
NS_NODISCARD int ns_channel_consumed(ns_engine *e, uint32_t id, size_t n);
NS_NODISCARD int ns_channel_eof(ns_engine *e, uint32_t id);
NS_NODISCARD int ns_channel_close(ns_engine *e, uint32_t id);
/* Convenience senders over ns_channel_request. */
NS_NODISCARD int ns_channel_exit_status(ns_engine *e, uint32_t id, uint32_t status);
NS_NODISCARD int ns_channel_exit_signal(ns_engine *e, uint32_t id, const char *signame, int core,
                                        const char *message);

/* Global requests of forwarding (RFC 4254 7.1, OpenSSH PROTOCOL 2.4). */
#define NS_GLOBAL_TCPIP_FORWARD "tcpip-forward"
#define NS_GLOBAL_CANCEL_TCPIP_FORWARD "cancel-tcpip-forward"
#define NS_GLOBAL_STREAMLOCAL_FORWARD "streamlocal-forward@openssh.com"
#define NS_GLOBAL_CANCEL_STREAMLOCAL_FORWARD "cancel-streamlocal-forward@openssh.com"
/* Peer want_reply global requests we may owe replies for at once, and our
 * own unanswered ones (keepalives included): more from the peer is a
 * protocol error; more of ours is NS_ERR_AGAIN. */
#define NS_GLOBAL_REPLIES_MAX 16
#define NS_GLOBAL_OUT_MAX 64
/* Send a global request with its data (len bytes, at most
 * NS_CHAN_OPEN_DATA_MAX, e.g. string address, uint32 port for
 * tcpip-forward); the answer comes as NS_EV_GLOBAL_REPLY if want_reply. */
NS_NODISCARD int ns_global_request(ns_engine *e, const char *name, const uint8_t *data, size_t len,
                                   int want_reply);
/* Answer the NS_EV_GLOBAL_REQUEST whose handle (its ev->channel) is id
 * (port: the port bound for a tcpip-forward of port 0, carried by the
 * SUCCESS; else 0). NS_ERR_STATE when that one is not owed. Never
 * NS_ERR_AGAIN: room is held from the request's arrival. */
NS_NODISCARD int ns_global_reply(ns_engine *e, uint32_t id, int ok, uint32_t port);
/* The data of a forwarding global request: tcpip-forward and its cancel
 * (string address to bind, uint32 port), streamlocal-forward and its
 * cancel (string path, into host). 0; NS_ERR_UNSUPPORTED for another name;
 * NS_ERR_FORMAT, NS_ERR_TOOBIG as ns_channel_open_parse. */
NS_NODISCARD int ns_global_forward_parse(ns_str name, ns_str data, ns_chan_open_info *out);

/* A one-line name for an event type, for logs. */
const char *ns_event_name(int type);

NS_END_DECLS

#endif
