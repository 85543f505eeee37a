/* Engine internals shared by the transport (engine.c, kex*.c), user auth
 * (auth_*.c) and connection layer (chan*.c, global.c) files of core/. Not
 * part of the public API. */
#ifndef NS_CORE_ENGINE_INT_H
#define NS_CORE_ENGINE_INT_H

#include "abi.h"
#include "buf.h"
#include "nullspace/engine.h"
#include "nullspace/error.h"
#include "kex_ecdh.h"
#include "kexinit.h"
#include "packet.h"
#include "wire.h"

/* SSH message numbers (RFC 4250 4.1, RFC 8308, OpenSSH PROTOCOL). */
enum {
	SSH_MSG_DISCONNECT = 1,
	SSH_MSG_IGNORE = 2,
	SSH_MSG_UNIMPLEMENTED = 3,
	SSH_MSG_DEBUG = 4,
	SSH_MSG_SERVICE_REQUEST = 5,
	SSH_MSG_SERVICE_ACCEPT = 6,
	SSH_MSG_EXT_INFO = 7,
	SSH_MSG_KEXINIT = 20,
	SSH_MSG_NEWKEYS = 21,
	SSH_MSG_KEX_ECDH_INIT = 30,
	SSH_MSG_KEX_ECDH_REPLY = 31,
	SSH_MSG_USERAUTH_REQUEST = 50,
	SSH_MSG_USERAUTH_FAILURE = 51,
	SSH_MSG_USERAUTH_SUCCESS = 52,
	SSH_MSG_USERAUTH_BANNER = 53,
	SSH_MSG_USERAUTH_PK_OK = 60,
	SSH_MSG_GLOBAL_REQUEST = 80,
	SSH_MSG_REQUEST_SUCCESS = 81,
	SSH_MSG_REQUEST_FAILURE = 82,
	SSH_MSG_CHANNEL_OPEN = 90,
	SSH_MSG_CHANNEL_OPEN_CONFIRMATION = 91,
	SSH_MSG_CHANNEL_OPEN_FAILURE = 92,
	SSH_MSG_CHANNEL_WINDOW_ADJUST = 93,
	SSH_MSG_CHANNEL_DATA = 94,
	SSH_MSG_CHANNEL_EXTENDED_DATA = 95,
	SSH_MSG_CHANNEL_EOF = 96,
	SSH_MSG_CHANNEL_CLOSE = 97,
	SSH_MSG_CHANNEL_REQUEST = 98,
	SSH_MSG_CHANNEL_SUCCESS = 99,
	SSH_MSG_CHANNEL_FAILURE = 100,
};

/* Limits on fields of incoming messages. */
#define NS_NAME_MAX 64       /* one algorithm/request/method name */
#define NS_NAMELIST_MAX 4096 /* one KEXINIT name-list */
#define NS_USER_MAX 256      /* user name in userauth */
#define NS_TEXT_MAX 4096     /* disconnect/debug/banner/exit messages */
/* A negotiation failure message names both sides' lists, as ssh does; each
 * list is cut to NS_KEX_FAIL_LIST_MAX bytes (then "...") to fit. */
#define NS_KEX_FAIL_MSG_MAX 1024
#define NS_KEX_FAIL_LIST_MAX 440
#define NS_EVENT_QUEUE 4
/* The public structs' fields as of the release that gave them a size field
 * (new fields go at their end). */
#define NS_ENGINE_CONFIG_SIZE_MIN NS_ABI_END(ns_engine_config, ciphers)
#define NS_EVENT_SIZE_MIN NS_ABI_END(ns_event, error)

enum ns_chan_state {
	NS_CH_FREE = 0,
	NS_CH_OPENING, /* client: CHANNEL_OPEN sent, waiting for the answer */
	NS_CH_PENDING, /* server: CHANNEL_OPEN received, caller to accept */
	NS_CH_OPEN,
};

typedef struct ns_channel {
	int state;
	uint32_t remote_id;
	uint32_t remote_window; /* bytes we may still send */
	uint32_t remote_max_packet;
	uint32_t local_window;     /* bytes the peer may still send */
	uint32_t local_window_max; /* what we advertise when fully consumed */
	uint32_t local_max_packet;
	uint32_t unacked;       /* delivered, not yet reported consumed */
	uint32_t our_requests;  /* our want_reply requests unanswered */
	uint32_t peer_requests; /* peer want_reply requests we owe a reply */
	uint32_t reply_kinds;   /* every reply owed, oldest in bit 0: 1 = automatic
	                           FAILURE (keepalive), 0 = the caller answers */
	uint8_t reply_len;      /* entries in reply_kinds */
	uint8_t blocked;        /* a write was cut short by the peer's window */
	int sent_eof, recv_eof, sent_close, recv_close;
} ns_channel;

