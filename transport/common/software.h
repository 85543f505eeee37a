/* The software version our servers (agent, relay) announce to users. */
#ifndef NS_TRANSPORT_SOFTWARE_H
#define NS_TRANSPORT_SOFTWARE_H

/* It starts with "OpenSSH" because OpenSSH's ssh sends eow@openssh.com (and
 * no-more-sessions@openssh.com) only to peers whose version matches
 * "OpenSSH*" (its compat.c, SSH_NEW_OPENSSH); without eow a remote
 * `yes | head -1` never ends. The agent handles both requests (session.c),
 * the relay passes eow on. */
#define NS_SERVER_SOFTWARE "OpenSSH_9.9_nullspace_0.1"

#endif
