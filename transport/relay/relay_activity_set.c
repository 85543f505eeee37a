/* A set of sandbox ids in arrival order (keep-awake, relay_activity.c):
 * the ones with channel bytes since the last report, and the report in
 * flight. Open addressing over an array that grows by doubling up to its
 * limit; pure, no clock, no I/O (tests/test_relay_activity.c). */
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"

#define FIRST_CAP 64

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s != '\0'; s++) {
		h = (h ^ (uint8_t)*s) * 16777619u;
	}
	return h;
}

/* The index slot of id: where it is, or the empty one it would take. */
static uint32_t slot_of(const ns_relay_idset *s, const char *id)
{
	uint32_t m = s->nindex - 1, i = hash(id) & m;

	while (s->index[i] != 0 && strcmp(s->ids[s->index[i] - 1], id) != 0) {
		i = (i + 1) & m;
	}
	return i;
}

static void reindex(ns_relay_idset *s)
{
	uint32_t i;

	memset(s->index, 0, s->nindex * sizeof(*s->index));
	for (i = 0; i < s->n; i++) {
		s->index[slot_of(s, s->ids[i])] = i + 1;
	}
}

static int grow(ns_relay_idset *s)
{
	uint32_t cap = s->cap == 0 ? FIRST_CAP : 2 * s->cap, nindex = 1;
	char(*ids)[NS_SANDBOX_ID_MAX + 1];
	uint32_t *index;

	cap = cap > s->limit ? s->limit : cap;
	while (nindex < 2 * cap) {
		nindex <<= 1; /* a power of two, at most half full */
	}
	if ((ids = realloc(s->ids, (size_t)cap * sizeof(*ids))) == NULL) {
		return NS_ERR_NOMEM;
	}
	s->ids = ids;
	if ((index = calloc(nindex, sizeof(*index))) == NULL) {
		return NS_ERR_NOMEM;
	}
	free(s->index);
	s->index = index;
	s->nindex = nindex;
	s->cap = cap;
	reindex(s);
	return 0;
}

void ns_relay_idset_init(ns_relay_idset *s, uint32_t limit)
{
	memset(s, 0, sizeof(*s));
	s->limit = limit;
}

void ns_relay_idset_free(ns_relay_idset *s)
{
	free(s->ids);
	free(s->index);
	memset(s, 0, sizeof(*s));
}

int ns_relay_idset_add(ns_relay_idset *s, const char *id)
{
	uint32_t i;
	int rc;

	if (!ns_registry_id_valid(id)) {
		return NS_ERR_INVALID;
	}
	if (s->cap > 0 && s->index[slot_of(s, id)] != 0) {
		return 1;
	}
	if (s->n == s->cap) {
		if (s->cap >= s->limit) {
			return NS_ERR_LIMIT;
		}
		if ((rc = grow(s)) != 0) {
			return rc;
		}
	}
	i = s->n++;
	memcpy(s->ids[i], id, strlen(id) + 1);
	s->index[slot_of(s, id)] = i + 1;
	return 0;
}

void ns_relay_idset_clear(ns_relay_idset *s)
{
	s->n = 0;
	if (s->index != NULL) {
		memset(s->index, 0, s->nindex * sizeof(*s->index));
	}
}

uint32_t ns_relay_idset_take(ns_relay_idset *s, uint32_t k, ns_relay_idset *dst)
{
	uint32_t i, moved = 0;

	ns_relay_idset_clear(dst);
	for (i = 0; i < s->n && moved < k; i++) {
		if (ns_relay_idset_add(dst, s->ids[i]) != 0) {
			break; /* dst full or out of memory: the rest stays */
		}
		moved++;
	}
	if (moved == 0) {
		return 0;
	}
	memmove(s->ids, s->ids + moved, (size_t)(s->n - moved) * sizeof(*s->ids));
	s->n -= moved;
	if (s->index != NULL) {
		reindex(s);
	}
	return moved;
}

uint32_t ns_relay_idset_merge(ns_relay_idset *s, const ns_relay_idset *from)
{
	uint32_t i, lost = 0;

	for (i = 0; i < from->n; i++) {
		lost += ns_relay_idset_add(s, from->ids[i]) < 0;
	}
	return lost;
}

char *ns_relay_activity_body(const ns_relay_idset *s)
{
	static const char head[] = "{\"sandboxes\":[", tail[] = "]}";
	size_t cap = sizeof(head) + sizeof(tail) + (size_t)s->n * (NS_SANDBOX_ID_MAX + 3), off;
	char *p = malloc(cap);
	uint32_t i;

	if (p == NULL) {
		return NULL;
	}
	memcpy(p, head, sizeof(head) - 1);
	off = sizeof(head) - 1;
	for (i = 0; i < s->n; i++) { /* ids are [A-Za-z0-9_-]: nothing to escape */
		size_t n = strlen(s->ids[i]);
		if (i > 0) {
			p[off++] = ',';
		}
		p[off++] = '"';
		memcpy(p + off, s->ids[i], n);
		off += n;
		p[off++] = '"';
	}
	memcpy(p + off, tail, sizeof(tail)); /* with its NUL */
	return p;
}
