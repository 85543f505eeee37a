/* `nullspace ssh-config` (cmd_ssh_config.c) and the three helpers its
 * ssh_config block runs for each connection (ssh_config_run.c). */
#ifndef NS_CLI_SSH_CONFIG_H
#define NS_CLI_SSH_CONFIG_H

#include <stddef.h>

#define NS_SSH_CONFIG_FILE "nullspace.conf" /* in ~/.ssh */
#define NS_SSH_CONFIG_PATTERN "sb_*"

/* Match exec: the certificate for sandbox_id made ready (reused or minted,
 * the relay pinned; with agent_forwarding, one that permits it, else one
 * that does not). Always 0 for a well-formed id, so the block applies
 * and the ProxyCommand reports a failure; the error is on stderr. */
int ns_ssh_config_prepare(const char *sandbox_id, int agent_forwarding);
/* ProxyCommand: stdin/stdout joined to a TCP connection to the relay the
 * access on disk was minted for; NS_SSH_CONFIG_RESUME: over the resumable
 * transport (`nullspace proxy tcp://`, its exit codes), with
 * NS_SSH_CONFIG_RENEW renewing the certificate (proxy_renew.c). 0 at the
 * end of the stream, 255 when no access is ready or (without resume) the
 * relay cannot be reached (the reason on stderr). */
#define NS_SSH_CONFIG_RESUME 1
#define NS_SSH_CONFIG_RENEW 2
int ns_ssh_config_connect(const char *sandbox_id, int mode);
/* KnownHostsCommand: one known_hosts line "NAME ssh-ed25519 KEY" with the
 * key known_hosts pins for the sandbox's relay; nothing when there is none. */
int ns_ssh_config_known_hosts(const char *sandbox_id, const char *name);
/* Does text hold a line equal to line[0..len) (ignoring a trailing CR)? */
int ns_ssh_config_has_line(const char *text, size_t tlen, const char *line, size_t len);

#endif
