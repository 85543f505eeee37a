/* Tests for the relay's agent forwarding decisions
 * (transport/relay/relay_agentfwd.c): which session an agent's
 * auth-agent@nullspace.dev open may reach (never a session whose user did
 * not ask for forwarding, a forward, a stale route or a closing
 * connection; at most NS_RELAY_AGENT_CONNS_MAX at once), and the refusal
 * of auth-agent-req without permit-agent-forwarding. End to end:
 * tests/interop/agent_forward.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/error.h"
#include "relay_int.h"

#define ROUTES 16

typedef struct fixture {
	ns_relay r;
	ns_relay_conn *conns[2];
	ns_relay_inner in;
	ns_relay_route routes[ROUTES];
	ns_relay_chan chans[2][8];
	char *logbuf;
	size_t loglen;
} fixture;

static ns_relay_conn *conn_new(fixture *f, uint32_t slot, uint32_t gen)
{
	ns_relay_conn *c = calloc(1, sizeof(*c) + NS_RELAY_SLOTS(&f->r) * sizeof(ns_relay_chan *));

	assert_non_null(c);
	c->r = &f->r;
	c->slot = slot;
	c->gen = gen;
	c->id = slot + 10;
	c->authed = 1;
	c->permit_agent_fwd = 1;
	snprintf(c->user, sizeof(c->user), "sb_test");
	f->conns[slot] = c;
	return c;
}

/* Session splice number i of connection slot, on inner channel ich. */
static ns_relay_chan *session(fixture *f, uint32_t slot, uint32_t i, uint32_t ich, int asked)
{
	ns_relay_chan *ch = &f->chans[slot][i];
	ns_relay_conn *c = f->conns[slot];

	ch->slot = i;
	ch->fch = 100 + i;
	ch->ich = ich;
	ch->in = &f->in;
	ch->fstate = ch->istate = NS_RS_OPEN;
	ch->agent_asked = (uint8_t)asked;
	c->chans[i] = ch;
	f->routes[ich].conn = slot + 1;
	f->routes[ich].gen = c->gen;
	f->routes[ich].chan = i;
	return ch;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->r.max_conns = 2;
	f->r.max_channels = 8; /* 16 splice slots */
	f->r.conns = f->conns;
	f->r.log = open_memstream(&f->logbuf, &f->loglen);
	assert_non_null(f->r.log);
	f->in.r = &f->r;
	f->in.routes = f->routes;
	f->in.nroutes = ROUTES;
	conn_new(f, 0, 5);
	conn_new(f, 1, 6);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	fclose(f->r.log);
	free(f->logbuf);
	free(f->conns[0]);
	free(f->conns[1]);
	free(f);
	return 0;
}

static const char *route_why(fixture *f, uint32_t session_id, ns_relay_chan *want)
{
	ns_relay_conn *c = (ns_relay_conn *)1;
	const char *why = "unset";
	ns_relay_chan *ch = ns_relay_agentfwd_route(&f->in, session_id, &c, &why);

	assert_ptr_equal(ch, want);
	if (ch == NULL) {
		assert_null(c);
		assert_non_null(why);
		return why;
	}
	assert_ptr_equal(c, f->conns[ch == &f->chans[0][ch->slot] ? 0 : 1]);
	assert_null(why);
	return "ok";
}

/* A session that asked is reached; ids with no route, out of range, or
 * routed to another channel are not. */
static void test_route_found(void **state)
{
	fixture *f = *state;
	ns_relay_chan *s = session(f, 0, 2, 3, 1);

	assert_string_equal(route_why(f, 3, s), "ok");
	assert_string_equal(route_why(f, 2, NULL), "no-such-session");
	assert_string_equal(route_why(f, ROUTES, NULL), "no-such-session");
	assert_string_equal(route_why(f, UINT32_MAX, NULL), "no-such-session");
	/* the route names the splice, but the splice uses another channel */
	s->ich = 4;
	assert_string_equal(route_why(f, 3, NULL), "no-such-session");
	s->ich = 3;
	/* ... or another agent connection */
	s->in = NULL;
	assert_string_equal(route_why(f, 3, NULL), "no-such-session");
	s->in = &f->in;
	/* not open on the agent's side yet */
	s->istate = NS_RS_PENDING;
	assert_string_equal(route_why(f, 3, NULL), "no-such-session");
}

