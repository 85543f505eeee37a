/* Inside the agent: the loop state (agent.c) and the per-connection driver
 * (agent_conn.c, agent_auth.c) that pumps one engine and its sessions. */
#ifndef NS_TRANSPORT_AGENT_INT_H
#define NS_TRANSPORT_AGENT_INT_H

#include <stdint.h>

#include "agent.h"
#include "watch.h"
#include "call_check.h"
#include "pump.h"
#include "log_str.h"
#include "nullspace/engine.h"
#include "session.h"
#include "tally.h"

/* Socket reads per pump, each up to NS_INPUT_MAX bytes straight into the
 * engine (then the sessions and the other connections get their turn). */
#define NS_AGENT_READS_PER_PUMP 16
#define NS_AGENT_USER_LOG_MAX 64
/* A forward's refusal text: a target (up to 300 bytes) and why. */
#define NS_FWD_MSG_MAX 400
/* Engine channel slots of a connection: one more than the most sessions,
 * so an open over the limit reaches the agent, which refuses it with a log
 * line. */
#define NS_AGENT_CHAN_SLOTS(c) ((c)->agent->max_chans + 1)

typedef struct ns_agent ns_agent;

typedef struct ns_agent_conn {
	ns_agent *agent;
	ns_session_host host; /* engine, epfd, token parts, id, log, peer */
	ns_watch sock;
	ns_pump pump;            /* readable, sock_eof, eof_fed (common/pump.h) */
	int closing;             /* the engine is done: flush, then free */
	int dirty;               /* needs a pump in this loop turn */
	uint64_t grace_deadline; /* 0 once authenticated */
	int unauth_counted;      /* counted in the agent's per-source table */
	uint64_t close_deadline;
	char user[NS_AGENT_USER_LOG_MAX]; /* as logged */
	/* Sessions held, and one past the highest slot in use: the loops over
	 * sessions (every pump, every reaped child) stop there instead of
	 * scanning all NS_AGENT_CHAN_SLOTS (4097 with --max-channels 4096),
	 * which took 5% of the agent's CPU in a bulk transfer. The engine
	 * gives the lowest free channel id, so the range stays dense. */
	uint32_t nsess, sess_hi;
	struct ns_agent_listen *lis[NS_AGENT_RFWD_MAX]; /* remote forwards (agent_rfwd.c) */
	ns_session *sess[];                             /* NS_AGENT_CHAN_SLOTS(c) entries */
} ns_agent_conn;

struct ns_agent {
	const ns_agent_config *cfg;
	FILE *log;
	int epfd;
	ns_watch lsock, sig;
	ns_agent_conn **conns; /* by slot */
	uint32_t max_conns, nconns;
	uint32_t gen;
	unsigned next_id;
	uint32_t grace_ms;
	uint32_t max_unauth_per_source;
	uint32_t max_chans;         /* sessions per connection */
	ns_tally *src;              /* unauthenticated TCP connections per source */
	int accepted_since_reclaim; /* agent.c reclaim_closed() */
};

/* agent_conn.c */
int ns_agent_conn_new(ns_agent *a, int fd, uint32_t slot, uint64_t now, ns_agent_conn **out);
/* Free everything: SIGHUP the sessions' groups, close the socket, uncount
 * it from its source. */
void ns_agent_conn_free(ns_agent_conn *c);
/* Socket readiness. */
void ns_agent_conn_sock(ns_agent_conn *c, uint32_t events);
/* Move everything that can move: events, sessions, output; 1 when the
 * connection is finished and should be freed. */
int ns_agent_conn_pump(ns_agent_conn *c, uint64_t now);
/* Timers: engine tick, login grace, close linger. */
void ns_agent_conn_timers(ns_agent_conn *c, uint64_t now);
uint64_t ns_agent_conn_timeout(const ns_agent_conn *c, uint64_t now);

/* agent_conn.c: a session for channel id (a remote forward's). */
void ns_agent_conn_sess_put(ns_agent_conn *c, uint32_t id, ns_session *s);

/* agent_rfwd.c: remote forwarding (tcpip-forward, streamlocal-forward). */
/* NS_EV_GLOBAL_REQUEST: bind (or cancel) a listener, answered. */
void ns_agent_rfwd_request(ns_agent_conn *c, const ns_event *ev);
/* A listener is readable: each connection opens a forwarded channel. */
void ns_agent_rfwd_accept(ns_agent_conn *c, uint32_t idx);
/* Close every listener (the connection ends). */
void ns_agent_rfwd_free_all(ns_agent_conn *c);

/* agent_auth.c: answer NS_EV_AUTH_REQUEST. */
void ns_agent_auth(ns_agent_conn *c, const ns_event *ev);

#endif
