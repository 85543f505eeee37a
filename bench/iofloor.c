/* The other yardstick of bench/relay.sh: the CPU a process pays the kernel
 * to move bytes the way the relay and the agent move them, with no crypto
 * and no protocol. "relay": recv from one loopback TCP socket and send to
 * another, 256 KiB at a time. "agent": half from a socket into a pipe (a
 * command's stdin), half from a pipe into a socket (its stdout), pipes of
 * 1 MiB as the agent makes them for bulk. A writer and a reader process
 * feed and drain the middle one; only the middle's CPU (user + system) is
 * counted. Prints "NAME SECONDS" per GiB moved. Usage: iofloor [MiB]. */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK (256 * 1024) /* NS_INPUT_MAX: the relay's and the agent's reads */
#define PIPE_SIZE (1024 * 1024)

static uint8_t buf[CHUNK];

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* A connected pair of loopback TCP sockets: fds[0] connects, fds[1] accepted. */
static int tcp_pair(int fds[2])
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 1) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) != 0) {
		return -1;
	}
	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (fds[0] < 0 || connect(fds[0], (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    (fds[1] = accept(l, NULL, NULL)) < 0) {
		return -1;
	}
	close(l);
	return 0;
}

/* Write n bytes to fd (a child: then exit). */
static void source(int fd, uint64_t n)
{
	static uint8_t zero[CHUNK];
	ssize_t k;

	while (n > 0) {
		k = write(fd, zero, n < CHUNK ? (size_t)n : CHUNK);
		if (k <= 0) {
			_exit(1);
		}
		n -= (uint64_t)k;
	}
	_exit(0);
}

/* Read fd to its end (a child: then exit). */
static void sink(int fd)
{
	static uint8_t b[CHUNK];

	while (read(fd, b, sizeof(b)) > 0) {
	}
	_exit(0);
}

/* The middle: from in to out until n bytes passed; its CPU seconds. */
static double pass(int in, int out, uint64_t n)
{
	double t0 = cpu_seconds();
	ssize_t k, w, off;

	while (n > 0) {
		if ((k = read(in, buf, n < CHUNK ? (size_t)n : CHUNK)) <= 0) {
			return -1;
		}
		for (off = 0; off < k; off += w) {
			if ((w = write(out, buf + off, (size_t)(k - off))) <= 0) {
				return -1;
			}
		}
		n -= (uint64_t)k;
	}
	return cpu_seconds() - t0;
}

/* One run: a writer child into `in`'s other end, a reader child on `out`'s
 * other end, the middle here. wr/rd: the children's ends; the middle's ends
 * are in and out. */
static double run(int wr, int in, int out, int rd, uint64_t n)
{
	pid_t a, b;
	double t;

	if ((a = fork()) == 0) {
		close(in);
		close(out);
		close(rd);
		source(wr, n);
	}
	if ((b = fork()) == 0) {
		close(in);
		close(out);
		close(wr);
		sink(rd);
	}
	close(wr);
	close(rd);
	t = pass(in, out, n);
	close(in);
	close(out);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	return t;
}

int main(int argc, char **argv)
{
	unsigned long mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
	uint64_t n = (uint64_t)mib * 1048576;
	double gib = (double)mib / 1024.0, relay, up, down;
	int s1[2], s2[2], p[2];

	signal(SIGPIPE, SIG_IGN);
	if (mib == 0 || tcp_pair(s1) != 0 || tcp_pair(s2) != 0) {
		fprintf(stderr, "iofloor: cannot start\n");
		return 1;
	}
	relay = run(s1[0], s1[1], s2[0], s2[1], n); /* socket -> socket */
	if (tcp_pair(s1) != 0 || pipe(p) != 0) {
		return 1;
	}
	(void)fcntl(p[1], F_SETPIPE_SZ, PIPE_SIZE);
	up = run(s1[0], s1[1], p[1], p[0], n / 2); /* socket -> a command's stdin */
	if (tcp_pair(s1) != 0 || pipe(p) != 0) {
		return 1;
	}
	(void)fcntl(p[1], F_SETPIPE_SZ, PIPE_SIZE);
	down = run(p[1], p[0], s1[0], s1[1], n / 2); /* its stdout -> socket */
	if (relay < 0 || up < 0 || down < 0) {
		fprintf(stderr, "iofloor: a transfer failed\n");
		return 1;
	}
	printf("relay %.3f\n", relay / gib);
	printf("agent %.3f\n", (up + down) / gib);
	return 0;
}
