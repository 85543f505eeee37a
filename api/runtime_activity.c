/* Keep-awake in the runtime (issue 18): activity the relay reports for a
 * running sandbox moves its expiry to now + its timeout (the idle window),
 * never past max_expires_at (created_at + max_lifetime). The runtime's tick
 * stops a sandbox at expires_at, so a moved expiry is honoured as it is. */
#include "runtime_int.h"

int64_t ns_runtime_extend_rule(const ns_sandbox_info *sb, int64_t now)
{
	int64_t want = now + (int64_t)sb->timeout;

	if (want < sb->expires_at) {
		want = sb->expires_at; /* never shortened */
	}
	if (want > sb->max_expires_at) {
		want = sb->max_expires_at > sb->expires_at ? sb->max_expires_at : sb->expires_at;
	}
	return want;
}

int ns_runtime_activity(ns_runtime *rt, const char *id, int64_t now)
{
	ns_rt_sandbox *sb = ns_rt_find(rt, id);
	int64_t to;

	if (sb == NULL || !sb->running) {
		return NS_RT_IGNORED;
	}
	sb->info.last_activity_at = now;
	to = ns_runtime_extend_rule(&sb->info, now);
	if (to == sb->info.expires_at) {
		return NS_RT_UNCHANGED;
	}
	sb->info.expires_at = to;
	return NS_RT_EXTENDED;
}

int ns_runtime_at_max(const ns_sandbox_info *sb)
{
	return sb->last_activity_at != 0 && sb->expires_at >= sb->max_expires_at &&
	       sb->max_expires_at > sb->created_at + (int64_t)sb->timeout;
}
