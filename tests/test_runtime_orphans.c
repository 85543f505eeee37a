/* Tests for api/runtime_orphans.c: the /proc children list parser, and the
 * sweep that kills processes a stopped sandbox left behind: a plain child
 * that is no agent is killed, the caller's own child (own_child) is spared,
 * and a grandchild whose parent ended is adopted (subreaper) and killed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "nullspace/keys.h"
#include "runtime.h"
#include "runtime_int.h"

#define NOW 1700000000

typedef struct fixture {
	char tmp[64], sandboxes[128], registry[128];
	char client_line[NS_KEY_LINE_MAX];
	ns_runtime_config cfg;
	ns_runtime *rt;
	pid_t spared;
	char log[4096];
} fixture;

static void log_line(void *ud, const char *line)
{
	fixture *f = ud;
	size_t n = strlen(f->log);

	snprintf(f->log + n, sizeof(f->log) - n, "%s\n", line);
}

static int own_child(void *ud, pid_t pid)
{
	const fixture *f = ud;

	return f->spared > 0 && pid == f->spared;
}

static void test_parse(void **state)
{
	pid_t p[4];
	size_t n = 99;

	(void)state;
	assert_int_equal(ns_rt_parse_pids("", 0, p, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ns_rt_parse_pids("12 345 \n", 8, p, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[0], 12);
	assert_int_equal(p[1], 345);
	assert_int_equal(ns_rt_parse_pids("1 2 3 4 5 6 ", 12, p, 4, &n), 0);
	assert_int_equal(n, 4); /* capped */
	assert_int_equal(p[3], 4);
	assert_int_equal(ns_rt_parse_pids("7", 1, p, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(p[0], 7);
	assert_int_equal(ns_rt_parse_pids("12a ", 4, p, 4, &n), NS_ERR_FORMAT);
	assert_int_equal(ns_rt_parse_pids("0 ", 2, p, 4, &n), NS_ERR_FORMAT);
	assert_int_equal(ns_rt_parse_pids("-3 ", 3, p, 4, &n), NS_ERR_FORMAT);
	assert_int_equal(ns_rt_parse_pids("99999999999 ", 12, p, 4, &n), NS_ERR_FORMAT);
	assert_int_equal(ns_rt_parse_pids("1\t2", 3, p, 4, &n), NS_ERR_FORMAT);
	assert_int_equal(ns_rt_parse_pids("5 \0 6", 5, p, 4, &n), NS_ERR_FORMAT);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	ns_key client;

	if (f == NULL) {
		return -1;
	}
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/ns_orph.XXXXXX");
	if (mkdtemp(f->tmp) == NULL || ns_key_generate(&client, "relay client") != 0 ||
	    ns_key_to_line(client.pk, "relay", f->client_line, sizeof(f->client_line)) != 0) {
		free(f);
		return -1;
	}
	ns_key_wipe(&client);
	snprintf(f->sandboxes, sizeof(f->sandboxes), "%s/sandboxes", f->tmp);
	snprintf(f->registry, sizeof(f->registry), "%s/registry", f->tmp);
	f->cfg.exe = "/bin/sh";  /* no agent is started here */
	f->cfg.no_isolation = 1; /* nor the isolation probe */
	f->cfg.sandboxes_dir = f->sandboxes;
	f->cfg.registry_dir = f->registry;
	f->cfg.relay_client_key_line = f->client_line;
	f->cfg.log = log_line;
	f->cfg.log_ud = f;
	f->cfg.own_child = own_child;
	f->cfg.own_child_ud = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	ns_runtime_close(f->rt);
	if (f->spared > 0) {
		kill(f->spared, SIGKILL);
		waitpid(f->spared, NULL, 0);
	}
	ns_rt_rmtree(f->tmp);
	free(f);
	return 0;
}

static pid_t sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;) {
			pause();
		}
	}
	assert_true(pid > 0);
	return pid;
}

static void open_rt(fixture *f)
{
	char err[256] = "";

	assert_int_equal(ns_runtime_open(&f->cfg, &f->rt, err, sizeof(err)), 0);
}

/* A child that is no agent dies at the next tick; the caller's own child
 * lives. */
static void test_tick_kills_strangers(void **state)
{
	fixture *f = *state;
	pid_t stranger;

	open_rt(f);
	stranger = sleeper();
	f->spared = sleeper();
	ns_runtime_tick(f->rt, NOW);
	assert_int_equal(waitpid(stranger, NULL, WNOHANG), -1); /* killed and reaped */
	assert_int_equal(errno, ECHILD);
	assert_int_equal(kill(f->spared, 0), 0);
	assert_non_null(strstr(f->log, "killed 1 process left behind by stopped sandboxes"));
	f->log[0] = '\0';
	ns_runtime_tick(f->rt, NOW + 1);
	assert_int_equal(kill(f->spared, 0), 0);
	assert_string_equal(f->log, ""); /* nothing more to kill, nothing logged */
}

/* A grandchild whose parent ended becomes ours (the runtime made us a
 * subreaper) and is killed. */
static void test_orphan_adopted_and_killed(void **state)
{
	fixture *f = *state;
	int fds[2], st, i;
	pid_t mid, orphan = 0;

	open_rt(f);
	assert_int_equal(pipe(fds), 0);
	if ((mid = fork()) == 0) {
		pid_t g = sleeper();
		(void)!write(fds[1], &g, sizeof(g));
		_exit(0);
	}
	assert_true(mid > 0);
	close(fds[1]);
	assert_int_equal(read(fds[0], &orphan, sizeof(orphan)), (ssize_t)sizeof(orphan));
	close(fds[0]);
	assert_int_equal(waitpid(mid, &st, 0), mid);
	assert_int_equal(kill(orphan, 0), 0);
	ns_runtime_tick(f->rt, NOW);
	for (i = 0; i < 100 && kill(orphan, 0) == 0; i++) { /* in case it was still a zombie */
		ns_runtime_tick(f->rt, NOW);
		ns_rt_sleep_ms(10);
	}
	assert_int_equal(kill(orphan, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_non_null(strstr(f->log, "left behind by stopped sandboxes"));
}

/* Closing a runtime that never had a sandbox (as on a failed start) leaves
 * the caller's children alone. */
static void test_close_without_sandboxes_kills_nothing(void **state)
{
	fixture *f = *state;
	pid_t other;

	open_rt(f);
	other = sleeper();
	ns_runtime_close(f->rt);
	f->rt = NULL;
	assert_int_equal(kill(other, 0), 0);
	kill(other, SIGKILL);
	assert_int_equal(waitpid(other, NULL, 0), other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test_setup_teardown(test_tick_kills_strangers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_orphan_adopted_and_killed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_close_without_sandboxes_kills_nothing, setup,
	                                    teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
