/* Inside the relay: the loop (relay.c), one user connection with its byte
 * pumps (relay_conn.c), its authentication (relay_front.c), the one shared
 * connection to each sandbox's agent (relay_inner.c) with its channel
 * routes (relay_mux.c), and the channel splices between a user's channels
 * and the agent connection's (relay_splice.c, relay_splice_agent.c,
 * relay_flow.c, relay_state.c). */
#ifndef NS_TRANSPORT_RELAY_INT_H
#define NS_TRANSPORT_RELAY_INT_H

#include <stdint.h>

#include "watch.h"
#include "call_check.h"
#include "pump.h"
#include "ca_keys.h"
#include "log_str.h"
#include "nullspace/cert.h"
#include "nullspace/engine.h"
#include "registry.h"
#include "relay.h"
#include "route_ext.h"
#include "relay_ws.h"
#include "relay_resume.h"

#define NS_RELAY_WINDOW (2 * 1024 * 1024)   /* our window per channel, both hops */
#define NS_RELAY_INNER_TIMEOUT_MS 10000     /* connect + handshake + auth to an agent */
#define NS_RELAY_CLOSE_LINGER_MS 2000       /* time to flush a DISCONNECT */
#define NS_RELAY_FILE_MAX (4 * 1024 * 1024) /* CA keys / revocation list size */
#define NS_RELAY_REPLIES_MAX 32             /* want_reply requests in flight per channel */
#define NS_RELAY_PEER_MAX 64
#define NS_RELAY_KEY_MAX 72        /* a tally key: an address or a sandbox id */
#define NS_RELAY_STARTUPS_SAMPLE 8 /* waiting connections weighed per drop */
/* An agent connection with no channel for this long is closed. */
#define NS_RELAY_INNER_IDLE_MS 5000
/* Dirty-list entries of agent connections carry this bit over their slot. */
#define NS_RELAY_DIRTY_INNER 0x80000000u

/* Watch kinds beside agent_watch.h's LISTEN and SIGNAL. */
enum { NS_RELAY_WATCH_FRONT = 32, NS_RELAY_WATCH_INNER = 33, NS_RELAY_WATCH_WS_LISTEN = 34 };
/* ... and those of relay_proxyproto.c and relay_admin.c. */
enum { NS_RELAY_WATCH_PROXY = 35, NS_RELAY_WATCH_ADMIN = 36, NS_RELAY_WATCH_ADMIN_CONN = 37 };

/* Splice slots per connection. */
#define NS_RELAY_SLOTS(r) (2 * (r)->max_channels)

typedef struct ns_relay ns_relay;

/* Counts by reason (a short name from the code, never peer text), for
 * /metrics: a fixed table, the reasons past it counted as "other". */
#define NS_RELAY_REASONS_MAX 48
#define NS_RELAY_REASON_LEN 40
typedef struct ns_relay_reasons {
	struct {
		char name[NS_RELAY_REASON_LEN];
		uint64_t n;
	} e[NS_RELAY_REASONS_MAX];
	uint32_t n;
} ns_relay_reasons;

/* What /metrics reports beside what the relay holds anyway (relay_stats.c). */
typedef struct ns_relay_stats {
	uint64_t conns_total;     /* user connections accepted */
	uint64_t bytes[2];        /* channel data, by NS_TO_* direction */
	uint64_t logins_accepted; /* signed logins let in */
	ns_relay_reasons login_refused;
	uint64_t proxy_accepted[2]; /* PROXY headers taken: [0] LOCAL, [1] PROXY */
	ns_relay_reasons proxy_refused;
	ns_relay_reasons rejected; /* connections refused before any login */
	int64_t revoked_loaded;    /* unix time the revocation list was read; 0: none */
} ns_relay_stats;

/* A candidate for a MaxStartups drop. */
typedef struct ns_relay_cand {
	uint32_t src_count; /* unauthenticated connections from its address */
	uint64_t born;
} ns_relay_cand;
typedef struct ns_relay_conn ns_relay_conn;

/* One socket and its engine; the socket is read straight into the engine's
 * receive buffer (ns_engine_input_space), which keeps what waits. */
typedef struct ns_relay_pipe {
	ns_engine *e;
	ns_watch w;
	ns_pump pump;        /* readable, wblocked, sock_eof, done (common/pump.h) */
	ns_relay_ws *ws;     /* a WebSocket connection's framing (relay_ws.c), or NULL */
	ns_relay_resume *rs; /* a resumable connection's frames (relay_resume.c), or NULL */
} ns_relay_pipe;

/* The state of a splice; relay_state.c has the table and the transitions.
 * Each side's channel (fstate, istate): */
