/* The socket side of the ssh-agent client: connect to $SSH_AUTH_SOCK, send
 * one request, read one length-prefixed reply (at most NS_SSHAGENT_MSG_MAX
 * bytes, within NS_SSHAGENT_TIMEOUT_MS), and hand it to sshagent_msg.c. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "clock.h"
#include "buf.h"
#include "nullspace/error.h"
#include "nullspace/sshagent.h"
#include "sshagent_int.h"

int ns_sshagent_open(const char *path, int *fd)
{
	struct sockaddr_un sa;
	int s;

	*fd = -1;
	if (path == NULL) {
		path = getenv("SSH_AUTH_SOCK");
	}
	if (path == NULL || path[0] == '\0') {
		return NS_ERR_NOTFOUND;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		return NS_ERR_INVALID;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		return NS_ERR_IO;
	}
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(s);
		return NS_ERR_IO;
	}
	*fd = s;
	return 0;
}

/* Wait until fd is ready for events, at most until deadline. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	uint64_t now;
	int n;

	for (;;) {
		now = ns_clock_ms();
		if (now >= deadline) {
			return NS_ERR_TIMEOUT;
		}
		n = poll(&p, 1, (int)(deadline - now));
		if (n > 0) {
			return 0;
		}
		if (n < 0 && errno != EINTR) {
			return NS_ERR_IO;
		}
	}
}

static int write_all(int fd, const uint8_t *p, size_t n, uint64_t deadline)
{
	ssize_t w;
	int rc;

	while (n > 0) {
		if ((rc = wait_fd(fd, POLLOUT, deadline)) != 0) {
			return rc;
		}
		w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
			continue;
		}
		if (w <= 0) {
			return NS_ERR_IO;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, uint8_t *p, size_t n, uint64_t deadline)
{
	ssize_t r;
	int rc;

	while (n > 0) {
		if ((rc = wait_fd(fd, POLLIN, deadline)) != 0) {
			return rc;
		}
		r = recv(fd, p, n, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
			continue;
		}
		if (r <= 0) {
			return NS_ERR_IO; /* the agent closed: it refused or died */
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int ns_sshagent_roundtrip(int fd, const uint8_t *req, size_t req_len, uint32_t timeout_ms,
                          uint8_t **reply, size_t *len)
{
	uint64_t deadline = ns_clock_ms() + timeout_ms;
	uint8_t be[4];
	uint32_t n;
	int rc;

	*reply = NULL;
	*len = 0;
	if ((rc = write_all(fd, req, req_len, deadline)) != 0 ||
	    (rc = read_all(fd, be, sizeof(be), deadline)) != 0) {
		return rc;
	}
	n = (uint32_t)be[0] << 24 | (uint32_t)be[1] << 16 | (uint32_t)be[2] << 8 | be[3];
	if (n == 0 || n > NS_SSHAGENT_MSG_MAX) {
		return NS_ERR_TOOBIG;
	}
	if ((*reply = malloc(n)) == NULL) {
		return NS_ERR_NOMEM;
	}
	if ((rc = read_all(fd, *reply, n, deadline)) != 0) {
		free(*reply);
		*reply = NULL;
		return rc;
	}
	*len = n;
	return 0;
}

int ns_sshagent_list(int fd, ns_sshagent_ids *out)
{
	static const uint8_t req[] = {0, 0, 0, 1, NS_SSH_AGENTC_REQUEST_IDENTITIES};
	uint8_t *reply;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ns_sshagent_roundtrip(fd, req, sizeof(req), NS_SSHAGENT_TIMEOUT_MS, &reply,
	                                &len)) != 0) {
		return rc;
	}
	rc = ns_sshagent_parse_identities(reply, len, out);
	free(reply);
	return rc;
}

int ns_sshagent_sign(int fd, const uint8_t pk[NS_ED25519_PK_LEN], const uint8_t *data, size_t len,
                     uint8_t sig[NS_SIG_BLOB_LEN])
{
	uint8_t blob[NS_KEY_BLOB_LEN], *reply = NULL, *msg;
	size_t rlen, body;
	ns_buf b;
	int rc;

	memset(sig, 0, NS_SIG_BLOB_LEN);
	body = 1 + 4 + sizeof(blob) + 4 + len + 4;
	if (len > NS_SSHAGENT_MSG_MAX - 64) {
		return NS_ERR_TOOBIG;
	}
	ns_key_blob(pk, blob);
	if ((msg = malloc(4 + body)) == NULL) {
		return NS_ERR_NOMEM;
	}
	ns_buf_init_fixed(&b, msg, 4 + body);
	ns_wr_u32(&b, (uint32_t)body);            /* uint32 message length */
	ns_wr_u8(&b, NS_SSH_AGENTC_SIGN_REQUEST); /* byte SSH_AGENTC_SIGN_REQUEST */
	ns_wr_string(&b, blob, sizeof(blob));     /* string key blob */
	ns_wr_string(&b, data, len);              /* string data */
	ns_wr_u32(&b, 0);                         /* uint32 flags */
	if ((rc = b.err) == 0 && (rc = ns_sshagent_roundtrip(fd, b.p, b.len, NS_SSHAGENT_TIMEOUT_MS,
	                                                     &reply, &rlen)) == 0) {
		rc = ns_sshagent_parse_sign(reply, rlen, sig);
	}
	free(reply);
	free(msg);
	return rc;
}
