/* The wss:// certificate files of a relay: made once (random key seed and
 * serial, the clock now, a year of validity) and kept, like the relay's
 * host key, so that pins stay valid, until fewer than
 * NS_TLS_CERT_RENEW_DAYS are left: then made anew (clients get the new pin
 * from the next access object). The fingerprint file is written from
 * whatever certificate is there. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>
#include <sodium.h>

#include "file.h"
#include "nullspace/error.h"
#include "tls_files.h"
#include "tls_pem.h"

/* A new file of mode, atomically in place (temp file, fsync, rename). */
static int write_new(const char *path, int mode, const char *p, size_t len)
{
	char tmp[4096];
	int fd, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)) < 0) {
		return -1;
	}
	if (ns_file_write_all(fd, p, len) == 0 && fsync(fd) == 0) {
		rc = 0;
	}
	if (close(fd) != 0) {
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
	}
	if (rc != 0) {
		(void)unlink(tmp);
	}
	return rc;
}

static int make(const char *host, const char *cert, const char *key, char *hex, char *err,
                size_t cap)
{
	ns_tls_certgen g;
	uint8_t der[NS_TLS_CERT_DER_MAX];
	char key_pem[NS_TLS_KEY_PEM_MAX], pem[NS_TLS_CERT_PEM_MAX];
	size_t len = 0;
	int rc;

	memset(&g, 0, sizeof(g));
	g.host = host;
	g.now = (uint64_t)time(NULL) - 3600; /* an hour back: clocks differ */
	g.days = NS_TLS_CERT_DAYS;
	randombytes_buf(g.serial, sizeof(g.serial));
	randombytes_buf(g.seed, sizeof(g.seed));
	rc = ns_tls_certgen_make(&g, der, &len, key_pem);
	sodium_memzero(g.seed, sizeof(g.seed));
	if (rc != 0) {
		snprintf(err, cap, "cannot make a certificate for %s: %s", host, ns_strerror(rc));
		goto out;
	}
	if ((rc = ns_tls_cert_pem(der, len, pem)) != 0) {
		snprintf(err, cap, "cannot encode the certificate: %s", ns_strerror(rc));
		goto out;
	}
	if (write_new(key, 0600, key_pem, strlen(key_pem)) != 0 ||
	    write_new(cert, 0644, pem, strlen(pem)) != 0) {
		snprintf(err, cap, "cannot write %s or %s: %s", key, cert, strerror(errno));
		rc = NS_ERR_IO;
		goto out;
	}
	ns_tls_cert_sha256_hex(der, len, hex);
out:
	sodium_memzero(key_pem, sizeof(key_pem));
	return rc;
}

/* The fingerprint of the first certificate in path; *expiring when it is
 * self-signed and invalid NS_TLS_CERT_RENEW_DAYS from now (a certificate
 * of someone else's CA is never renewed here). */
static int fingerprint(const char *path, char *hex, int *expiring, char *err, size_t cap)
{
	uint64_t then = (uint64_t)time(NULL) + NS_TLS_CERT_RENEW_DAYS * 86400ULL;
	ns_tls_pem pem;
	unsigned verdict = 0;
	size_t i;
	int rc;

	if ((rc = ns_tls_pem_load(path, &pem)) != 0) {
		snprintf(err, cap, "cannot read the certificate %s: %s", path, ns_strerror(rc));
		return rc;
	}
	rc = NS_ERR_FORMAT;
	for (i = 0; i < pem.n && rc != 0; i++) {
		if (strcmp(pem.objs[i].name, "CERTIFICATE") == 0) {
			ns_tls_cert_sha256_hex(pem.objs[i].der, pem.objs[i].len, hex);
			*expiring = ns_tls_cert_self_check(pem.objs[i].der, pem.objs[i].len, NULL,
			                                   then, &verdict) == 0 &&
			            verdict == BR_ERR_X509_EXPIRED;
			rc = 0;
		}
	}
	ns_tls_pem_free(&pem);
	if (rc != 0) {
		snprintf(err, cap, "%s holds no CERTIFICATE", path);
	}
	return rc;
}

int ns_tls_files_ensure(const char *host, const char *cert, const char *key, const char *fp,
                        int *made, char hex[NS_TLS_SHA256_HEX + 1], char *err, size_t cap)
{
	char line[NS_TLS_SHA256_HEX + 2];
	int expiring = 0, rc;

	*made = access(cert, F_OK) != 0 || access(key, F_OK) != 0 ? NS_TLS_FILES_MADE : 0;
	if (!*made && (rc = fingerprint(cert, hex, &expiring, err, cap)) != 0) {
		return rc;
	}
	if (expiring) {
		*made = NS_TLS_FILES_RENEWED;
	}
	if (*made && (rc = make(host, cert, key, hex, err, cap)) != 0) {
		return rc;
	}
	snprintf(line, sizeof(line), "%s\n", hex);
	if (write_new(fp, 0644, line, strlen(line)) != 0) {
		snprintf(err, cap, "cannot write %s: %s", fp, strerror(errno));
		return NS_ERR_IO;
	}
	return 0;
}
