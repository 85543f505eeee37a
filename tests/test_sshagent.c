/* Tests for the ssh-agent client (transport/client/sshagent*.c): the identities
 * and sign replies parsed field by field (good, failure, malformed, other
 * key types, too many keys), and the socket calls against a fake agent on
 * a socketpair whose reply is queued before the request is sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "buf.h"
#include "nullspace/error.h"
#include "nullspace/sshagent.h"
#include "sshagent_int.h"

static ns_key k1, k2;

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0) {
		return -1;
	}
	ns_key_generate(&k1, "one");
	ns_key_generate(&k2, "two");
	return 0;
}

/* An identities answer: k1, an RSA-looking blob, a certificate type, k2. */
static void identities(ns_buf *b, uint32_t claimed)
{
	uint8_t blob[NS_KEY_BLOB_LEN];

	ns_wr_u8(b, NS_SSH_AGENT_IDENTITIES_ANSWER);
	ns_wr_u32(b, claimed);
	ns_key_blob(k1.pk, blob);
	ns_wr_string(b, blob, sizeof(blob));
	ns_wr_cstr(b, "one");
	ns_wr_string(b, "\0\0\0\x07ssh-rsa\0\0\0\x01\x03", 16);
	ns_wr_cstr(b, "an rsa key");
	ns_wr_string(b, "\0\0\0\x20ssh-ed25519-cert-v01@openssh.com", 36);
	ns_wr_cstr(b, "a cert");
	ns_key_blob(k2.pk, blob);
	ns_wr_string(b, blob, sizeof(blob));
	ns_wr_cstr(b, "two");
}

static void test_parse_identities(void **state)
{
	uint8_t st[1024];
	ns_sshagent_ids ids;
	ns_buf b;

	(void)state;
	ns_buf_init_fixed(&b, st, sizeof(st));
	identities(&b, 4);
	assert_int_equal(ns_sshagent_parse_identities(b.p, b.len, &ids), 0);
	assert_int_equal(ids.n, 2);
	assert_int_equal(ids.skipped, 2);
	assert_memory_equal(ids.keys[0].pk, k1.pk, 32);
	assert_string_equal(ids.keys[1].comment, "two");
	assert_int_equal(ns_sshagent_find(&ids, k2.pk), 1);
	assert_int_equal(ns_sshagent_find(&ids, st), -1);
	/* count says more (or fewer) keys than there are */
	ns_buf_init_fixed(&b, st, sizeof(st));
	identities(&b, 5);
	assert_int_equal(ns_sshagent_parse_identities(b.p, b.len, &ids), NS_ERR_FORMAT);
	assert_int_equal(ids.n, 0);
	ns_buf_init_fixed(&b, st, sizeof(st));
	identities(&b, 3);
	assert_int_equal(ns_sshagent_parse_identities(b.p, b.len, &ids), NS_ERR_FORMAT);
	/* a huge count with nothing behind it fails at once, not after 4G loops */
	ns_buf_init_fixed(&b, st, sizeof(st));
	ns_wr_u8(&b, NS_SSH_AGENT_IDENTITIES_ANSWER);
	ns_wr_u32(&b, UINT32_MAX);
	assert_int_equal(ns_sshagent_parse_identities(b.p, b.len, &ids), NS_ERR_FORMAT);
	/* failure, another type, empty */
	assert_int_equal(ns_sshagent_parse_identities((const uint8_t *)"\x05", 1, &ids),
	                 NS_ERR_AUTH);
	assert_int_equal(ns_sshagent_parse_identities((const uint8_t *)"\x0e", 1, &ids),
	                 NS_ERR_PROTOCOL);
	assert_int_equal(ns_sshagent_parse_identities(NULL, 0, &ids), NS_ERR_FORMAT);
	assert_int_equal(ns_sshagent_parse_identities((const uint8_t *)"\x05x", 2, &ids),
	                 NS_ERR_FORMAT);
}

static void test_many_keys(void **state)
{
	static uint8_t st[NS_SSHAGENT_KEYS_MAX * 2 * 64];
	uint8_t blob[NS_KEY_BLOB_LEN];
	ns_sshagent_ids ids;
	ns_buf b;
	int i;

	(void)state;
	ns_buf_init_fixed(&b, st, sizeof(st));
	ns_wr_u8(&b, NS_SSH_AGENT_IDENTITIES_ANSWER);
	ns_wr_u32(&b, NS_SSHAGENT_KEYS_MAX + 3);
	for (i = 0; i < NS_SSHAGENT_KEYS_MAX + 3; i++) {
		ns_key_blob(i == NS_SSHAGENT_KEYS_MAX + 2 ? k2.pk : k1.pk, blob);
		ns_wr_string(&b, blob, sizeof(blob));
		ns_wr_cstr(&b, "");
	}
	assert_int_equal(b.err, 0);
	assert_int_equal(ns_sshagent_parse_identities(b.p, b.len, &ids), 0);
	assert_int_equal(ids.n, NS_SSHAGENT_KEYS_MAX);
	assert_int_equal(ids.skipped, 3);
	assert_int_equal(ns_sshagent_find(&ids, k2.pk), -1); /* past the limit */
}

static void sign_response(ns_buf *b, const uint8_t sig[NS_SIG_BLOB_LEN], size_t len)
{
	ns_wr_u8(b, NS_SSH_AGENT_SIGN_RESPONSE);
	ns_wr_string(b, sig, len);
}

