/* A loopback TCP port for tests that start a server or need one that
 * refuses connections. */
#ifndef NS_TESTS_LIB_PORT_H
#define NS_TESTS_LIB_PORT_H

/* A port of 127.0.0.1 the kernel just handed out and nothing listens on
 * (connecting is refused until someone binds it); 0 when none could be had. */
unsigned ns_port_unused(void);

#endif
