/* Tests for core/version.c: identification lines as real peers send them,
 * banner lines before them, and the limits of RFC 4253 section 4.2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/error.h"
#include "version.h"

static int parse(const char *s, size_t *consumed, int *is_version, ns_str *line)
{
	return ns_version_parse((const uint8_t *)s, strlen(s), consumed, is_version, line);
}

/* A complete version line: parsed, line without CR LF, all of it consumed. */
static void expect_version(const char *s)
{
	size_t consumed, n = strlen(s);
	int is_version, rc;
	ns_str line;

	rc = parse(s, &consumed, &is_version, &line);
	assert_int_equal(rc, 0);
	assert_int_equal(is_version, 1);
	assert_int_equal(consumed, n);
	assert_ptr_equal(line.p, (const uint8_t *)s);
	n -= s[n - 2] == '\r' ? 2 : 1;
	assert_int_equal(line.len, n);
}

static void expect_error(const char *s, int want)
{
	size_t consumed;
	int is_version;
	ns_str line;

	assert_int_equal(parse(s, &consumed, &is_version, &line), want);
	assert_int_equal(consumed, 0);
	assert_int_equal(is_version, 0);
	assert_null(line.p);
}

static void test_openssh(void **state)
{
	(void)state;
	expect_version("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6\r\n");
	expect_version("SSH-2.0-OpenSSH_10.0\r\n");
	expect_version("SSH-2.0-OpenSSH_for_Windows_9.5\r\n");
	expect_version("SSH-2.0-dropbear_2022.83\r\n");
	expect_version("SSH-2.0-PuTTY_Release_0.81\r\n");
	expect_version("SSH-2.0-Go\r\n");
	expect_version("SSH-2.0-x\r\n");
	expect_version("SSH-2.0-libssh_0.10.6\r\n");
	/* '-' in the software version: RFC says no, real peers say yes. */
	expect_version("SSH-2.0-Cisco-1.25\r\n");
	/* Comments may hold anything printable, trailing space included. */
	expect_version("SSH-2.0-foo some comments - here\r\n");
	expect_version("SSH-2.0-foo \r\n");
}

static void test_line_content(void **state)
{
	const char *s = "SSH-2.0-OpenSSH_9.6\r\nrest";
	size_t consumed;
	int is_version;
	ns_str line;

	(void)state;
	assert_int_equal(parse(s, &consumed, &is_version, &line), 0);
	assert_int_equal(consumed, 21);
	assert_int_equal(line.len, 19);
	assert_memory_equal(line.p, "SSH-2.0-OpenSSH_9.6", 19);
}

static void test_lf_only(void **state)
{
	(void)state;
	expect_version("SSH-2.0-OpenSSH_9.2\n");
	expect_version("SSH-2.0-x comment\n");
}

static void test_protocols(void **state)
{
	(void)state;
	expect_version("SSH-1.99-OpenSSH_3.9p1\r\n");
	expect_error("SSH-1.5-OpenSSH_3.9p1\r\n", NS_ERR_UNSUPPORTED);
	expect_error("SSH-1.0-x\r\n", NS_ERR_UNSUPPORTED);
	expect_error("SSH-3.0-x\r\n", NS_ERR_UNSUPPORTED);
	expect_error("SSH-2.00-x\r\n", NS_ERR_UNSUPPORTED);
	expect_error("SSH-2-x\r\n", NS_ERR_UNSUPPORTED);
	expect_error("SSH--x\r\n", NS_ERR_UNSUPPORTED);
	expect_error("SSH-2.0\r\n", NS_ERR_FORMAT); /* no software version at all */
	expect_error("SSH-\r\n", NS_ERR_FORMAT);
}

static void test_software_version(void **state)
{
	(void)state;
	expect_error("SSH-2.0-\r\n", NS_ERR_FORMAT);
	expect_error("SSH-2.0-\n", NS_ERR_FORMAT);
	expect_error("SSH-2.0- comment\r\n", NS_ERR_FORMAT);
	expect_error("SSH-2.0-\tx\r\n", NS_ERR_FORMAT);
	expect_error("SSH-2.0-a\tb\r\n", NS_ERR_FORMAT);
	expect_error("SSH-2.0-caf\xc3\xa9\r\n", NS_ERR_FORMAT);
	expect_error("SSH-2.0-x\x7f\r\n", NS_ERR_FORMAT);
	expect_error("SSH-2.0-x\r\r\n", NS_ERR_FORMAT);
	expect_error("SSH-2.0-x\ry\r\n", NS_ERR_FORMAT);
}

/* Lines before the version line (a server may send them): returned as-is,
 * one per call, the caller skipping them up to its NS_BANNER_MAX. */
