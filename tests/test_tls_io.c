/* Tests for transport/common/tls_io.c, tls_server.c, tls_client.c and
 * tls_pin.c: a server and a client engine over a non-blocking socketpair in
 * one thread (a generated certificate), the handshake to the agreed suite,
 * data both ways through ns_tls_send/flush/recv, the pin accepted and a
 * wrong pin refused, the CA check by name, credential refusals. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "lib_tmpdir.h"
#include "nullspace/error.h"
#include "tls_certgen.h"
#include "tls_client.h"
#include "tls_io.h"
#include "tls_server.h"

static char dir[256], cert[300], key[300];
static uint8_t der[NS_TLS_CERT_DER_MAX];
static size_t der_len;

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	ns_tls_certgen g;
	char key_pem[NS_TLS_KEY_PEM_MAX], pem[NS_TLS_CERT_PEM_MAX];

	(void)state;
	if (sodium_init() < 0 || ns_tmpdir_make(dir, sizeof(dir), "tls_io") != 0) {
		return -1;
	}
	memset(&g, 0, sizeof(g));
	g.host = "relay.test";
	g.now = (uint64_t)time(NULL) - 60;
	g.days = 2;
	randombytes_buf(g.serial, sizeof(g.serial));
	randombytes_buf(g.seed, sizeof(g.seed));
	if (ns_tls_certgen_make(&g, der, &der_len, key_pem) != 0 ||
	    ns_tls_cert_pem(der, der_len, pem) != 0) {
		return -1;
	}
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	put_file(cert, pem);
	put_file(key, key_pem);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return ns_tmpdir_remove(dir);
}

/* Drive both engines until both are ready or one closes: 0 or the client's
 * BearSSL error (or the server's when the client has none). */
static int pump_handshake(br_ssl_engine_context *s, br_ssl_engine_context *c, int sfd, int cfd)
{
	uint8_t b[1];
	int i;

	for (i = 0; i < 1000; i++) {
		(void)ns_tls_recv(s, sfd, b, 0);
		(void)ns_tls_flush(s, sfd);
		(void)ns_tls_recv(c, cfd, b, 0);
		(void)ns_tls_flush(c, cfd);
		if (ns_tls_ready(s) && ns_tls_ready(c)) {
			return 0;
		}
		if (br_ssl_engine_current_state(c) == BR_SSL_CLOSED ||
		    br_ssl_engine_current_state(s) == BR_SSL_CLOSED) {
			(void)ns_tls_flush(s, sfd);
			(void)ns_tls_flush(c, cfd);
			return br_ssl_engine_last_error(c) ? br_ssl_engine_last_error(c)
			                                   : br_ssl_engine_last_error(s);
		}
	}
	return -1;
}

static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
}

/* n bytes from a to b and back through the engines, checked. */
static void move(br_ssl_engine_context *a, int afd, br_ssl_engine_context *b, int bfd, size_t n)
{
	static uint8_t out[200000], in[200000];
	size_t sent = 0, got = 0;
	ssize_t k;
	int rounds = 0;

	randombytes_buf(out, n);
	while (got < n && rounds++ < 100000) {
		if (sent < n && (k = ns_tls_send(a, afd, out + sent, n - sent)) > 0) {
			sent += (size_t)k;
		}
		(void)ns_tls_flush(a, afd);
		if ((k = ns_tls_recv(b, bfd, in + got, n - got)) > 0) {
			got += (size_t)k;
		}
	}
	assert_int_equal(got, n);
	assert_memory_equal(in, out, n);
}

