/* Tests for transport/common/registry.c: the entry parser over valid and invalid
 * files, sandbox ids, and the file operations in a mkdtemp folder (round
 * trip, symlinks and non-regular files refused, atomic rewrites). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "registry.h"

/* ssh-keygen -t ed25519 -C test (as in tests/test_authfile.c) */
#define KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfKll5C3VKMwONnIhoIKOq/uogrlCFlGQkt3uiRnDpi"
static const uint8_t PK[32] = {
    0x77, 0xca, 0x96, 0x5e, 0x42, 0xdd, 0x52, 0x8c, 0xc0, 0xe3, 0x67, 0x22, 0x1a, 0x08, 0x28, 0xea,
    0xbf, 0xba, 0x88, 0x2b, 0x94, 0x21, 0x65, 0x19, 0x09, 0x2d, 0xde, 0xe8, 0x91, 0x9c, 0x3a, 0x62,
};

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static int parse(const char *text, ns_registry_entry *e, const char **why)
{
	return ns_registry_parse(text, strlen(text), e, why);
}

static void test_parse_valid(void **state)
{
	ns_registry_entry e;
	const char *why = "unset";

	(void)state;
	assert_int_equal(parse("endpoint=127.0.0.1:41001\nhost_key=" KEY "\n", &e, &why), 0);
	assert_null(why);
	assert_string_equal(e.endpoint, "127.0.0.1:41001");
	assert_memory_equal(e.host_key, PK, 32);
	assert_int_equal(e.state, NS_SANDBOX_RUNNING);
	assert_string_equal(e.user, "sandbox");
	assert_string_equal(e.id, "");
	/* every key, comments, blank lines, CRLF, unknown keys, no final newline */
	assert_int_equal(
	    parse("# written by the API\r\n\r\n  \t\nendpoint=[::1]:22\r\nhost_key=" KEY
	          " a comment\r\nstate=stopped\r\nuser=dev.user_1-x\r\nzone=eu-1\r\n"
	          "zone=repeated unknown keys are fine",
	          &e, &why),
	    0);
	assert_string_equal(e.endpoint, "[::1]:22");
	assert_int_equal(e.state, NS_SANDBOX_STOPPED);
	assert_string_equal(e.user, "dev.user_1-x");
	assert_int_equal(
	    parse("host_key=" KEY "\nendpoint=unix:/run/ns/agent.sock\nstate=running\n", &e, NULL),
	    0);
	assert_string_equal(e.endpoint, "unix:/run/ns/agent.sock");
	assert_int_equal(parse("endpoint=agent-1.sandbox.internal:65535\nhost_key=" KEY, &e, NULL),
	                 0);
	assert_int_equal(parse("endpoint=h:1\nhost_key=" KEY "\nuser=" /* 64 characters */
	                       "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu",
	                       &e, NULL),
	                 0);
	assert_int_equal(strlen(e.user), 64);
}

static void assert_invalid(const char *text, const char *reason)
{
	ns_registry_entry e;
	const char *why = NULL;

	memset(&e, 0xa5, sizeof(e));
	if (parse(text, &e, &why) != NS_ERR_FORMAT) {
		fail_msg("accepted: %s", text);
	}
	assert_non_null(why);
	if (reason != NULL && strcmp(why, reason) != 0) {
		fail_msg("%s: got '%s', want '%s'", text, why, reason);
	}
	assert_int_equal(e.endpoint[0], 0); /* nothing half-parsed is left */
	assert_int_equal(e.state, 0);
}

#define HK "\nhost_key=" KEY "\n"

