/* A raw HTTP/1.1 client for tests of servers under attack: connections
 * from a chosen 127.0.0.x source address, requests sent whole or a byte at
 * a time, and when (whether) the server hung up. */
#ifndef NS_TESTS_LIB_HTTP_H
#define NS_TESTS_LIB_HTTP_H

#include <stddef.h>
#include <stdint.h>

int64_t ns_http_now_ms(void); /* CLOCK_MONOTONIC */
void ns_http_sleep_ms(int ms);
/* A TCP connection to 127.0.0.1:port from the address src (any port): the
 * socket, or -1. */
int ns_http_dial(const char *src, unsigned port);
/* Sends what it can (never raises SIGPIPE). */
void ns_http_send(int fd, const char *p, size_t n);
/* Reads what comes until the server closes, for up to ms: 1 when it closed
 * (what it sent, if anything, in buf), 0 when still open. */
int ns_http_closed_within(int fd, int ms, char *buf, size_t cap);
/* One request from src (the whole text, n bytes): the status of the answer,
 * -1 when the connection ended without one; the answer in out. */
int ns_http_request(const char *src, unsigned port, const char *text, size_t n, char *out,
                    size_t cap);
/* Sends prefix, then one byte of drip every 100 ms (never idle long enough
 * for an inactivity timeout): ms until the server closed, -1 if it had not
 * after max_ms. The answer, if any, in out. */
long ns_http_trickle(int fd, const char *prefix, char drip, int max_ms, char *out, size_t cap);

#endif
