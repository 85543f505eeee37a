/* Random bytes inside core/: the type of a source (ns_engine_config.random)
 * and the default one. Code outside the engine (key files) draws from the
 * default; the engine from its configured source (ns_eng_random). */
#ifndef NS_CORE_RANDOM_H
#define NS_CORE_RANDOM_H

#include <stddef.h>
#include <stdint.h>

typedef void (*ns_random_fn)(void *ctx, uint8_t *buf, size_t len);
/* libsodium's randombytes_buf (after ns_init). */
void ns_random_default(void *ctx, uint8_t *buf, size_t len);

#endif
