/* The Commands and Files API routes inside the API server (server.c hands
 * them over once route, method and key are checked): each request is an
 * ns_api_xfer driven by libmicrohttpd's access handler, its upload and its
 * response callbacks, over a job (job.h) that runs the sandbox side. Not
 * installed. */
#ifndef NS_API_SERVER_FILES_H
#define NS_API_SERVER_FILES_H

#include <microhttpd.h>
#include <stddef.h>

#include "server.h"

typedef struct ns_api_xfer ns_api_xfer;

/* Is route one of these (1/0), and does it need the API key? */
int ns_api_xfer_route(int route);
int ns_api_xfer_needs_key(int route);
/* Every call of the access handler for such a request. */
enum MHD_Result ns_api_xfer_step(const ns_api_server_config *cfg, struct MHD_Connection *c,
                                 const char *method, const char *url, int route, const char *id,
                                 const char *upload, size_t *upload_size, ns_api_xfer **x);
/* At the end of the request (NULL is fine). */
void ns_api_xfer_free(ns_api_xfer *x);

#endif