enum ns_phase {
	NS_PH_VERSION = 0, /* exchanging version lines */
	NS_PH_KEX,         /* first key exchange */
	NS_PH_AUTH,        /* ssh-userauth */
	NS_PH_CONNECTED,   /* ssh-connection */
	NS_PH_CLOSED,
};

enum ns_kex_state {
	NS_KX_NONE = 0,     /* no kex in progress */
	NS_KX_SENT_INIT,    /* our KEXINIT sent, peer's not seen */
	NS_KX_GOT_INIT,     /* both KEXINITs, waiting for ECDH message */
	NS_KX_WAIT_VERDICT, /* client: host key event out, waiting for verdict */
	NS_KX_WAIT_NEWKEYS, /* our NEWKEYS sent, waiting for the peer's */
};

struct ns_engine {
	ns_engine_config cfg;
	ns_allocator alloc;
	ns_key host_key;  /* server */
	ns_buf host_cert; /* server: host certificate blob, if any */
	int hostkey_cert; /* negotiated host key algorithm: the certificate one */
	int role;
	int phase;
	int err; /* sticky fatal error */
	uint64_t now_ms;
	uint64_t last_rx_ms;  /* for keepalives */
	uint64_t kex_done_ms; /* time of the last completed kex */
	uint64_t busy_ms;     /* last tick that found bytes in a buffer */

	/* Byte streams. */
	ns_buf in;       /* received bytes (engine_input.c), at most NS_INPUT_MAX */
	size_t in_off;   /* bytes of in already handled: the next packet starts here */
	size_t in_need;  /* bytes the packet at in_off needs (0: not known yet) */
	size_t in_dirty; /* bytes of in ever written since it was allocated */
	ns_buf out;      /* sealed bytes to send */
	size_t out_off;  /* bytes of out already taken by the caller */
	ns_buf msg;      /* scratch: the payload being built */
	ns_pkt_dir rx, tx;
	size_t banner_bytes; /* client: bytes of pre-version lines seen */
	int got_version;

	/* Versions and KEXINITs for the exchange hash. */
	char my_version[NS_NAME_MAX * 2];
	char peer_version[256];
	ns_buf my_kexinit, peer_kexinit;
	char ciphers[NS_CIPHER_LIST_MAX]; /* ours, in order (cfg.ciphers checked) */
	char kexs[NS_KEX_LIST_MAX];       /* cfg.kex checked */
	char macs[NS_MAC_LIST_MAX];       /* cfg.macs checked */

	/* Key exchange. */
	int kex_state;
	int kex_first_done;
	uint32_t kex_count;
	int strict;             /* strict kex active */
	int peer_ext_info;      /* peer offered ext-info-c/-s */
	int peer_first_follows; /* peer guessed a kex packet */
	int ignore_next_kex_packet;
	int kex_method; /* enum ns_kex_method, from the negotiation */
	/* client: our ephemeral key pair, from KEX_ECDH_INIT to the reply only
	 * (allocated then: 3.6 KiB that an idle connection does not hold) */
	struct ns_kex_eph *eph;
	char fail_msg[NS_KEX_FAIL_MSG_MAX]; /* a negotiation failure, with both lists */
	uint8_t session_id[NS_KEX_HASH_MAX];
	size_t session_id_len; /* the first kex's hash: 32, or 64 (SHA-512) */
	int have_session_id;
	ns_pkt_keys newkeys_rx; /* installed on receiving NEWKEYS */
	int newkeys_rx_ready;
	int sent_newkeys;
	char kex_alg[NS_NAME_MAX];
	int rekey_wanted;
	ns_pkt_keys newkeys_tx; /* installed when we send NEWKEYS */
	ns_pubkey peer_hostkey; /* client: pinned by the first kex */
	char hostkey_alg[64];   /* negotiated host key algorithm */
	int have_peer_hostkey;
	uint32_t rx_seq_cur; /* sequence number of the packet being handled */
	ns_buf deferred;     /* connection messages held back during a rekey */

	/* User auth. */
	int auth_done;
	int auth_wait; /* server: AUTH_REQUEST event out, awaiting verdict;
	                  client: request in flight */
	uint32_t auth_failures;
	int auth_pk_query;     /* server: pending request is a query */
	int auth_method_pk;    /* server: pending request is publickey */
	int auth_method_none;  /* server: pending request is "none" (not counted) */
	int auth_is_cert;      /* server: pending key is a certificate */
	ns_buf auth_blob;      /* server: pending key blob, echoed in PK_OK */
	ns_buf auth_alg;       /* server: pending algorithm name, echoed in PK_OK */
	ns_pubkey auth_key;    /* server: the pending request's key (ev->pubkey) */
	ns_sig_info auth_sig;  /* server: what its verified signature said */
	int service_requested; /* client: SERVICE_REQUEST sent */
	int service_accepted;  /* ssh-userauth accepted (either role) */

