/* The key and certificate files the commands are given: a private key
 * (an unencrypted openssh-key-v1 ed25519 file only its owner may read) and
 * an OpenSSH certificate line. Failures are printed as one line,
 * "nullspace CMD: WHAT PATH ...", and return NS_EXIT_OWN_ERROR. */
#ifndef NS_CLI_KEYFILES_H
#define NS_CLI_KEYFILES_H

#include <stddef.h>
#include <stdint.h>

#include "nullspace/keys.h"

/* The private key in path into key. It must be a regular file of at most
 * NS_KEYFILE_MAX bytes, not accessible by group or others, and hold the
 * private half; the bytes read are wiped. what names it in messages
 * ("host key", "CA key"); cmd is the command ("relay", "cert sign"). */
int ns_cli_load_private_key(const char *cmd, const char *what, const char *path, ns_key *key);

/* The text of the private key file path into buf (cap is NS_KEYFILE_MAX +
 * 1), with the checks of ns_cli_load_private_key. When the file does not
 * exist or may not be read, *missing is that errno and nothing is printed
 * (a caller with another way to sign, ssh-agent, may go on). */
int ns_cli_read_key_text(const char *cmd, const char *what, const char *path, char *buf, size_t cap,
                         size_t *n, int *missing);

/* The first certificate line of path (or stdin for "-"), blank and '#'
 * lines skipped, decoded into blob (cap bytes, *len used). */
int ns_cli_load_cert(const char *cmd, const char *what, const char *path, uint8_t *blob, size_t cap,
                     size_t *len);

#endif