/* Never a session whose user did not ask, nor a forward, nor a user whose
 * certificate lacks permit-agent-forwarding. */
static void test_route_not_requested(void **state)
{
	fixture *f = *state;
	ns_relay_chan *asked = session(f, 0, 0, 1, 1);
	ns_relay_chan *other = session(f, 1, 0, 2, 0); /* another user, same sandbox */
	int fwd;

	assert_string_equal(route_why(f, 1, asked), "ok");
	assert_string_equal(route_why(f, 2, NULL), "not-requested");
	other->agent_asked = 1;
	f->conns[1]->permit_agent_fwd = 0; /* cannot happen: asked needs it */
	assert_string_equal(route_why(f, 2, NULL), "not-requested");
	asked->forward = (ns_relay_fwd *)&fwd; /* a forward's splice */
	assert_string_equal(route_why(f, 1, NULL), "not-requested");
	asked->forward = NULL;
}

/* A connection gone (its slot reused: another generation), closing, or a
 * session the user closed. */
static void test_route_closed(void **state)
{
	fixture *f = *state;
	ns_relay_chan *s = session(f, 0, 1, 5, 1);

	f->routes[5].gen = 4; /* the route is of the slot's previous user */
	assert_string_equal(route_why(f, 5, NULL), "no-such-session");
	f->routes[5].gen = 5;
	f->conns[0]->closing = 1;
	assert_string_equal(route_why(f, 5, NULL), "session-closed");
	f->conns[0]->closing = 0;
	s->fstate = NS_RS_GONE;
	assert_string_equal(route_why(f, 5, NULL), "session-closed");
	s->fstate = NS_RS_OPEN;
	f->conns[0]->chans[1] = NULL; /* freed */
	assert_string_equal(route_why(f, 5, NULL), "no-such-session");
}

/* NS_RELAY_AGENT_CONNS_MAX agent channels per session at once; another
 * session's do not count; a freed session's channels forget it. */
static void test_route_cap(void **state)
{
	fixture *f = *state;
	ns_relay_chan *s = session(f, 0, 0, 1, 1), *t = session(f, 0, 1, 2, 1);
	ns_relay_chan extra[NS_RELAY_AGENT_CONNS_MAX];
	ns_relay_conn *c = f->conns[0];
	uint32_t i;

	assert_true(NS_RELAY_AGENT_CONNS_MAX + 2 <= NS_RELAY_SLOTS(&f->r));
	memset(extra, 0, sizeof(extra));
	for (i = 0; i + 1 < NS_RELAY_AGENT_CONNS_MAX; i++) {
		extra[i].agent_of = s->slot + 1;
		c->chans[2 + i] = &extra[i];
	}
	assert_string_equal(route_why(f, 1, s), "ok");
	extra[i].agent_of = s->slot + 1;
	c->chans[2 + i] = &extra[i]; /* conflicts with nothing: slots 2..9 */
	assert_true(2 + i < NS_RELAY_SLOTS(&f->r));
	assert_string_equal(route_why(f, 1, NULL), "max-agent-connections");
	assert_string_equal(route_why(f, 2, t), "ok");
	ns_relay_agentfwd_session_end(c, s);
	for (i = 0; i < NS_RELAY_AGENT_CONNS_MAX; i++) {
		assert_int_equal(extra[i].agent_of, 0);
	}
	assert_string_equal(route_why(f, 1, s), "ok");
}

/* auth-agent-req: passed on (the session marked) only with
 * permit-agent-forwarding; the refusal logged. */
static void test_asked(void **state)
{
	fixture *f = *state;
	ns_relay_chan *s = session(f, 0, 0, 1, 0);

	assert_int_equal(ns_relay_agentfwd_asked(f->conns[0], s), 1);
	assert_int_equal(s->agent_asked, 1);
	s->agent_asked = 0;
	f->conns[0]->permit_agent_fwd = 0;
	assert_int_equal(ns_relay_agentfwd_asked(f->conns[0], s), 0);
	assert_int_equal(s->agent_asked, 0);
	fflush(f->r.log);
	assert_non_null(strstr(f->logbuf, "relay event=agent-forward-refused conn=10 channel=100 "
	                                  "user=sb_test reason=not-permitted\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_route_found, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_route_not_requested, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_route_closed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_route_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_asked, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
