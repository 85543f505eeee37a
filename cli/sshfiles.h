/* The files `nullspace ssh` and `nullspace sandbox ssh-access` keep under
 * NULLSPACE_HOME/ssh/ (folder 0700, files 0600):
 *
 *   id_ed25519                 the user's key, created on first use
 *   id_ed25519.pub
 *   <sandbox id>-cert.pub      the newest certificate for that sandbox
 *   <sandbox id>.relay         "relay=HOST:PORT" and "host_key=ssh-ed25519 ..." it
 *                              was minted for (reuse needs it, and known_hosts
 *                              pinning that key)
 *   known_hosts                pinned relay host keys, one line per relay: a regular
 *                              file, rewritten whole (temporary file and rename) under
 *                              a flock on the folder; a link there is refused
 *
 * A certificate is reused while it is valid for more than
 * NS_SSHFILES_REUSE_MARGIN seconds and was minted for the current key. */
#ifndef NS_CLI_SSHFILES_H
#define NS_CLI_SSHFILES_H

#include <stddef.h>
#include <stdint.h>

#include "nullspace/keys.h"
#include "nullspace/sdk.h"

#define NS_SSHFILES_REUSE_MARGIN 60 /* seconds */
#define NS_SSHFILES_LOCK_MS 5000    /* longest wait for the folder's lock to pin */
#define NS_SSHFILES_PATH_MAX 4096

typedef struct ns_sshfiles {
	char dir[NS_SSHFILES_PATH_MAX];         /* HOME/ssh */
	char key[NS_SSHFILES_PATH_MAX];         /* HOME/ssh/id_ed25519 */
	char cert[NS_SSHFILES_PATH_MAX];        /* HOME/ssh/<id>-cert.pub */
	char known_hosts[NS_SSHFILES_PATH_MAX]; /* HOME/ssh/known_hosts */
	/* Set after ns_sshfiles_init: ns_sshfiles_access mints even when the
	 * certificate on disk could be reused (the WebSocket URL comes only
	 * with a new access). */
	int fresh;
	/* Set after ns_sshfiles_init: what the certificate permits besides a
	 * PTY (ns_ssh_access_opts). A certificate on disk is reused only when
	 * it permits exactly that. */
	int no_port_forwarding, agent_forwarding;
} ns_sshfiles;

/* Paths for sandbox id under home; creates home and HOME/ssh 0700 (sets
 * the mode of existing ones, refuses a symbolic link: ns_file_mkdir). */
int ns_sshfiles_init(ns_sshfiles *f, const char *home, const char *sandbox_id, char *err,
                     size_t cap);
/* Load the key, creating it (0600, and the .pub) when missing. Refuses a key
 * file readable by others. */
int ns_sshfiles_key(const ns_sshfiles *f, ns_key *key, char *err, size_t cap);

/* The access the files hold for the sandbox, from the API when needed. */
typedef struct ns_sshaccess {
	char user[NS_API_ID_MAX + 1];
	char relay_host[256];
	unsigned relay_port;
	uint8_t relay_pk[NS_ED25519_PK_LEN];
	int has_ca;                          /* the API named the relays' host CA: */
	uint8_t relay_ca[NS_ED25519_PK_LEN]; /* pinned with @cert-authority */
	uint8_t *cert;                       /* blob, heap; ns_sshaccess_free */
	size_t cert_len;
	int64_t expires_at;  /* the certificate's valid_before (unix seconds) */
	int reused;          /* 1: the certificate on disk was still good */
	char *websocket_url; /* heap, a bearer credential, or NULL (minted only) */
	char *websocket_pin; /* heap: the wss:// certificate's SHA-256 (hex), or NULL */
} ns_sshaccess;

/* Reuse the certificate on disk when it is for key, valid past now +
 * margin (and, when expires_in is given, not past now + expires_in
 * minutes), its .relay file is readable and known_hosts pins the relay key
 * recorded there; else mint one (expires_in minutes, 0: default) through
 * api and write it (0600). Then make sure known_hosts pins the relay's key:
 * add the line when the relay is new; NS_ERR_HOSTKEY_CHANGED (err explains
 * and names the file) when it pins another key for that relay. On failure
 * *api_failed says where: 1, the API call (its error as the SDK returns
 * it); 0, here (NS_ERR_IO: a file under f->dir, err names it and the OS
 * reason; NS_ERR_FORMAT: an answer we cannot use; ...). */
int ns_sshfiles_access(const ns_sshfiles *f, ns_api *api, const char *sandbox_id, const ns_key *key,
                       int expires_in, int64_t now, ns_sshaccess *out, int *api_failed, char *err,
                       size_t cap);
void ns_sshaccess_free(ns_sshaccess *a);

