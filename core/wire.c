/* SSH wire reader: bounds-checked, poisoning getters over a borrowed buffer
 * (see wire.h). Writers live in buf.c. */
#include "wire.h"

#include <string.h>

#include "nullspace/error.h"

void ns_rd_init(ns_rd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->err = 0;
}

static int take(ns_rd *r, size_t n, const uint8_t **v)
{
	*v = NULL;
	if (r->err) {
		return r->err;
	}
	if (r->len - r->off < n) {
		r->err = NS_ERR_SHORT;
		return r->err;
	}
	*v = r->p + r->off;
	r->off += n;
	return 0;
}

int ns_rd_u8(ns_rd *r, uint8_t *v)
{
	const uint8_t *p;
	int rc;

	*v = 0;
	if ((rc = take(r, 1, &p)) == 0) {
		*v = p[0];
	}
	return rc;
}

int ns_rd_u32(ns_rd *r, uint32_t *v)
{
	const uint8_t *p;
	int rc;

	*v = 0;
	if ((rc = take(r, 4, &p)) == 0) {
		*v = ns_load32(p);
	}
	return rc;
}

int ns_rd_u64(ns_rd *r, uint64_t *v)
{
	const uint8_t *p;
	int rc;

	*v = 0;
	if ((rc = take(r, 8, &p)) == 0) {
		*v = (uint64_t)ns_load32(p) << 32 | ns_load32(p + 4);
	}
	return rc;
}

int ns_rd_bool(ns_rd *r, int *v)
{
	uint8_t b;
	int rc = ns_rd_u8(r, &b);

	*v = b != 0;
	return rc;
}

int ns_rd_bytes(ns_rd *r, size_t n, const uint8_t **v)
{
	return take(r, n, v);
}

int ns_rd_string_max(ns_rd *r, size_t max, ns_str *v)
{
	uint32_t n;
	int rc;

	v->p = NULL;
	v->len = 0;
	if ((rc = ns_rd_u32(r, &n)) != 0) {
		return rc;
	}
	if (n > max) {
		r->err = NS_ERR_TOOBIG;
		return r->err;
	}
	if ((rc = take(r, n, &v->p)) == 0) {
		v->len = n;
	}
	return rc;
}

int ns_rd_string(ns_rd *r, ns_str *v)
{
	return ns_rd_string_max(r, SIZE_MAX, v);
}

int ns_rd_name(ns_rd *r, size_t max, ns_str *v)
{
	int rc = ns_rd_string_max(r, max, v);
	size_t i;

	if (rc != 0) {
		return rc;
	}
	for (i = 0; i < v->len; i++) {
		if (v->p[i] < 0x21 || v->p[i] > 0x7e) {
			v->p = NULL;
			v->len = 0;
			r->err = NS_ERR_FORMAT;
			return r->err;
		}
	}
	return 0;
}

int ns_rd_end(ns_rd *r)
{
	if (r->err) {
		return r->err;
	}
	if (r->off != r->len) {
		r->err = NS_ERR_FORMAT;
	}
	return r->err;
}

size_t ns_rd_left(const ns_rd *r)
{
	return r->err ? 0 : r->len - r->off;
}

int ns_str_eq(ns_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

int ns_namelist_has(ns_str list, const char *name)
{
	size_t n = strlen(name), i = 0, start;

	while (i <= list.len) {
		start = i;
		while (i < list.len && list.p[i] != ',') {
			i++;
		}
		if (i - start == n && memcmp(list.p + start, name, n) == 0) {
			return 1;
		}
		i++;
	}
	return 0;
}

int ns_str_copy(ns_str s, char *out, size_t cap)
{
	if (cap == 0) {
		return NS_ERR_TOOBIG;
	}
	out[0] = '\0';
	if (s.len >= cap) {
		return NS_ERR_TOOBIG;
	}
	if (s.len) {
		memcpy(out, s.p, s.len);
	}
	out[s.len] = '\0';
	return 0;
}
