/* The one rule for an engine call whose failure the caller did not expect
 * (issue 12: no dropped results): log it and end the connection. */
#ifndef NS_CALL_CHECK_H
#define NS_CALL_CHECK_H

#include <stdint.h>
#include <stdio.h>

#include "nullspace/engine.h"

/* rc is the result of the engine call named call, made on e for the
 * connection conn of program who ("relay", "agent", "client"). 0 and
 * NS_ERR_CLOSED (the engine or the channel is already closing: nothing is
 * owed any more) pass quietly, and so does any failure of an engine that
 * failed itself (its NS_EV_DISCONNECT tells why). Any other failure is a
 * broken assumption of ours: the connection ends (DISCONNECT, by
 * application, "internal error"), so nothing goes on half done, with one
 * line on log (NULL: none):
 *   WHO event=engine-call-failed conn=N call=CALL error="..."
 * rc is returned. */
int ns_call_check(ns_engine *e, FILE *log, const char *who, uint32_t conn, const char *call,
                  int rc);

#endif
