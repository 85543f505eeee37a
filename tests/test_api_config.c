/* Tests for api/config.c: parsing "key = value" lines (comments, blanks,
 * spacing, unknown keys, bad lines with their number, over-long values),
 * save/load round trips on a mkdtemp folder (file 0600, folder 0700, atomic
 * replace, a stale temporary file), and where ns_api_home points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "nullspace/sdk.h"

#define KEY "nsk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static char tmp[] = "/tmp/ns_api_config_XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmp) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static int parse(const char *text, ns_api_config *c, int *line)
{
	memset(c, 0x41, sizeof(*c));
	return ns_api_config_parse(text, strlen(text), c, line);
}

static void test_parse(void **state)
{
	ns_api_config c;
	int line = -1;

	(void)state;
	assert_int_equal(parse("# comment\n\napi_url = http://127.0.0.1:8780\napi_key=" KEY
	                       "\n   # indented comment\nother = ignored\n",
	                       &c, &line),
	                 0);
	assert_int_equal(line, 0);
	assert_string_equal(c.api_url, "http://127.0.0.1:8780");
	assert_string_equal(c.api_key, KEY);

	/* spacing, tabs, CRLF, no final newline, last one wins */
	assert_int_equal(
	    parse("  api_url\t=\thttp://a  \r\napi_key =x\r\napi_key   =   y", &c, &line), 0);
	assert_string_equal(c.api_url, "http://a");
	assert_string_equal(c.api_key, "y");

	/* empty text and an empty value */
	assert_int_equal(parse("", &c, &line), 0);
	assert_string_equal(c.api_url, "");
	assert_string_equal(c.api_key, "");
	assert_int_equal(parse("api_url =\n", &c, &line), 0);
	assert_string_equal(c.api_url, "");
	/* '=' inside a value stays */
	assert_int_equal(parse("api_url = http://h/?a=b\n", &c, &line), 0);
	assert_string_equal(c.api_url, "http://h/?a=b");
}

static void test_parse_bad(void **state)
{
	static const struct {
		const char *text;
		int line;
	} cases[] = {
	    {"api_url http://x\n", 1},
	    {"# ok\n\napi_key = k\njunk\n", 4},
	    {"= value\n", 1},
	    {"api_url = x\n\n  \n=\n", 4},
	};
	char big[NS_API_URL_MAX + 32];
	ns_api_config c;
	size_t i;
	int line;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		line = 0;
		assert_int_equal(parse(cases[i].text, &c, &line), NS_ERR_FORMAT);
		assert_int_equal(line, cases[i].line);
		assert_string_equal(c.api_url, "");
		assert_string_equal(c.api_key, "");
	}
	/* a value of exactly cap - 1 bytes fits; one more is refused, not cut */
	memcpy(big, "api_url = ", 10);
	memset(big + 10, 'u', NS_API_URL_MAX - 1);
	big[10 + NS_API_URL_MAX - 1] = '\0';
	assert_int_equal(parse(big, &c, &line), 0);
	assert_int_equal(strlen(c.api_url), NS_API_URL_MAX - 1);
	big[10 + NS_API_URL_MAX - 1] = 'u';
	big[10 + NS_API_URL_MAX] = '\0';
	assert_int_equal(parse(big, &c, &line), NS_ERR_FORMAT);
	assert_int_equal(line, 1);
	/* an unknown key may have a long value: it is ignored */
	memcpy(big, "zzzzzzz", 7);
	assert_int_equal(parse(big, &c, &line), 0);
	/* a NUL byte inside the text */
	assert_int_equal(ns_api_config_parse("api_key = a\0b\n", 14, &c, &line), NS_ERR_FORMAT);
	assert_int_equal(line, 1);
}