enum { NS_RS_NONE = 0, NS_RS_PENDING, NS_RS_OPEN, NS_RS_GONE };
enum { NS_SIDE_FRONT = 0, NS_SIDE_INNER = 1 };
/* Directions, named by the receiving side: */
enum { NS_TO_FRONT = 0, NS_TO_INNER = 1 };
/* What a direction owes its receiver after the held bytes (tail[dir]): */
enum {
	NS_TAIL_STREAM = 0,    /* data flows */
	NS_TAIL_EOF_DUE,       /* EOF goes out once the holds drain */
	NS_TAIL_EOF_SENT,      /* EOF sent, the channel stays */
	NS_TAIL_CLOSE_DUE,     /* CLOSE goes out once the holds drain */
	NS_TAIL_EOF_CLOSE_DUE, /* EOF, then CLOSE */
	NS_TAIL_DONE,          /* CLOSE sent, or the receiver is gone */
	NS_TAIL_COUNT
};
/* ... and the events that move it: */
enum {
	NS_TEV_PEER_EOF = 0, /* the sending side's EOF */
	NS_TEV_END,          /* the splice ends on this side */
	NS_TEV_EOF_SENT,
	NS_TEV_CLOSE_SENT,
	NS_TEV_GONE, /* the receiving channel is closed */
	NS_TEV_COUNT
};
/* The exit status owed to the user (exit_kind), sent before the EOF: */
enum { NS_EXIT_NONE = 0, NS_EXIT_STATUS, NS_EXIT_SIGNAL };
/* The splice as a whole (mode): */
enum {
	NS_SPLICE_LIVE = 0,
	NS_SPLICE_REFUSING, /* a subsystem refusal: requests are refused until
	                       the user answers our keepalive */
	NS_SPLICE_LOST,     /* the agent connection was lost */
};

/* Entries of ns_relay_chan.owed: the front's want_reply requests. */
enum {
	NS_OWED_DONE = 1,  /* the answer is known */
	NS_OWED_OK = 2,    /* ... and it is SUCCESS */
	NS_OWED_FWD = 4,   /* forwarded: the agent answers */
	NS_OWED_PTY = 8,   /* a pty-req */
	NS_OWED_EXEC = 16, /* exec / shell: the session starts on SUCCESS */
	NS_OWED_SHELL = 32,
};

typedef struct ns_relay_hold {
	uint8_t *p;
	size_t off, len, cap; /* len bytes at p + off */
} ns_relay_hold;

typedef struct ns_relay_inner ns_relay_inner;
typedef struct ns_relay_fwd ns_relay_fwd;   /* relay_fwd.c */
typedef struct ns_relay_rfwd ns_relay_rfwd; /* relay_rfwd.c */
/* Remote forwards (ssh -R) one user connection may hold at once; one more
 * is refused (forward-refused reason=max-remote-forwards). */
#define NS_RELAY_RFWD_MAX 16
/* Agent connections (auth-agent@nullspace.dev opens) one session may have
 * at once; one more is refused (agent-forward-refused
 * reason=max-agent-connections). They count against --max-channels too. */
#define NS_RELAY_AGENT_CONNS_MAX 8

/* One spliced session: front channel fch <-> inner channel ich. */
typedef struct ns_relay_chan {
	uint32_t slot; /* in conn->chans */
	uint32_t fch, ich;
	ns_relay_inner *in; /* the agent connection it uses (NULL once detached) */
	int fstate, istate; /* NS_RS_* */
	/* bytes taken from one side, not yet accepted by the other, by
	 * direction and ext (0 data, 1 stderr); not reported consumed yet */
	ns_relay_hold hold[2][2];
	/* by direction: bytes forwarded to the receiver that the sender has
	 * not had back as window yet (relay_flow.c's window passing) */
	uint32_t fwd[2];
	uint8_t tail[2];   /* NS_TAIL_*, by direction */
	uint8_t mode;      /* NS_SPLICE_* */
	uint8_t exit_kind; /* NS_EXIT_*: owed to the front */
	uint8_t exit_sent; /* ... and sent */
	int exit_core;
	uint32_t exit_status;
	char exit_sig[32];
	char exit_msg[128];
	/* front requests we owe replies for, in order (NS_OWED_* bits) */
	uint8_t owed[NS_RELAY_REPLIES_MAX];
	uint8_t nowed;
	/* our want_reply requests to the front, in order */
	uint8_t ours[NS_RELAY_REPLIES_MAX];
	uint8_t nours;
	const char *kind;
	int pty;
	uint64_t bytes_in, bytes_out;
	ns_relay_fwd *forward; /* a forwarding channel's open (relay_fwd.c), or NULL */
	/* agent forwarding (relay_agentfwd.c): a session whose user asked for
	 * it (auth-agent-req@openssh.com, permitted); an agent channel's
	 * session, by its slot + 1 (0: none, or that session ended) */
	uint8_t agent_asked;
	uint32_t agent_of;
} ns_relay_chan;

enum { NS_IN_CONNECTING = 1, NS_IN_HANDSHAKE, NS_IN_READY };

/* Where an agent connection's channel goes: a user connection (slot + 1,
 * 0: none) of a generation and its splice slot. */
