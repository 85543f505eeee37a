/* Tests for cli/sshfiles_pin.c, the relay pins `nullspace ssh` keeps in
 * NULLSPACE_HOME/ssh/known_hosts: added, kept, a changed key refused; a
 * symbolic link refused and never written through; the file rewritten whole
 * (0600, no temporary left) under the folder's lock, concurrent pins kept. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "../cli/sshfiles.h"
#include "file.h"
#include "lib_tmpdir.h"
#include "nullspace/error.h"
#include "nullspace/known_hosts.h"

#define SB "sb_4k2j9x0q1m7a"

static char home[256];

static int setup(void **state)
{
	(void)state;
	return ns_tmpdir_make(home, sizeof(home), "ns_sshpin");
}

static int teardown(void **state)
{
	(void)state;
	return ns_tmpdir_remove(home);
}

static void test_pin(void **state)
{
	char err[8192], fp1[NS_FINGERPRINT_LEN], fp2[NS_FINGERPRINT_LEN], *text;
	char line1[NS_KNOWN_HOSTS_LINE_MAX], line2[NS_KNOWN_HOSTS_LINE_MAX], want[20000];
	uint8_t pk1[32], pk2[32], got[32];
	ns_sshfiles f;
	size_t len;
	FILE *fp;

	(void)state;
	randombytes_buf(pk1, sizeof(pk1));
	randombytes_buf(pk2, sizeof(pk2));
	ns_key_fingerprint(pk1, fp1);
	ns_key_fingerprint(pk2, fp2);
	assert_int_equal(ns_known_hosts_line("127.0.0.1", 2222, pk1, line1, sizeof(line1)), 0);
	assert_int_equal(ns_known_hosts_line("127.0.0.1", 2223, pk2, line2, sizeof(line2)), 0);
	assert_int_equal(ns_sshfiles_init(&f, home, SB, err, sizeof(err)), 0);
	/* a file without a final newline gets one before our line */
	assert_non_null(fp = fopen(f.known_hosts, "w"));
	fputs("# mine", fp);
	fclose(fp);
	assert_int_equal(chmod(f.known_hosts, 0600), 0);
	assert_int_equal(ns_sshfiles_pinned(&f, "127.0.0.1", 2222, got), NS_ERR_NOTFOUND);

	assert_int_equal(ns_sshfiles_pin(&f, "127.0.0.1", 2222, pk1, err, sizeof(err)), 0);
	assert_int_equal(ns_sshfiles_pin(&f, "127.0.0.1", 2222, pk1, err, sizeof(err)), 0);
	text = ns_tmpdir_slurp(f.known_hosts, &len);
	snprintf(want, sizeof(want), "# mine\n%s\n", line1);
	assert_string_equal(text, want);
	free(text);
	assert_int_equal(ns_sshfiles_pinned(&f, "127.0.0.1", 2222, got), 0);
	assert_memory_equal(got, pk1, 32);
	assert_int_equal(ns_sshfiles_pinned(&f, "127.0.0.1", 2223, got), NS_ERR_NOTFOUND);

	/* another key for that relay is refused, and the file is left alone */
	err[0] = '\0';
	assert_int_equal(ns_sshfiles_pin(&f, "127.0.0.1", 2222, pk2, err, sizeof(err)),
	                 NS_ERR_HOSTKEY_CHANGED);
	assert_non_null(strstr(err, "[127.0.0.1]:2222"));
	assert_non_null(strstr(err, fp1));
	assert_non_null(strstr(err, fp2));
	assert_non_null(strstr(err, f.known_hosts));
	assert_non_null(strstr(err, "line 2"));
	assert_true(strstr(err, fp2) < strstr(err, fp1)); /* new key first, then the pinned one */
	text = ns_tmpdir_slurp(f.known_hosts, &len);
	assert_string_equal(text, want);
	free(text);

	/* another relay gets its own line */
	assert_int_equal(ns_sshfiles_pin(&f, "127.0.0.1", 2223, pk2, err, sizeof(err)), 0);
	text = ns_tmpdir_slurp(f.known_hosts, &len);
	snprintf(want, sizeof(want), "# mine\n%s\n%s\n", line1, line2);
	assert_string_equal(text, want);
	free(text);
	assert_int_equal(ns_tmpdir_mode(f.known_hosts), 0600);
}

static void test_pin_new_file_mode(void **state)
{
	char err[8192];
	uint8_t pk[32];
	ns_sshfiles f;

	(void)state;
	randombytes_buf(pk, sizeof(pk));
	assert_int_equal(ns_sshfiles_init(&f, home, SB, err, sizeof(err)), 0);
	assert_int_equal(ns_sshfiles_pin(&f, "::1", 2222, pk, err, sizeof(err)), 0);
	assert_int_equal(ns_tmpdir_mode(f.known_hosts), 0600);
}

