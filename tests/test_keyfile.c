/* Tests for core/keyfile.c: openssh-key-v1 files made by OpenSSH 9.2
 * ssh-keygen (plain, no comment, long comments, encrypted, RSA), files we
 * write, and malformed bodies built field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "buf.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"

/* ssh-keygen -t ed25519 -N '' -C test -f k */
static const char KEY_K[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACB3ypZeQt1SjMDjZyIaCCjqv7qIK5QhZRkJLd7okZw6YgAAAIj2gc+u9oHP\n"
    "rgAAAAtzc2gtZWQyNTUxOQAAACB3ypZeQt1SjMDjZyIaCCjqv7qIK5QhZRkJLd7okZw6Yg\n"
    "AAAEDNRmKSrtXAS4X0YP0M3uUpS4t8uTAHccutxImc0AByVnfKll5C3VKMwONnIhoIKOq/\n"
    "uogrlCFlGQkt3uiRnDpiAAAABHRlc3QB\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

/* ssh-keygen -t ed25519 -N pass -C enc */
static const char KEY_E[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABARWuSP7Y\n"
    "OAOE+U6m/VwS3uAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIO+EdH6+xtCUGRPp\n"
    "FPsrGLWhZo4BF3Jfkl+XeMlKLT30AAAAkOWS63FKpQjlFfKlmB18v4eb7RwqIt5BBbVL20\n"
    "U3ZQet+yFifVjL5Tvai63iTvtNfRvEWsobLntf/d3VrxszW5dY0CNUfWed6FGlD0fhtwaw\n"
    "gUduqUH4kQr96tDFFK30rZ+hhNI0hrg2VL1MBvhmhvfzli59cfJbqTS/OmqkTxm3oaNusC\n"
    "XNeG4ibFUCyBM6Lg==\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

/* -C '' */
static const char KEY_NC[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACCakdzL0r50IpoksJs1tKNacBMtKXJdJYIucV4FkVOdbQAAAIiJW2L3iVti\n"
    "9wAAAAtzc2gtZWQyNTUxOQAAACCakdzL0r50IpoksJs1tKNacBMtKXJdJYIucV4FkVOdbQ\n"
    "AAAECZnwK8mqt8I+XsxCa/f9JVYzts8z7a3/443d9JR5HLzJqR3MvSvnQimiSwmzW0o1pw\n"
    "Ey0pcl0lgi5xXgWRU51tAAAAAAECAwQF\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

/* a comment with spaces and commas; base64 ends in '=' */
static const char KEY_LC[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACD9Gm7u7Jp/b6w3w7L8P1FStUzDL1pUJC/TMZB1yYE0dAAAANi8N9u7vDfb\n"
    "uwAAAAtzc2gtZWQyNTUxOQAAACD9Gm7u7Jp/b6w3w7L8P1FStUzDL1pUJC/TMZB1yYE0dA\n"
    "AAAEBKRkJAv/utKXRnDqgLFVOYdJnLzfkctx4kOUrZD/+H6f0abu7smn9vrDfDsvw/UVK1\n"
    "TMMvWlQkL9MxkHXJgTR0AAAAVWEgbXVjaCBsb25nZXIgY29tbWVudCB3aXRoIHNwYWNlcy\n"
    "wgY29tbWFzIGFuZCBzdHVmZjogdXNlckBob3N0LmV4YW1wbGUub3JnIDEyMzQ1Njc4OTA=\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

/* ssh-keygen -t rsa -b 1024 -N '' -C rsa */
static const char KEY_R[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAlwAAAAdzc2gtcn\n"
    "NhAAAAAwEAAQAAAIEA5xNR4YHn5aiC25AMHhlwM1hCO54FAe1hRo6mmT7Qp9FVIZX7/TPD\n"
    "mqOKL/r6QAnOeo2sJgqSbmYE+SzS8gW5NrZfolMUy4fpSgrh47ZjSx5B4xRWh+/2mq6E5u\n"
    "Aki6Q8fkk79wgIZNBVso/c1VxHswlNNy43qdpIGuyh+PFhXpEAAAIApxNNuKcTTbgAAAAH\n"
    "c3NoLXJzYQAAAIEA5xNR4YHn5aiC25AMHhlwM1hCO54FAe1hRo6mmT7Qp9FVIZX7/TPDmq\n"
    "OKL/r6QAnOeo2sJgqSbmYE+SzS8gW5NrZfolMUy4fpSgrh47ZjSx5B4xRWh+/2mq6E5uAk\n"
    "i6Q8fkk79wgIZNBVso/c1VxHswlNNy43qdpIGuyh+PFhXpEAAAADAQABAAAAgQC3nf2JsX\n"
    "2BW+cn644FePdUhYST9RxLjMKom4A889JAGDKKrrD/YdvEDMIpIEktC93cOqmZzPrQ6RZ4\n"
    "niq9kNi74yzoj8QllxALU17EOEoUCBiIwIBSp6uWMZ/2oELrUqozTOnqcUBr+/Xl+JBdJO\n"
    "wUvfUkrl+WEXasOffyfRAkQQAAAEEAlIFLeMkbAT1eaKxpRCXcprBHrpOsEUbiOmcVHCcR\n"
    "BaJgzbmDfllfaTAvbvuMxmN4DB+Xkd+ghvtnJ04u2NyD5wAAAEEA/26Y5QUOZJ7cuXpqj0\n"
    "7azYVtCu3YNVt5ri/PstLW//DuC9b9dPV4rBBZP7PcklE3r5EK/vLXTYJCdd5mnxXxuQAA\n"
    "AEEA55bbmf7SYgXk27q4Kb9mFbHVeMzwPm/INgvpqRnnTlhEGnd04Gt0bOXAbzio2gqRxr\n"
    "WCMFvcUn9Qsj6HNjKfmQAAAANyc2EBAgMEBQY=\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

/* comment: 254 'a' then U+00E9 (2 bytes), 256 bytes in all */
static const char KEY_UTF[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACCa7s+aQZ39ZjX2/cN5gtXrh19XNck9Ac2WJyKMVYJPLQAAAYjWXFrw1lxa\n"
    "8AAAAAtzc2gtZWQyNTUxOQAAACCa7s+aQZ39ZjX2/cN5gtXrh19XNck9Ac2WJyKMVYJPLQ\n"
    "AAAEA8Rwu921eWEM3RFFwXQqtX/WHk8kRO8WwXasRerMohaZruz5pBnf1mNfb9w3mC1euH\n"
    "X1c1yT0BzZYnIoxVgk8tAAABAGFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYW\n"
    "FhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh\n"
    "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYW\n"
    "FhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh\n"
    "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYW\n"
    "FhYWFhYWFhYWFhw6kBAgMEBQ==\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

/* comment: 300 'c' */
static const char KEY_LONG[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACD/di++E2vnwEzis1i9zf6qR+IZ90YlpK7oShP6LFRnqgAAAbD4btYa+G7W\n"
    "GgAAAAtzc2gtZWQyNTUxOQAAACD/di++E2vnwEzis1i9zf6qR+IZ90YlpK7oShP6LFRnqg\n"
    "AAAEBCajGGnEcTtRCYfD4M+Jw/G897iVyNhHSOAZUscMR/mv92L74Ta+fATOKzWL3N/qpH\n"
    "4hn3RiWkruhKE/osVGeqAAABLGNjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2\n"
    "NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj\n"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2\n"
    "NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj\n"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2\n"
    "NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj\n"
    "Y2NjYwE=\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

static const char FP_K[] = "SHA256:1H1nM2a2vntX96eNdkn39HNmv8b8K+QXcp9m4tRynVw";
static const uint8_t PK_K[32] = {
    0x77, 0xca, 0x96, 0x5e, 0x42, 0xdd, 0x52, 0x8c, 0xc0, 0xe3, 0x67, 0x22, 0x1a, 0x08, 0x28, 0xea,
    0xbf, 0xba, 0x88, 0x2b, 0x94, 0x21, 0x65, 0x19, 0x09, 0x2d, 0xde, 0xe8, 0x91, 0x9c, 0x3a, 0x62,
};
/* Offset of the two check ints in a body with a 51-byte public blob. */
#define CHECK_OFF 98

#define TEXT_MAX (2 * NS_KEYFILE_MAX)

/* A body to build, field by field, from a parsed key. */
struct spec {
	const char *magic;
	const char *cipher, *kdf, *kdfopts;
	uint32_t nkeys;
	uint8_t pub_pk[32];
	uint32_t check1, check2;
	const char *type;
	uint8_t pk[32];
	uint8_t sk[64];
	size_t sklen;
	const char *comment;
	int bad_pad;   /* flip the last padding byte */
	int extra_pad; /* pad this many more bytes (sequence continued) */
	int trailing;  /* bytes after the private section */
};

static ns_key base; /* KEY_K parsed */

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0) {
		return -1;
	}
	return ns_keyfile_parse(KEY_K, strlen(KEY_K), &base);
}

static void spec_default(struct spec *s)
{
	memset(s, 0, sizeof(*s));
	s->magic = "openssh-key-v1";
	s->cipher = "none";
	s->kdf = "none";
	s->kdfopts = "";
	s->nkeys = 1;
	memcpy(s->pub_pk, base.pk, 32);
	s->check1 = s->check2 = 0x12345678;
	s->type = "ssh-ed25519";
	memcpy(s->pk, base.pk, 32);
	memcpy(s->sk, base.sk, 64);
	s->sklen = 64;
	s->comment = "test";
}

/* Armour len bytes of body at the given column width into out (TEXT_MAX). */
static void armour(const uint8_t *body, size_t len, size_t cols, const char *eol, char *out)
{
	static char b64[TEXT_MAX];
	size_t i, n, w, o = 0;

	sodium_bin2base64(b64, sizeof(b64), body, len, sodium_base64_VARIANT_ORIGINAL);
	n = strlen(b64);
	o += (size_t)snprintf(out + o, TEXT_MAX - o, "-----BEGIN OPENSSH PRIVATE KEY-----%s", eol);
	for (i = 0; i < n; i += w) {
		w = n - i < cols ? n - i : cols;
		o += (size_t)snprintf(out + o, TEXT_MAX - o, "%.*s%s", (int)w, b64 + i, eol);
	}
	snprintf(out + o, TEXT_MAX - o, "-----END OPENSSH PRIVATE KEY-----%s", eol);
}

static void build(const struct spec *s, char *out)
{
	uint8_t priv[1024], body[2048], blob[NS_KEY_BLOB_LEN];
	ns_buf p, b;
	uint8_t pad = 1;
	int i;

	ns_buf_init_fixed(&p, priv, sizeof(priv));
	ns_wr_u32(&p, s->check1);
	ns_wr_u32(&p, s->check2);
	ns_wr_cstr(&p, s->type);
	ns_wr_string(&p, s->pk, 32);
	ns_wr_string(&p, s->sk, s->sklen);
	ns_wr_cstr(&p, s->comment);
	while (p.len % 8 != 0) {
		ns_wr_u8(&p, pad++);
	}
	for (i = 0; i < s->extra_pad; i++) {
		ns_wr_u8(&p, pad++);
	}
	if (s->bad_pad) {
		priv[p.len - 1] ^= 0x80;
	}
	assert_int_equal(p.err, 0);
	ns_key_blob(s->pub_pk, blob);
	ns_buf_init_fixed(&b, body, sizeof(body));
	ns_wr_bytes(&b, s->magic, strlen(s->magic) + 1);
	ns_wr_cstr(&b, s->cipher);
	ns_wr_cstr(&b, s->kdf);
	ns_wr_cstr(&b, s->kdfopts);
	ns_wr_u32(&b, s->nkeys);
	ns_wr_string(&b, blob, sizeof(blob));
	ns_wr_string(&b, priv, p.len);
	for (i = 0; i < s->trailing; i++) {
		ns_wr_u8(&b, 0);
	}
	assert_int_equal(b.err, 0);
	armour(body, b.len, 70, "\n", out);
}

static int parse_spec(const struct spec *s, ns_key *k)
{
	static char text[TEXT_MAX];

	build(s, text);
	return ns_keyfile_parse(text, strlen(text), k);
}

static void assert_wiped(const ns_key *k)
{
	static const ns_key zero;

	assert_memory_equal(k, &zero, sizeof(zero));
}

static void test_vector(void **state)
{
	ns_key k;
	char fp[NS_FINGERPRINT_LEN];
	uint8_t sig[NS_SIG_BLOB_LEN];

	(void)state;
	assert_int_equal(ns_keyfile_parse(KEY_K, strlen(KEY_K), &k), 0);
	assert_true(k.has_sk);
	assert_memory_equal(k.pk, PK_K, 32);
	assert_memory_equal(k.sk + 32, PK_K, 32);
	assert_string_equal(k.comment, "test");
	ns_key_fingerprint(k.pk, fp);
	assert_string_equal(fp, FP_K);
	assert_int_equal(ns_key_sign(&k, (const uint8_t *)"abc", 3, sig), 0);
	assert_int_equal(ns_key_verify(PK_K, sig, sizeof(sig), (const uint8_t *)"abc", 3), 0);
	ns_key_wipe(&k);
}

static void test_vectors_comments(void **state)
{
	ns_key k;
	char want[NS_KEY_COMMENT_MAX];

	(void)state;
	assert_int_equal(ns_keyfile_parse(KEY_NC, strlen(KEY_NC), &k), 0);
	assert_string_equal(k.comment, "");
	assert_int_equal(ns_keyfile_parse(KEY_LC, strlen(KEY_LC), &k), 0);
	assert_string_equal(k.comment, "a much longer comment with spaces, commas and stuff: "
	                               "user@host.example.org 1234567890");
	/* 300 bytes: cut to NS_KEY_COMMENT_MAX - 1 */
	assert_int_equal(ns_keyfile_parse(KEY_LONG, strlen(KEY_LONG), &k), 0);
	memset(want, 'c', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	assert_string_equal(k.comment, want);
	/* 256 bytes ending in a 2-byte character: cut before it, not inside */
	assert_int_equal(ns_keyfile_parse(KEY_UTF, strlen(KEY_UTF), &k), 0);
	memset(want, 'a', 254);
	want[254] = '\0';
	assert_string_equal(k.comment, want);
	ns_key_wipe(&k);
}

static void test_layout_tolerance(void **state)
{
	static char text[TEXT_MAX];
	ns_key k;
	size_t i, j;

	(void)state;
	/* CRLF line ends */
	for (i = j = 0; KEY_K[i]; i++) {
		if (KEY_K[i] == '\n') {
			text[j++] = '\r';
		}
		text[j++] = KEY_K[i];
	}
	text[j] = '\0';
	assert_int_equal(ns_keyfile_parse(text, j, &k), 0);
	assert_memory_equal(k.pk, PK_K, 32);
	/* no final newline, blank lines around, trailing blanks on lines */
	snprintf(text, sizeof(text), "\n\n%.*s", (int)strlen(KEY_K) - 1, KEY_K);
	assert_int_equal(ns_keyfile_parse(text, strlen(text), &k), 0);
	snprintf(text, sizeof(text), "%s\n \n", KEY_K);
	assert_int_equal(ns_keyfile_parse(text, strlen(text), &k), 0);
	ns_key_wipe(&k);
}

/* The body of an armoured key file: its base64 lines decoded into out. */
static size_t unarmour(const char *text, uint8_t *out, size_t cap)
{
	static char b64[TEXT_MAX];
	const char *p = strchr(text, '\n') + 1, *end = strstr(text, "-----END");
	size_t n = 0;

	for (; p < end; p++) {
		if (*p != '\n') {
			b64[n++] = *p;
		}
	}
	assert_int_equal(
	    sodium_base642bin(out, cap, b64, n, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	return n;
}

static void test_wrap_widths(void **state)
{
	static uint8_t body[2048];
	static char text[TEXT_MAX];
	size_t blen = unarmour(KEY_K, body, sizeof(body)), widths[] = {1, 4, 64, 76, 1000};
	size_t i;
	ns_key k;

	(void)state;
	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		armour(body, blen, widths[i], "\n", text);
		assert_int_equal(ns_keyfile_parse(text, strlen(text), &k), 0);
		assert_memory_equal(k.pk, PK_K, 32);
	}
	ns_key_wipe(&k);
}

static void test_encrypted_and_rsa(void **state)
{
	ns_key k;
	struct spec s;

	(void)state;
	assert_int_equal(ns_keyfile_parse(KEY_E, strlen(KEY_E), &k), NS_ERR_ENCRYPTED);
	assert_wiped(&k);
	assert_int_equal(ns_keyfile_parse(KEY_R, strlen(KEY_R), &k), NS_ERR_KEYTYPE);
	assert_wiped(&k);
	spec_default(&s);
	s.kdf = "bcrypt";
	assert_int_equal(parse_spec(&s, &k), NS_ERR_ENCRYPTED);
	spec_default(&s);
	s.cipher = "aes256-ctr";
	assert_int_equal(parse_spec(&s, &k), NS_ERR_ENCRYPTED);
	/* a private section that claims another type */
	spec_default(&s);
	s.type = "ssh-rsa";
	assert_int_equal(parse_spec(&s, &k), NS_ERR_KEYTYPE);
	assert_wiped(&k);
}

static void test_truncated(void **state)
{
	ns_key k;
	size_t n, len = strlen(KEY_K);

	(void)state;
	/* every cut before the final newline fails (the last line may lack it) */
	for (n = 0; n < len - 1; n++) {
		assert_int_not_equal(ns_keyfile_parse(KEY_K, n, &k), 0);
		assert_wiped(&k);
	}
	assert_int_equal(ns_keyfile_parse(KEY_K, len - 1, &k), 0);
}

static void test_armour_errors(void **state)
{
	static char text[TEXT_MAX];
	ns_key k;
	char *p;

	(void)state;
	/* trailing data after the END line */
	snprintf(text, sizeof(text), "%sjunk\n", KEY_K);
	assert_int_equal(ns_keyfile_parse(text, strlen(text), &k), NS_ERR_FORMAT);
	/* leading garbage before BEGIN */
	snprintf(text, sizeof(text), "Proc-Type: 4,ENCRYPTED\n%s", KEY_K);
	assert_int_equal(ns_keyfile_parse(text, strlen(text), &k), NS_ERR_FORMAT);
	/* other armour */
	assert_int_equal(ns_keyfile_parse("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"
	                                  "-----END RSA PRIVATE KEY-----\n",
	                                  68, &k),
	                 NS_ERR_FORMAT);
	/* empty body */
	snprintf(text, sizeof(text),
	         "-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----\n");
	assert_int_equal(ns_keyfile_parse(text, strlen(text), &k), NS_ERR_FORMAT);
	/* bad base64 character */
	strcpy(text, KEY_K);
	p = strstr(text, "RnDpi");
	p[0] = '*';
	assert_int_equal(ns_keyfile_parse(text, strlen(text), &k), NS_ERR_FORMAT);
	/* space inside a base64 line */
	strcpy(text, KEY_K);
	p = strstr(text, "RnDpi");
	p[0] = ' ';
	assert_int_equal(ns_keyfile_parse(text, strlen(text), &k), NS_ERR_FORMAT);
	/* a base64 character dropped: the length is no longer valid */
	strcpy(text, KEY_K);
	p = strstr(text, "RnDpi");
	memmove(p, p + 1, strlen(p + 1) + 1);
	assert_int_not_equal(ns_keyfile_parse(text, strlen(text), &k), 0);
	/* padding where none belongs */
	strcpy(text, KEY_LC);
	p = strstr(text, "OTA=");
	p[2] = '=';
	assert_int_equal(ns_keyfile_parse(text, strlen(text), &k), NS_ERR_FORMAT);
	/* missing END */
	strcpy(text, KEY_K);
	p = strstr(text, "-----END");
	*p = '\0';
	assert_int_equal(ns_keyfile_parse(text, strlen(text), &k), NS_ERR_FORMAT);
	/* two keys in one file */
	snprintf(text, sizeof(text), "%s%s", KEY_K, KEY_K);
	assert_int_equal(ns_keyfile_parse(text, strlen(text), &k), NS_ERR_FORMAT);
	/* over NS_KEYFILE_MAX */
	memset(text, '\n', NS_KEYFILE_MAX + 1);
	memcpy(text, KEY_K, strlen(KEY_K));
	assert_int_equal(ns_keyfile_parse(text, NS_KEYFILE_MAX + 1, &k), NS_ERR_TOOBIG);
	assert_int_equal(ns_keyfile_parse(text, NS_KEYFILE_MAX, &k), 0);
}

static void test_body_errors(void **state)
{
	ns_key k;
	struct spec s;

	(void)state;
	spec_default(&s);
	assert_int_equal(parse_spec(&s, &k), 0);
	assert_memory_equal(k.sk, base.sk, 64);

	spec_default(&s);
	s.check2 = 0x12345679;
	assert_int_equal(parse_spec(&s, &k), NS_ERR_FORMAT);
	assert_wiped(&k);
	spec_default(&s);
	s.bad_pad = 1;
	assert_int_equal(parse_spec(&s, &k), NS_ERR_FORMAT);
	/* PuTTYgen-style longer padding is fine; a length not a multiple of 8 is not */
	spec_default(&s);
	s.extra_pad = 8;
	assert_int_equal(parse_spec(&s, &k), 0);
	s.extra_pad = 3;
	assert_int_equal(parse_spec(&s, &k), NS_ERR_FORMAT);
	spec_default(&s);
	s.trailing = 1;
	assert_int_equal(parse_spec(&s, &k), NS_ERR_FORMAT);
	spec_default(&s);
	s.nkeys = 2;
	assert_int_equal(parse_spec(&s, &k), NS_ERR_FORMAT);
	s.nkeys = 0;
	assert_int_equal(parse_spec(&s, &k), NS_ERR_FORMAT);
	spec_default(&s);
	s.kdfopts = "x";
	assert_int_equal(parse_spec(&s, &k), NS_ERR_FORMAT);
	spec_default(&s);
	s.magic = "openssh-key-v2";
	assert_int_equal(parse_spec(&s, &k), NS_ERR_FORMAT);
	/* public blob and private section disagree */
	spec_default(&s);
	s.pub_pk[0] ^= 1;
	assert_int_equal(parse_spec(&s, &k), NS_ERR_FORMAT);
	/* sk[32..64] is not pk */
	spec_default(&s);
	s.sk[40] ^= 1;
	assert_int_equal(parse_spec(&s, &k), NS_ERR_FORMAT);
	/* the seed does not give pk */
	spec_default(&s);
	s.sk[0] ^= 1;
	assert_int_equal(parse_spec(&s, &k), NS_ERR_FORMAT);
	/* sk of 32 bytes (seed only) */
	spec_default(&s);
	s.sklen = 32;
	assert_int_equal(parse_spec(&s, &k), NS_ERR_FORMAT);
	assert_wiped(&k);
}

static void test_write(void **state)
{
	static char text[TEXT_MAX];
	static uint8_t ours[2048], theirs[2048];
	ns_key k, back;
	size_t len, line, olen, tlen;
	const char *p;

	(void)state;
	/* KEY_K written back is byte for byte ssh-keygen's, but for the check ints */
	assert_int_equal(ns_keyfile_write(&base, text, sizeof(text), &len), 0);
	assert_int_equal(len, strlen(text));
	assert_int_equal(len, strlen(KEY_K));
	olen = unarmour(text, ours, sizeof(ours));
	tlen = unarmour(KEY_K, theirs, sizeof(theirs));
	assert_int_equal(olen, tlen);
	assert_memory_equal(ours, theirs, CHECK_OFF);
	assert_memory_equal(ours + CHECK_OFF, ours + CHECK_OFF + 4, 4);
	assert_memory_equal(ours + CHECK_OFF + 8, theirs + CHECK_OFF + 8, olen - CHECK_OFF - 8);

	/* armour and 70-column lines */
	assert_memory_equal(text, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36);
	assert_string_equal(text + len - 34, "-----END OPENSSH PRIVATE KEY-----\n");
	for (p = text, line = 0; *p; p++) {
		line = *p == '\n' ? 0 : line + 1;
		assert_true(line <= 70 || strncmp(p - line + 1, "-----", 5) == 0);
	}

	/* a new key, with the longest comment, round-trips */
	{
		char c[NS_KEY_COMMENT_MAX];

		memset(c, 'x', sizeof(c) - 1);
		c[sizeof(c) - 1] = '\0';
		assert_int_equal(ns_key_generate(&k, c), 0);
	}
	assert_int_equal(ns_keyfile_write(&k, text, sizeof(text), &len), 0);
	assert_int_equal(ns_keyfile_parse(text, len, &back), 0);
	assert_memory_equal(&back, &k, sizeof(k));
	/* exact capacity, then one short */
	assert_int_equal(ns_keyfile_write(&k, text, len + 1, &len), 0);
	assert_int_equal(ns_keyfile_write(&k, text, len, &len), NS_ERR_NOMEM);
	assert_int_equal(len, 0);
	/* public only */
	back.has_sk = 0;
	assert_int_equal(ns_keyfile_write(&back, text, sizeof(text), &len), NS_ERR_INVALID);
	/* check ints are random */
	{
		static char t2[TEXT_MAX];
		size_t l2;

		assert_int_equal(ns_keyfile_write(&k, text, sizeof(text), &len), 0);
		assert_int_equal(ns_keyfile_write(&k, t2, sizeof(t2), &l2), 0);
		assert_int_equal(len, l2);
		assert_memory_not_equal(text, t2, len);
	}
	ns_key_wipe(&k);
	ns_key_wipe(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vector),
	    cmocka_unit_test(test_vectors_comments),
	    cmocka_unit_test(test_layout_tolerance),
	    cmocka_unit_test(test_wrap_widths),
	    cmocka_unit_test(test_encrypted_and_rsa),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_armour_errors),
	    cmocka_unit_test(test_body_errors),
	    cmocka_unit_test(test_write),
	};
	int rc = cmocka_run_group_tests(tests, setup, NULL);

	ns_key_wipe(&base);
	return rc;
}
