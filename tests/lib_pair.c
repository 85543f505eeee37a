/* In-memory client<->server engine pair (lib_pair.h): moves bytes between two
 * engines in steps, answers host key and auth events by default, and hands
 * every event to the test. */
#include "lib_pair.h"

#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"

static int start(ns_pair *p, const ns_engine_config *client, const ns_engine_config *server,
                 int seeded)
{
	ns_engine_config c, s;
	int rc;

	ns_engine_config_init(&c);
	ns_engine_config_init(&s);
	if (client) {
		c = *client;
	}
	if (server) {
		s = *server;
	}
	if (seeded) {
		c.random = s.random = ns_test_rng_fill;
		c.random_ctx = &p->rng[0];
		s.random_ctx = &p->rng[1];
	}
	c.role = NS_ROLE_CLIENT;
	c.alloc = ns_allocator_libc();
	s.role = NS_ROLE_SERVER;
	s.alloc = ns_allocator_libc();
	s.host_key = &p->host_key;
	if ((rc = ns_engine_new(&c, &p->e[0])) != 0 || (rc = ns_engine_new(&s, &p->e[1])) != 0) {
		ns_pair_free(p);
		return rc;
	}
	p->now_ms = 1000;
	(void)!ns_engine_tick(p->e[0], p->now_ms);
	(void)!ns_engine_tick(p->e[1], p->now_ms);
	return 0;
}

int ns_pair_init(ns_pair *p, const ns_engine_config *client, const ns_engine_config *server)
{
	memset(p, 0, sizeof(*p));
	if (ns_init() != 0) {
		return NS_ERR_CRYPTO;
	}
	ns_key_generate(&p->host_key, "host");
	ns_key_generate(&p->user_key, "user");
	return start(p, client, server, 0);
}

int ns_pair_init_seeded(ns_pair *p, const ns_engine_config *client, const ns_engine_config *server,
                        uint64_t seed)
{
	int i;

	memset(p, 0, sizeof(*p));
	if (ns_init() != 0) {
		return NS_ERR_CRYPTO;
	}
	for (i = 0; i < 3; i++) {
		ns_test_rng_init(&p->rng[i], seed, (uint32_t)i);
	}
	ns_test_rng_key(&p->rng[2], &p->host_key, "host");
	ns_test_rng_key(&p->rng[2], &p->user_key, "user");
	return start(p, client, server, 1);
}

void ns_pair_free(ns_pair *p)
{
	ns_engine_free(p->e[0]);
	ns_engine_free(p->e[1]);
	p->e[0] = p->e[1] = NULL;
	ns_key_wipe(&p->host_key);
	ns_key_wipe(&p->user_key);
}

static void default_event(ns_pair *p, int side, const ns_event *ev)
{
	ns_engine *e = p->e[side];

	switch (ev->type) {
	case NS_EV_HOSTKEY:
		(void)!ns_engine_hostkey_verdict(e, memcmp(ev->hostkey, p->host_key.pk, 32) == 0);
		break;
	case NS_EV_AUTH_READY: (void)!ns_engine_auth_publickey(e, "user", &p->user_key, 0); break;
	case NS_EV_AUTH_REQUEST:
		(void)!ns_engine_auth_verdict(e, ev->key_parsed &&
		                                     memcmp(ev->key, p->user_key.pk, 32) == 0);
		break;
	case NS_EV_AUTH_SUCCESS: p->authed = 1; break;
	case NS_EV_DISCONNECT:
		p->disconnected[side] = 1;
		p->disc_error[side] = ev->error;
		p->disc_reason[side] = ev->reason;
		break;
	default: break;
	}
}

/* Drain one side's events; returns how many, or -1 when the callback stops. */
static int events(ns_pair *p, int side, ns_pair_cb cb, void *ud)
{
	ns_event ev = NS_EVENT_INIT;
	int n = 0, r;

	while (p->e[side] && ns_engine_event(p->e[side], &ev) == 0 && ev.type != NS_EV_NONE) {
		n++;
		r = cb ? cb(p, side, &ev, ud) : 0;
		if (r != NS_PAIR_HANDLED) {
			default_event(p, side, &ev);
		}
		if (r != 0 && r != NS_PAIR_HANDLED) {
			return -1;
		}
	}
	return n;
}

