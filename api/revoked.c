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

int ns_api_revoked_init(ns_api_revoked *rv)
{
	memset(rv, 0, sizeof(*rv));
	rv->e = calloc(NS_API_REVOKED_MAX, sizeof(*rv->e));
	rv->gen = 1;
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
