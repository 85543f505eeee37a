/* openssh-key-v1 private key files (OpenSSH PROTOCOL.key), ssh-ed25519:
 * the PEM-like armour, the base64 body at 70 columns, and the binary layout
 * with its check ints and 1,2,3... padding; passphrase-protected sections
 * are opened by keyfile_crypt.c. Everything on the stack, bounded by
 * NS_KEYFILE_MAX; decoded and decrypted secrets are wiped. */
#include "nullspace/keys.h"

#include <sodium.h>
#include <string.h>

#include "buf.h"
#include "keyfile_int.h"
#include "random.h"
#include "nullspace/error.h"
#include "wire.h"

#define BEGIN_MARK "-----BEGIN OPENSSH PRIVATE KEY-----"
#define END_MARK "-----END OPENSSH PRIVATE KEY-----"
#define MAGIC "openssh-key-v1" /* followed by its NUL */
#define MAGIC_LEN sizeof(MAGIC)
#define KEYTYPE "ssh-ed25519"
#define NAME_MAX_LEN 64  /* cipher, kdf and key type names */
#define KDFOPTS_MAX 1024 /* only read to be skipped over */
#define B64_COLS 70      /* what ssh-keygen writes */
#define BLOCK 8          /* private section padding for cipher "none" */
#define DECODED_MAX (NS_KEYFILE_MAX / 4 * 3)
/* What we write: the private section and the whole body stay well below. */
#define PRIV_MAX                                                                                   \
	(2 * 4 + 4 + 11 + 4 + NS_ED25519_PK_LEN + 4 + NS_ED25519_SK_LEN + 4 + NS_KEY_COMMENT_MAX + \
	 BLOCK)
#define BODY_MAX (MAGIC_LEN + 3 * (4 + 4) + 4 + 4 + NS_KEY_BLOB_LEN + 4 + PRIV_MAX)
#define BODY_B64_MAX sodium_base64_ENCODED_LEN(BODY_MAX, sodium_base64_VARIANT_ORIGINAL)

/* The next line of text from *pos, without its "\n", "\r\n" or trailing
 * blanks. 0 when there is no line left. */
static int next_line(const char *text, size_t len, size_t *pos, ns_str *line)
{
	size_t start = *pos, end;

	if (start >= len) {
		return 0;
	}
	end = start;
	while (end < len && text[end] != '\n') {
		end++;
	}
	*pos = end < len ? end + 1 : end;
	while (end > start &&
	       (text[end - 1] == '\r' || text[end - 1] == ' ' || text[end - 1] == '\t')) {
		end--;
	}
	line->p = (const uint8_t *)text + start;
	line->len = end - start;
	return 1;
}

static int is_b64_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

/* Strip the armour: the base64 characters between the BEGIN and END lines go
 * to b64. Blank lines are allowed around the armour, nothing else. */
static int unarmour(const char *text, size_t len, char *b64, size_t cap, size_t *b64len)
{
	size_t pos = 0, i, n = 0;
	ns_str line;
	int state = 0; /* 0 before BEGIN, 1 inside, 2 after END */

	*b64len = 0;
	while (next_line(text, len, &pos, &line)) {
		if (state == 1 && ns_str_eq(line, END_MARK)) {
			state = 2;
			continue;
		}
		if (line.len == 0) {
			continue;
		}
		if (state == 0 && ns_str_eq(line, BEGIN_MARK)) {
			state = 1;
			continue;
		}
		if (state != 1 || line.len > cap - n) {
			return NS_ERR_FORMAT;
		}
		for (i = 0; i < line.len; i++) {
			if (!is_b64_char(line.p[i])) {
				return NS_ERR_FORMAT;
			}
			b64[n++] = (char)line.p[i];
		}
	}
	if (state != 2) {
		return NS_ERR_FORMAT;
	}
	*b64len = n;
	return 0;
}

static void copy_comment(ns_str c, char out[NS_KEY_COMMENT_MAX])
{
	size_t n = c.len;

	if (n > NS_KEY_COMMENT_MAX - 1) {
		n = NS_KEY_COMMENT_MAX - 1;
		/* Do not leave half a UTF-8 sequence at the cut. */
		while (n > 0 && (c.p[n] & 0xc0) == 0x80) {
			n--;
		}
	}
	if (n) {
		memcpy(out, c.p, n);
	}
	out[n] = '\0';
}