static void test_home(void **state)
{
	char out[256];

	(void)state;
	setenv("NULLSPACE_HOME", "/srv/ns", 1);
	setenv("HOME", "/home/someone", 1);
	assert_int_equal(ns_api_home(out, sizeof(out)), 0);
	assert_string_equal(out, "/srv/ns");
	setenv("NULLSPACE_HOME", "", 1); /* empty: as if unset */
	assert_int_equal(ns_api_home(out, sizeof(out)), 0);
	assert_string_equal(out, "/home/someone/.nullspace");
	unsetenv("NULLSPACE_HOME");
	assert_int_equal(ns_api_home(out, sizeof(out)), 0);
	assert_string_equal(out, "/home/someone/.nullspace");
	assert_int_equal(ns_api_home(out, 10), NS_ERR_TOOBIG);
	unsetenv("HOME"); /* from the password database */
	assert_int_equal(ns_api_home(out, sizeof(out)), 0);
	assert_true(strlen(out) > strlen("/.nullspace"));
	assert_string_equal(out + strlen(out) - strlen("/.nullspace"), "/.nullspace");
}

static void test_roundtrip(void **state)
{
	char home[128], path[192], err[256];
	ns_api_config c, back;
	struct stat st;

	(void)state;
	snprintf(home, sizeof(home), "%s/home", tmp);
	snprintf(path, sizeof(path), "%s/config", home);

	/* a missing folder or file is an empty config */
	memset(&back, 0x41, sizeof(back));
	assert_int_equal(ns_api_config_load(home, &back, err, sizeof(err)), 0);
	assert_string_equal(back.api_url, "");
	assert_string_equal(back.api_key, "");

	memset(&c, 0, sizeof(c));
	strcpy(c.api_url, "http://127.0.0.1:8780");
	strcpy(c.api_key, KEY);
	assert_int_equal(ns_api_config_save(home, &c, err, sizeof(err)), 0);
	assert_int_equal(stat(home, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ns_api_config_load(home, &back, err, sizeof(err)), 0);
	assert_string_equal(back.api_url, c.api_url);
	assert_string_equal(back.api_key, c.api_key);

	/* replaced whole; a stale temporary file from a crash does not block */
	snprintf(path, sizeof(path), "%s/.config.tmp", home);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	strcpy(c.api_url, "https://api.example.org");
	c.api_key[0] = '\0';
	assert_int_equal(ns_api_config_save(home, &c, err, sizeof(err)), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(ns_api_config_load(home, &back, err, sizeof(err)), 0);
	assert_string_equal(back.api_url, "https://api.example.org");
	assert_string_equal(back.api_key, "");

	/* a value that would add a line is refused */
	strcpy(c.api_key, "k\napi_url = http://evil");
	assert_int_equal(ns_api_config_save(home, &c, err, sizeof(err)), NS_ERR_INVALID);
}

static void test_load_bad(void **state)
{
	char home[128], path[192], err[256];
	ns_api_config c;
	FILE *f;
	int i;

	(void)state;
	snprintf(home, sizeof(home), "%s/bad", tmp);
	assert_int_equal(mkdir(home, 0700), 0);
	snprintf(path, sizeof(path), "%s/config", home);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("api_url = http://x\napi_key " KEY "\n", f);
	fclose(f);
	assert_int_equal(ns_api_config_load(home, &c, err, sizeof(err)), NS_ERR_FORMAT);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, ":2:"));
	assert_null(strstr(err, KEY)); /* the bad line is not quoted */
	assert_string_equal(c.api_url, "");

	/* over NS_API_CONFIG_MAX */
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < NS_API_CONFIG_MAX / 8 + 1; i++) {
		fputs("#567890\n", f);
	}
	fclose(f);
	assert_int_equal(ns_api_config_load(home, &c, err, sizeof(err)), NS_ERR_TOOBIG);
	/* exactly NS_API_CONFIG_MAX is fine */
	assert_int_equal(truncate(path, NS_API_CONFIG_MAX), 0);
	assert_int_equal(ns_api_config_load(home, &c, err, sizeof(err)), 0);

	/* a folder where the file should be */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_not_equal(ns_api_config_load(home, &c, err, sizeof(err)), 0);
	assert_int_not_equal(err[0], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_home),     cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_load_bad),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
