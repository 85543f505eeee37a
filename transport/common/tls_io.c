/* The record pump between a BearSSL engine and a socket, shared by the
 * relay's wss:// listener (non-blocking, inside its event loop) and
 * `nullspace proxy` (blocking): BearSSL's sans-I/O buf/ack pairs driven
 * with recv(2)/send(2). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "tls_io.h"

/* Write records once: 1 some went, 0 EAGAIN or nothing to send, -1 the
 * socket failed. */
static int put_records(br_ssl_engine_context *eng, int fd)
{
	unsigned char *buf;
	size_t len;
	ssize_t k;

	if ((buf = br_ssl_engine_sendrec_buf(eng, &len)) == NULL || len == 0) {
		return 0;
	}
	do {
		k = send(fd, buf, len, MSG_NOSIGNAL);
	} while (k < 0 && errno == EINTR);
	if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		return 0;
	}
	if (k <= 0) {
		return -1;
	}
	br_ssl_engine_sendrec_ack(eng, (size_t)k);
	return 1;
}

int ns_tls_read_records(br_ssl_engine_context *eng, int fd)
{
	unsigned char *buf;
	size_t len;
	ssize_t k;

	buf = br_ssl_engine_recvrec_buf(eng, &len);
	do {
		k = recv(fd, buf, len, 0);
	} while (k < 0 && errno == EINTR);
	if (k < 0) {
		return -1;
	}
	if (k == 0) {
		return 0;
	}
	br_ssl_engine_recvrec_ack(eng, (size_t)k);
	return 1;
}

ssize_t ns_tls_recv(br_ssl_engine_context *eng, int fd, uint8_t *buf, size_t cap)
{
	unsigned char *app;
	unsigned st;
	size_t len;
	int k;

	for (;;) {
		st = br_ssl_engine_current_state(eng);
		if (st == BR_SSL_CLOSED) {
			return 0;
		}
		if ((st & BR_SSL_SENDREC) && put_records(eng, fd) < 0) {
			return 0; /* the socket failed */
		}
		if (st & BR_SSL_RECVAPP) {
			app = br_ssl_engine_recvapp_buf(eng, &len);
			len = len < cap ? len : cap;
			memcpy(buf, app, len);
			br_ssl_engine_recvapp_ack(eng, len);
			return (ssize_t)len;
		}
		if (!(st & BR_SSL_RECVREC)) {
			errno = EAGAIN; /* records must go out first */
			return -1;
		}
		if ((k = ns_tls_read_records(eng, fd)) == 0) {
			br_ssl_engine_close(eng); /* EOF without close_notify */
			return 0;
		}
		if (k < 0) {
			return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : 0;
		}
	}
}

ssize_t ns_tls_send(br_ssl_engine_context *eng, int fd, const uint8_t *p, size_t n)
{
	unsigned char *app;
	unsigned st;
	size_t len;
	int k;

	for (;;) {
		st = br_ssl_engine_current_state(eng);
		if (st == BR_SSL_CLOSED) {
			errno = EPIPE;
			return -1;
		}
		if (st & BR_SSL_SENDAPP) {
			app = br_ssl_engine_sendapp_buf(eng, &len);
			len = len < n ? len : n;
			memcpy(app, p, len);
			br_ssl_engine_sendapp_ack(eng, len); /* a full record closes */
			return (ssize_t)len;
		}
		if (!(st & BR_SSL_SENDREC) || (k = put_records(eng, fd)) == 0) {
			errno = EAGAIN;
			return -1;
		}
		if (k < 0) {
			errno = EPIPE;
			return -1;
		}
	}
}

int ns_tls_flush(br_ssl_engine_context *eng, int fd)
{
	int k;

	if (br_ssl_engine_current_state(eng) & BR_SSL_SENDAPP) {
		br_ssl_engine_flush(eng, 0);
	}
	while (br_ssl_engine_current_state(eng) & BR_SSL_SENDREC) {
		if ((k = put_records(eng, fd)) < 0) {
			return -1;
		}
		if (k == 0) {
			return 1;
		}
	}
	return 0;
}

