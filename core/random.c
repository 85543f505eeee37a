/* Where the engine's randomness comes from: the embedder's source
 * (ns_engine_config.random) or libsodium's, and the once-per-process set-up
 * of libsodium (ns_init). No other file of core/ draws random bytes. */
#include <pthread.h>
#include <sodium.h>

#include "engine_int.h"
#include "random.h"
#include "nullspace/error.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_crypto(void)
{
	init_rc = sodium_init() < 0 ? NS_ERR_CRYPTO : 0;
}

int ns_init(void)
{
	pthread_once(&init_once, init_crypto);
	return init_rc;
}

void ns_random_default(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}

void ns_eng_random(ns_engine *e, uint8_t *buf, size_t len)
{
	e->cfg.random(e->cfg.random_ctx, buf, len);
}

void ns_eng_random_attach(ns_engine *e)
{
	if (e->cfg.random == NULL) {
		e->cfg.random = ns_random_default;
		e->cfg.random_ctx = NULL;
	}
	e->tx.random = e->rx.random = e->cfg.random;
	e->tx.random_ctx = e->rx.random_ctx = e->cfg.random_ctx;
}