/* A symbolic link at known_hosts is refused, never written through: the
 * user put it there (the folder is 0700 and ours), so replacing it would
 * silently drop what it points to, and writing through it writes outside
 * NULLSPACE_HOME. The error names the file and the fix; nothing changes. */
static void test_pin_symlink_refused(void **state)
{
	char err[8192], target[600], dangling[600], *text;
	uint8_t pk[32], got[32];
	struct stat st;
	ns_sshfiles f;
	size_t len;
	FILE *fp;

	(void)state;
	randombytes_buf(pk, sizeof(pk));
	assert_int_equal(ns_sshfiles_init(&f, home, SB, err, sizeof(err)), 0);
	snprintf(target, sizeof(target), "%s/elsewhere", home);
	assert_non_null(fp = fopen(target, "w"));
	fputs("# theirs\n", fp);
	fclose(fp);
	assert_int_equal(chmod(target, 0644), 0);
	assert_int_equal(symlink(target, f.known_hosts), 0);

	err[0] = '\0';
	assert_int_equal(ns_sshfiles_pin(&f, "127.0.0.1", 2222, pk, err, sizeof(err)), NS_ERR_IO);
	assert_non_null(strstr(err, f.known_hosts));
	assert_non_null(strstr(err, "symbolic link"));
	assert_non_null(strstr(err, "rm "));
	text = ns_tmpdir_slurp(target, &len);
	assert_string_equal(text, "# theirs\n");
	free(text);
	assert_int_equal(ns_tmpdir_mode(target), 0644);
	assert_int_equal(lstat(f.known_hosts, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* nor read through: no pin found behind a link */
	assert_int_not_equal(ns_sshfiles_pinned(&f, "127.0.0.1", 2222, got), 0);

	/* a link to nothing: nothing is created where it points */
	assert_int_equal(unlink(f.known_hosts), 0);
	snprintf(dangling, sizeof(dangling), "%s/created-through-link", home);
	assert_int_equal(symlink(dangling, f.known_hosts), 0);
	assert_int_equal(ns_sshfiles_pin(&f, "127.0.0.1", 2222, pk, err, sizeof(err)), NS_ERR_IO);
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(access(dangling, F_OK), -1);

	/* once removed, a regular file 0600 is written */
	assert_int_equal(unlink(f.known_hosts), 0);
	assert_int_equal(ns_sshfiles_pin(&f, "127.0.0.1", 2222, pk, err, sizeof(err)), 0);
	assert_int_equal(lstat(f.known_hosts, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(ns_tmpdir_mode(f.known_hosts), 0600);
}

/* The file is rewritten whole (temporary file, rename): another name of the
 * same inode keeps the old text, the new one is 0600 whatever the old mode
 * was, and no temporary file stays behind. */
static void test_pin_rewrites_whole(void **state)
{
	char err[8192], other[600], line[NS_KNOWN_HOSTS_LINE_MAX],
	    want[NS_KNOWN_HOSTS_LINE_MAX + 16], *text;
	uint8_t pk[32];
	struct dirent *e;
	ns_sshfiles f;
	size_t len;
	FILE *fp;
	DIR *d;
	int n = 0;

	(void)state;
	randombytes_buf(pk, sizeof(pk));
	assert_int_equal(ns_sshfiles_init(&f, home, SB, err, sizeof(err)), 0);
	assert_non_null(fp = fopen(f.known_hosts, "w"));
	fputs("# mine\n", fp);
	fclose(fp);
	assert_int_equal(chmod(f.known_hosts, 0644), 0);
	snprintf(other, sizeof(other), "%s/hardlink", home);
	assert_int_equal(link(f.known_hosts, other), 0);
	assert_int_equal(ns_sshfiles_pin(&f, "127.0.0.1", 2222, pk, err, sizeof(err)), 0);
	assert_int_equal(ns_known_hosts_line("127.0.0.1", 2222, pk, line, sizeof(line)), 0);
	snprintf(want, sizeof(want), "# mine\n%s\n", line);
	text = ns_tmpdir_slurp(f.known_hosts, &len);
	assert_string_equal(text, want);
	free(text);
	text = ns_tmpdir_slurp(other, &len);
	assert_string_equal(text, "# mine\n");
	free(text);
	assert_int_equal(ns_tmpdir_mode(f.known_hosts), 0600);
	assert_non_null(d = opendir(f.dir));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.') {
			assert_string_equal(e->d_name, "known_hosts");
			n++;
		}
	}
	closedir(d);
	assert_int_equal(n, 1);
}

#define RACE_PINS 20 /* relays pinned by each of two processes at once */

/* Two processes pinning different relays at the same time: every line stays
 * (read, check and rename happen under the folder's lock). */
static void test_pin_concurrent(void **state)
{
	char err[8192], line[NS_KNOWN_HOSTS_LINE_MAX], *text;
	uint8_t pk[2][RACE_PINS][32];
	ns_sshfiles f;
	pid_t pid[2];
	size_t len;
	int i, j, st;

	(void)state;
	randombytes_buf(pk, sizeof(pk));
	assert_int_equal(ns_sshfiles_init(&f, home, SB, err, sizeof(err)), 0);
	for (i = 0; i < 2; i++) {
		assert_true((pid[i] = fork()) >= 0);
		if (pid[i] == 0) {
			for (j = 0; j < RACE_PINS; j++) {
				if (ns_sshfiles_pin(&f, "127.0.0.1", (unsigned)(3000 + i * 100 + j),
				                    pk[i][j], err, sizeof(err)) != 0) {
					_exit(1);
				}
			}
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &st, 0), pid[i]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	text = ns_tmpdir_slurp(f.known_hosts, &len);
	for (i = 0; i < 2; i++) {
		for (j = 0; j < RACE_PINS; j++) {
			assert_int_equal(ns_known_hosts_line("127.0.0.1",
			                                     (unsigned)(3000 + i * 100 + j),
			                                     pk[i][j], line, sizeof(line)),
			                 0);
			assert_non_null(strstr(text, line));
		}
	}
	free(text);
}

/* A folder held locked by someone else: pin gives up after
 * NS_SSHFILES_LOCK_MS with a message, and writes nothing. */
static void test_pin_lock_timeout(void **state)
{
	char err[8192];
	struct timespec t0, t1;
	uint8_t pk[32];
	ns_sshfiles f;
	long ms;
	int fd;

	(void)state;
	randombytes_buf(pk, sizeof(pk));
	assert_int_equal(ns_sshfiles_init(&f, home, SB, err, sizeof(err)), 0);
	assert_true((fd = open(f.dir, O_RDONLY | O_DIRECTORY)) >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ns_sshfiles_pin(&f, "127.0.0.1", 2222, pk, err, sizeof(err)), NS_ERR_IO);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= NS_SSHFILES_LOCK_MS && ms < NS_SSHFILES_LOCK_MS + 3000);
	assert_non_null(strstr(err, "locked"));
	assert_int_equal(access(f.known_hosts, F_OK), -1);
	close(fd);
	assert_int_equal(ns_sshfiles_pin(&f, "127.0.0.1", 2222, pk, err, sizeof(err)), 0);
}

/* A host CA pinned with @cert-authority: added once, found, beside a key
 * pin of another relay, and never taken as that relay's key. */
static void test_pin_ca(void **state)
{
	char err[8192], line[NS_KNOWN_HOSTS_LINE_MAX], want[20000], *text;
	uint8_t got[32], pk[32];
	ns_sshfiles f;
	ns_key ca;
	size_t len;

	(void)state;
	assert_int_equal(ns_key_generate(&ca, "ca"), 0);
	randombytes_buf(pk, sizeof(pk));
	assert_int_equal(ns_sshfiles_init(&f, home, SB, err, sizeof(err)), 0);
	assert_int_equal(ns_sshfiles_pinned_ca(&f, "relay.example", 2222, ca.pk), NS_ERR_NOTFOUND);
	assert_int_equal(ns_sshfiles_pin(&f, "127.0.0.1", 2223, pk, err, sizeof(err)), 0);
	assert_int_equal(ns_sshfiles_pin_ca(&f, "relay.example", 2222, ca.pk, err, sizeof(err)), 0);
	assert_int_equal(ns_sshfiles_pin_ca(&f, "relay.example", 2222, ca.pk, err, sizeof(err)), 0);
	assert_int_equal(ns_known_hosts_line("relay.example", 2222, ca.pk, line, sizeof(line)), 0);
	text = ns_tmpdir_slurp(f.known_hosts, &len);
	assert_non_null(strstr(text, "@cert-authority "));
	snprintf(want, sizeof(want), "@cert-authority %s\n", line);
	assert_non_null(strstr(text, want));
	assert_null(strstr(strstr(text, want) + 1, "@cert-authority")); /* once */
	free(text);
	assert_int_equal(ns_sshfiles_pinned_ca(&f, "relay.example", 2222, ca.pk), 0);
	assert_int_equal(ns_sshfiles_pinned_ca(&f, "relay.example", 2224, ca.pk), NS_ERR_NOTFOUND);
	assert_int_equal(ns_sshfiles_pinned(&f, "relay.example", 2222, got), NS_ERR_NOTFOUND);
	assert_int_equal(ns_sshfiles_pinned(&f, "127.0.0.1", 2223, got), 0);
	ns_key_wipe(&ca);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_pin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pin_new_file_mode, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pin_symlink_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pin_rewrites_whole, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pin_concurrent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pin_lock_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pin_ca, setup, teardown),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