typedef struct ns_relay_route {
	uint32_t conn, gen, chan;
	uint32_t waiting; /* in the inner's waiters list */
} ns_relay_route;

/* The relay's one connection to a sandbox's agent, shared by every user
 * connection logged in to that sandbox. */
struct ns_relay_inner {
	ns_relay *r;
	ns_relay_pipe p;
	uint32_t slot, gen; /* in r->inners; its own watch token space */
	unsigned id;        /* inner=N in the log */
	int state;
	int dead; /* lost: the pump drops it */
	int idle; /* closing for want of channels */
	int dirty;
	char why[64];
	uint64_t deadline;   /* until NS_IN_READY */
	uint64_t idle_since; /* nusers fell to 0 then */
	ns_registry_entry ent;
	uint32_t nusers;        /* splices attached (waiting or routed) */
	uint32_t served;        /* channels opened on it, for the log */
	ns_relay_route *routes; /* by inner channel id, nroutes entries */
	uint32_t nroutes;
	/* channels with bytes held for the agent: their users sweep again
	 * when the connection's output drains (nroutes entries) */
	uint32_t *waiters;
	uint32_t nwaiters;
	/* channels whose CLOSE the engine could not take yet (a key exchange,
	 * full output): sent by the next pumps (relay_mux.c) */
	uint32_t *close_owed;
	uint32_t nclose_owed, close_owed_cap;
	/* remote forwards of its users (relay_rfwd.c), and our requests for
	 * them awaiting the agent's reply, oldest first */
	ns_relay_rfwd *rfwds, *rq_head, *rq_tail;
};

/* A logged-in connection's idle and expiry state (relay_lifetime.c). */
#define NS_RELAY_LIFE_NOTICE_MS 500 /* from the stderr notice to the DISCONNECT */
#define NS_RELAY_LIFE_CHECK_MS 1000 /* idle and expiry checked this often */
typedef struct ns_relay_life {
	uint64_t bytes, active; /* channel bytes at the last change, and when */
	uint64_t end_at;        /* DISCONNECT then (0: not ending) */
	int warned;
	char why[96];
} ns_relay_life;

struct ns_relay_conn {
	ns_relay *r;
	uint32_t slot, gen;
	unsigned id;
	char peer[NS_RELAY_PEER_MAX];
	ns_relay_pipe front;
	char cert_id[64]; /* the certificate's key id and serial, for the agent */
	unsigned long long serial;
	uint32_t nchans; /* live splices */
	int unauth_counted;
	uint32_t unauth_idx; /* in r->unauth while unauth_counted */
	uint64_t born;
	int caps_counted;       /* in the per-sandbox and per-source tallies */
	uint32_t chans_counted; /* nchans as the per-sandbox tally has it */
	int authed;
	char user[NS_SANDBOX_ID_MAX + 1]; /* the sandbox id once authenticated */
	char *force_command;
	int permit_pty;
	int permit_port_fwd;  /* the certificate's permit-port-forwarding */
	int permit_agent_fwd; /* ... and permit-agent-forwarding */
	int told_plain;       /* the "no certificate" banner went out */
	/* where the sandbox's agent is (relay_route.c): from the certificate
	 * (NS_RELAY_FROM_CERT) or the registry, resolved at login */
	int route_src;
	ns_registry_entry route;
	/* with live revocation or resume: the login certificate, checked against
	 * each new list and by a renewal (relay_renew.c) */
	uint8_t *cert_blob;
	size_t cert_len;
	int closing, dirty;
	int sniffed, refused; /* relay_proxyproto.c looked at the first bytes;
	                         a PROXY header from a client: close at once */
	uint64_t grace_deadline, close_deadline;
	uint64_t valid_before; /* the certificate's (unix seconds) */
	ns_relay_life life;
	uint8_t moved;          /* channel bytes since the keep-awake look (relay_activity.c) */
	ns_relay_chan *chans[]; /* NS_RELAY_SLOTS entries: a splice outlives
	                           its front channel id while the agent's
	                           side closes */
};

