/* Tests for api/spawn.c with /bin/sh as the child: the readiness pipe lands
 * on fd 3 and stdin on fd 0 wherever the parent held them (0-3 included,
 * close-on-exec or not), other fds are closed, and ns_spawn_ready tells
 * ready, not yet, and a pipe that closed without "ready\n" apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

/* The child's check: stdin holds "in", fd 7 (open before the spawn) is
 * closed, then the notice on fd 3. */
#define CHECK_AND_READY                                                                            \
	"read x && [ \"$x\" = in ] || exit 2; { true >&7; } 2>/dev/null && exit 3; printf "        \
	"'ready\\n' >&3"

/* fd at a number of its own (close-on-exec), or at `to` when to >= 0. */
static int place(int fd, int to)
{
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 20);

	close(fd);
	if (to < 0) {
		return high;
	}
	dup3(high, to, O_CLOEXEC);
	close(high);
	return to;
}

/* Starts /bin/sh -c script (or prog when set) with stdin "in\n" held at
 * in_at and the readiness pipe's write end at ready_at (-1: wherever);
 * *rfd: the read end; the child's pid. */
static pid_t start(const char *prog, const char *script, int ready_at, int in_at, int *rfd)
{
	int rp[2], ip[2];
	pid_t self = getpid(), pid;

	assert_int_equal(pipe2(rp, O_CLOEXEC), 0);
	assert_int_equal(pipe2(ip, O_CLOEXEC), 0);
	assert_int_equal(write(ip[1], "in\n", 3), 3);
	close(ip[1]);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		const char *argv[] = {prog != NULL ? prog : "/bin/sh", "-c", script, NULL};
		int w = place(rp[1], -1), in = place(ip[0], -1);
		ns_spawn c = {argv, "test_spawn", self, 0, -1, -1, -1, -1};

		close(rp[0]);
		c.ready_fd = ready_at >= 0 ? place(w, ready_at) : w;
		c.in_fd = in_at >= 0 ? place(in, in_at) : in;
		dup2(open("/dev/null", O_RDONLY), 7); /* not close-on-exec: must be closed */
		ns_spawn_child(&c);
	}
	close(rp[1]);
	close(ip[0]);
	*rfd = rp[0];
	return pid;
}

/* ns_spawn_ready's answer within 10 s, then the child's exit status. */
static int run(const char *prog, const char *script, int ready_at, int in_at, int *status)
{
	int rfd, r = 0, i;
	pid_t pid = start(prog, script, ready_at, in_at, &rfd);

	for (i = 0; i < 100 && r == 0; i++) {
		r = ns_spawn_ready(rfd, 100);
	}
	close(rfd);
	assert_int_equal(waitpid(pid, status, 0), pid);
	return r;
}

static void assert_ready(int ready_at, int in_at)
{
	int st = -1;

	assert_int_equal(run(NULL, CHECK_AND_READY, ready_at, in_at, &st), 1);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_ready_anywhere(void **state)
{
	(void)state;
	assert_ready(-1, -1);
	assert_ready(3, -1); /* already there, close-on-exec */
	assert_ready(0, 3);  /* each where the other goes */
	assert_ready(3, 0);
	assert_ready(1, 2);
	assert_ready(2, 1);
}

static void test_no_notice(void **state)
{
	int st = -1;

	(void)state;
	assert_int_equal(run(NULL, "exit 4", -1, -1, &st), -1); /* EOF */
	assert_int_equal(WEXITSTATUS(st), 4);
	assert_int_equal(run(NULL, "printf 'nope\\n' >&3", -1, -1, &st), -1);
	assert_int_equal(run("/nonexistent/prog", "", -1, -1, &st), -1);
	assert_int_equal(WEXITSTATUS(st), 127); /* exec failed */
}

static void test_not_yet(void **state)
{
	int rfd, st = -1, r = 0, i;
	pid_t pid;

	(void)state;
	pid = start(NULL, "sleep 1; printf 'ready\\n' >&3", -1, -1, &rfd);
	assert_int_equal(ns_spawn_ready(rfd, 50), 0);
	for (i = 0; i < 100 && r == 0; i++) {
		r = ns_spawn_ready(rfd, 100);
	}
	assert_int_equal(r, 1);
	close(rfd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
}

/* A listening socket lands on fd 4 wherever it was (3 and 0 included),
 * next to the readiness pipe on 3: the child sees a socket there. */
static void assert_listen_at(int listen_at)
{
	int rp[2], st = -1, r = 0, i, ls;
	pid_t self = getpid(), pid;

	assert_int_equal(pipe2(rp, O_CLOEXEC), 0);
	assert_true((ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		const char *argv[] = {"/bin/sh", "-c",
		                      "case $(readlink /proc/$$/fd/4) in socket:*) printf "
		                      "'ready\\n' >&3 ;; esac",
		                      NULL};
		int w = place(rp[1], -1), in = place(open("/dev/null", O_RDONLY), -1);
		ns_spawn c = {.argv = argv,
		              .who = "test_spawn",
		              .parent = self,
		              .in_fd = in,
		              .out_fd = -1,
		              .ready_fd = w,
		              .listen_fd = place(ls, listen_at)};

		ns_spawn_child(&c);
	}
	close(rp[1]);
	close(ls);
	for (i = 0; i < 100 && r == 0; i++) {
		r = ns_spawn_ready(rp[0], 100);
	}
	close(rp[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(r, 1);
}

static void test_listen_fd(void **state)
{
	(void)state;
	assert_listen_at(-1);
	assert_listen_at(3);
	assert_listen_at(4);
	assert_listen_at(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ready_anywhere),
	    cmocka_unit_test(test_no_notice),
	    cmocka_unit_test(test_not_yet),
	    cmocka_unit_test(test_listen_fd),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