/* Zero-copy: bytes the receiver buffered and can handle now first, then
 * at most n new ones "read" straight into its buffer (a transport's recv).
 * Returns how many new bytes it took; *progress set when it handled any. */
static size_t read_into(ns_pair *p, int side, const uint8_t *out, size_t n, int *progress)
{
	ns_engine *dst = p->e[1 - side];
	size_t before = ns_engine_input_pending(dst), room = 0;
	uint8_t *space;

	if (before > 0) {
		(void)!ns_engine_input_commit(dst, 0);
		*progress = ns_engine_input_pending(dst) != before;
	}
	if (n == 0 || (space = ns_engine_input_space(dst, &room)) == NULL) {
		return 0;
	}
	n = n < room ? n : room;
	memcpy(space, out, n);
	p->reads[1 - side]++;
	(void)!ns_engine_input_commit(dst, n);
	return n;
}

/* Move output of side to the other side; returns bytes moved (or 1 when
 * only buffered bytes were handled). */
static size_t move(ns_pair *p, int side)
{
	const uint8_t *out;
	size_t n, used = 0;
	int progress = 0;

	out = ns_engine_output(p->e[side], &n);
	if (p->chunk && n > p->chunk) {
		n = p->chunk;
	}
	if (ns_engine_closed(p->e[1 - side])) {
		ns_engine_output_ack(p->e[side], n); /* the peer is gone: drop */
		return 0;
	}
	if (p->zero_copy) {
		used = read_into(p, side, out, n, &progress);
		ns_engine_output_ack(p->e[side], used);
		p->moved[side] += used;
		return used > 0 ? used : (size_t)progress;
	}
	if (n == 0) {
		return 0;
	}
	(void)!ns_engine_input(p->e[1 - side], out, n, &used);
	if (p->tap != NULL && used > 0) {
		p->tap(p->tap_ud, side, out, used);
	}
	ns_engine_output_ack(p->e[side], used);
	p->moved[side] += used;
	return used;
}

int ns_pair_pump(ns_pair *p, ns_pair_cb cb, void *ud, int max_steps)
{
	int step, n0, n1;
	size_t m0, m1;

	for (step = 1; step <= max_steps; step++) {
		(void)!ns_engine_tick(p->e[0], p->now_ms);
		(void)!ns_engine_tick(p->e[1], p->now_ms);
		m0 = move(p, 0);
		if ((n1 = events(p, 1, cb, ud)) < 0) {
			return step;
		}
		m1 = move(p, 1);
		if ((n0 = events(p, 0, cb, ud)) < 0 || (n1 = events(p, 1, cb, ud)) < 0) {
			return step;
		}
		if (m0 == 0 && m1 == 0 && n0 == 0 && n1 == 0) {
			size_t l0, l1;

			ns_engine_output(p->e[0], &l0);
			ns_engine_output(p->e[1], &l1);
			if ((l0 == 0 || ns_engine_closed(p->e[1])) &&
			    (l1 == 0 || ns_engine_closed(p->e[0]))) {
				return step;
			}
		}
	}
	return -1;
}

static int stop_when_authed(ns_pair *p, int side, ns_event *ev, void *ud)
{
	(void)side;
	(void)ud;
	(void)p;
	if (ev->type == NS_EV_AUTH_SUCCESS || ev->type == NS_EV_DISCONNECT) {
		return NS_PAIR_STOP;
	}
	return 0;
}

int ns_pair_connect(ns_pair *p)
{
	if (ns_pair_pump(p, stop_when_authed, NULL, 1000) < 0) {
		return NS_ERR_TIMEOUT;
	}
	return p->authed ? 0 : NS_ERR_AUTH;
}