size_t ns_tls_pending(br_ssl_engine_context *eng)
{
	size_t len = 0;

	if (br_ssl_engine_sendrec_buf(eng, &len) == NULL) {
		return 0;
	}
	return len;
}

int ns_tls_buffered(br_ssl_engine_context *eng)
{
	return (br_ssl_engine_current_state(eng) & BR_SSL_RECVAPP) != 0;
}

int ns_tls_ready(br_ssl_engine_context *eng)
{
	unsigned st = br_ssl_engine_current_state(eng);

	return st != BR_SSL_CLOSED && (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)) != 0;
}

const char *ns_tls_error_name(int err)
{
	/* BearSSL reports a refusal by the alert it sent: handshake_failure
	 * (40) when no suite, curve or signature hash is shared,
	 * protocol_version (70) for a version out of range */
	switch (err) {
	case BR_ERR_SEND_FATAL_ALERT + 40: return "no-common-algorithm";
	case BR_ERR_SEND_FATAL_ALERT + 70: return "unsupported-version";
	case BR_ERR_SEND_FATAL_ALERT + 10: return "unexpected-message";
	case BR_ERR_SEND_FATAL_ALERT + 50: return "bad-handshake";
	case BR_ERR_RECV_FATAL_ALERT + 42:
	case BR_ERR_RECV_FATAL_ALERT + 48: return "peer-refused-certificate";
	case BR_ERR_RECV_FATAL_ALERT + 40: return "peer-handshake-failure";
	default: break;
	}
	if (err >= BR_ERR_SEND_FATAL_ALERT) {
		return "sent-alert";
	}
	if (err >= BR_ERR_RECV_FATAL_ALERT) {
		return "peer-alert";
	}
	switch (err) {
	case BR_ERR_OK: return "ok";
	/* a record whose version bytes are no TLS (plain HTTP, SSL 2) */
	case BR_ERR_UNSUPPORTED_VERSION: return "not-tls";
	case BR_ERR_BAD_VERSION: return "bad-version";
	case BR_ERR_BAD_CIPHER_SUITE: return "no-common-suite";
	case BR_ERR_BAD_MAC: return "bad-record-mac";
	case BR_ERR_BAD_HANDSHAKE: return "bad-handshake";
	case BR_ERR_BAD_SIGNATURE: return "bad-signature";
	case BR_ERR_BAD_FINISHED: return "bad-finished";
	case BR_ERR_UNKNOWN_TYPE: return "not-tls";
	case BR_ERR_IO: return "socket-error";
	case BR_ERR_X509_NOT_TRUSTED: return "certificate-not-trusted";
	case BR_ERR_X509_EXPIRED: return "certificate-expired";
	case BR_ERR_X509_BAD_SERVER_NAME: return "certificate-name-mismatch";
	case BR_ERR_X509_EMPTY_CHAIN: return "no-certificate";
	case BR_ERR_X509_BAD_SIGNATURE: return "certificate-bad-signature";
	case BR_ERR_X509_NOT_CA: return "issuer-not-ca";
	case BR_ERR_X509_TIME_UNKNOWN: return "no-clock";
	case BR_ERR_X509_WEAK_PUBLIC_KEY: return "weak-key";
	default: return err >= BR_ERR_X509_OK ? "certificate-invalid" : "protocol-error";
	}
}

const char *ns_tls_version_name(unsigned version)
{
	switch (version) {
	case BR_TLS12: return "TLS1.2";
	case BR_TLS11: return "TLS1.1";
	case BR_TLS10: return "TLS1.0";
	default: return "unknown";
	}
}

const char *ns_tls_suite_name(uint16_t suite)
{
	switch (suite) {
	case BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: return "ECDHE-ECDSA-AES128-GCM-SHA256";
	case BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: return "ECDHE-ECDSA-AES256-GCM-SHA384";
	case BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
		return "ECDHE-ECDSA-CHACHA20-POLY1305";
	case BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: return "ECDHE-RSA-AES128-GCM-SHA256";
	case BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: return "ECDHE-RSA-AES256-GCM-SHA384";
	case BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: return "ECDHE-RSA-CHACHA20-POLY1305";
	default: return "other";
	}
}
