/* One Commands or Files API request in flight (server_files.c starts it,
 * server_stream.c moves its bytes and builds its answer). Not installed. */
#ifndef NS_API_SERVER_XFER_H
#define NS_API_SERVER_XFER_H

#include <poll.h>
#include <sodium.h>

#include "files_path.h"
#include "job.h"
#include "server_files.h"

enum { X_NONE = 0, X_BODY, X_UPLOAD, X_HEAD, X_RUN, X_STREAM, X_DONE };

struct ns_api_xfer {
	const ns_api_server_config *cfg;
	struct MHD_Connection *c;
	int route, phase;
	char method[8];
	char url[256]; /* the path only, for the log line */
	char id[NS_SANDBOX_ID_MAX + 1];
	char home[1024];
	const char *exe; /* the nullspace binary inside the sandbox */
	ns_registry_entry ent;
	char path[NS_FILES_PATH_MAX + 1]; /* as the client gave it */
	char rel[NS_FILES_PATH_MAX + 1];  /* relative to the home */
	ns_job *job;
	int job_want_stdin;
	char *line; /* a command's helper line until the job takes it */
	uint32_t timeout;
	int stream;
	char *body;
	size_t len, cap;
	int too_big;
	uint64_t size, moved; /* upload/download: announced, moved so far */
	int upload_failed;
	char *pend; /* stream: the NDJSON line being sent */
	size_t pend_len, pend_off;
	int ended; /* stream: the last line is out */
};

enum MHD_Result ns_api_xfer_error(ns_api_xfer *x, unsigned status, const char *msg,
                                  const char *reason);
/* The sandbox is known, running and reachable (its home, our binary inside
 * it and its registry entry into x): 1, else the answer is queued (*ret):
 * 404, or 409 with reason sandbox-stopped or sandbox-unreachable. */
int ns_api_xfer_running(ns_api_xfer *x, enum MHD_Result *ret);
/* server_stream.c */
enum MHD_Result ns_api_xfer_body(ns_api_xfer *x, const char *upload, size_t *upload_size);
enum MHD_Result ns_api_xfer_upload(ns_api_xfer *x, const char *upload, size_t *upload_size);
enum MHD_Result ns_api_xfer_head(ns_api_xfer *x);
enum MHD_Result ns_api_xfer_finish(ns_api_xfer *x);
/* server_command.c: a command's body is in; start it. */
enum MHD_Result ns_api_xfer_command(ns_api_xfer *x);
/* ... and its answer once the job ended. */
enum MHD_Result ns_api_xfer_command_done(ns_api_xfer *x);
/* server_command.c: POST files/url. */
enum MHD_Result ns_api_xfer_url(ns_api_xfer *x);

#endif