static void test_parse_sign(void **state)
{
	uint8_t st[256], sig[NS_SIG_BLOB_LEN], got[NS_SIG_BLOB_LEN], bad[NS_SIG_BLOB_LEN];
	ns_buf b;

	(void)state;
	assert_int_equal(ns_key_sign(&k1, (const uint8_t *)"d", 1, sig), 0);
	ns_buf_init_fixed(&b, st, sizeof(st));
	sign_response(&b, sig, sizeof(sig));
	assert_int_equal(ns_sshagent_parse_sign(b.p, b.len, got), 0);
	assert_memory_equal(got, sig, sizeof(sig));
	/* trailing byte, short signature, another signature type */
	ns_wr_u8(&b, 0);
	assert_int_equal(ns_sshagent_parse_sign(b.p, b.len, got), NS_ERR_FORMAT);
	ns_buf_init_fixed(&b, st, sizeof(st));
	sign_response(&b, sig, sizeof(sig) - 1);
	assert_int_equal(ns_sshagent_parse_sign(b.p, b.len, got), NS_ERR_FORMAT);
	memcpy(bad, sig, sizeof(bad));
	memcpy(bad + 4, "ssh-ed25518", 11);
	ns_buf_init_fixed(&b, st, sizeof(st));
	sign_response(&b, bad, sizeof(bad));
	assert_int_equal(ns_sshagent_parse_sign(b.p, b.len, got), NS_ERR_FORMAT);
	assert_int_equal(ns_sshagent_parse_sign((const uint8_t *)"\x05", 1, got), NS_ERR_AUTH);
	assert_int_equal(ns_sshagent_parse_sign((const uint8_t *)"\x0c", 1, got), NS_ERR_PROTOCOL);
}

/* Queue a framed reply on the agent's end of a socketpair. */
static void queue_reply(int fd, const uint8_t *body, size_t len)
{
	uint8_t be[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
	                 (uint8_t)len};

	assert_int_equal(write(fd, be, 4), 4);
	assert_int_equal(write(fd, body, len), (ssize_t)len);
}

static void test_socket_calls(void **state)
{
	uint8_t st[1024], sig[NS_SIG_BLOB_LEN], got[NS_SIG_BLOB_LEN], req[512];
	ns_sshagent_ids ids;
	ns_buf b;
	int sv[2];
	ssize_t n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ns_buf_init_fixed(&b, st, sizeof(st));
	identities(&b, 4);
	queue_reply(sv[1], b.p, b.len);
	assert_int_equal(ns_sshagent_list(sv[0], &ids), 0);
	assert_int_equal(ids.n, 2);
	n = read(sv[1], req, sizeof(req));
	assert_int_equal(n, 5);
	assert_memory_equal(req, "\0\0\0\x01\x0b", 5);
	/* sign: the request names the key blob and carries the data, flags 0 */
	assert_int_equal(ns_key_sign(&k1, (const uint8_t *)"data", 4, sig), 0);
	ns_buf_init_fixed(&b, st, sizeof(st));
	sign_response(&b, sig, sizeof(sig));
	queue_reply(sv[1], b.p, b.len);
	assert_int_equal(ns_sshagent_sign(sv[0], k1.pk, (const uint8_t *)"data", 4, got), 0);
	assert_memory_equal(got, sig, sizeof(sig));
	n = read(sv[1], req, sizeof(req));
	assert_int_equal(n, 4 + 1 + 4 + NS_KEY_BLOB_LEN + 4 + 4 + 4);
	assert_int_equal(req[4], NS_SSH_AGENTC_SIGN_REQUEST);
	assert_memory_equal(req + n - 8, "data\0\0\0\0", 8);
	/* refusal, an oversized length, and an agent that hangs up */
	queue_reply(sv[1], (const uint8_t *)"\x05", 1);
	assert_int_equal(ns_sshagent_sign(sv[0], k1.pk, (const uint8_t *)"d", 1, got), NS_ERR_AUTH);
	assert_true(read(sv[1], req, sizeof(req)) > 0);
	assert_int_equal(write(sv[1], "\x7f\0\0\0", 4), 4);
	assert_int_equal(ns_sshagent_list(sv[0], &ids), NS_ERR_TOOBIG);
	close(sv[1]);
	assert_int_equal(ns_sshagent_list(sv[0], &ids), NS_ERR_IO);
	close(sv[0]);
}

/* An agent that never answers (waiting for a confirmation nobody gives)
 * costs the timeout, not forever. */
static void test_timeout(void **state)
{
	uint8_t *reply = (uint8_t *)1;
	size_t len = 9;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(
	    ns_sshagent_roundtrip(sv[0], (const uint8_t *)"\0\0\0\x01\x0b", 5, 200, &reply, &len),
	    NS_ERR_TIMEOUT);
	assert_null(reply);
	assert_int_equal(len, 0);
	/* half a reply, then silence */
	assert_int_equal(write(sv[1], "\0\0\0\x05\x0c", 5), 5);
	assert_int_equal(
	    ns_sshagent_roundtrip(sv[0], (const uint8_t *)"\0\0\0\x01\x0b", 5, 200, &reply, &len),
	    NS_ERR_TIMEOUT);
	assert_null(reply);
	close(sv[0]);
	close(sv[1]);
}

static void test_open(void **state)
{
	int fd = 7;

	(void)state;
	unsetenv("SSH_AUTH_SOCK");
	assert_int_equal(ns_sshagent_open(NULL, &fd), NS_ERR_NOTFOUND);
	assert_int_equal(fd, -1);
	setenv("SSH_AUTH_SOCK", "/nonexistent/agent.sock", 1);
	assert_int_equal(ns_sshagent_open(NULL, &fd), NS_ERR_IO);
	unsetenv("SSH_AUTH_SOCK");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_identities), cmocka_unit_test(test_many_keys),
	    cmocka_unit_test(test_parse_sign),       cmocka_unit_test(test_socket_calls),
	    cmocka_unit_test(test_timeout),          cmocka_unit_test(test_open),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
