/* The API server's answers as JSON (jansson): error bodies, the sandbox and
 * access objects of docs/api.md, RFC 3339 timestamps, and the relay's
 * known_hosts line and ssh command line handed to clients. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nullspace/error.h"
#include "registry.h"
#include "server_int.h"
#include "ws_url.h"

#define ERROR_MSG_MAX 512
#define HOST_MAX 255

static void reply_set(ns_api_reply *r, unsigned status, char *text)
{
	size_t n = text != NULL ? strlen(text) : 0;
	char *p = text != NULL ? realloc(text, n + 2) : NULL;

	ns_api_reply_clear(r);
	r->status = status;
	if (p == NULL) {
		free(text); /* never holds a credential: those come through with r->secret */
		r->status = 500;
		return;
	}
	p[n] = '\n'; /* for people reading answers with curl */
	p[n + 1] = '\0';
	r->body = p;
	r->len = n + 1;
}

void ns_api_reply_error(ns_api_reply *r, unsigned status, const char *msg)
{
	char clean[ERROR_MSG_MAX];
	json_t *j;
	size_t i;

	for (i = 0; msg[i] != '\0' && i + 1 < sizeof(clean); i++) {
		unsigned char c = (unsigned char)msg[i];

		clean[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	clean[i] = '\0';
	j = json_pack("{s:s}", "error", clean);
	reply_set(r, status, j != NULL ? json_dumps(j, JSON_COMPACT) : NULL);
	json_decref(j);
}

void ns_api_reply_json(ns_api_reply *r, unsigned status, json_t *j)
{
	char *text;

	if (j == NULL) {
		ns_api_reply_error(r, 500, "the server could not build its answer");
		return;
	}
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (text == NULL) {
		ns_api_reply_error(r, 500, "the server could not build its answer");
		return;
	}
	if (r->secret) {
		/* a copy with the newline, no realloc leaving a stray unwiped one */
		size_t n = strlen(text);
		char *p = malloc(n + 2);

		if (p != NULL) {
			memcpy(p, text, n);
			p[n] = '\n';
			p[n + 1] = '\0';
		}
		sodium_memzero(text, n);
		free(text);
		ns_api_reply_clear(r);
		if (p == NULL) {
			ns_api_reply_error(r, 500, "the server is out of memory");
			return;
		}
		r->status = status;
		r->body = p;
		r->len = n + 1;
		return;
	}
	reply_set(r, status, text);
}

void ns_api_reply_clear(ns_api_reply *r)
{
	if (r->body != NULL) {
		if (r->secret) {
			sodium_memzero(r->body, r->len);
		}
		free(r->body);
	}
	r->body = NULL;
	r->len = 0;
}

int ns_api_time_format(int64_t t, char *out, size_t cap)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (gmtime_r(&tt, &tm) == NULL || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		return NS_ERR_INVALID;
	}
	return 0;
}

json_t *ns_api_sandbox_json(const ns_sandbox_info *sb)
{
	char created[32], expires[32], max_expires[32], active[32];

	if (ns_api_time_format(sb->created_at, created, sizeof(created)) != 0 ||
	    ns_api_time_format(sb->expires_at, expires, sizeof(expires)) != 0 ||
	    ns_api_time_format(sb->max_expires_at, max_expires, sizeof(max_expires)) != 0 ||
	    (sb->last_activity_at != 0 &&
	     ns_api_time_format(sb->last_activity_at, active, sizeof(active)) != 0)) {
		return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:I, s:I, s:s, s:s?}", "id", sb->id,
	                 "template", sb->template_name, "state", sb->state, "stop_reason",
	                 sb->stop_reason[0] != '\0' ? sb->stop_reason : NULL, "created_at", created,
	                 "expires_at", expires, "timeout", (json_int_t)sb->timeout, "max_lifetime",
	                 (json_int_t)sb->max_lifetime, "max_expires_at", max_expires,
	                 "last_activity_at", sb->last_activity_at != 0 ? active : NULL);
}

/* The signed WebSocket URL of an access into out, bound to the sandbox and
 * the access's expiry; "" when the deployment has no WebSocket listener. */
static int access_ws_url(const ns_api_server_config *cfg, const char *sandbox_id,
                         const ns_minted *m, char *out, size_t cap)
{
	out[0] = '\0';
	if (cfg->ws_hostport == NULL) {
		return 0;
	}
	return ns_ws_url_make(cfg->ws_tls, cfg->ws_hostport, sandbox_id, (uint64_t)m->expires_at,
	                      cfg->ws_secret, cfg->ws_secret_len, out, cap);
}

