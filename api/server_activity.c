/* POST /v1/activity (issue 18, keep-awake): a relay names the sandboxes it
 * saw channel bytes for since its last report; each running one's expiry
 * moves to now + its timeout, within its max_lifetime (runtime_activity.c).
 * Unknown and stopped ones are counted, not refused: a relay's report may
 * race a kill. Any API key may call it (docs/api.md says why). */
#include <stdio.h>
#include <stdlib.h>

#include "request_activity.h"
#include "server_int.h"

void ns_api_activity_answer(const ns_api_server_config *cfg, const char *body, size_t len,
                            int64_t now, ns_api_reply *r)
{
	ns_activity_request *req = malloc(sizeof(*req)); /* 33 KiB: not on the stack */
	unsigned count[3] = {0, 0, 0};                   /* by NS_RT_* */
	const char *why = NULL;
	size_t i;

	if (req == NULL) {
		ns_api_reply_json(r, 500, NULL);
		return;
	}
	if (ns_api_parse_activity(body, len, req, &why) != 0) {
		ns_api_reply_error(r, 400, why);
		r->reason = "bad-activity";
		free(req);
		return;
	}
	for (i = 0; i < req->n; i++) {
		count[ns_runtime_activity(cfg->runtime, req->ids[i], now)]++;
	}
	ns_api_reply_json(r, 200,
	                  json_pack("{s:I, s:I, s:I}", "extended",
	                            (json_int_t)count[NS_RT_EXTENDED], "unchanged",
	                            (json_int_t)count[NS_RT_UNCHANGED], "ignored",
	                            (json_int_t)count[NS_RT_IGNORED]));
	if (r->status == 200) {
		snprintf(r->note, sizeof(r->note), "extended=%u unchanged=%u ignored=%u",
		         count[NS_RT_EXTENDED], count[NS_RT_UNCHANGED], count[NS_RT_IGNORED]);
	}
	free(req);
}