struct ns_relay {
	const ns_relay_config *cfg;
	FILE *log;
	int epfd;
	ns_watch lsock, sig;
	ns_watch wsock;          /* --websocket-listen (relay_ws.c), fd -1 when off */
	struct ns_tls_cred *tls; /* its certificate and key (wss://), or NULL */
	ns_relay_conn **conns;   /* by slot */
	uint32_t max_conns, nconns, max_channels;
	uint32_t gen;
	unsigned next_id;
	ns_relay_inner **inners; /* agent connections, by slot (max_conns) */
	uint32_t ninners, inner_gen;
	unsigned next_inner_id;
	/* the holds' realloc (NULL: libc's); what it returns is freed with
	 * free(). Tests make it fail (relay_flow.c: no-memory ends the
	 * connection) */
	void *(*hold_realloc)(void *ptr, size_t size);
	uint64_t now;    /* of this turn */
	uint32_t *dirty; /* slots to pump in this turn (NS_RELAY_DIRTY_INNER) */
	uint32_t ndirty;
	uint64_t next_scan;
	/* per connection slot: when its next timer fires, as of its last pump
	 * or tick (ns_relay_conn_tick); one array, so that the scan reads 8
	 * bytes a connection, not a cache line of each */
	uint64_t *due;
	uint64_t accept_resume; /* listener paused until then (0: not) */
	int draining;
	uint64_t drain_deadline;
	/* trust, reloaded on SIGHUP */
	uint8_t cas[NS_CA_KEYS_MAX][NS_ED25519_PK_LEN];
	size_t nca;
	char *revoked;
	size_t revoked_len;
	struct ns_relay_revoke *rv;    /* --revocations-url (relay_revoke.c), or NULL */
	struct ns_relay_activity *act; /* --activity-url (relay_activity.c), or NULL */
	/* connection accounting (relay_src.c tallies, relay_caps.c) */
	ns_relay_startups startups;
	uint32_t *unauth; /* slots of the unauthenticated connections */
	uint32_t nunauth;
	struct ns_relay_tally *unauth_src; /* unauthenticated, per address */
	struct ns_relay_tally *authed_src; /* logged in, per address */
	struct ns_relay_tally *sb_conns;   /* logged in, per sandbox */
	struct ns_relay_tally *sb_chans;   /* sessions, per sandbox */
	uint32_t max_unauth_per_source;
	uint32_t max_conns_per_sandbox, max_channels_per_sandbox, max_authed_per_source;
	/* operations (issue 17): counters for /metrics, PROXY headers still
	 * being read, the admin listener */
	ns_relay_stats stats;
	struct ns_relay_ppq *ppq;
	struct ns_relay_admin *admin;
	int drain_why; /* NS_RELAY_DRAIN_* once the drain ended */
};

/* relay.c */
void ns_relay_dirty(ns_relay_conn *c);
/* Take an accepted socket as a user connection (limits, then a slot).
 * peer: the client's address from a PROXY header (via: the balancer's),
 * or NULL for the socket's own peer. */
void ns_relay_accept(ns_relay *r, int fd, int ws, const char *peer, const char *via, uint64_t now);

/* relay_stats.c: counting for /metrics. */
void ns_relay_reason_count(ns_relay_reasons *t, const char *reason);
/* One logged verdict on a login attempt (refused: why). */
void ns_relay_stats_login(ns_relay *r, int ok, const char *why);
/* The Prometheus text exposition into buf (cap bytes): its length, or 0
 * when it does not fit. */
size_t ns_relay_stats_render(ns_relay *r, char *buf, size_t cap, int64_t now_s);

/* relay_proxyproto.c: PROXY protocol v2 from --proxy-protocol-from. */
int ns_relay_pp_init(ns_relay *r);
void ns_relay_pp_free(ns_relay *r);
/* 1 when fd came from a listed balancer: it is kept until its header is
 * read (then ns_relay_accept), or closed. 0: an ordinary connection. */
int ns_relay_pp_take(ns_relay *r, int fd, int ws, uint64_t now);
void ns_relay_pp_event(ns_relay *r, uint64_t token, uint64_t now);
/* Headers not in within the login grace time are dropped; the time to
 * the next such deadline (UINT64_MAX: none). */
uint64_t ns_relay_pp_timers(ns_relay *r, uint64_t now);
/* Drop every header still being read (the drain). */
void ns_relay_pp_drop_all(ns_relay *r, const char *why);
/* A user connection's first bytes: 1 when they are a PROXY v2 signature
 * (a client's, not a listed balancer's: logged, c->refused set). */
int ns_relay_pp_sniff(ns_relay_conn *c);

/* relay_admin.c: --admin-listen, GET /healthz and /metrics. */
int ns_relay_admin_listen(ns_relay *r);
void ns_relay_admin_free(ns_relay *r);
void ns_relay_admin_event(ns_relay *r, uint64_t token, uint32_t events, uint64_t now);
uint64_t ns_relay_admin_timers(ns_relay *r, uint64_t now);

/* relay_drain.c: SIGTERM. */
enum {
	NS_RELAY_DRAIN_NONE = 0,
	NS_RELAY_DRAIN_ENDED,
	NS_RELAY_DRAIN_TIMEOUT,
	NS_RELAY_DRAIN_ABORT
};
void ns_relay_drain_start(ns_relay *r, uint64_t now);
/* A second SIGTERM/SIGINT: logged, the loop stops. */
void ns_relay_drain_abort(ns_relay *r);
/* 1 when the drain is over (every connection gone, or the timeout):
 * logged once. */
int ns_relay_drain_over(ns_relay *r, uint64_t now);
/* relay_ws.c: open r->wsock when cfg->ws_listen is set (logged): 0 or an
 * NS_ERR_*. */
