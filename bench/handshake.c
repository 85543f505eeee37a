/* Handshakes per second with each key exchange method, in memory (no
 * sockets, no shell): a client and a server engine (tests/lib_pair.c) do
 * version, KEXINIT, the kex, NEWKEYS and publickey auth (ed25519), the
 * client offering only METHOD, both sides on one core. Prints
 * "METHOD handshakes/s ms/handshake". Built by bench/kex.sh against the
 * release library. Usage: handshake SECONDS METHOD... */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib_pair.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double budget = argc > 1 ? atof(argv[1]) : 2.0;
	int i;

	if (ns_init() != 0) {
		return 1;
	}
	for (i = 2; i < argc; i++) {
		ns_engine_config c = NS_ENGINE_CONFIG_INIT;
		double t0 = now(), t;
		long n = 0;

		c.kex = argv[i];
		do {
			ns_pair p;

			if (ns_pair_init(&p, &c, NULL) != 0 || ns_pair_connect(&p) != 0) {
				fprintf(stderr, "%s: handshake failed\n", argv[i]);
				return 1;
			}
			ns_pair_free(&p);
			n++;
		} while ((t = now() - t0) < budget);
		printf("%-36s %8.1f handshakes/s %8.3f ms\n", argv[i], (double)n / t,
		       1e3 * t / (double)n);
	}
	return 0;
}