static void test_parse_invalid(void **state)
{
	(void)state;
	assert_invalid("", "missing endpoint");
	assert_invalid("# only a comment\n", "missing endpoint");
	assert_invalid("host_key=" KEY "\n", "missing endpoint");
	assert_invalid("endpoint=127.0.0.1:1\n", "missing host_key");
	assert_invalid("endpoint=127.0.0.1:1\nendpoint=127.0.0.1:2" HK, "repeated endpoint");
	assert_invalid("endpoint=127.0.0.1:1" HK "host_key=" KEY, "repeated host_key");
	assert_invalid("endpoint=127.0.0.1:1" HK "state=running\nstate=running", "repeated state");
	assert_invalid("endpoint=127.0.0.1:1" HK "user=a\nuser=a", "repeated user");
	assert_invalid("endpoint=127.0.0.1:1" HK "just words", "line is not key=value");
	assert_invalid("endpoint=127.0.0.1:1" HK "=value", "line is not key=value");
	assert_invalid("endpoint=127.0.0.1:1" HK "bad key=1", "bad key");
	assert_invalid(" endpoint=127.0.0.1:1" HK, "bad key");
	/* endpoints */
	assert_invalid("endpoint=" HK, "bad endpoint");
	assert_invalid("endpoint=127.0.0.1" HK, "bad endpoint");
	assert_invalid("endpoint=127.0.0.1:" HK, "bad endpoint");
	assert_invalid("endpoint=127.0.0.1:0" HK, "bad endpoint");
	assert_invalid("endpoint=127.0.0.1:65536" HK, "bad endpoint");
	assert_invalid("endpoint=127.0.0.1:99999" HK, "bad endpoint");
	assert_invalid("endpoint=127.0.0.1:123456" HK, "bad endpoint");
	assert_invalid("endpoint=127.0.0.1:022" HK, "bad endpoint");
	assert_invalid("endpoint=127.0.0.1:+22" HK, "bad endpoint");
	assert_invalid("endpoint=127.0.0.1:22x" HK, "bad endpoint");
	assert_invalid("endpoint=:22" HK, "bad endpoint");
	assert_invalid("endpoint=-host:22" HK, "bad endpoint");
	assert_invalid("endpoint=ho st:22" HK, "bad endpoint");
	assert_invalid("endpoint=host/x:22" HK, "bad endpoint");
	assert_invalid("endpoint=127.0.0.1:22 " HK, "bad endpoint");
	assert_invalid("endpoint=::1:22" HK, "bad endpoint");
	assert_invalid("endpoint=[::1]" HK, "bad endpoint");
	assert_invalid("endpoint=[::1]:" HK, "bad endpoint");
	assert_invalid("endpoint=[::1]22" HK, "bad endpoint");
	assert_invalid("endpoint=[::1:22" HK, "bad endpoint");
	assert_invalid("endpoint=[zz::1]:22" HK, "bad endpoint");
	assert_invalid("endpoint=[127.0.0.1]:22" HK, "bad endpoint");
	assert_invalid("endpoint=[]:22" HK, "bad endpoint");
	assert_invalid("endpoint=unix:" HK, "bad endpoint");
	assert_invalid("endpoint=unix:relative/path" HK, "bad endpoint");
	assert_invalid("endpoint=unix:/a b" HK, "bad endpoint");
	/* host keys, states, users */
	assert_invalid("endpoint=h:1\nhost_key=\n", "bad host_key");
	assert_invalid("endpoint=h:1\nhost_key=ssh-ed25519 AAAA\n", "bad host_key");
	assert_invalid("endpoint=h:1\nhost_key=ssh-rsa "
	               "AAAAC3NzaC1lZDI1NTE5AAAAIHfKll5C3VKMwONnIhoIKOq/uogrlCFlGQkt3uiRnDpi\n",
	               "bad host_key");
	assert_invalid("endpoint=h:1" HK "state=Running", "bad state");
	assert_invalid("endpoint=h:1" HK "state=", "bad state");
	assert_invalid("endpoint=h:1" HK "state=running ", "bad state");
	assert_invalid("endpoint=h:1" HK "user=", "bad user");
	assert_invalid("endpoint=h:1" HK "user=a b", "bad user");
	assert_invalid("endpoint=h:1" HK "user=a/b", "bad user");
	assert_invalid("endpoint=h:1" HK
	               "user=uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu",
	               "bad user");
	/* line endings */
	assert_invalid("endpoint=h:1\r\r" HK, "stray carriage return"); /* one CR is removed */
	assert_invalid("endpoint=h:1\rstate=stopped" HK, "stray carriage return");
}

