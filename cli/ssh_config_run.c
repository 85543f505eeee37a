/* What the block of `nullspace ssh-config` runs for each connection: make
 * the certificate ready (Match exec), join ssh to the relay (ProxyCommand),
 * and give ssh the relay key the CLI pinned (KnownHostsCommand). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "file.h"
#include "net.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"
#include "proxy_int.h"
#include "registry.h"
#include "sandbox_int.h"
#include "ssh_config.h"

#define EXIT_OWN_ERROR 255 /* as ssh's ProxyCommand failures */
#define PUMP_BUF 65536
#define CONNECT_TIMEOUT_MS 10000

int ns_ssh_config_prepare(const char *sandbox_id, int agent_forwarding)
{
	ns_api *api = NULL;
	ns_sshaccess a;
	ns_sshfiles f;

	if (!ns_registry_id_valid(sandbox_id)) {
		fprintf(stderr, "nullspace: %s is not a sandbox id\n", sandbox_id);
		return NS_EXIT_USAGE; /* the block does not apply: ssh goes on as without it */
	}
	if (ns_cli_api_open(NULL, NULL, &api) != 0) {
		return 0; /* said on stderr; the ProxyCommand fails with the reason too */
	}
	if (ns_cli_ssh_prepare_permits(api, sandbox_id, 0, 0,
	                               agent_forwarding ? NS_CLI_AGENT_FORWARDING : 0, &f,
	                               &a) == 0) {
		ns_sshaccess_free(&a);
	}
	ns_api_close(api);
	return 0;
}

/* The relay of the access on disk, and its pinned key: 0, or printed. */
static int ready_relay(const char *sandbox_id, char *host, size_t cap, unsigned *port,
                       uint8_t pk[NS_ED25519_PK_LEN], int quiet)
{
	char home[4096], err[256];
	ns_sshfiles f;
	int rc;

	if (!ns_registry_id_valid(sandbox_id) || ns_api_home(home, sizeof(home)) != 0 ||
	    ns_sshfiles_init(&f, home, sandbox_id, err, sizeof(err)) != 0) {
		if (!quiet) {
			fprintf(stderr, "nullspace: no SSH files for %s\n", sandbox_id);
		}
		return -1;
	}
	if ((rc = ns_sshfiles_relay(&f, sandbox_id, host, cap, port, pk)) != 0) {
		if (!quiet) {
			fprintf(stderr,
			        "nullspace: no access to %s is ready (%s): see the error above, "
			        "or run `nullspace ssh %s` once\n",
			        sandbox_id, ns_strerror(rc), sandbox_id);
		}
		return -1;
	}
	return 0;
}

/* Copy what is readable on from to to; 0 at EOF, -1 on error, else 1. */
static int move(int from, int to, char *buf)
{
	ssize_t n = read(from, buf, PUMP_BUF);

	if (n < 0) {
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	}
	if (n == 0) {
		return 0;
	}
	return ns_file_write_all(to, buf, (size_t)n) == 0 ? 1 : -1;
}

/* stdin -> sock and sock -> stdout until the relay ends the stream. */
static int pump(int sock)
{
	struct pollfd p[2];
	char *buf = malloc(PUMP_BUF);
	int in_open = 1, rc = EXIT_OWN_ERROR, r;

	if (buf == NULL) {
		return EXIT_OWN_ERROR;
	}
	for (;;) {
		p[0].fd = in_open ? 0 : -1;
		p[0].events = POLLIN;
		p[1].fd = sock;
		p[1].events = POLLIN;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR) {
				continue;
			}
			break;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if ((r = move(sock, 1, buf)) <= 0) {
				rc = r == 0 ? 0 : EXIT_OWN_ERROR;
				break;
			}
		}
		if (in_open && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			if ((r = move(0, sock, buf)) < 0) {
				break;
			}
			if (r == 0) {
				in_open = 0;
				shutdown(sock, SHUT_WR); /* ssh is done writing */
			}
		}
	}
	free(buf);
	return rc;
}

int ns_ssh_config_connect(const char *sandbox_id, int mode)
{
	ns_proxy_renew *rn = NULL;
	uint8_t pk[NS_ED25519_PK_LEN];
	char host[256], err[256];
	unsigned port;
	int sock, rc;

	if (ready_relay(sandbox_id, host, sizeof(host), &port, pk, 0) != 0) {
		return EXIT_OWN_ERROR;
	}
	if (mode & NS_SSH_CONFIG_RESUME) {        /* the resumable transport (proxy_resume.c) */
		if (mode & NS_SSH_CONFIG_RENEW) { /* the prepare's lifetime and permits */
			(void)!ns_proxy_renew_new(sandbox_id, NS_PROXY_RENEW_DEFAULT_MIN, 0, &rn);
		}
		ns_cli_resume_proxy_renew(rn); /* off when it could not start (said) */
		rc = ns_cli_resume_proxy(host, (uint16_t)port);
		ns_proxy_renew_free(rn);
		return rc;
	}
	if ((sock = ns_net_connect_ms(host, port, CONNECT_TIMEOUT_MS, err, sizeof(err))) < 0) {
		fprintf(stderr, "nullspace: cannot reach the relay [%s]:%u: %s\n", host, port, err);
		return EXIT_OWN_ERROR;
	}
	rc = pump(sock);
	close(sock);
	return rc;
}

int ns_ssh_config_known_hosts(const char *sandbox_id, const char *name)
{
	uint8_t pk[NS_ED25519_PK_LEN];
	char host[256], line[NS_KEY_LINE_MAX];
	unsigned port;
	size_t i;

	/* the name ssh searches for goes out as it came: refuse what would
	 * split the line or add a pattern */
	for (i = 0; name[i] != '\0'; i++) {
		if ((unsigned char)name[i] <= ' ' || name[i] == ',' || name[i] == '*' ||
		    name[i] == '?' || name[i] == '!' || (unsigned char)name[i] >= 0x7f) {
			return 0;
		}
	}
	if (i == 0 || ready_relay(sandbox_id, host, sizeof(host), &port, pk, 1) != 0 ||
	    ns_key_to_line(pk, NULL, line, sizeof(line)) != 0) {
		return 0; /* nothing known: ssh refuses the unknown host key */
	}
	printf("%s %s\n", name, line);
	return 0;
}

int ns_ssh_config_has_line(const char *text, size_t tlen, const char *line, size_t len)
{
	size_t off = 0, n;
	const char *nl;

	while (off < tlen) {
		nl = memchr(text + off, '\n', tlen - off);
		n = (size_t)((nl != NULL ? nl : text + tlen) - (text + off));
		if (n > 0 && text[off + n - 1] == '\r') {
			n--;
		}
		if (n == len && memcmp(text + off, line, len) == 0) {
			return 1;
		}
		off += (size_t)((nl != NULL ? nl : text + tlen) - (text + off)) + 1;
	}
	return 0;
}