int ns_relay_ws_listen(ns_relay *r);

/* relay_src.c: counts by key (address or sandbox id). */
typedef struct ns_relay_tally ns_relay_tally;
ns_relay_tally *ns_relay_tally_new(void);
void ns_relay_tally_free(ns_relay_tally *t);
uint32_t ns_relay_tally_get(ns_relay_tally *t, const char *key);
/* Count n more for key: 0, or NS_ERR_LIMIT when that would pass limit (0:
 * none), NS_ERR_NOMEM, NS_ERR_INVALID for a key too long. */
int ns_relay_tally_add(ns_relay_tally *t, const char *key, uint32_t n, uint32_t limit);
void ns_relay_tally_sub(ns_relay_tally *t, const char *key, uint32_t n);

/* relay_startups.c: MaxStartups policy (the parser: relay.h). */
/* Percent chance that an arrival with `unauth` waiting forces a drop. */
uint32_t ns_relay_startups_drop_pct(const ns_relay_startups *m, uint32_t unauth);
/* Which of n candidates (n >= 1) to drop: the most from one address, then
 * the oldest, then the first. */
size_t ns_relay_startups_victim(const ns_relay_cand *c, size_t n);

/* relay_caps.c: caps on logged-in connections and their sessions. */
int ns_relay_caps_init(ns_relay *r);
void ns_relay_caps_free(ns_relay *r);
/* May c log in to sandbox? 0; else NS_ERR_LIMIT, the reason in why, the
 * refusal logged and the connection closing with a message naming it. */
int ns_relay_caps_login(ns_relay_conn *c, const char *sandbox, char *why, size_t cap);
/* c logged in (c->user set): counted per sandbox and address. */
void ns_relay_caps_authed(ns_relay_conn *c);
/* Bring the sandbox's session count up to date with c->nchans. */
void ns_relay_caps_sync(ns_relay_conn *c);
/* A session open over the sandbox's cap: refused (1), else 0. */
int ns_relay_caps_chan_refused(ns_relay_conn *c, const ns_event *ev);
void ns_relay_caps_release(ns_relay_conn *c);

/* relay_conn.c */
int ns_relay_conn_new(ns_relay *r, int fd, uint32_t slot, uint64_t now, ns_relay_conn **out);
void ns_relay_conn_free(ns_relay_conn *c);
void ns_relay_conn_sock(ns_relay_conn *c, unsigned kind, uint32_t events);
/* 1 when the connection is finished and should be freed. */
int ns_relay_conn_pump(ns_relay_conn *c, uint64_t now);
void ns_relay_conn_timers(ns_relay_conn *c, uint64_t now);
uint64_t ns_relay_conn_timeout(const ns_relay_conn *c, uint64_t now);
/* The timer scan's step for one connection: its timers when its due time
 * (r->due[c->slot]) has come, which then moves to its next; else nothing.
 * Each pump sets it, so a scan over thousands of idle connections reads an
 * array instead of asking every engine (that was most of the relay's CPU
 * during a login with 2,000 sessions held). Returns the due time. */
uint64_t ns_relay_conn_tick(ns_relay_conn *c, uint64_t now);
/* now + ns_relay_conn_timeout, UINT64_MAX when it has no timer. */
uint64_t ns_relay_conn_next(const ns_relay_conn *c, uint64_t now);
/* Counted as authenticated: leaves the unauthenticated counts, joins the
 * per-sandbox and per-source ones. */
void ns_relay_conn_authed(ns_relay_conn *c);
/* Count c as unauthenticated (its address already counted in
 * r->unauth_src by the caller). */
void ns_relay_conn_unauth(ns_relay_conn *c);
/* Pipe helpers shared with relay_inner.c. */
typedef void (*ns_relay_handler)(void *ctx, const ns_event *ev, uint64_t now);
/* Feed received bytes and handle the events; 1 if anything happened. */
int ns_relay_pipe_feed(ns_relay *r, ns_relay_pipe *p, ns_relay_handler h, void *ctx, uint64_t now);
void ns_relay_pipe_init(ns_relay_pipe *p);
void ns_relay_pipe_free(int epfd, ns_relay_pipe *p);
int ns_relay_pipe_flush(ns_relay_pipe *p);
void ns_relay_pipe_interest(int epfd, ns_relay_pipe *p);

/* relay_route.c: where a login goes (--routing). */
enum { NS_RELAY_FROM_CERT = 1, NS_RELAY_FROM_REGISTRY = 2 };
typedef struct ns_relay_route_info {
	int src; /* NS_RELAY_FROM_*, 0 none yet, -1 a bad route (why) */
	char why[48];
	ns_registry_entry ent;
} ns_relay_route_info;
int ns_relay_route_mode(const ns_relay_config *cfg);
/* One log line at start: the mode, the registry, a host certificate. */
void ns_relay_route_log(ns_relay *r);
/* The certificate's route, if the mode reads it (pure). */
void ns_relay_route_from_cert(const ns_relay *r, const ns_cert *cert, ns_relay_route_info *out);
/* The route of a login to sandbox: 0 (ri->ent filled), or NS_ERR_* with
 * the log reason in why and the user's message in msg. */