/* The local steps of ns_sshfiles_access, exposed for tests. */
/* May the certificate line (a <id>-cert.pub file's text) be reused for pk
 * and principal at now? 0 (with *valid_before) or why not: NS_ERR_FORMAT
 * (unreadable), NS_ERR_AUTH (another key, not a user certificate, not for
 * principal), NS_ERR_TIMEOUT (valid for NS_SSHFILES_REUSE_MARGIN s or less). */
int ns_sshfiles_cert_reusable(const char *line, size_t len, const uint8_t pk[NS_ED25519_PK_LEN],
                              const char *principal, int64_t now, int64_t *valid_before);
/* Make f->known_hosts pin pk for the relay host:port: 0 when it already
 * does or the line was added (the file rewritten, 0600); NS_ERR_HOSTKEY_CHANGED
 * (err names both fingerprints, the file and the line) when it pins another
 * key; NS_ERR_IO when known_hosts is a symbolic link (never written through:
 * err says to remove it) or not a regular file, or the folder stays locked
 * NS_SSHFILES_LOCK_MS by another process. */
int ns_sshfiles_pin(const ns_sshfiles *f, const char *host, unsigned port,
                    const uint8_t pk[NS_ED25519_PK_LEN], char *err, size_t cap);
/* Make f->known_hosts trust ca for the relays' host certificates at
 * host:port: an "@cert-authority [host]:port KEY" line, added when missing
 * (any relay of a fleet behind that name then passes, whatever its own
 * key). Errors as ns_sshfiles_pin's. */
int ns_sshfiles_pin_ca(const ns_sshfiles *f, const char *host, unsigned port,
                       const uint8_t ca[NS_ED25519_PK_LEN], char *err, size_t cap);
/* Does f->known_hosts hold that @cert-authority line? 0, NS_ERR_NOTFOUND. */
int ns_sshfiles_pinned_ca(const ns_sshfiles *f, const char *host, unsigned port,
                          const uint8_t ca[NS_ED25519_PK_LEN]);
/* The key f->known_hosts pins for host:port: 0, NS_ERR_NOTFOUND, or the
 * error of ns_sshfiles_known_read (a link is not read). */
int ns_sshfiles_pinned(const ns_sshfiles *f, const char *host, unsigned port,
                       uint8_t pk[NS_ED25519_PK_LEN]);

/* The relay the access on disk for sandbox_id was minted for (its .relay
 * file), and the key known_hosts pins for it: 0; NS_ERR_NOTFOUND and the
 * errors of ns_file_read when there is none; NS_ERR_HOSTKEY_CHANGED when
 * the pin and the .relay file disagree. */
int ns_sshfiles_relay(const ns_sshfiles *f, const char *sandbox_id, char *host, size_t cap,
                      unsigned *port, uint8_t pk[NS_ED25519_PK_LEN]);

/* The OpenSSH argv (NULL-terminated, words point into storage it allocs;
 * free with ns_ssh_argv_free): ssh -i KEY -o IdentitiesOnly=yes
 * -o CertificateFile=CERT -o UserKnownHostsFile=KNOWN
 * -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes
 * -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -p PORT
 * [-t|-T] USER@HOST [-- COMMAND...]. tty: -1 ssh decides, 0 -T, 1 -t. */
char **ns_ssh_argv(const ns_sshfiles *f, const ns_sshaccess *a, int tty, char **words, int nwords);
/* The same with -o ProxyCommand=proxy_command (NULL: none) before -p. */
char **ns_ssh_argv_proxy(const ns_sshfiles *f, const ns_sshaccess *a, int tty, char **words,
                         int nwords, const char *proxy_command);
/* The same with the user's OpenSSH option words (opts, nopts: as given to
 * `nullspace ssh`, checked by ssh_args.c) after ours, before USER@HOST. */
char **ns_ssh_argv_opts(const ns_sshfiles *f, const ns_sshaccess *a, int tty, char **opts,
                        int nopts, char **words, int nwords, const char *proxy_command);
void ns_ssh_argv_free(char **argv);
/* The ProxyCommand value (sshfiles_ws.c) for a WebSocket URL: "EXE proxy
 * [--pin-sha256 PIN] URL" with EXE, or "websocat --binary URL" when exe is
 * NULL (websocat cannot pin: the pin is left out); each word
 * quoted for the shell ssh runs it with, '%' doubled for ssh's tokens.
 * Heap (wipe and free: it holds the URL), NULL when out of memory. */
char *ns_ssh_proxy_command(const char *exe, const char *url, const char *pin);
/* words joined as a ProxyCommand value (each quoted, '%' doubled; heap). */
char *ns_ssh_command_quoted(const char *const *words, size_t n);
/* One shell-quoted line of argv (for --print-command). */
int ns_shell_join(char *const *argv, char *out, size_t cap);

#endif