static void test_banner_lines(void **state)
{
	const char *s = "Welcome to host\r\n\nSSH but not a version\n\xc3\xa9t\xc3\xa9\t\r\n"
	                "SSH-2.0-OpenSSH_9.6\r\n";
	const uint8_t *p = (const uint8_t *)s;
	size_t len = strlen(s), consumed;
	int is_version;
	ns_str line;

	(void)state;
	assert_int_equal(ns_version_parse(p, len, &consumed, &is_version, &line), 0);
	assert_int_equal(is_version, 0);
	assert_int_equal(consumed, 17);
	assert_int_equal(line.len, 15);
	assert_memory_equal(line.p, "Welcome to host", 15);
	p += consumed, len -= consumed;
	assert_int_equal(ns_version_parse(p, len, &consumed, &is_version, &line), 0);
	assert_int_equal(is_version, 0);
	assert_int_equal(consumed, 1);
	assert_int_equal(line.len, 0);
	p += consumed, len -= consumed;
	assert_int_equal(ns_version_parse(p, len, &consumed, &is_version, &line), 0);
	assert_int_equal(is_version, 0);
	assert_int_equal(line.len, 21);
	p += consumed, len -= consumed;
	assert_int_equal(ns_version_parse(p, len, &consumed, &is_version, &line), 0);
	assert_int_equal(is_version, 0); /* not printable, but not a version line */
	p += consumed, len -= consumed;
	assert_int_equal(ns_version_parse(p, len, &consumed, &is_version, &line), 0);
	assert_int_equal(is_version, 1);
	assert_int_equal(consumed, len);
	expect_error("SSH-2.0-OpenSSH_9.6", NS_ERR_AGAIN);
}

static void test_partial(void **state)
{
	const char *s = "SSH-2.0-OpenSSH_9.6\r\n";
	size_t n, consumed;
	int is_version;
	ns_str line;

	(void)state;
	for (n = 0; n < strlen(s); n++) {
		assert_int_equal(
		    ns_version_parse((const uint8_t *)s, n, &consumed, &is_version, &line),
		    NS_ERR_AGAIN);
		assert_int_equal(consumed, 0);
	}
	expect_version(s);
}

static void test_too_long(void **state)
{
	char s[600];
	size_t consumed;
	int is_version;
	ns_str line;

	(void)state;
	/* 253 characters + CR LF = 255: the longest line allowed. */
	memset(s, 'a', sizeof(s));
	memcpy(s, "SSH-2.0-", 8);
	memcpy(s + 253, "\r\n", 3);
	expect_version(s);
	/* Same with bare LF: 254 + LF. */
	memcpy(s + 253, "a\n", 3);
	expect_version(s);
	/* One byte more. */
	memcpy(s + 253, "a\r\n", 4);
	expect_error(s, NS_ERR_TOOBIG);
	memcpy(s + 253, "aa\n", 4);
	expect_error(s, NS_ERR_TOOBIG);
	/* No LF within 255 bytes: too big, not "again", whatever follows. */
	memset(s, 'b', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	expect_error(s, NS_ERR_TOOBIG);
	assert_int_equal(ns_version_parse((const uint8_t *)s, 255, &consumed, &is_version, &line),
	                 NS_ERR_TOOBIG);
	assert_int_equal(ns_version_parse((const uint8_t *)s, 254, &consumed, &is_version, &line),
	                 NS_ERR_AGAIN);
	/* Banner lines have the same limit. */
	memcpy(s + 300, "\r\n", 3);
	expect_error(s, NS_ERR_TOOBIG);
}

static void test_nul(void **state)
{
	static const uint8_t v[] = "SSH-2.0-Open\0SSH\r\n";
	static const uint8_t b[] = "hello\0world\r\nSSH-2.0-x\r\n";
	static const uint8_t early[] = "SSH-2.0\0";
	size_t consumed;
	int is_version;
	ns_str line;

	(void)state;
	assert_int_equal(ns_version_parse(v, sizeof(v) - 1, &consumed, &is_version, &line),
	                 NS_ERR_FORMAT);
	assert_int_equal(ns_version_parse(b, sizeof(b) - 1, &consumed, &is_version, &line),
	                 NS_ERR_FORMAT);
	/* Refused as soon as it arrives, before the line is complete. */
	assert_int_equal(ns_version_parse(early, sizeof(early) - 1, &consumed, &is_version, &line),
	                 NS_ERR_FORMAT);
	assert_int_equal(ns_version_parse(early + 7, 1, &consumed, &is_version, &line),
	                 NS_ERR_FORMAT);
	/* A NUL after the LF belongs to the next line. */
	assert_int_equal(
	    ns_version_parse((const uint8_t *)"SSH-2.0-x\n\0", 11, &consumed, &is_version, &line),
	    0);
	assert_int_equal(consumed, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_openssh),
	    cmocka_unit_test(test_line_content),
	    cmocka_unit_test(test_lf_only),
	    cmocka_unit_test(test_protocols),
	    cmocka_unit_test(test_software_version),
	    cmocka_unit_test(test_banner_lines),
	    cmocka_unit_test(test_partial),
	    cmocka_unit_test(test_too_long),
	    cmocka_unit_test(test_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
