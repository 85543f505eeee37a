/* A server's algorithm lists checked by building a throwaway server engine
 * with each (the engine is what would refuse them per connection). */
#include "algs_check.h"

#include <stdio.h>
#include <string.h>

#include "nullspace/engine.h"
#include "nullspace/error.h"

static int try_list(const ns_key *key, const char *opt, const char *list, char *err, size_t cap)
{
	ns_engine_config ec;
	ns_engine *e = NULL;
	int rc;

	if (list == NULL) {
		return 0;
	}
	ns_engine_config_init(&ec);
	ec.role = NS_ROLE_SERVER;
	ec.alloc = ns_allocator_libc();
	ec.host_key = key;
	if (strcmp(opt, "--ciphers") == 0) {
		ec.ciphers = list;
	} else if (strcmp(opt, "--kex") == 0) {
		ec.kex = list;
	} else {
		ec.macs = list;
	}
	rc = ns_engine_new(&ec, &e);
	ns_engine_free(e);
	if (rc != 0) {
		snprintf(err, cap,
		         "%s %s: %s (comma-separated names from docs/algorithms.md, each once)",
		         opt, list,
		         rc == NS_ERR_UNSUPPORTED ? "none of these runs on this machine"
		                                  : "an unknown, repeated or empty name");
	}
	return rc;
}

int ns_server_algs_check(const char *ciphers, const char *kex, const char *macs, char *err,
                         size_t cap)
{
	ns_key key;
	int rc;

	if (ciphers == NULL && kex == NULL && macs == NULL) {
		return 0;
	}
	if ((rc = ns_key_generate(&key, "check")) != 0) {
		snprintf(err, cap, "cannot check the algorithm lists: %s", ns_strerror(rc));
		return rc;
	}
	if ((rc = try_list(&key, "--ciphers", ciphers, err, cap)) == 0 &&
	    (rc = try_list(&key, "--kex", kex, err, cap)) == 0) {
		rc = try_list(&key, "--macs", macs, err, cap);
	}
	ns_key_wipe(&key);
	return rc;
}
