/* Internals of the ssh-agent client shared with its tests: one request and
 * its reply with the timeout as a parameter (the public calls pass
 * NS_SSHAGENT_TIMEOUT_MS). */
#ifndef NS_TRANSPORT_SSHAGENT_INT_H
#define NS_TRANSPORT_SSHAGENT_INT_H

#include <stddef.h>
#include <stdint.h>

/* Send req (a whole message with its length) and read the reply body into
 * a new buffer (*reply, *len; the caller frees it). NS_ERR_TIMEOUT when
 * the exchange takes more than timeout_ms, NS_ERR_TOOBIG for a reply over
 * NS_SSHAGENT_MSG_MAX, NS_ERR_IO when the agent hangs up. */
int ns_sshagent_roundtrip(int fd, const uint8_t *req, size_t req_len, uint32_t timeout_ms,
                          uint8_t **reply, size_t *len);

#endif