	/* Connection layer. */
	ns_channel *chans;     /* nchans entries, grown on demand (chan.h) */
	uint32_t nchans;       /* at most cfg.max_channels */
	uint32_t replies_owed; /* sum of reply_len over the channels: each holds
	                          NS_CHAN_REPLY_ROOM bytes of output (chan.h) */
	int no_more_sessions;
	uint32_t keepalive_out; /* our keepalives unanswered */
	uint32_t global_out;    /* our want_reply global requests unanswered */
	uint64_t global_kinds;  /* ... oldest in bit 0: 1 keepalive, 0 the caller's */
	/* peer global requests owed a reply, oldest first (global.c): each
	 * holds 2 * NS_CHAN_REPLY_ROOM of output in replies_owed */
	struct {
		uint8_t state; /* 0 the caller answers, 1 FAILURE, 2 SUCCESS */
		uint32_t port;
		uint32_t id; /* the caller's handle (NS_EV_GLOBAL_REQUEST channel) */
	} gq[NS_GLOBAL_REPLIES_MAX];
	uint8_t gq_len;
	uint32_t gq_next_id;

	/* Events. */
	ns_event evq[NS_EVENT_QUEUE];
	unsigned ev_head, ev_count;
	int closed_reported;
	/* our DISCONNECT's description, a heap copy kept for its event (the
	 * caller's string may be gone by the time the event is read) */
	char *disc_msg;
};

/* Start a message of type t in e->msg (resets it) and return the buffer. */
ns_buf *ns_eng_msg(ns_engine *e, uint8_t t);
/* Seal e->msg into the output as one packet. */
/* A message whose header (head: type byte first) and data are apart, as
 * CHANNEL_DATA: the data is copied once, into the sealed packet. */
int ns_eng_send_data(ns_engine *e, const uint8_t *head, size_t hlen, const uint8_t *data,
                     size_t len);
int ns_eng_send(ns_engine *e);
/* Queue an event; returns it zeroed with type set (NULL if the queue is full,
 * which is a bug: each packet produces at most one event). */
ns_event *ns_eng_emit(ns_engine *e, int type);
/* Fatal error: queue DISCONNECT(reason, message) unless the peer is gone,
 * emit NS_EV_DISCONNECT, poison the engine. Returns err. */
int ns_eng_fail(ns_engine *e, int err, uint32_t reason, const char *message);
/* The peer sent DISCONNECT: close and report it. */
int ns_eng_peer_disconnected(ns_engine *e, uint32_t reason, ns_str message);
/* May channel data and connection messages be sent now (not during kex)? */
int ns_eng_can_send(const ns_engine *e);
/* len random bytes from the engine's source (core/random.c). */
void ns_eng_random(ns_engine *e, uint8_t *buf, size_t len);
/* Settle the source (the default when the config has none) and hand it to
 * the packet layer. */
void ns_eng_random_attach(ns_engine *e);
/* Free space in the output buffer for sealed packets. */
size_t ns_eng_out_room(const ns_engine *e);

/* A key exchange completed (both NEWKEYS): phase changes, deferred
 * messages, writable channels. */
int ns_eng_kex_finished(ns_engine *e);
/* Seal the connection messages held back while our NEWKEYS was pending. */
int ns_eng_flush_deferred(ns_engine *e);

/* User auth, implemented in auth_server.c and auth_client.c (messages 5, 6,
 * 7 and 50..79). */
int ns_auth_server_dispatch(ns_engine *e, uint8_t type, ns_rd *r);
int ns_auth_client_dispatch(ns_engine *e, uint8_t type, ns_rd *r);

/* Handle one decrypted packet (dispatch.c). */
int ns_eng_dispatch(ns_engine *e, ns_str payload);

/* Connection layer, implemented in chan*.c and global.c. */
int ns_chan_init(ns_engine *e);
void ns_chan_free(ns_engine *e);
/* Handle messages 80..100 (only after authentication). */
int ns_conn_dispatch(ns_engine *e, uint8_t type, ns_rd *r);
/* After a kex completes: emit NS_EV_WRITABLE if any channel can write. */
void ns_chan_kex_done(ns_engine *e);
/* Send keepalive@openssh.com (want_reply) as a global request. */
int ns_global_keepalive(ns_engine *e);

#endif