/* The padding after the comment is 1, 2, 3, ... (PuTTYgen pads further than
 * one block, so only the sequence is checked, with the total % BLOCK). */
static int padding_ok(ns_rd *r)
{
	size_t i, n = ns_rd_left(r);
	const uint8_t *p;

	if (ns_rd_bytes(r, n, &p) != 0) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (p[i] != (uint8_t)(i + 1)) {
			return 0;
		}
	}
	return 1;
}

/* The private section: uint32 check, uint32 check, then one key. In a
 * decrypted section (block 16) differing check ints mean a wrong passphrase. */
static int parse_private(ns_str priv, size_t block, const uint8_t pubpk[NS_ED25519_PK_LEN],
                         ns_key *k)
{
	uint8_t pk2[NS_ED25519_PK_LEN], sk2[NS_ED25519_SK_LEN];
	ns_rd r;
	ns_str type, pk, sk, comment;
	uint32_t check1, check2;
	int rc = NS_ERR_FORMAT;

	if (priv.len % block != 0) {
		goto out;
	}
	ns_rd_init(&r, priv.p, priv.len);
	ns_rd_u32(&r, &check1); /* uint32 checkint */
	ns_rd_u32(&r, &check2); /* uint32 checkint */
	if (r.err == 0 && check1 != check2 && block == NS_KEYFILE_CRYPT_BLOCK) {
		rc = NS_ERR_AUTH;
		goto out;
	}
	if (ns_rd_name(&r, NAME_MAX_LEN, &type) != 0) { /* string key type */
		goto out;
	}
	if (!ns_str_eq(type, KEYTYPE)) {
		rc = NS_ERR_KEYTYPE;
		goto out;
	}
	ns_rd_string_max(&r, NS_ED25519_PK_LEN, &pk); /* string pk */
	ns_rd_string_max(&r, NS_ED25519_SK_LEN, &sk); /* string seed || pk */
	ns_rd_string_max(&r, priv.len, &comment);     /* string comment */
	if (r.err != 0 || check1 != check2 || pk.len != NS_ED25519_PK_LEN ||
	    sk.len != NS_ED25519_SK_LEN || !padding_ok(&r) || ns_rd_end(&r) != 0) {
		goto out;
	}
	if (sodium_memcmp(pk.p, pubpk, NS_ED25519_PK_LEN) != 0 ||
	    sodium_memcmp(sk.p + 32, pk.p, NS_ED25519_PK_LEN) != 0) {
		goto out;
	}
	/* The seed must give this public key, or every signature would be bad. */
	if (crypto_sign_seed_keypair(pk2, sk2, sk.p) != 0 ||
	    sodium_memcmp(pk2, pk.p, NS_ED25519_PK_LEN) != 0) {
		goto out;
	}
	memcpy(k->pk, pk.p, NS_ED25519_PK_LEN);
	memcpy(k->sk, sk.p, NS_ED25519_SK_LEN);
	k->has_sk = 1;
	copy_comment(comment, k->comment);
	rc = 0;
out:
	sodium_memzero(sk2, sizeof(sk2));
	return rc;
}

typedef struct kbody {
	ns_str cipher, kdf, kdfopts, priv;
	uint8_t pk[NS_ED25519_PK_LEN];
	int encrypted; /* cipher or kdf other than "none" */
} kbody;

/* The decoded body: magic, cipher, kdf, the public key, the private
 * section (left as it is). */
static int parse_body(const uint8_t *p, size_t n, kbody *b)
{
	const uint8_t *magic;
	ns_rd r;
	ns_str pub;
	uint32_t nkeys;

	ns_rd_init(&r, p, n);
	ns_rd_bytes(&r, MAGIC_LEN, &magic);             /* "openssh-key-v1\0" */
	ns_rd_name(&r, NAME_MAX_LEN, &b->cipher);       /* string ciphername */
	ns_rd_name(&r, NAME_MAX_LEN, &b->kdf);          /* string kdfname */
	ns_rd_string_max(&r, KDFOPTS_MAX, &b->kdfopts); /* string kdfoptions */
	if (r.err != 0 || memcmp(magic, MAGIC, MAGIC_LEN) != 0) {
		return NS_ERR_FORMAT;
	}
	b->encrypted = !ns_str_eq(b->cipher, "none") || !ns_str_eq(b->kdf, "none");
	ns_rd_u32(&r, &nkeys);      /* uint32 number of keys */
	ns_rd_string(&r, &pub);     /* string public key blob */
	ns_rd_string(&r, &b->priv); /* string private section */
	if (ns_rd_end(&r) != 0 || nkeys != 1 || (!b->encrypted && b->kdfopts.len != 0)) {
		return NS_ERR_FORMAT;
	}
	return ns_key_from_blob(pub.p, pub.len, b->pk);
}

