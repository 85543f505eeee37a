/* In-memory client<->server engine pair for tests: pumps bytes between two
 * engines, answers host key and auth events, and hands every other event to
 * the test's callback. */
#ifndef NS_TESTS_LIB_PAIR_H
#define NS_TESTS_LIB_PAIR_H

#include "lib_rng.h"
#include "nullspace/engine.h"

typedef struct ns_pair ns_pair;
/* side: 0 client, 1 server. Return non-zero to stop the pump, except
 * NS_PAIR_HANDLED: the callback handled the event itself (the pair skips its
 * default handling of host key and auth events). */
#define NS_PAIR_STOP 1
#define NS_PAIR_HANDLED 2
typedef int (*ns_pair_cb)(ns_pair *p, int side, ns_event *ev, void *ud);

struct ns_pair {
	ns_engine *e[2];
	ns_key host_key, user_key;
	uint64_t now_ms;
	int authed;          /* client saw AUTH_SUCCESS */
	int disconnected[2]; /* side saw NS_EV_DISCONNECT */
	int disc_error[2];   /* its error code */
	uint32_t disc_reason[2];
	size_t chunk;      /* max bytes moved per step (default: all) */
	int zero_copy;     /* move through ns_engine_input_space/_commit */
	uint64_t reads[2]; /* zero_copy: commits of new bytes into side */
	uint64_t moved[2]; /* bytes moved from side to the other */
	/* Optional: sees every byte moved from side to the other, in order. */
	void (*tap)(void *ud, int side, const uint8_t *p, size_t n);
	void *tap_ud;
	ns_test_rng rng[3]; /* seeded pairs: client, server, keys */
};

/* Configs may be NULL (defaults); role and alloc and host key are set here. */
int ns_pair_init(ns_pair *p, const ns_engine_config *client, const ns_engine_config *server);
/* The same with every random byte drawn from seed (keys and both engines):
 * the same seed and the same calls give byte-identical transcripts. */
int ns_pair_init_seeded(ns_pair *p, const ns_engine_config *client, const ns_engine_config *server,
                        uint64_t seed);
void ns_pair_free(ns_pair *p);
/* Pump until cb returns non-zero, both sides are idle, or max_steps pass.
 * Returns the number of steps, or -1 when max_steps ran out. */
int ns_pair_pump(ns_pair *p, ns_pair_cb cb, void *ud, int max_steps);
/* Handshake + publickey auth with user_key; 0 when the client is authenticated. */
int ns_pair_connect(ns_pair *p);

#endif