int ns_relay_route_login(ns_relay *r, const char *sandbox, ns_relay_route_info *ri, char *why,
                         size_t wcap, char *msg, size_t mcap);
/* The entry for a new channel of c: its certificate route, or the
 * registry's entry now; NS_ERR_* with the user's message. */
int ns_relay_route_channel(ns_relay_conn *c, ns_registry_entry *ent, char *msg, size_t cap);
/* The agent at endpoint failed before it was ready (why: the inner's
 * reason): when c's route came from its certificate and the agent is gone
 * or changed its key, log it and end c with the moved message; 1 then. */
int ns_relay_route_moved(ns_relay_conn *c, const char *endpoint, const char *why);

/* relay_revoke.c: the live revocation list (--revocations-url). */
#define NS_RELAY_ETAG_MAX 128
int ns_relay_revoke_start(ns_relay *r); /* its thread; 0 when off */
void ns_relay_revoke_stop(ns_relay *r);
/* Take a fetched list (new logins; existing connections it revokes end);
 * log a change of staleness. At each timer scan. */
void ns_relay_revoke_tick(ns_relay *r, uint64_t now);
/* For /metrics: ms since a list was last fetched (or found unchanged),
 * UINT64_MAX with none yet or --revocations-url off. */
uint64_t ns_relay_revoke_age_ms(const ns_relay *r, uint64_t now);
/* 1 when no list is in force or it is older than the max staleness. */
int ns_relay_revoke_stale(ns_relay *r, uint64_t now);
/* A login's certificate against the live list and the fail mode: 0, or
 * NS_ERR_AUTH with the log reason in why and the refusal code (-1 none). */
int ns_relay_revoke_login(ns_relay_conn *c, const ns_cert *cert, char *why, size_t cap, int *code);
/* Keep c's certificate for the checks of later lists (live revocation on). */
void ns_relay_revoke_keep(ns_relay_conn *c, ns_str blob);
/* relay_revoke_fetch.c: curl_global_init; one GET of at most timeout_ms
 * (200 with the list in *text, 304, or a negative NS_ERR_* with err set);
 * etag in and out. */
int ns_relay_revoke_fetch_init(void);
int ns_relay_revoke_fetch(const char *url, const char *key, unsigned timeout_ms,
                          char etag[NS_RELAY_ETAG_MAX], char **text, size_t *len, char *err,
                          size_t cap);
/* relay_activity.c: keep-awake reports (--activity-url). */
/* Sandbox ids a report may carry (the API's NS_API_ACTIVITY_MAX), and how
 * many may wait at most (past it an id is dropped, logged as
 * event=activity-dropped reason=pending-full). */
#define NS_RELAY_ACTIVITY_BATCH_MAX 512
#define NS_RELAY_ACTIVITY_PENDING_MAX 16384
#define NS_RELAY_ACTIVITY_POST_TIMEOUT_MS 5000 /* one report */
int ns_relay_activity_start(ns_relay *r);      /* its thread; 0 when off */
void ns_relay_activity_stop(ns_relay *r);
/* At each timer scan: take the thread's answer, gather and hand over a
 * report when the interval is up. Never waits on the network. */
void ns_relay_activity_tick(ns_relay *r, uint64_t now);
/* c is being freed: its bytes since the last look count. */
void ns_relay_activity_gone(ns_relay_conn *c);
/* relay_activity_post.c: curl_global_init (NS_ERR_INVALID without
 * libcurl); one POST of body (0 on 200, else err set). */
int ns_relay_activity_post_init(void);
int ns_relay_activity_post(const char *url, const char *key, const char *body, char *err,
                           size_t cap);
/* relay_activity_set.c: sandbox ids in arrival order, each once, at most
 * limit (pure). */
typedef struct ns_relay_idset {
	char (*ids)[NS_SANDBOX_ID_MAX + 1];
	uint32_t n, cap, limit;
	uint32_t *index, nindex; /* open addressing: id index + 1, 0 empty */
} ns_relay_idset;
void ns_relay_idset_init(ns_relay_idset *s, uint32_t limit);
void ns_relay_idset_free(ns_relay_idset *s);
/* 0 added, 1 already in, NS_ERR_LIMIT full, NS_ERR_INVALID not a sandbox
 * id, NS_ERR_NOMEM. */
int ns_relay_idset_add(ns_relay_idset *s, const char *id);
void ns_relay_idset_clear(ns_relay_idset *s);
/* Move the first k ids (at most) into dst (cleared first): how many. */
uint32_t ns_relay_idset_take(ns_relay_idset *s, uint32_t k, ns_relay_idset *dst);
/* Add every id of from: how many did not fit. */
uint32_t ns_relay_idset_merge(ns_relay_idset *s, const ns_relay_idset *from);
/* {"sandboxes":["id",...]} (malloc'd, NUL-ended), or NULL. */
char *ns_relay_activity_body(const ns_relay_idset *s);