static int supported_crypt(const kbody *b)
{
	return ns_str_eq(b->cipher, NS_KEYFILE_CIPHER) && ns_str_eq(b->kdf, NS_KEYFILE_KDF);
}

/* The private key of a parsed body, decrypting it first when needed. */
static int open_private(const kbody *b, const char *pass, size_t passlen, uint32_t max_rounds,
                        ns_key *k)
{
	uint8_t plain[DECODED_MAX];
	ns_str priv = b->priv;
	int rc;

	if (!b->encrypted) {
		return parse_private(priv, BLOCK, b->pk, k);
	}
	if (pass == NULL) {
		return NS_ERR_ENCRYPTED;
	}
	if (!supported_crypt(b)) {
		return NS_ERR_UNSUPPORTED;
	}
	if (priv.len > sizeof(plain)) {
		return NS_ERR_FORMAT;
	}
	rc = ns_keyfile_decrypt(b->kdfopts, pass, passlen, max_rounds, priv, plain);
	if (rc == 0) {
		priv.p = plain;
		rc = parse_private(priv, NS_KEYFILE_CRYPT_BLOCK, b->pk, k);
	}
	sodium_memzero(plain, sizeof(plain));
	return rc;
}

/* Armour and base64 off: the binary body into bin (DECODED_MAX bytes). */
static int decode(const char *text, size_t len, uint8_t *bin, size_t *binlen)
{
	char b64[NS_KEYFILE_MAX];
	size_t b64len = 0;
	int rc;

	*binlen = 0;
	if (len > NS_KEYFILE_MAX) {
		return NS_ERR_TOOBIG;
	}
	if ((rc = unarmour(text, len, b64, sizeof(b64), &b64len)) == 0 &&
	    sodium_base642bin(bin, DECODED_MAX, b64, b64len, NULL, binlen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0) {
		rc = NS_ERR_FORMAT;
	}
	sodium_memzero(b64, sizeof(b64));
	return rc;
}

int ns_keyfile_parse_max(const char *text, size_t len, const char *pass, size_t passlen,
                         uint32_t max_rounds, ns_key *out)
{
	uint8_t bin[DECODED_MAX];
	size_t binlen = 0;
	kbody b;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = decode(text, len, bin, &binlen)) == 0 &&
	    (rc = parse_body(bin, binlen, &b)) == 0) {
		rc = open_private(&b, pass, passlen, max_rounds, out);
	}
	if (rc != 0) {
		ns_key_wipe(out);
	}
	sodium_memzero(bin, sizeof(bin));
	return rc;
}

int ns_keyfile_parse(const char *text, size_t len, ns_key *out)
{
	return ns_keyfile_parse_max(text, len, NULL, 0, NS_KEYFILE_KDF_ROUNDS_MAX, out);
}

int ns_keyfile_parse_pass(const char *text, size_t len, const char *pass, size_t passlen,
                          ns_key *out)
{
	if (pass == NULL) {
		memset(out, 0, sizeof(*out));
		return NS_ERR_INVALID;
	}
	return ns_keyfile_parse_max(text, len, pass, passlen, NS_KEYFILE_KDF_ROUNDS_MAX, out);
}

int ns_keyfile_inspect(const char *text, size_t len, ns_keyfile_info *info)
{
	uint8_t bin[DECODED_MAX];
	size_t binlen = 0;
	ns_str salt;
	kbody b;
	int rc;

	memset(info, 0, sizeof(*info));
	if ((rc = decode(text, len, bin, &binlen)) != 0 ||
	    (rc = parse_body(bin, binlen, &b)) != 0) {
		goto out;
	}
	memcpy(info->pk, b.pk, sizeof(info->pk));
	info->encrypted = b.encrypted;
	if (b.encrypted && supported_crypt(&b)) {
		rc = ns_keyfile_kdfopts(b.kdfopts, UINT32_MAX, &salt, &info->rounds);
		info->supported = rc == 0;
	}
out:
	if (rc != 0) {
		memset(info, 0, sizeof(*info));
	}
	sodium_memzero(bin, sizeof(bin));
	return rc;
}

