/* The agent's user authentication policy: only publickey with an ed25519 key
 * listed in the authorized_keys file, read again at every request so edits
 * apply at once. The engine has verified the signature itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_int.h"
#include "nullspace/authfile.h"
#include "nullspace/error.h"
#include "wire.h"

void ns_agent_log_str(ns_str s, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < s.len && o + 1 < cap; i++) {
		uint8_t ch = s.p[i];
		out[o++] = (ch > 0x20 && ch < 0x7f && ch != '=' && ch != '"') ? (char)ch : '?';
	}
	out[o] = '\0';
}

static int read_file(const char *path, char **text, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL, *p;
	ssize_t r;
	int fd, rc = NS_ERR_IO;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return NS_ERR_IO;
	}
	for (;;) {
		if (n == cap || buf == NULL) {
			if (buf != NULL && (cap *= 2) > NS_AGENT_AUTHKEYS_MAX) {
				rc = NS_ERR_TOOBIG;
				goto out;
			}
			if ((p = realloc(buf, cap)) == NULL) {
				rc = NS_ERR_NOMEM;
				goto out;
			}
			buf = p;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			goto out;
		}
		if (r == 0) {
			break;
		}
		n += (size_t)r;
	}
	*text = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

static int key_listed(ns_agent_conn *c, const uint8_t pk[NS_ED25519_PK_LEN])
{
	const char *path = c->agent->cfg->authorized_keys;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if ((rc = read_file(path, &text, &len)) != 0) {
		fprintf(c->host.log,
		        "agent event=error conn=%u what=authorized-keys error=\"%s\"\n",
		        c->host.conn_id, ns_strerror(rc));
		return 0;
	}
	rc = ns_authkeys_find(text, len, pk);
	free(text);
	return rc == 0;
}

void ns_agent_auth(ns_agent_conn *c, const ns_event *ev)
{
	char method[32], fp[NS_FINGERPRINT_LEN];
	int ok = 0;

	ns_agent_log_str(ev->user, c->user, sizeof(c->user));
	ns_agent_log_str(ev->method, method, sizeof(method));
	if (ns_str_eq(ev->method, "publickey") && ev->key_parsed) {
		ok = key_listed(c, ev->key);
	}
	ns_engine_auth_verdict(c->host.e, ok);
	if (ns_str_eq(ev->method, "publickey") && ev->key_parsed) {
		ns_key_fingerprint(ev->key, fp);
		if (ev->signed_ok || !ok) {
			fprintf(c->host.log,
			        "agent event=auth conn=%u result=%s user=%s key=%s%s\n",
			        c->host.conn_id, ok ? "accepted" : "refused", c->user, fp,
			        ev->signed_ok ? "" : " query=yes");
		}
		return;
	}
	if (ns_str_eq(ev->method, "none")) {
		return; /* every client asks first; not worth a line */
	}
	fprintf(c->host.log, "agent event=auth conn=%u result=refused user=%s method=%s\n",
	        c->host.conn_id, c->user, method);
}
