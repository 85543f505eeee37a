/* The one clock of the programs around the engine: monotonic milliseconds,
 * for timers, deadlines and the engine's ticks. */
#ifndef NS_TRANSPORT_CLOCK_H
#define NS_TRANSPORT_CLOCK_H

#include <stdint.h>

uint64_t ns_clock_ms(void);

#endif