static void test_parse_limits(void **state)
{
	char *text = malloc(NS_REGISTRY_FILE_MAX + 2);
	ns_registry_entry e;
	const char *why;
	size_t n;

	(void)state;
	assert_non_null(text);
	/* a comment line of exactly 1024 bytes is fine, 1025 is not */
	n = (size_t)sprintf(text, "endpoint=h:1" HK);
	memset(text + n, '#', 1024);
	assert_int_equal(ns_registry_parse(text, n + 1024, &e, NULL), 0);
	text[n + 1024] = '\r'; /* the CR of a CRLF does not count */
	assert_int_equal(ns_registry_parse(text, n + 1025, &e, NULL), 0);
	text[n + 1024] = '#';
	assert_int_equal(ns_registry_parse(text, n + 1025, &e, &why), NS_ERR_FORMAT);
	assert_string_equal(why, "line too long");
	/* the whole file: NS_REGISTRY_FILE_MAX bytes of short lines, then one more */
	memset(text + n, '\n', NS_REGISTRY_FILE_MAX + 1 - n);
	assert_int_equal(ns_registry_parse(text, NS_REGISTRY_FILE_MAX, &e, NULL), 0);
	assert_int_equal(ns_registry_parse(text, NS_REGISTRY_FILE_MAX + 1, &e, &why),
	                 NS_ERR_FORMAT);
	assert_string_equal(why, "file too large");
	/* a unix socket path fills sun_path (108) with its NUL: 107 bytes at most */
	n = (size_t)sprintf(text, "host_key=" KEY "\nendpoint=unix:/");
	memset(text + n, 'p', 106);
	assert_int_equal(ns_registry_parse(text, n + 106, &e, NULL), 0);
	text[n + 106] = 'p';
	assert_int_equal(ns_registry_parse(text, n + 107, &e, &why), NS_ERR_FORMAT);
	assert_string_equal(why, "bad endpoint");
	/* a NUL anywhere */
	n = (size_t)sprintf(text, "endpoint=h:1" HK);
	text[n + 3] = '\0';
	assert_int_equal(ns_registry_parse(text, n + 10, &e, &why), NS_ERR_FORMAT);
	assert_string_equal(why, "NUL byte");
	free(text);
}

static void test_id_valid(void **state)
{
	char id[NS_SANDBOX_ID_MAX + 2];

	(void)state;
	assert_true(ns_registry_id_valid("sb_123"));
	assert_true(ns_registry_id_valid("A-z_0"));
	assert_false(ns_registry_id_valid(NULL));
	assert_false(ns_registry_id_valid(""));
	assert_false(ns_registry_id_valid("."));
	assert_false(ns_registry_id_valid(".."));
	assert_false(ns_registry_id_valid("../etc/passwd"));
	assert_false(ns_registry_id_valid("a/b"));
	assert_false(ns_registry_id_valid("/abs"));
	assert_false(ns_registry_id_valid(".hidden"));
	assert_false(ns_registry_id_valid("sb.1"));
	assert_false(ns_registry_id_valid("sb 1"));
	assert_false(ns_registry_id_valid("sb\n1"));
	memset(id, 'a', NS_SANDBOX_ID_MAX);
	id[NS_SANDBOX_ID_MAX] = '\0';
	assert_true(ns_registry_id_valid(id));
	id[NS_SANDBOX_ID_MAX] = 'a';
	id[NS_SANDBOX_ID_MAX + 1] = '\0';
	assert_false(ns_registry_id_valid(id));
}

struct tmpdir {
	char path[64];
};

static void dir_make(struct tmpdir *d)
{
	strcpy(d->path, "/tmp/ns_registry_XXXXXX");
	assert_non_null(mkdtemp(d->path));
}

static void dir_file(struct tmpdir *d, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", d->path, name);
}

static void dir_remove(struct tmpdir *d)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	assert_int_equal(system(cmd), 0);
}

