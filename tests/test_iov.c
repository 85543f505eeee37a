/* Tests for transport/common/iov.c, the agent's gathered writes to a
 * child's stdin: ranges moved past a partial write (within a range, on a
 * boundary, across several), a pipe that takes only a few bytes at a time
 * (the bytes arrive whole and in order), a full pipe, a reader gone. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "iov.h"
#include "nullspace/error.h"

static void test_advance(void **state)
{
	static const char a[] = "aaaa", b[] = "bb", c[] = "cccccc";
	ns_iov v;

	(void)state;
	memset(&v, 0, sizeof(v));
	assert_int_equal(ns_iov_add(&v, a, 4), 0);
	assert_int_equal(ns_iov_add(&v, b, 2), 0);
	assert_int_equal(ns_iov_add(&v, c, 6), 0);
	assert_int_equal(v.len, 12);
	ns_iov_advance(&v, 0); /* nothing */
	assert_int_equal(v.n, 3);
	ns_iov_advance(&v, 3); /* within the first range */
	assert_int_equal(v.n, 3);
	assert_ptr_equal(v.v[0].iov_base, a + 3);
	assert_int_equal(v.v[0].iov_len, 1);
	ns_iov_advance(&v, 1); /* on a boundary: the range goes */
	assert_int_equal(v.n, 2);
	assert_ptr_equal(v.v[0].iov_base, b);
	ns_iov_advance(&v, 4); /* across one range into the next */
	assert_int_equal(v.n, 1);
	assert_ptr_equal(v.v[0].iov_base, c + 2);
	assert_int_equal(v.v[0].iov_len, 4);
	assert_int_equal(v.len, 4);
	ns_iov_advance(&v, 100); /* past the end: empty */
	assert_int_equal(v.n, 0);
	assert_int_equal(v.len, 0);
}

static void test_full(void **state)
{
	static const char x[1] = {'x'};
	ns_iov v;
	int i;

	(void)state;
	memset(&v, 0, sizeof(v));
	for (i = 0; i < NS_IOV_MAX; i++) {
		assert_int_equal(ns_iov_add(&v, x, 1), 0);
	}
	assert_int_equal(ns_iov_add(&v, x, 1), NS_ERR_LIMIT);
	assert_int_equal(v.n, NS_IOV_MAX);
	assert_int_equal(v.len, NS_IOV_MAX);
}

static int small_pipe(int fds[2])
{
	if (pipe2(fds, O_NONBLOCK) != 0) {
		return -1;
	}
	return fcntl(fds[1], F_SETPIPE_SZ, 4096) == 4096 ? 0 : -1;
}

/* Three ranges of 3000 bytes into a pipe that holds 4096: taken in parts,
 * read back whole and in order. */
static void test_partial_writes(void **state)
{
	uint8_t src[3][3000], got[9000];
	size_t took, have = 0;
	ssize_t n;
	ns_iov v;
	int fds[2], i, j;

	(void)state;
	assert_int_equal(small_pipe(fds), 0);
	memset(&v, 0, sizeof(v));
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3000; j++) {
			src[i][j] = (uint8_t)(i * 7 + j * 13);
		}
		assert_int_equal(ns_iov_add(&v, src[i], sizeof(src[i])), 0);
	}
	assert_int_equal(ns_iov_write(fds[1], &v, &took), 0);
	assert_int_equal(took, 4096);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.len, 9000 - 4096);
	assert_ptr_equal(v.v[0].iov_base, src[1] + 1096);
	/* the pipe is full: nothing taken, nothing lost */
	assert_int_equal(ns_iov_write(fds[1], &v, &took), 0);
	assert_int_equal(took, 0);
	assert_int_equal(v.len, 9000 - 4096);
	while (have < sizeof(got)) {
		n = read(fds[0], got + have, sizeof(got) - have);
		assert_true(n > 0);
		have += (size_t)n;
		assert_int_equal(ns_iov_write(fds[1], &v, &took), 0);
	}
	assert_int_equal(v.n, 0);
	for (i = 0; i < 3; i++) {
		assert_memory_equal(got + 3000 * i, src[i], 3000);
	}
	close(fds[0]);
	close(fds[1]);
}

static void test_reader_gone(void **state)
{
	static const char x[] = "data";
	size_t took = 1;
	ns_iov v;
	int fds[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN); /* as the agent runs */
	assert_int_equal(small_pipe(fds), 0);
	memset(&v, 0, sizeof(v));
	assert_int_equal(ns_iov_add(&v, x, 4), 0);
	close(fds[0]);
	assert_int_equal(ns_iov_write(fds[1], &v, &took), NS_ERR_IO);
	assert_int_equal(took, 0);
	assert_int_equal(v.len, 4); /* kept: the caller drops it */
	close(fds[1]);
	/* an empty list writes nothing, even to a closed fd */
	memset(&v, 0, sizeof(v));
	assert_int_equal(ns_iov_write(-1, &v, &took), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_advance),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_partial_writes),
	    cmocka_unit_test(test_reader_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
