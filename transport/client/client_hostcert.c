/* The client's verdict on a host certificate of any key type (strict
 * policy; the CA is ed25519, as cert_policy.c trusts): trusted when a
 * @cert-authority line of known_hosts for this host lists its CA, it is a
 * host certificate naming the host (without the port) and valid now, and
 * neither its key nor its CA is @revoked. Without a CA line for the host,
 * the certified key is checked as a plain host key, as ssh does. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client_int.h"
#include "file.h"
#include "nullspace/cert.h"
#include "nullspace/known_hosts.h"

static int refuse(ns_client *c, int rc, const char *disp, const char *why)
{
	return ns_cio_fail(c, rc, "host certificate of %s refused: %s; refusing to connect", disp,
	                   why);
}

int ns_client_check_hostcert(ns_client *c, const ns_client_config *cfg, ns_str blob)
{
	char disp[NS_CLIENT_HOST_MAX + 16], *text = NULL;
	ns_cert_policy pol;
	ns_cert_verdict v;
	ns_pubkey ca, key;
	ns_cert cert;
	size_t len = 0;
	int rc, reason = 0;

	ns_client_host_display(c->host, c->port, disp, sizeof(disp));
	if (ns_cert_parse(blob.p, blob.len, &cert, &reason) != 0) {
		return refuse(c, NS_ERR_AUTH, disp, ns_cert_reason_name(reason));
	}
	if ((rc = ns_file_read(cfg->known_hosts, NS_CLIENT_KNOWN_HOSTS_MAX, &text, &len)) != 0) {
		free(text);
		return rc == NS_ERR_NOTFOUND ? rc : refuse(c, rc, disp, "cannot read known_hosts");
	}
	rc = ns_cert_ca_pubkey(&cert, &ca) != 0 || ns_cert_pubkey(&cert, &key) != 0
	         ? NS_ERR_FORMAT
	         : ns_known_hosts_check_ca_key(text, len, c->host, c->port, &ca);
	if (rc == 0) {
		rc = ns_known_hosts_revoked_key(text, len, c->host, c->port, &key);
	}
	free(text);
	if (rc == NS_ERR_NOTFOUND) {
		return rc;
	}
	if (rc != 0) {
		return refuse(c, rc, disp,
		              rc == NS_ERR_REVOKED ? "its key or its CA is marked @revoked"
		                                   : ns_strerror(rc));
	}
	memset(&pol, 0, sizeof(pol));
	pol.ca_keys = (const uint8_t(*)[NS_ED25519_PK_LEN])cert.ca_pk;
	pol.nca = 1;
	pol.type = NS_CERT_HOST;
	pol.principal = c->host; /* the name alone: never with ":port" */
	pol.now = (uint64_t)time(NULL);
	if (ns_cert_check(&cert, &pol, &v) != 0) {
		return refuse(c, NS_ERR_AUTH, disp, ns_cert_reason_name(v.reason));
	}
	return 0;
}