static void put(struct tmpdir *d, const char *name, const char *text)
{
	char path[128];
	FILE *f;

	dir_file(d, name, path, sizeof(path));
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static ns_registry_entry entry(const char *id, const char *endpoint, int state)
{
	ns_registry_entry e;

	memset(&e, 0, sizeof(e));
	strcpy(e.id, id);
	strcpy(e.endpoint, endpoint);
	memcpy(e.host_key, PK, 32);
	e.state = state;
	return e;
}

static void test_round_trip(void **state)
{
	ns_registry_entry e = entry("sb_test", "127.0.0.1:41001", NS_SANDBOX_STOPPED), got;
	struct tmpdir d;
	char path[160];
	struct stat st;

	(void)state;
	dir_make(&d);
	assert_int_equal(ns_registry_lookup(d.path, "sb_test", &got), NS_ERR_NOTFOUND);
	assert_int_equal(ns_registry_write(d.path, &e), 0);
	assert_int_equal(ns_registry_lookup(d.path, "sb_test", &got), 0);
	assert_string_equal(got.id, "sb_test");
	assert_string_equal(got.endpoint, "127.0.0.1:41001");
	assert_memory_equal(got.host_key, PK, 32);
	assert_int_equal(got.state, NS_SANDBOX_STOPPED);
	assert_string_equal(got.user, "sandbox"); /* an empty user is written as the default */
	dir_file(&d, "sb_test", path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* rewrite with every field changed */
	e = entry("sb_test", "unix:/run/agent.sock", NS_SANDBOX_RUNNING);
	strcpy(e.user, "dev");
	e.host_key[0] ^= 1;
	assert_int_equal(ns_registry_write(d.path, &e), 0);
	assert_int_equal(ns_registry_lookup(d.path, "sb_test", &got), 0);
	assert_string_equal(got.endpoint, "unix:/run/agent.sock");
	assert_memory_equal(got.host_key, e.host_key, 32);
	assert_int_equal(got.state, NS_SANDBOX_RUNNING);
	assert_string_equal(got.user, "dev");
	/* a file written by hand is read the same way */
	put(&d, "sb_hand", "# by hand\r\nendpoint=[::1]:7\r\nhost_key=" KEY "\r\n");
	assert_int_equal(ns_registry_lookup(d.path, "sb_hand", &got), 0);
	assert_string_equal(got.endpoint, "[::1]:7");
	/* remove, twice */
	assert_int_equal(ns_registry_remove(d.path, "sb_test"), 0);
	assert_int_equal(ns_registry_lookup(d.path, "sb_test", &got), NS_ERR_NOTFOUND);
	assert_int_equal(ns_registry_remove(d.path, "sb_test"), 0);
	/* no temporary files are left behind */
	snprintf(path, sizeof(path), "test -z \"$(ls -A '%s' | grep '^[.]')\"", d.path);
	assert_int_equal(system(path), 0);
	dir_remove(&d);
}

static void test_write_refused(void **state)
{
	ns_registry_entry e, got;
	struct tmpdir d;

	(void)state;
	dir_make(&d);
	e = entry("sb_1", "not an endpoint", NS_SANDBOX_RUNNING);
	assert_int_equal(ns_registry_write(d.path, &e), NS_ERR_INVALID);
	e = entry("sb_1", "127.0.0.1:1\nstate=stopped", NS_SANDBOX_RUNNING); /* injection */
	assert_int_equal(ns_registry_write(d.path, &e), NS_ERR_INVALID);
	e = entry("sb_1", "127.0.0.1:1", 7);
	assert_int_equal(ns_registry_write(d.path, &e), NS_ERR_INVALID);
	e = entry("sb_1", "127.0.0.1:1", NS_SANDBOX_RUNNING);
	strcpy(e.user, "a\nstate=stopped");
	assert_int_equal(ns_registry_write(d.path, &e), NS_ERR_INVALID);
	e = entry("../x", "127.0.0.1:1", NS_SANDBOX_RUNNING);
	assert_int_equal(ns_registry_write(d.path, &e), NS_ERR_INVALID);
	assert_int_equal(ns_registry_lookup(d.path, "sb_1", &got), NS_ERR_NOTFOUND);
	e = entry("sb_1", "127.0.0.1:1", NS_SANDBOX_RUNNING);
	assert_int_equal(ns_registry_write("/nonexistent/dir", &e), NS_ERR_IO);
	dir_remove(&d);
}

static void test_bad_ids_and_files(void **state)
{
	char path[128], target[128], big[NS_REGISTRY_FILE_MAX + 100];
	ns_registry_entry got;
	struct tmpdir d;
	size_t n;
	FILE *f;

	(void)state;
	dir_make(&d);
	put(&d, "sb_ok", "endpoint=127.0.0.1:1" HK);
	assert_int_equal(ns_registry_lookup(d.path, "", &got), NS_ERR_INVALID);
	assert_int_equal(ns_registry_lookup(d.path, ".", &got), NS_ERR_INVALID);
	assert_int_equal(ns_registry_lookup(d.path, "..", &got), NS_ERR_INVALID);
	assert_int_equal(ns_registry_lookup(d.path, "../sb_ok", &got), NS_ERR_INVALID);
	assert_int_equal(ns_registry_lookup(d.path, "x/sb_ok", &got), NS_ERR_INVALID);
	assert_int_equal(
	    ns_registry_lookup(
	        d.path, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &got),
	    NS_ERR_INVALID);
	assert_int_equal(ns_registry_remove(d.path, "../sb_ok"), NS_ERR_INVALID);
	assert_int_equal(ns_registry_remove(d.path, ""), NS_ERR_INVALID);
	assert_int_equal(ns_registry_lookup(d.path, "sb_ok", &got), 0);
	/* a symlink to a valid entry is refused, not followed */
	dir_file(&d, "sb_ok", target, sizeof(target));
	dir_file(&d, "sb_link", path, sizeof(path));
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(ns_registry_lookup(d.path, "sb_link", &got), NS_ERR_FORMAT);
	/* a folder and a FIFO (which must not block) */
	dir_file(&d, "sb_dir", path, sizeof(path));
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(ns_registry_lookup(d.path, "sb_dir", &got), NS_ERR_FORMAT);
	dir_file(&d, "sb_fifo", path, sizeof(path));
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(ns_registry_lookup(d.path, "sb_fifo", &got), NS_ERR_FORMAT);
	/* a file over the size limit, and an invalid one */
	n = (size_t)sprintf(big, "endpoint=127.0.0.1:1" HK);
	memset(big + n, '\n', sizeof(big) - n);
	dir_file(&d, "sb_big", path, sizeof(path));
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(big, 1, sizeof(big), f), sizeof(big));
	fclose(f);
	assert_int_equal(ns_registry_lookup(d.path, "sb_big", &got), NS_ERR_FORMAT);
	put(&d, "sb_bad", "endpoint=127.0.0.1:0" HK);
	assert_int_equal(ns_registry_lookup(d.path, "sb_bad", &got), NS_ERR_FORMAT);
	/* a missing folder */
	assert_int_equal(ns_registry_lookup("/nonexistent/dir", "sb_ok", &got), NS_ERR_IO);
	dir_remove(&d);
}

/* A child rewrites the entry in a loop, alternating two long variants; the
 * parent looks it up meanwhile and must always see one whole variant. */
static void test_atomic(void **state)
{
	ns_registry_entry a = entry("sb_atomic", "127.0.0.1:1111", NS_SANDBOX_RUNNING), got;
	ns_registry_entry b = entry("sb_atomic", "unix:/run/nullspace/agents/sb_atomic/agent.sock",
	                            NS_SANDBOX_STOPPED);
	struct tmpdir d;
	int i, seen_a = 0, seen_b = 0, status;
	pid_t pid;

	(void)state;
	strcpy(b.user, "other-user");
	b.host_key[31] ^= 0x80;
	dir_make(&d);
	assert_int_equal(ns_registry_write(d.path, &a), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (i = 0;; i++) {
			if (ns_registry_write(d.path, (i & 1) != 0 ? &a : &b) != 0) {
				_exit(1);
			}
		}
	}
	for (i = 0; i < 20000 && (seen_a < 50 || seen_b < 50); i++) {
		assert_int_equal(ns_registry_lookup(d.path, "sb_atomic", &got), 0);
		if (strcmp(got.endpoint, a.endpoint) == 0) {
			assert_int_equal(got.state, a.state);
			assert_string_equal(got.user, "sandbox");
			assert_memory_equal(got.host_key, a.host_key, 32);
			seen_a++;
		} else {
			assert_string_equal(got.endpoint, b.endpoint);
			assert_int_equal(got.state, b.state);
			assert_string_equal(got.user, b.user);
			assert_memory_equal(got.host_key, b.host_key, 32);
			seen_b++;
		}
	}
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status)); /* the writer never failed */
	assert_true(seen_a > 0 && seen_b > 0);
	dir_remove(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_valid),       cmocka_unit_test(test_parse_invalid),
	    cmocka_unit_test(test_parse_limits),      cmocka_unit_test(test_id_valid),
	    cmocka_unit_test(test_round_trip),        cmocka_unit_test(test_write_refused),
	    cmocka_unit_test(test_bad_ids_and_files), cmocka_unit_test(test_atomic),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
