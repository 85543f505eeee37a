/* Tests for api/revoked.c and the revocation routes of api/request.c: the
 * list of revoked accesses (one line each, repeats kept once, bounded by
 * NS_API_REVOKED_MAX, pruned after NS_API_REVOKED_KEEP_S), its text in the
 * revocation list format, an ETag that changes with it, and the paths of
 * GET /v1/revocations and DELETE /v1/sandboxes/ID/ssh-access/ACC; the
 * list's file (revoked_file.c): written, read back across a "restart",
 * expired and malformed lines skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "lib_tmpdir.h"
#include "request.h"
#include "revoked.h"

#define ACC1 "acc_0123456789abcdefghijklmn"
#define ACC2 "acc_zyxwvutsrqponmlkjihgfedc"
#define NOW 1800000000

static void test_add_text_etag(void **state)
{
	char e1[NS_API_ETAG_MAX], e2[NS_API_ETAG_MAX], *t;
	ns_api_revoked rv;
	size_t len = 0;

	(void)state;
	assert_int_equal(ns_api_revoked_init(&rv, 1), 0);
	t = ns_api_revoked_text(&rv, &len);
	assert_string_equal(t, "");
	free(t);
	ns_api_revoked_etag(&rv, e1);
	assert_int_equal(ns_api_revoked_add(&rv, "sb_x", ACC1, NOW), 0);
	ns_api_revoked_etag(&rv, e2);
	assert_string_not_equal(e1, e2);
	assert_true(e2[0] == '"' && e2[strlen(e2) - 1] == '"');
	/* a repeat changes nothing */
	assert_int_equal(ns_api_revoked_add(&rv, "sb_x", ACC1, NOW + 1), 0);
	ns_api_revoked_etag(&rv, e1);
	assert_string_equal(e1, e2);
	assert_int_equal(ns_api_revoked_add(&rv, "sb_y", ACC2, NOW + 2), 0);
	t = ns_api_revoked_text(&rv, &len);
	assert_string_equal(t, "id: nullspace:" ACC1 ":sb_x\nid: nullspace:" ACC2 ":sb_y\n");
	assert_int_equal(len, strlen(t));
	/* every line is one the relays' parser takes */
	assert_int_equal(ns_revoked_line_parse(t, strcspn(t, "\n")), 0);
	free(t);
	/* bad ids */
	assert_int_equal(ns_api_revoked_add(&rv, "sb/x", ACC1, NOW), NS_ERR_INVALID);
	assert_int_equal(ns_api_revoked_add(&rv, "sb_x", "acc_short", NOW), NS_ERR_INVALID);
	assert_int_equal(ns_api_revoked_add(&rv, "sb_x", "acc_0123456789ABCDEFGHIJKLMN", NOW),
	                 NS_ERR_INVALID);
	/* pruned once the certificates cannot be valid any more */
	ns_api_revoked_prune(&rv, NOW + NS_API_REVOKED_KEEP_S);
	t = ns_api_revoked_text(&rv, &len);
	assert_string_equal(t, "id: nullspace:" ACC2 ":sb_y\n");
	free(t);
	ns_api_revoked_prune(&rv, NOW + 2 + NS_API_REVOKED_KEEP_S);
	assert_int_equal(rv.n, 0);
	ns_api_revoked_free(&rv);
}

static void test_limit(void **state)
{
	char acc[NS_API_ACCESS_ID_MAX + 1];
	ns_api_revoked rv;
	size_t i;

	(void)state;
	assert_int_equal(ns_api_revoked_init(&rv, 1), 0);
	for (i = 0; i < NS_API_REVOKED_MAX; i++) {
		snprintf(acc, sizeof(acc), "acc_%024zu", i);
		assert_int_equal(ns_api_revoked_add(&rv, "sb_x", acc, NOW), 0);
	}
	assert_int_equal(ns_api_revoked_add(&rv, "sb_x", ACC1, NOW), NS_ERR_LIMIT);
	/* room again once the oldest expire */
	assert_int_equal(ns_api_revoked_add(&rv, "sb_x", ACC1, NOW + NS_API_REVOKED_KEEP_S), 0);
	assert_int_equal(rv.n, 1);
	ns_api_revoked_free(&rv);
}

/* What a restarted API reads back is what it had: the same text (so the
 * same lines for relays), the same order; expired lines dropped. */
static void test_save_load(void **state)
{
	ns_api_revoked rv, back;
	char *t1, *t2, *saved;
	size_t l1, l2, n, bad = 9;

	(void)state;
	assert_int_equal(ns_api_revoked_init(&rv, 1), 0);
	assert_int_equal(ns_api_revoked_add(&rv, "sb_x", ACC1, NOW), 0);
	assert_int_equal(ns_api_revoked_add(&rv, "sb_y", ACC2, NOW + 60), 0);
	saved = ns_api_revoked_save_text(&rv, &n);
	assert_non_null(saved);
	assert_string_equal(saved, "1800000000 id: nullspace:" ACC1 ":sb_x\n"
	                           "1800000060 id: nullspace:" ACC2 ":sb_y\n");
	assert_int_equal(ns_api_revoked_init(&back, 2), 0);
	assert_int_equal(ns_api_revoked_load_text(&back, saved, n, NOW + 61, &bad), 0);
	assert_int_equal(bad, 0);
	t1 = ns_api_revoked_text(&rv, &l1);
	t2 = ns_api_revoked_text(&back, &l2);
	assert_string_equal(t1, t2);
	free(t2);
	ns_api_revoked_free(&back);
	/* the first line's certificate can no longer be valid: dropped */
	assert_int_equal(ns_api_revoked_init(&back, 2), 0);
	assert_int_equal(
	    ns_api_revoked_load_text(&back, saved, n, NOW + NS_API_REVOKED_KEEP_S + 1, &bad), 0);
	assert_int_equal(back.n, 1);
	assert_string_equal(back.e[0].line, "id: nullspace:" ACC2 ":sb_y");
	free(t1);
	free(saved);
	ns_api_revoked_free(&back);
	ns_api_revoked_free(&rv);
}

