/* Refusing a subsystem (sftp and all others) the way OpenSSH's ssh shows
 * it, shared by the agent and the relay: the reason on the channel's
 * stderr, then a keepalive@openssh.com with want_reply, whose answer tells
 * that ssh has printed the reason; only then FAILURE and close (ssh dies at
 * once on a FAILURE for its subsystem and drops stderr not yet written). */
#ifndef NS_TRANSPORT_REFUSE_H
#define NS_TRANSPORT_REFUSE_H

#include <stdint.h>

#include "nullspace/engine.h"

/* The message the user sees (relay: with the way out; agent: plain). */
#define NS_SUBSYSTEM_REFUSAL                                                                       \
	"SFTP and SSH subsystems are not supported; copy files with `scp -O`, `rsync` or the "     \
	"Files API (`nullspace sandbox files`)\r\n"
#define NS_SUBSYSTEM_REFUSAL_AGENT                                                                 \
	"SFTP and SSH subsystems are not supported; copy files with `scp -O` or `rsync`\r\n"

/* Write message to channel ch's stderr and, when want_probe, ask the
 * keepalive. 0: the keepalive is asked (answer the subsystem request when
 * its reply comes); else the caller refuses at once. */
int ns_refuse_subsystem(ns_engine *e, uint32_t ch, const char *message, int want_probe);

#endif
