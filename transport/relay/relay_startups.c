/* MaxStartups for the relay, as policy without I/O: the start:rate:full
 * parser, sshd's linear drop chance, and which unauthenticated connection
 * goes when one must (the one whose address holds the most, then the
 * oldest), so a flood from many addresses evicts itself, not a login. */
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"

#define FIELD_MAX 10 /* digits of one number */

/* One decimal field of s up to stop ('\0' or ':'); 0 or -1. */
static int field(const char **s, char stop, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	while (**s >= '0' && **s <= '9' && n < FIELD_MAX) {
		v = v * 10 + (uint64_t)(**s - '0');
		(*s)++;
		n++;
	}
	if (n == 0 || **s != stop || v > max) {
		return -1;
	}
	if (stop != '\0') {
		(*s)++;
	}
	*out = (uint32_t)v;
	return 0;
}

int ns_relay_startups_parse(const char *s, ns_relay_startups *out)
{
	ns_relay_startups m;
	const char *p = s;

	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	if (s == NULL) {
		return NS_ERR_INVALID;
	}
	if (strchr(s, ':') == NULL) { /* "N": N at most, no early drop */
		if (field(&p, '\0', NS_RELAY_MAX_CONNECTIONS_LIMIT, &m.full) != 0) {
			return NS_ERR_INVALID;
		}
		m.start = m.full;
		m.rate = 100;
	} else if (field(&p, ':', NS_RELAY_MAX_CONNECTIONS_LIMIT, &m.start) != 0 ||
	           field(&p, ':', 100, &m.rate) != 0 ||
	           field(&p, '\0', NS_RELAY_MAX_CONNECTIONS_LIMIT, &m.full) != 0) {
		return NS_ERR_INVALID;
	}
	if (m.full == 0 || m.rate == 0 || m.start > m.full) {
		return NS_ERR_INVALID;
	}
	*out = m;
	return 0;
}

uint32_t ns_relay_startups_drop_pct(const ns_relay_startups *m, uint32_t unauth)
{
	if (unauth < m->start) {
		return 0;
	}
	if (unauth >= m->full) {
		return 100;
	}
	/* sshd's should_drop_connection(): rate at start, 100 at full */
	return m->rate +
	       (uint32_t)((uint64_t)(100 - m->rate) * (unauth - m->start) / (m->full - m->start));
}

size_t ns_relay_startups_victim(const ns_relay_cand *c, size_t n)
{
	size_t i, v = 0;

	for (i = 1; i < n; i++) {
		if (c[i].src_count > c[v].src_count ||
		    (c[i].src_count == c[v].src_count && c[i].born < c[v].born)) {
			v = i;
		}
	}
	return v;
}
