/* The API's revoked accesses (revoked.h): a bounded list of key id lines
 * in revocation order, pruned once their certificates can no longer be
 * valid, and its text and ETag for GET /v1/revocations. */
#include "revoked.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mint.h"
#include "nullspace/error.h"
#include "registry.h"

int ns_api_revoked_init(ns_api_revoked *rv, uint64_t gen0)
{
	memset(rv, 0, sizeof(*rv));
	rv->e = calloc(NS_API_REVOKED_MAX, sizeof(*rv->e));
	rv->gen = gen0;
	return rv->e != NULL ? 0 : NS_ERR_NOMEM;
}

void ns_api_revoked_free(ns_api_revoked *rv)
{
	free(rv->e);
	memset(rv, 0, sizeof(*rv));
}

int ns_api_access_id_valid(const char *acc)
{
	size_t i;

	if (acc == NULL || strlen(acc) != NS_ACCESS_ID_LEN || strncmp(acc, "acc_", 4) != 0) {
		return 0;
	}
	for (i = 4; i < NS_ACCESS_ID_LEN; i++) {
		if (!((acc[i] >= 'a' && acc[i] <= 'z') || (acc[i] >= '0' && acc[i] <= '9'))) {
			return 0;
		}
	}
	return 1;
}

int ns_api_revoked_add(ns_api_revoked *rv, const char *sb, const char *acc, int64_t now)
{
	char line[NS_API_REVOKED_LINE_MAX];
	size_t i;

	if (!ns_registry_id_valid(sb) || !ns_api_access_id_valid(acc)) {
		return NS_ERR_INVALID;
	}
	/* the key id ns_mint_access writes */
	snprintf(line, sizeof(line), "id: nullspace:%s:%s", acc, sb);
	for (i = 0; i < rv->n; i++) {
		if (strcmp(rv->e[i].line, line) == 0) {
			return 0;
		}
	}
	ns_api_revoked_prune(rv, now);
	if (rv->n == NS_API_REVOKED_MAX) {
		return NS_ERR_LIMIT;
	}
	memcpy(rv->e[rv->n].line, line, sizeof(line));
	rv->e[rv->n].at = now;
	rv->n++;
	rv->gen++;
	return 0;
}

void ns_api_revoked_prune(ns_api_revoked *rv, int64_t now)
{
	size_t k = 0;

	while (k < rv->n && rv->e[k].at + NS_API_REVOKED_KEEP_S <= now) {
		k++;
	}
	if (k > 0) {
		memmove(rv->e, rv->e + k, (rv->n - k) * sizeof(*rv->e));
		rv->n -= k;
		rv->gen++;
	}
}

char *ns_api_revoked_text(const ns_api_revoked *rv, size_t *len)
{
	size_t i, n = 0;
	char *t = malloc(rv->n * (NS_API_REVOKED_LINE_MAX + 1) + 1);

	if (t == NULL) {
		return NULL;
	}
	for (i = 0; i < rv->n; i++) {
		size_t l = strlen(rv->e[i].line);
		memcpy(t + n, rv->e[i].line, l);
		n += l;
		t[n++] = '\n';
	}
	t[n] = '\0';
	*len = n;
	return t;
}

void ns_api_revoked_etag(const ns_api_revoked *rv, char out[NS_API_ETAG_MAX])
{
	snprintf(out, NS_API_ETAG_MAX, "\"rv-%llu\"", (unsigned long long)rv->gen);
}

char *ns_api_revoked_save_text(const ns_api_revoked *rv, size_t *len)
{
	size_t i, n = 0, cap = rv->n * (NS_API_REVOKED_LINE_MAX + 24) + 1;
	char *t = malloc(cap);

	if (t == NULL) {
		return NULL;
	}
	for (i = 0; i < rv->n; i++) {
		n += (size_t)snprintf(t + n, cap - n, "%lld %s\n", (long long)rv->e[i].at,
		                      rv->e[i].line);
	}
	t[n] = '\0';
	*len = n;
	return t;
}

/* One saved line: "AT id: nullspace:ACC:SB" into its time, access and
 * sandbox ids; -1 when it has another shape. */
static int saved_line(const char *p, size_t n, int64_t *at, char *acc, char *sb)
{
	static const char pre[] = " id: nullspace:";
	size_t i = 0, a, id_len = n;
	int64_t v = 0;

	if (memchr(p, '\0', n) != NULL) {
		return -1;
	}
	while (i < n && i < 18 && p[i] >= '0' && p[i] <= '9') {
		v = v * 10 + (p[i++] - '0');
	}
	if (i == 0 || i == 18 || n - i < sizeof(pre) - 1 ||
	    memcmp(p + i, pre, sizeof(pre) - 1) != 0) {
		return -1;
	}
	a = i + sizeof(pre) - 1;
	if (n - a < NS_ACCESS_ID_LEN + 2 || p[a + NS_ACCESS_ID_LEN] != ':') {
		return -1;
	}
	id_len = n - a - NS_ACCESS_ID_LEN - 1;
	if (id_len > NS_API_REVOKED_LINE_MAX) {
		return -1;
	}
	memcpy(acc, p + a, NS_ACCESS_ID_LEN);
	acc[NS_ACCESS_ID_LEN] = '\0';
	memcpy(sb, p + a + NS_ACCESS_ID_LEN + 1, id_len);
	sb[id_len] = '\0';
	*at = v;
	return 0;
}

int ns_api_revoked_load_text(ns_api_revoked *rv, const char *text, size_t len, int64_t now,
                             size_t *bad)
{
	char acc[NS_ACCESS_ID_LEN + 1], sb[NS_API_REVOKED_LINE_MAX + 1];
	size_t off = 0, e;
	int64_t at;
	int rc;

	*bad = 0;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);

		e = nl != NULL ? (size_t)(nl - text) : len;
		/* a line older than the one before it (the clock was set back
		 * between two revocations) is kept: a revocation is never lost,
		 * and pruning, oldest first, only keeps it longer */
		if (saved_line(text + off, e - off, &at, acc, sb) != 0) {
			(*bad)++;
		} else if (at + NS_API_REVOKED_KEEP_S > now) {
			if ((rc = ns_api_revoked_add(rv, sb, acc, at)) == NS_ERR_LIMIT) {
				return rc;
			}
			*bad += rc != 0;
		}
		off = e + 1;
	}
	return 0;
}
