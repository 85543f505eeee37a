/* Tests for the pure parts of the built-in client (transport/client/client_util.c,
 * tty_modes.c, client_hostkey.c): targets, command joining, signal names,
 * terminal mode encoding and the known_hosts verdict with its messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "client_util.h"
#include "client_int.h"
#include "nullspace/known_hosts.h"
#include "session_util.h"
#include "tty_table.h"
#include "lib_sk.h"
#include "nullspace/authfile.h"
#include "nullspace/client.h"
#include "nullspace/error.h"

static void target_ok(const char *s, const char *user, const char *host, unsigned port)
{
	char u[64], h[64];
	unsigned p = 99;

	assert_int_equal(ns_client_parse_target(s, u, sizeof(u), h, sizeof(h), &p), 0);
	assert_string_equal(u, user);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
}

static void target_bad(const char *s)
{
	char u[64], h[64];
	unsigned p;

	assert_int_equal(ns_client_parse_target(s, u, sizeof(u), h, sizeof(h), &p), NS_ERR_INVALID);
}

static void test_target(void **state)
{
	(void)state;
	target_ok("root@127.0.0.1", "root", "127.0.0.1", 0);
	target_ok("root@example.org:2222", "root", "example.org", 2222);
	target_ok("me@[::1]:30022", "me", "::1", 30022);
	target_ok("me@[::1]", "me", "::1", 0);
	target_ok("me@::1", "me", "::1", 0);
	target_ok("a@b@host", "a@b", "host", 0); /* the last '@' splits */
	target_bad("host");
	target_bad("@host");
	target_bad("user@");
	target_bad("user@host:");
	target_bad("user@host:0");
	target_bad("user@host:65536");
	target_bad("user@host:22x");
	target_bad("user@[::1");
	target_bad("user@[::1]x");
	target_bad("user@[]:22");
	target_bad(NULL);
}

static void test_target_long(void **state)
{
	char u[8], h[8], s[64];
	unsigned p;

	(void)state;
	snprintf(s, sizeof(s), "%s@%s", "abcdefgh", "h");
	assert_int_equal(ns_client_parse_target(s, u, sizeof(u), h, sizeof(h), &p), NS_ERR_INVALID);
	snprintf(s, sizeof(s), "%s@%s", "u", "abcdefgh");
	assert_int_equal(ns_client_parse_target(s, u, sizeof(u), h, sizeof(h), &p), NS_ERR_INVALID);
}