json_t *ns_api_access_json(const ns_api_server_config *cfg, const char *sandbox_id,
                           const ns_minted *m)
{
	char expires[32], host_key[NS_KEY_LINE_MAX], known[NS_KEY_LINE_MAX + HOST_MAX + 32];
	char host_ca[NS_KEY_LINE_MAX];
	char command[1024], ws_url[NS_WS_URL_MAX];
	json_t *j = NULL;

	if (access_ws_url(cfg, sandbox_id, m, ws_url, sizeof(ws_url)) != 0 ||
	    ns_api_time_format(m->expires_at, expires, sizeof(expires)) != 0 ||
	    ns_key_to_line(cfg->relay_host_key, NULL, host_key, sizeof(host_key)) != 0 ||
	    ns_api_known_hosts_line(cfg->relay_host, cfg->relay_port, cfg->relay_host_key, known,
	                            sizeof(known)) != 0 ||
	    ns_api_access_command(sandbox_id, cfg->relay_host, cfg->relay_port, command,
	                          sizeof(command)) != 0 ||
	    (cfg->relay_host_ca != NULL &&
	     (ns_key_to_line(cfg->relay_host_ca, NULL, host_ca, sizeof(host_ca)) != 0 ||
	      ns_api_ca_known_hosts_line(cfg->relay_host, cfg->relay_port, cfg->relay_host_ca,
	                                 known, sizeof(known)) != 0))) {
		goto out;
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:I, s:s, s:s}, s:s}", "access_id",
	              m->access_id, "sandbox_id", sandbox_id, "user", sandbox_id, "certificate",
	              m->cert_line, "expires_at", expires, "relay", "host", cfg->relay_host, "port",
	              (json_int_t)cfg->relay_port, "host_key", host_key, "known_hosts", known,
	              "command", command);
	if (j != NULL && cfg->relay_host_ca != NULL &&
	    json_object_set_new(json_object_get(j, "relay"), "host_ca", json_string(host_ca)) !=
	        0) {
		json_decref(j);
		j = NULL;
	}
	/* the legacy WebSocket members only where the deployment has them; the
	 * pin is null on plain ws */
	if (j != NULL && ws_url[0] != '\0' &&
	    (json_object_set_new(j, "websocket_url", json_string(ws_url)) != 0 ||
	     json_object_set_new(j, "websocket_tls_sha256",
	                         cfg->ws_tls_sha256 != NULL ? json_string(cfg->ws_tls_sha256)
	                                                    : json_null()) != 0)) {
		json_decref(j);
		j = NULL;
	}
out:
	sodium_memzero(command, sizeof(command));
	sodium_memzero(ws_url, sizeof(ws_url));
	return j;
}

/* A host the command and known_hosts may name: an IP address or a DNS name
 * (nothing a shell would read specially). */
static int host_ok(const char *host)
{
	size_t i, n = host != NULL ? strlen(host) : 0;

	if (n == 0 || n > HOST_MAX || host[0] == '-') {
		return 0;
	}
	for (i = 0; i < n; i++) {
		char c = host[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '_')) {
			return 0;
		}
	}
	return 1;
}

int ns_api_ca_known_hosts_line(const char *host, unsigned port, const uint8_t ca[NS_ED25519_PK_LEN],
                               char *out, size_t cap)
{
	static const char mark[] = "@cert-authority ";
	int rc;

	if (cap < sizeof(mark)) {
		return NS_ERR_NOMEM;
	}
	memcpy(out, mark, sizeof(mark) - 1);
	if ((rc = ns_api_known_hosts_line(host, port, ca, out + sizeof(mark) - 1,
	                                  cap - (sizeof(mark) - 1))) != 0) {
		out[0] = '\0';
	}
	return rc;
}

int ns_api_known_hosts_line(const char *host, unsigned port, const uint8_t pk[NS_ED25519_PK_LEN],
                            char *out, size_t cap)
{
	char key[NS_KEY_LINE_MAX];
	int n, rc;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (!host_ok(host) || port == 0 || port > 65535) {
		return NS_ERR_INVALID;
	}
	if ((rc = ns_key_to_line(pk, NULL, key, sizeof(key))) != 0) {
		return rc;
	}
	if (port == 22) {
		n = snprintf(out, cap, "%s %s", host, key);
	} else {
		n = snprintf(out, cap, "[%s]:%u %s", host, port, key);
	}
	if (n < 0 || (size_t)n >= cap) {
		if (cap > 0) {
			out[0] = '\0';
		}
		return NS_ERR_NOMEM;
	}
	return 0;
}

int ns_api_access_command(const char *user, const char *host, unsigned port, char *out, size_t cap)
{
	int n;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (!ns_registry_id_valid(user) || user[0] == '-' || !host_ok(host) || port == 0 ||
	    port > 65535) {
		return NS_ERR_INVALID;
	}
	n = snprintf(
	    out, cap,
	    "ssh -i id_ed25519 -o CertificateFile=id_ed25519-cert.pub -o IdentitiesOnly=yes "
	    "-o UserKnownHostsFile=known_hosts -o GlobalKnownHostsFile=/dev/null "
	    "-o StrictHostKeyChecking=yes -p %u %s@%s",
	    port, user, host);
	if (n < 0 || (size_t)n >= cap) {
		if (cap > 0) {
			out[0] = '\0';
		}
		return NS_ERR_NOMEM;
	}
	return 0;
}
