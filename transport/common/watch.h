/* The agent's epoll bookkeeping: one watch per fd with the interest it is
 * registered with, and tokens that name the fd's owner by connection slot,
 * generation and channel (so a stale event never reaches freed memory). */
#ifndef NS_TRANSPORT_WATCH_H
#define NS_TRANSPORT_WATCH_H

#include <stdint.h>

enum ns_watch_kind {
	NS_WATCH_LISTEN = 1,
	NS_WATCH_SIGNAL,
	NS_WATCH_SOCK,         /* a connection's socket */
	NS_WATCH_CHILD_IN,     /* a child's stdin (pipe, or a dup of the pty master) */
	NS_WATCH_CHILD_OUT,    /* a child's stdout, or the pty master */
	NS_WATCH_CHILD_ERR,    /* a child's stderr (no pty) */
	NS_WATCH_FWD_LISTEN,   /* a remote forward's listener (agent_rfwd.c) */
	NS_WATCH_AGENT_LISTEN, /* a session's SSH_AUTH_SOCK (session_agentfwd.c) */
};

typedef struct ns_watch {
	int fd;          /* -1 when closed */
	uint32_t events; /* registered interest; 0 when not in the epoll set */
	uint64_t token;
} ns_watch;

/* token = kind (8 bits) | slot (20) | generation (20) | channel (16). */
static inline uint64_t ns_watch_token(unsigned kind, uint32_t slot, uint32_t gen, uint32_t chan)
{
	return ((uint64_t)(kind & 0xff) << 56) | ((uint64_t)(slot & 0xfffff) << 36) |
	       ((uint64_t)(gen & 0xfffff) << 16) | (uint64_t)(chan & 0xffff);
}
static inline unsigned ns_watch_kind_of(uint64_t t)
{
	return (unsigned)(t >> 56);
}
static inline uint32_t ns_watch_slot_of(uint64_t t)
{
	return (uint32_t)(t >> 36) & 0xfffff;
}
static inline uint32_t ns_watch_gen_of(uint64_t t)
{
	return (uint32_t)(t >> 16) & 0xfffff;
}
static inline uint32_t ns_watch_chan_of(uint64_t t)
{
	return (uint32_t)t & 0xffff;
}

void ns_watch_init(ns_watch *w, int fd, uint64_t token);
/* Register fd with exactly these EPOLL* events (0 removes it from the set,
 * so a hung-up fd we do not want to read cannot spin the loop). */
int ns_watch_set(int epfd, ns_watch *w, uint32_t events);
/* Remove from the set and close; the watch then holds fd -1. */
void ns_watch_close(int epfd, ns_watch *w);

#endif