static void test_pinned_pair(void **state)
{
	ns_tls_cred *cred = NULL;
	ns_tls_server *srv = NULL;
	ns_tls_client *cli = NULL;
	ns_tls_client_config cc;
	br_ssl_session_parameters sp;
	uint8_t pin[32];
	char err[256];
	int sv[2];

	(void)state;
	assert_int_equal(ns_tls_cred_load(cert, key, &cred, err, sizeof(err)), 0);
	assert_string_equal(ns_tls_cred_kind(cred), "ecdsa-p256");
	assert_int_equal(ns_tls_server_new(cred, &srv), 0);
	crypto_hash_sha256(pin, der, der_len);
	memset(&cc, 0, sizeof(cc));
	cc.host = "127.0.0.1"; /* an IP: fine with a pin */
	cc.pin = pin;
	assert_int_equal(ns_tls_client_new(&cc, &cli, err, sizeof(err)), 0);
	pair(sv);
	assert_int_equal(
	    pump_handshake(ns_tls_server_engine(srv), ns_tls_client_engine(cli), sv[0], sv[1]), 0);
	br_ssl_engine_get_session_parameters(ns_tls_server_engine(srv), &sp);
	assert_int_equal(sp.version, BR_TLS12);
	assert_string_equal(ns_tls_suite_name(sp.cipher_suite), "ECDHE-ECDSA-AES128-GCM-SHA256");
	move(ns_tls_client_engine(cli), sv[1], ns_tls_server_engine(srv), sv[0], 150000);
	move(ns_tls_server_engine(srv), sv[0], ns_tls_client_engine(cli), sv[1], 70000);
	assert_int_equal(ns_tls_pending(ns_tls_server_engine(srv)), 0);
	close(sv[0]);
	close(sv[1]);
	ns_tls_client_free(cli);
	ns_tls_server_free(srv);
	ns_tls_cred_free(cred);
}

static int try_client(const ns_tls_client_config *cc)
{
	ns_tls_cred *cred = NULL;
	ns_tls_server *srv = NULL;
	ns_tls_client *cli = NULL;
	char err[256];
	int sv[2], rc;

	assert_int_equal(ns_tls_cred_load(cert, key, &cred, err, sizeof(err)), 0);
	assert_int_equal(ns_tls_server_new(cred, &srv), 0);
	assert_int_equal(ns_tls_client_new(cc, &cli, err, sizeof(err)), 0);
	pair(sv);
	rc = pump_handshake(ns_tls_server_engine(srv), ns_tls_client_engine(cli), sv[0], sv[1]);
	close(sv[0]);
	close(sv[1]);
	ns_tls_client_free(cli);
	ns_tls_server_free(srv);
	ns_tls_cred_free(cred);
	return rc;
}

static void test_wrong_pin_refused(void **state)
{
	ns_tls_client_config cc;
	uint8_t pin[32];

	(void)state;
	crypto_hash_sha256(pin, der, der_len);
	pin[31] ^= 1;
	memset(&cc, 0, sizeof(cc));
	cc.host = "relay.test";
	cc.pin = pin;
	assert_int_equal(try_client(&cc), BR_ERR_X509_NOT_TRUSTED);
}

static void test_ca_mode(void **state)
{
	ns_tls_client_config cc;
	ns_tls_client *cli = NULL;
	char err[256];

	(void)state;
	memset(&cc, 0, sizeof(cc));
	cc.host = "relay.test";
	cc.ca_file = cert; /* the self-signed certificate as the CA */
	assert_int_equal(try_client(&cc), 0);
	cc.host = "other.test";
	assert_int_equal(try_client(&cc), BR_ERR_X509_BAD_SERVER_NAME);
	cc.host = "127.0.0.1"; /* no pin: refused before connecting */
	assert_int_equal(ns_tls_client_new(&cc, &cli, err, sizeof(err)), NS_ERR_INVALID);
	assert_non_null(strstr(err, "--pin-sha256"));
	cc.host = "relay.test";
	cc.ca_file = key; /* no certificate in it */
	assert_int_equal(ns_tls_client_new(&cc, &cli, err, sizeof(err)), NS_ERR_NOTFOUND);
}

static void test_cred_refusals(void **state)
{
	ns_tls_cred *cred = NULL;
	char err[256], other[300];

	(void)state;
	assert_int_not_equal(ns_tls_cred_load(key, key, &cred, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no CERTIFICATE"));
	assert_int_not_equal(ns_tls_cred_load(cert, cert, &cred, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no unencrypted private key"));
	snprintf(other, sizeof(other), "%s/missing.pem", dir);
	assert_int_not_equal(ns_tls_cred_load(other, key, &cred, err, sizeof(err)), 0);
	assert_null(cred);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pinned_pair),
	    cmocka_unit_test(test_wrong_pin_refused),
	    cmocka_unit_test(test_ca_mode),
	    cmocka_unit_test(test_cred_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
