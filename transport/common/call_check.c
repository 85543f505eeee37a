/* A failed engine call that the caller did not expect ends the connection
 * with a log line, instead of being dropped (call_check.h). */
#include "call_check.h"

#include "nullspace/error.h"

int ns_call_check(ns_engine *e, FILE *log, const char *who, uint32_t conn, const char *call, int rc)
{
	if (rc == 0 || rc == NS_ERR_CLOSED) {
		return rc;
	}
	/* NS_ERR_CLOSED: the engine failed itself (the call's failure was
	 * its own, a full output, a failed send) and its DISCONNECT event,
	 * logged by the caller's handler, says why */
	if (e != NULL &&
	    ns_engine_disconnect(e, NS_DISC_BY_APPLICATION, "internal error") == NS_ERR_CLOSED) {
		return rc;
	}
	if (log != NULL) {
		fprintf(log, "%s event=engine-call-failed conn=%u call=%s error=\"%s\"\n", who,
		        conn, call, ns_strerror(rc));
	}
	return rc;
}