/* relay_lifetime.c: --idle-timeout and --end-sessions-at-expiry. */
void ns_relay_life_timers(ns_relay_conn *c, uint64_t now);
/* The earlier of t and when ns_relay_life_timers is next due (ms from now). */
uint64_t ns_relay_life_timeout(const ns_relay_conn *c, uint64_t now, uint64_t t);

/* relay_front.c: the user's engine events. */
void ns_relay_front_event(ns_relay_conn *c, const ns_event *ev, uint64_t now);

/* relay_inner.c: the agent connections. */
/* The agent connection for a new channel of c's sandbox: the open one
 * whose registry entry still holds, or a new one being dialled; NULL with
 * the user-facing message for the channel open failure in msg. */
ns_relay_inner *ns_relay_inner_get(ns_relay_conn *c, uint64_t now, char *msg, size_t cap);
void ns_relay_inner_sock(ns_relay_inner *in, uint32_t events);
/* 1 when the connection is finished (lost or idle) and should be freed. */
int ns_relay_inner_pump(ns_relay_inner *in, uint64_t now);
/* Free it: logged; every splice still on it ends as lost. */
void ns_relay_inner_free(ns_relay_inner *in);
void ns_relay_inner_timers(ns_relay_inner *in, uint64_t now);
uint64_t ns_relay_inner_timeout(const ns_relay_inner *in, uint64_t now);
void ns_relay_inner_dirty(ns_relay_inner *in);
/* The connection's own events: host key, authentication, disconnect. */
void ns_relay_inner_conn_event(ns_relay_inner *in, const ns_event *ev);

/* relay_mux.c: channels of an agent connection routed to user splices. */
/* Route inner channel ich to ch of c: 0 or NS_ERR_NOMEM. */
int ns_relay_mux_route(ns_relay_inner *in, uint32_t ich, ns_relay_conn *c, ns_relay_chan *ch);
/* ch leaves its agent connection (its route goes, the user count drops). */
void ns_relay_mux_detach(ns_relay_chan *ch);
/* Close inner channel ich now, or as soon as the engine takes the CLOSE:
 * a dropped CLOSE would leave the agent's session running for good. */
void ns_relay_mux_close(ns_relay_inner *in, uint32_t ich);
/* Send the CLOSEs still owed (each pump). */
void ns_relay_mux_close_owed(ns_relay_inner *in);
/* ch holds bytes for the agent: its user gets a turn when the agent
 * connection's output drains. */
void ns_relay_mux_wait(ns_relay_chan *ch);
/* The agent connection's output drained some: wake the waiters. */
void ns_relay_mux_wake(ns_relay_inner *in);
/* The agent connection's events (channel ones to their splice). */
void ns_relay_mux_event(void *ctx, const ns_event *ev, uint64_t now);
/* Every splice attached to in: ready (open the waiting ones) or lost. */
void ns_relay_mux_ready(ns_relay_inner *in);
void ns_relay_mux_lost(ns_relay_inner *in);

/* relay_splice.c (user side) and relay_splice_agent.c (agent side):
 * channel opens, requests and replies, EOF, CLOSE, loss. */
void ns_relay_splice_open(ns_relay_conn *c, const ns_event *ev, uint64_t now);
void ns_relay_splice_front_request(ns_relay_conn *c, const ns_event *ev);
void ns_relay_splice_front_reply(ns_relay_conn *c, const ns_event *ev);
/* NS_EV_CHANNEL_DATA, _EOF and _CLOSED of the user's engine. */
void ns_relay_splice_front_event(ns_relay_conn *c, const ns_event *ev);
/* An event of ch's channel on the agent connection. */
void ns_relay_splice_inner_event(ns_relay_conn *c, ns_relay_chan *ch, const ns_event *ev);
/* The agent connection is authenticated: open ch's channel on it. */
void ns_relay_splice_inner_open(ns_relay_conn *c, ns_relay_chan *ch);
/* ch's agent connection is gone (ready: it was serving). */
void ns_relay_splice_chan_lost(ns_relay_conn *c, ns_relay_chan *ch, int ready);
/* Answer the front's requests whose replies are known, in order. */
void ns_relay_splice_flush_owed(ns_relay_conn *c, ns_relay_chan *ch);
/* Free a splice (logging its end) and its slot. */
void ns_relay_chan_free(ns_relay_conn *c, ns_relay_chan *ch);

/* relay_fwd.c: forwarding channels (direct-tcpip, direct-streamlocal). */
/* A channel open of a forwarding type: 1 if it was refused here (the user
 * answered, the refusal logged), 0 with *out set to carry to the agent,
 * -1 when the type is not a forwarding one. */