static void test_join(void **state)
{
	const char *w[] = {"echo", "a b", "", "'c'"};
	char out[32], small[8];

	(void)state;
	assert_int_equal(ns_client_join_words(w, 4, out, sizeof(out)), 0);
	assert_string_equal(out, "echo a b  'c'");
	assert_int_equal(ns_client_join_words(w, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "echo");
	assert_int_equal(ns_client_join_words(w, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(ns_client_join_words(w, 2, small, sizeof(small)), NS_ERR_TOOBIG);
	assert_string_equal(small, "");
	/* exactly fits: "echo a b" is 8 bytes + NUL */
	assert_int_equal(ns_client_join_words(w, 2, out, 9), 0);
	assert_int_equal(ns_client_join_words(w, 2, out, 8), NS_ERR_TOOBIG);
}

static void test_signals(void **state)
{
	(void)state;
	assert_int_equal(ns_client_signal_number("TERM", 4), SIGTERM);
	assert_int_equal(ns_client_signal_number("KILL", 4), SIGKILL);
	assert_int_equal(ns_client_signal_number("SEGV", 4), SIGSEGV);
	assert_int_equal(ns_client_signal_number("USR2", 4), SIGUSR2);
	assert_int_equal(ns_client_signal_number("SIGINT", 6), SIGINT);
	assert_int_equal(ns_client_signal_number("HUPX", 3), SIGHUP); /* length counts */
	assert_int_equal(ns_client_signal_number("TER", 3), 0);
	assert_int_equal(ns_client_signal_number("SIG", 3), 0);
	assert_int_equal(ns_client_signal_number("FOO@openssh.com", 15), 0);
	assert_int_equal(ns_client_signal_number(NULL, 0), 0);
}

/* The argument of opcode op in an encoding, or -1. */
static long mode(const uint8_t *m, size_t len, uint8_t op)
{
	size_t i;

	for (i = 0; i + 5 <= len && m[i] != 0; i += 5) {
		if (m[i] == op) {
			return (long)(((uint32_t)m[i + 1] << 24) | ((uint32_t)m[i + 2] << 16) |
			              ((uint32_t)m[i + 3] << 8) | m[i + 4]);
		}
	}
	return -1;
}

static void test_modes(void **state)
{
	struct termios t;
	uint8_t m[NS_TTY_MODES_MAX];
	size_t len = 0;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.c_cc[VINTR] = 3;
	t.c_cc[VQUIT] = 034;
	t.c_cc[VERASE] = 0177;
	t.c_cc[VKILL] = 025;
	t.c_cc[VEOF] = 4;
	t.c_cc[VEOL] = _POSIX_VDISABLE;
	t.c_cc[VSTART] = 021;
	t.c_cc[VSTOP] = 023;
	t.c_cc[VSUSP] = 032;
	t.c_iflag = ICRNL | IXON;
	t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK;
	t.c_oflag = OPOST | ONLCR;
	t.c_cflag = CS8;
	cfsetispeed(&t, B9600); /* Linux keeps one speed for both */
	cfsetospeed(&t, B9600);
	assert_int_equal(ns_tty_modes_encode(&t, m, sizeof(m), &len), 0);
	assert_true(len % 5 == 1);
	assert_int_equal(m[len - 1], 0); /* TTY_OP_END */
	assert_int_equal(mode(m, len, 1), 3);
	assert_int_equal(mode(m, len, 2), 034);
	assert_int_equal(mode(m, len, 3), 0177);
	assert_int_equal(mode(m, len, 4), 025);
	assert_int_equal(mode(m, len, 5), 4);
	assert_int_equal(mode(m, len, 6), 255); /* disabled */
	assert_int_equal(mode(m, len, 8), 021);
	assert_int_equal(mode(m, len, 9), 023);
	assert_int_equal(mode(m, len, 10), 032);
	assert_int_equal(mode(m, len, 50), 1); /* ISIG */
	assert_int_equal(mode(m, len, 51), 1); /* ICANON */
	assert_int_equal(mode(m, len, 53), 1); /* ECHO */
	assert_int_equal(mode(m, len, 54), 1); /* ECHOE */
	assert_int_equal(mode(m, len, 55), 1); /* ECHOK */
	assert_int_equal(mode(m, len, 56), 0); /* ECHONL */
	assert_int_equal(mode(m, len, 36), 1); /* ICRNL */
	assert_int_equal(mode(m, len, 38), 1); /* IXON */
	assert_int_equal(mode(m, len, 40), 0); /* IXOFF */
	assert_int_equal(mode(m, len, 70), 1); /* OPOST */
	assert_int_equal(mode(m, len, 72), 1); /* ONLCR */
	assert_int_equal(mode(m, len, 90), 0); /* CS7 */
	assert_int_equal(mode(m, len, 91), 1); /* CS8 */
	assert_int_equal(mode(m, len, 128), 9600);
	assert_int_equal(mode(m, len, 129), 9600);
	/* raw: flags off */
	t.c_lflag = 0;
	t.c_oflag = 0;
	t.c_cflag = CS7;
	cfsetispeed(&t, B115200);
	cfsetospeed(&t, B115200);
	assert_int_equal(ns_tty_modes_encode(&t, m, sizeof(m), &len), 0);
	assert_int_equal(mode(m, len, 51), 0);
	assert_int_equal(mode(m, len, 70), 0);
	assert_int_equal(mode(m, len, 90), 1);
	assert_int_equal(mode(m, len, 91), 0);
	assert_int_equal(mode(m, len, 129), 115200);
	assert_int_equal(ns_tty_modes_encode(&t, m, 20, &len), NS_ERR_INVALID);
}

/* What the client encodes, the agent applies to the same termios: one
 * table on both sides, every mode of it, both ways for each flag. */
static void test_modes_round_trip(void **state)
{
	struct termios a, b;
	uint8_t m[NS_TTY_MODES_MAX];
	size_t len, i;
	int flip;

	(void)state;
	for (flip = 0; flip < 2; flip++) {
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		for (i = 0; i < ns_tty_nmodes; i++) {
			const ns_tty_mode *md = &ns_tty_modes[i];
			uint32_t v = md->field == NS_TTY_CC     ? (i * 13 + flip) % 200
			             : md->field == NS_TTY_SIZE ? (md->bit == CS8) != flip
			                                        : (i + flip) % 2;
			ns_tty_mode_set(&a, md, v);
		}
		cfsetispeed(&a, flip ? B115200 : B9600);
		cfsetospeed(&a, flip ? B115200 : B9600);
		assert_int_equal(ns_tty_modes_encode(&a, m, sizeof(m), &len), 0);
		assert_int_equal(len, 5 * (2 + ns_tty_nmodes) + 1);
		assert_int_equal(ns_session_modes_apply((ns_str){m, len}, &b), 0);
		for (i = 0; i < ns_tty_nmodes; i++) {
			assert_int_equal(ns_tty_mode_get(&b, &ns_tty_modes[i]),
			                 ns_tty_mode_get(&a, &ns_tty_modes[i]));
		}
		assert_int_equal(cfgetospeed(&b), cfgetospeed(&a));
		assert_int_equal(cfgetispeed(&b), cfgetispeed(&a));
	}
}

/* known_hosts verdicts through a temp file. */
typedef struct kh_fixture {
	char path[64];
	ns_client c;
	ns_client_config cfg;
	uint8_t pk[32], other[32];
	ns_pubkey k_pk, k_other; /* the same keys as ns_pubkey */
} kh_fixture;

static void write_known(kh_fixture *f, const char *text)
{
	FILE *fp = fopen(f->path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void line_for(const char *host, unsigned port, const uint8_t pk[32], char *out, size_t cap)
{
	assert_int_equal(ns_known_hosts_line(host, port, pk, out, cap), 0);
}

static void as_pubkey(const uint8_t pk[32], ns_pubkey *k)
{
	uint8_t blob[NS_KEY_BLOB_LEN];

	ns_key_blob(pk, blob);
	assert_int_equal(ns_pubkey_from_blob(blob, sizeof(blob), k, NULL), 0);
}

/* ECDSA host keys: a line of another type makes the key unknown, not
 * changed (as ssh); another ECDSA key for the host is a change. */
static void test_hostkey_ecdsa(void **state)
{
	static kh_fixture f;
	static lib_sk a, b;
	char la[1024], lb[1024], ed[512], text[4096];
	int fd;

	(void)state;
	memset(&f, 0, sizeof(f));
	snprintf(f.path, sizeof(f.path), "/tmp/ns_test_kh_XXXXXX");
	assert_true((fd = mkstemp(f.path)) >= 0);
	close(fd);
	lib_ecdsa_new(&a, 1);
	lib_ecdsa_new(&b, 2);
	randombytes_buf(f.pk, 32);
	snprintf(f.c.host, sizeof(f.c.host), "127.0.0.1");
	f.c.port = 30022;
	f.cfg.known_hosts = f.path;
	assert_int_equal(ns_known_hosts_line_key("127.0.0.1", 30022, &a.key, la, sizeof(la)), 0);
	assert_int_equal(ns_known_hosts_line_key("127.0.0.1", 30022, &b.key, lb, sizeof(lb)), 0);
	assert_non_null(strstr(la, "[127.0.0.1]:30022 ecdsa-sha2-nistp256 AAAA"));
	line_for("127.0.0.1", 30022, f.pk, ed, sizeof(ed));

	snprintf(text, sizeof(text), "%s\n", ed);
	write_known(&f, text);
	assert_int_equal(ns_client_check_hostkey(&f.c, &f.cfg, &a.key), NS_ERR_HOSTKEY_UNKNOWN);
	assert_non_null(strstr(f.c.err, "offered ecdsa-sha2-nistp256 SHA256:"));
	assert_non_null(strstr(f.c.err, la)); /* the line to add */

	snprintf(text, sizeof(text), "%s\n%s\n", ed, lb);
	write_known(&f, text);
	assert_int_equal(ns_client_check_hostkey(&f.c, &f.cfg, &a.key), NS_ERR_HOSTKEY_CHANGED);
	assert_non_null(strstr(f.c.err, "line 2"));

	snprintf(text, sizeof(text), "%s\n%s\n", ed, la);
	write_known(&f, text);
	assert_int_equal(ns_client_check_hostkey(&f.c, &f.cfg, &a.key), 0);
	snprintf(text, sizeof(text), "@revoked * %s\n%s\n", strchr(la, ' ') + 1, la);
	write_known(&f, text);
	assert_int_equal(ns_client_check_hostkey(&f.c, &f.cfg, &a.key), NS_ERR_REVOKED);
	unlink(f.path);
}

static void test_hostkey(void **state)
{
	static kh_fixture f;
	char l1[512], l2[512], text[2048], fp[NS_FINGERPRINT_LEN];
	int fd;

	(void)state;
	memset(&f, 0, sizeof(f));
	snprintf(f.path, sizeof(f.path), "/tmp/ns_test_kh_XXXXXX");
	assert_true((fd = mkstemp(f.path)) >= 0);
	close(fd);
	randombytes_buf(f.pk, 32);
	randombytes_buf(f.other, 32);
	as_pubkey(f.pk, &f.k_pk);
	as_pubkey(f.other, &f.k_other);
	ns_key_fingerprint(f.pk, fp);
	snprintf(f.c.host, sizeof(f.c.host), "127.0.0.1");
	f.c.port = 30022;
	f.cfg.known_hosts = f.path;

	write_known(&f, "# comment\n");
	assert_int_equal(ns_client_check_hostkey(&f.c, &f.cfg, &f.k_pk), NS_ERR_HOSTKEY_UNKNOWN);
	assert_non_null(strstr(f.c.err, "[127.0.0.1]:30022"));
	assert_non_null(strstr(f.c.err, fp));
	assert_non_null(strstr(f.c.err, f.path));
	line_for("127.0.0.1", 30022, f.pk, l1, sizeof(l1));
	assert_non_null(strstr(f.c.err, l1)); /* the line to add */

	line_for("127.0.0.1", 30022, f.other, l2, sizeof(l2));
	snprintf(text, sizeof(text), "# comment\notherhost %s\n%s\n", strchr(l2, ' ') + 1, l2);
	write_known(&f, text);
	assert_int_equal(ns_client_check_hostkey(&f.c, &f.cfg, &f.k_pk), NS_ERR_HOSTKEY_CHANGED);
	assert_non_null(strstr(f.c.err, "CHANGED"));
	assert_non_null(strstr(f.c.err, fp));
	assert_non_null(strstr(f.c.err, "line 3"));

	snprintf(text, sizeof(text), "%s\n", l1);
	write_known(&f, text);
	assert_int_equal(ns_client_check_hostkey(&f.c, &f.cfg, &f.k_pk), 0);

	unlink(f.path);
	assert_int_equal(ns_client_check_hostkey(&f.c, &f.cfg, &f.k_pk), NS_ERR_HOSTKEY_UNKNOWN);
	assert_non_null(strstr(f.c.err, "does not exist"));

	f.cfg.hostkey_policy = NS_HOSTKEY_PINNED;
	f.cfg.hostkey_pin = f.pk;
	assert_int_equal(ns_client_check_hostkey(&f.c, &f.cfg, &f.k_pk), 0);
	assert_int_equal(ns_client_check_hostkey(&f.c, &f.cfg, &f.k_other), NS_ERR_HOSTKEY_CHANGED);
}

static void test_buf(void **state)
{
	ns_client_buf b;
	uint8_t data[100];

	(void)state;
	memset(&b, 0, sizeof(b));
	memset(data, 'x', sizeof(data));
	b.max = 150;
	assert_int_equal(ns_client_buf_append(&b, data, 100), 0);
	assert_int_equal(ns_client_buf_append(&b, data, 50), 0);
	assert_int_equal(ns_client_buf_append(&b, data, 1), NS_ERR_TOOBIG);
	assert_int_equal(b.len, 150);
	b.max = 180;
	assert_int_equal(ns_client_buf_append(&b, data, 100), NS_ERR_TOOBIG);
	assert_int_equal(b.len, 180); /* what fits is kept */
	ns_client_buf_free(&b);
	assert_null(b.p);
	ns_client_buf_free(&b);
}

static void test_connect_invalid(void **state)
{
	ns_client_config cfg;
	ns_client *c = (ns_client *)1;
	char err[128] = "";
	ns_key key;

	(void)state;
	ns_client_config_init(&cfg);
	assert_int_equal(ns_client_connect(&cfg, &c, err, sizeof(err)), NS_ERR_INVALID);
	assert_null(c);
	assert_true(err[0] != '\0');
	assert_int_equal(ns_key_generate(&key, "t"), 0);
	cfg.host = "127.0.0.1";
	cfg.port = 1; /* nothing listens there */
	cfg.user = "u";
	cfg.key = &key;
	cfg.known_hosts = "/nonexistent";
	assert_int_equal(ns_client_connect(&cfg, &c, err, sizeof(err)), NS_ERR_IO);
	assert_non_null(strstr(err, "127.0.0.1"));
	ns_key_wipe(&key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_target),  cmocka_unit_test(test_target_long),
	    cmocka_unit_test(test_join),    cmocka_unit_test(test_signals),
	    cmocka_unit_test(test_modes),   cmocka_unit_test(test_modes_round_trip),
	    cmocka_unit_test(test_hostkey), cmocka_unit_test(test_hostkey_ecdsa),
	    cmocka_unit_test(test_buf),     cmocka_unit_test(test_connect_invalid),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