/* uint32 check x2, the key, the comment, padding to BLOCK. */
static int write_private(const ns_key *k, size_t clen, ns_buf *b)
{
	uint32_t check;
	uint8_t pad = 1;

	ns_random_default(NULL, (uint8_t *)&check, sizeof(check));
	ns_wr_u32(b, check);                       /* uint32 checkint */
	ns_wr_u32(b, check);                       /* uint32 checkint */
	ns_wr_cstr(b, KEYTYPE);                    /* string key type */
	ns_wr_string(b, k->pk, NS_ED25519_PK_LEN); /* string pk */
	ns_wr_string(b, k->sk, NS_ED25519_SK_LEN); /* string seed || pk */
	ns_wr_string(b, k->comment, clen);         /* string comment */
	while (b->err == 0 && b->len % BLOCK != 0) {
		ns_wr_u8(b, pad++); /* padding 1, 2, 3, ... */
	}
	return b->err;
}

/* The armour around b64, wrapped at B64_COLS. */
static int armour(const char *b64, size_t n, char *out, size_t cap, size_t *outlen)
{
	size_t lines = (n + B64_COLS - 1) / B64_COLS, need, i, w;
	char *p = out;

	need = sizeof(BEGIN_MARK) + n + lines + sizeof(END_MARK) + 1;
	if (need > cap) {
		return NS_ERR_NOMEM;
	}
	memcpy(p, BEGIN_MARK "\n", sizeof(BEGIN_MARK));
	p += sizeof(BEGIN_MARK);
	for (i = 0; i < n; i += w) {
		w = n - i < B64_COLS ? n - i : B64_COLS;
		memcpy(p, b64 + i, w);
		p += w;
		*p++ = '\n';
	}
	memcpy(p, END_MARK "\n", sizeof(END_MARK) + 1);
	p += sizeof(END_MARK);
	*outlen = (size_t)(p - out);
	return 0;
}

int ns_keyfile_write(const ns_key *k, char *out, size_t cap, size_t *outlen)
{
	uint8_t priv[PRIV_MAX], body[BODY_MAX], blob[NS_KEY_BLOB_LEN];
	char b64[BODY_B64_MAX];
	size_t clen = strnlen(k->comment, sizeof(k->comment));
	ns_buf pb, bb;
	int rc = NS_ERR_INVALID;

	*outlen = 0;
	if (cap > 0) {
		out[0] = '\0';
	}
	if (!k->has_sk || clen == sizeof(k->comment)) {
		goto out;
	}
	ns_buf_init_fixed(&pb, priv, sizeof(priv));
	if ((rc = write_private(k, clen, &pb)) != 0) {
		goto out;
	}
	ns_key_blob(k->pk, blob);
	ns_buf_init_fixed(&bb, body, sizeof(body));
	ns_wr_bytes(&bb, MAGIC, MAGIC_LEN);    /* "openssh-key-v1\0" */
	ns_wr_cstr(&bb, "none");               /* string ciphername */
	ns_wr_cstr(&bb, "none");               /* string kdfname */
	ns_wr_cstr(&bb, "");                   /* string kdfoptions */
	ns_wr_u32(&bb, 1);                     /* uint32 number of keys */
	ns_wr_string(&bb, blob, sizeof(blob)); /* string public key blob */
	ns_wr_string(&bb, pb.p, pb.len);       /* string private section */
	if ((rc = bb.err) != 0) {
		goto out;
	}
	sodium_bin2base64(b64, sizeof(b64), bb.p, bb.len, sodium_base64_VARIANT_ORIGINAL);
	rc = armour(b64, strlen(b64), out, cap, outlen);
out:
	sodium_memzero(priv, sizeof(priv));
	sodium_memzero(body, sizeof(body));
	sodium_memzero(b64, sizeof(b64));
	return rc;
}