static void test_load_malformed(void **state)
{
	static const char text[] = "1800000000 id: nullspace:" ACC1 ":sb_x\n"
	                           "x id: nullspace:" ACC1 ":sb_x\n"           /* no time */
	                           "1800000001 id: nullspace:acc_short:sb_x\n" /* bad access */
	                           "1800000001 id: nullspace:" ACC2 ":sb/x\n"  /* bad sandbox */
	                           "1799999999 id: nullspace:" ACC2 ":sb_z\n"  /* clock set back */
	                           "1800000002 key: AAAA\n"                    /* other shape */
	                           "\n"
	                           "1800000003 id: nullspace:" ACC2 ":sb_y"; /* no newline: fine */
	static const char nul[] = "1800000000 id: nullspace:" ACC1 ":sb_x\0tail\n";
	ns_api_revoked rv;
	size_t bad = 0;

	(void)state;
	assert_int_equal(ns_api_revoked_init(&rv, 1), 0);
	assert_int_equal(ns_api_revoked_load_text(&rv, text, sizeof(text) - 1, NOW, &bad), 0);
	assert_int_equal(bad, 5);
	assert_int_equal(rv.n, 3);
	assert_string_equal(rv.e[1].line, "id: nullspace:" ACC2 ":sb_z");
	assert_string_equal(rv.e[2].line, "id: nullspace:" ACC2 ":sb_y");
	ns_api_revoked_free(&rv);
	assert_int_equal(ns_api_revoked_init(&rv, 1), 0);
	assert_int_equal(ns_api_revoked_load_text(&rv, nul, sizeof(nul) - 1, NOW, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(rv.n, 0);
	ns_api_revoked_free(&rv);
}

static void test_file(void **state)
{
	char dir[256], path[300], err[400];
	ns_api_revoked rv, back;
	size_t bad = 0, len;
	char *t;

	(void)state;
	assert_int_equal(ns_tmpdir_make(dir, sizeof(dir), "revoked"), 0);
	snprintf(path, sizeof(path), "%s/revoked", dir);
	assert_int_equal(ns_api_revoked_init(&back, 1), 0);
	assert_int_equal(ns_api_revoked_load(&back, path, NOW, &bad, err, sizeof(err)), 0);
	assert_int_equal(back.n, 0); /* no file yet: an empty list */
	assert_int_equal(ns_api_revoked_init(&rv, 1), 0);
	assert_int_equal(ns_api_revoked_add(&rv, "sb_x", ACC1, NOW), 0);
	assert_int_equal(ns_api_revoked_save(&rv, path, err, sizeof(err)), 0);
	assert_int_equal(ns_tmpdir_mode(path), 0600);
	assert_int_equal(ns_api_revoked_load(&back, path, NOW + 1, &bad, err, sizeof(err)), 0);
	assert_int_equal(back.n, 1);
	t = ns_tmpdir_slurp(path, &len);
	assert_string_equal(t, "1800000000 id: nullspace:" ACC1 ":sb_x\n");
	free(t);
	snprintf(path, sizeof(path), "%s/no/such/folder/revoked", dir);
	assert_int_equal(ns_api_revoked_save(&rv, path, err, sizeof(err)), NS_ERR_IO);
	assert_non_null(strstr(err, "no/such/folder"));
	ns_api_revoked_free(&back);
	ns_api_revoked_free(&rv);
	assert_int_equal(ns_tmpdir_remove(dir), 0);
}

static void test_routes(void **state)
{
	char id[NS_API_ID_MAX + 1], acc[NS_API_ACCESS_ID_MAX + 1];

	(void)state;
	assert_int_equal(ns_api_route("/v1/revocations", id), NS_ROUTE_REVOCATIONS);
	assert_int_equal(ns_api_route("/v1/revocations/x", id), NS_ROUTE_NONE);
	assert_int_equal(ns_api_route("/v1/sandboxes/sb_x/ssh-access/" ACC1, id), NS_ROUTE_ACCESS);
	assert_string_equal(id, "sb_x");
	assert_int_equal(ns_api_route_access("/v1/sandboxes/sb_x/ssh-access/" ACC1, acc), 0);
	assert_string_equal(acc, ACC1);
	assert_int_equal(ns_api_route("/v1/sandboxes/sb_x/ssh-access", id), NS_ROUTE_SSH_ACCESS);
	assert_int_equal(ns_api_route("/v1/sandboxes/sb_x/ssh-access/acc_x", id), NS_ROUTE_NONE);
	assert_int_equal(ns_api_route("/v1/sandboxes/sb_x/ssh-access/" ACC1 "/x", id),
	                 NS_ROUTE_NONE);
	assert_int_equal(ns_api_route("/v1/sandboxes/sb.x/ssh-access/" ACC1, id), NS_ROUTE_NONE);
	assert_int_equal(ns_api_route_access("/v1/sandboxes/sb_x/ssh-access/acc_x", acc),
	                 NS_ERR_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_text_etag), cmocka_unit_test(test_limit),
	    cmocka_unit_test(test_save_load),     cmocka_unit_test(test_load_malformed),
	    cmocka_unit_test(test_file),          cmocka_unit_test(test_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
