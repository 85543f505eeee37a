/* The *_init functions of the engine's caller-allocated structs: zeroed,
 * with their size set, so the engine can tell which layout a caller has. */
#include <string.h>

#include "abi.h"
#include "engine_int.h"

void ns_engine_config_init(ns_engine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
}

void ns_event_init(ns_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->size = sizeof(*ev);
}
