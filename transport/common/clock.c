/* Monotonic milliseconds (CLOCK_MONOTONIC: never steps with the wall clock),
 * shared by the client, agent, relay, ssh-agent client and control plane. */
#include "clock.h"

#include <time.h>

uint64_t ns_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
