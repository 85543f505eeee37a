/* Tests for api/apikey.c: the format of generated keys, the digest store's
 * parser (comments, blank lines, bad lines with their number, limits), load
 * and add on a mkdtemp folder (mode 0600, appending), and the check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apikey.h"
#include "nullspace/error.h"

/* printf -n abc | sha256sum */
#define ABC_HEX "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static int b64url(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static void test_generate(void **state)
{
	char a[NS_APIKEY_LEN + 1], b[NS_APIKEY_LEN + 1];
	size_t i;

	(void)state;
	ns_apikey_generate(a);
	ns_apikey_generate(b);
	assert_int_equal(strlen(a), NS_APIKEY_LEN);
	assert_int_equal(strlen(a), 47);
	assert_memory_equal(a, "nsk_", 4);
	for (i = 4; i < NS_APIKEY_LEN; i++) {
		assert_true(b64url(a[i]));
	}
	assert_string_not_equal(a, b);
}

static void test_hash(void **state)
{
	uint8_t h[NS_APIKEY_HASH_LEN];
	char hex[2 * NS_APIKEY_HASH_LEN + 1];

	(void)state;
	ns_apikey_hash("abc", 3, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	assert_string_equal(hex, ABC_HEX);
}

static void test_parse(void **state)
{
	const char *text = "# API keys\n\n  " ABC_HEX "  \r\n\t# another\n" ABC_HEX "\n"
	                   "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
	ns_apikeys ks;
	int line = -1;

	(void)state;
	assert_int_equal(ns_apikeys_parse(text, strlen(text), &ks, &line), 0);
	assert_int_equal(ks.n, 3);
	assert_int_equal(line, 0);
	assert_int_equal(ns_apikeys_check(&ks, "abc", 3), 1);
	assert_int_equal(ns_apikeys_check(&ks, "abd", 3), 0);
	assert_int_equal(ns_apikeys_check(&ks, "ab", 2), 0);
	ns_apikeys_free(&ks);
	assert_null(ks.hash);
	assert_int_equal(ks.n, 0);

	/* empty and comment-only texts are empty sets */
	assert_int_equal(ns_apikeys_parse("", 0, &ks, &line), 0);
	assert_int_equal(ks.n, 0);
	assert_int_equal(ns_apikeys_check(&ks, "abc", 3), 0);
	ns_apikeys_free(&ks);
	assert_int_equal(ns_apikeys_parse("# x\n\n", 5, &ks, &line), 0);
	assert_int_equal(ks.n, 0);
	ns_apikeys_free(&ks);
}

static void expect_bad(const char *text, size_t len, int want_rc, int want_line)
{
	ns_apikeys ks;
	int line = -1;

	assert_int_equal(ns_apikeys_parse(text, len, &ks, &line), want_rc);
	assert_int_equal(line, want_line);
	assert_null(ks.hash);
	assert_int_equal(ks.n, 0);
}

static void test_parse_bad(void **state)
{
	static const char nul[] = ABC_HEX "\n\0\n";
	char *big;
	size_t i;

	(void)state;
	expect_bad("# ok\n" ABC_HEX "0\n", strlen("# ok\n" ABC_HEX "0\n"), NS_ERR_FORMAT, 2);
	expect_bad(ABC_HEX "\nba78\n", strlen(ABC_HEX "\nba78\n"), NS_ERR_FORMAT, 2);
	expect_bad("zz" ABC_HEX, 66, NS_ERR_FORMAT, 1);
	expect_bad(ABC_HEX " # comment after\n", strlen(ABC_HEX " # comment after\n"),
	           NS_ERR_FORMAT, 1);
	expect_bad("nsk_plaintext_key\n", 18, NS_ERR_FORMAT, 1);
	expect_bad(nul, sizeof(nul) - 1, NS_ERR_FORMAT, 0);

	/* more than NS_APIKEY_MAX_KEYS digests */
	big = calloc(1, NS_APIKEY_FILE_MAX + 1);
	assert_non_null(big);
	for (i = 0; i <= NS_APIKEY_MAX_KEYS; i++) {
		memcpy(big + i * 65, ABC_HEX "\n", 65);
	}
	expect_bad(big, (NS_APIKEY_MAX_KEYS + 1) * 65, NS_ERR_TOOBIG, NS_APIKEY_MAX_KEYS + 1);
	expect_bad(big, NS_APIKEY_FILE_MAX + 1, NS_ERR_TOOBIG, 0);
	{
		ns_apikeys ks;
		int line;

		assert_int_equal(ns_apikeys_parse(big, NS_APIKEY_MAX_KEYS * 65, &ks, &line), 0);
		assert_int_equal(ks.n, NS_APIKEY_MAX_KEYS);
		ns_apikeys_free(&ks);
	}
	free(big);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/ns_apikey_XXXXXX", path[256], err[256], key[NS_APIKEY_LEN + 1];
	char key2[NS_APIKEY_LEN + 1];
	ns_apikeys ks, again;
	struct stat st;
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/api_keys", dir);

	/* missing file: an empty set */
	assert_int_equal(ns_apikeys_load(path, &ks, err, sizeof(err)), 0);
	assert_int_equal(ks.n, 0);

	ns_apikey_generate(key);
	ns_apikey_generate(key2);
	assert_int_equal(ns_apikeys_add(path, &ks, key, err, sizeof(err)), 0);
	assert_int_equal(ks.n, 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 65); /* one hex digest and a newline, never the key */

	assert_int_equal(ns_apikeys_check(&ks, key, strlen(key)), 1);
	assert_int_equal(ns_apikeys_check(&ks, key2, strlen(key2)), 0);
	assert_int_equal(ns_apikeys_check(&ks, key, strlen(key) - 1), 0);
	assert_int_equal(ns_apikeys_check(&ks, "", 0), 0);

	/* the file has no newline at its end: the next digest still gets a line */
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("# added by hand", f);
	fclose(f);
	assert_int_equal(ns_apikeys_add(path, &ks, key2, err, sizeof(err)), 0);
	assert_int_equal(ks.n, 2);
	assert_int_equal(ns_apikeys_load(path, &again, err, sizeof(err)), 0);
	assert_int_equal(again.n, 2);
	assert_int_equal(ns_apikeys_check(&again, key, strlen(key)), 1);
	assert_int_equal(ns_apikeys_check(&again, key2, strlen(key2)), 1);
	assert_int_equal(ns_apikeys_check(&again, "nsk_wrong", 9), 0);
	ns_apikeys_free(&again);

	/* not a key: refused, nothing written */
	assert_int_equal(ns_apikeys_add(path, &ks, "nsk_short", err, sizeof(err)), NS_ERR_INVALID);
	assert_int_equal(ns_apikeys_add(path, &ks,
	                                "xyz_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", err,
	                                sizeof(err)),
	                 NS_ERR_INVALID);
	assert_int_equal(ks.n, 2);
	ns_apikeys_free(&ks);

	/* a corrupt file names its line */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not hex\n", 8), 8);
	close(fd);
	err[0] = '\0';
	assert_int_equal(ns_apikeys_load(path, &again, err, sizeof(err)), NS_ERR_FORMAT);
	assert_non_null(strstr(err, ":4:"));
	assert_null(again.hash);

	/* a folder in the way */
	assert_true(ns_apikeys_load(dir, &again, err, sizeof(err)) < 0);
	assert_true(ns_apikeys_add(dir, &ks, key, err, sizeof(err)) < 0);

	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_generate), cmocka_unit_test(test_hash),
	    cmocka_unit_test(test_parse),    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