int ns_relay_fwd_open(ns_relay_conn *c, const ns_event *ev, ns_relay_fwd **out);
/* Open ch's channel on its agent connection with the user's open data. */
int ns_relay_fwd_inner_open(ns_relay_chan *ch);
/* The agent accepted it: logged (kind and target, never payload). */
void ns_relay_fwd_started(ns_relay_conn *c, ns_relay_chan *ch);
/* The splice ends: logged with bytes each way and duration; freed. */
void ns_relay_fwd_end(ns_relay_conn *c, ns_relay_chan *ch);
/* 1 for a splice the agent opened (forwarded-tcpip, -streamlocal). */
int ns_relay_fwd_reverse(const ns_relay_chan *ch);
/* The agent opens a forwarded channel: to its user, or refused. */
void ns_relay_fwd_agent_open(ns_relay_inner *in, const ns_event *ev);
/* The user's answer (NS_EV_CHANNEL_OPENED / _OPEN_FAILED) to ours. */
void ns_relay_fwd_front_answer(ns_relay_conn *c, const ns_event *ev);

/* relay_fwd.c: a splice for a channel the agent opened towards user c:
 * kind for the logs, the front's channel of type front_type with its data
 * (len bytes). 0, or an NS_ERR_* with the agent's open refused. */
int ns_relay_fwd_reverse_open(ns_relay_inner *in, ns_relay_conn *c, const ns_event *ev,
                              const char *kind, const char *target, const char *front_type,
                              const uint8_t *data, size_t len, ns_relay_chan **out);

/* relay_agentfwd.c: agent forwarding (docs/relay.md). */
/* The user's auth-agent-req@openssh.com on session ch: 1 to pass it to
 * the agent (the certificate permits it: ch marked), 0 to refuse (logged). */
int ns_relay_agentfwd_asked(ns_relay_conn *c, ns_relay_chan *ch);
/* The session an agent's auth-agent@nullspace.dev names (session: the
 * relay's channel id on in): its splice and *cp, or NULL with *why (a
 * reason for the log) when it is not a live session of a connection
 * whose user asked for agent forwarding, or has its
 * NS_RELAY_AGENT_CONNS_MAX agent channels. */
ns_relay_chan *ns_relay_agentfwd_route(ns_relay_inner *in, uint32_t session, ns_relay_conn **cp,
                                       const char **why);
/* NS_EV_CHANNEL_OPEN of NS_CHAN_AGENT_FWD on in: routed and spliced to an
 * auth-agent@openssh.com channel opened to the user, or refused (logged). */
void ns_relay_agentfwd_open(ns_relay_inner *in, const ns_event *ev);
/* Session ch is freed: its agent channels forget it. */
void ns_relay_agentfwd_session_end(ns_relay_conn *c, ns_relay_chan *ch);

/* relay_rfwd.c: remote forwarding requests. */
void ns_relay_rfwd_front_request(ns_relay_conn *c, const ns_event *ev, uint64_t now);
void ns_relay_rfwd_ready(ns_relay_inner *in);                     /* send the queued */
void ns_relay_rfwd_reply(ns_relay_inner *in, const ns_event *ev); /* NS_EV_GLOBAL_REPLY */
void ns_relay_rfwd_lost(ns_relay_inner *in);
void ns_relay_rfwd_conn_gone(ns_relay_conn *c);
ns_relay_conn *ns_relay_rfwd_find(ns_relay_inner *in, int is_unix, const ns_chan_open_info *o);

/* relay_flow.c: data with backpressure and window passing. */
void ns_relay_flow_data(ns_relay_conn *c, ns_relay_chan *ch, int dir, uint32_t ext, ns_str d);
/* Write held bytes of one direction; 1 if any moved. */
int ns_relay_flow_flush(ns_relay_conn *c, ns_relay_chan *ch, int dir);

/* relay_state.c: the state of a splice and its transitions. */
void ns_relay_tail(ns_relay_chan *ch, int dir, int ev); /* NS_TEV_* */
/* 1 once CLOSE is due or done in that direction. */
int ns_relay_tail_ending(const ns_relay_chan *ch, int dir);
/* The splice ends: EOF and CLOSE to the user, CLOSE to the agent. */
void ns_relay_state_end_both(ns_relay_chan *ch);
/* A side's channel closed (NS_SIDE_*): its holds go, the other side ends. */
void ns_relay_state_gone(ns_relay_chan *ch, int side);
/* 1 when neither side holds a channel: the splice can be freed. */
int ns_relay_state_done(const ns_relay_chan *ch);
/* Move held bytes and due exit / EOF / CLOSE of every splice; 1 if
 * anything moved. */
int ns_relay_flow_sweep(ns_relay_conn *c);
/* Queue a message on the front channel's stderr (after held output). */
void ns_relay_flow_stderr(ns_relay_chan *ch, const char *msg);
void ns_relay_hold_free(ns_relay_hold *h);

#endif
