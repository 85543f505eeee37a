/* ssh-agent protocol messages (draft-miller-ssh-agent): the two replies a
 * client reads, parsed field by field without I/O, and the lookup of a key
 * in an identities answer. Fuzzed by fuzz/fuzz_sshagent_reply.c. */
#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "nullspace/sshagent.h"
#include "wire.h"

/* The message type, and a failure or an unexpected type as an error. */
static int reply_type(ns_rd *r, uint8_t want)
{
	uint8_t type = 0;

	if (ns_rd_u8(r, &type) != 0) { /* byte message type */
		return NS_ERR_FORMAT;
	}
	if (type == NS_SSH_AGENT_FAILURE) {
		return ns_rd_end(r) == 0 ? NS_ERR_AUTH : NS_ERR_FORMAT;
	}
	return type == want ? 0 : NS_ERR_PROTOCOL;
}

static void keep_comment(ns_str c, char out[NS_KEY_COMMENT_MAX])
{
	size_t n = c.len < NS_KEY_COMMENT_MAX - 1 ? c.len : NS_KEY_COMMENT_MAX - 1;

	if (n > 0) {
		memcpy(out, c.p, n);
	}
	out[n] = '\0';
}

int ns_sshagent_parse_identities(const uint8_t *msg, size_t len, ns_sshagent_ids *out)
{
	uint8_t pk[NS_ED25519_PK_LEN];
	uint32_t nkeys, i;
	ns_str blob, comment;
	ns_rd r;
	int rc;

	memset(out, 0, sizeof(*out));
	ns_rd_init(&r, msg, len);
	if ((rc = reply_type(&r, NS_SSH_AGENT_IDENTITIES_ANSWER)) != 0) {
		return rc;
	}
	ns_rd_u32(&r, &nkeys); /* uint32 nkeys */
	for (i = 0; i < nkeys && r.err == 0; i++) {
		ns_rd_string(&r, &blob);    /* string key blob */
		ns_rd_string(&r, &comment); /* string comment */
		if (r.err != 0) {
			break;
		}
		if (ns_key_from_blob(blob.p, blob.len, pk) != 0 || out->n == NS_SSHAGENT_KEYS_MAX) {
			out->skipped++;
			continue;
		}
		memcpy(out->keys[out->n].pk, pk, sizeof(pk));
		keep_comment(comment, out->keys[out->n].comment);
		out->n++;
	}
	if (ns_rd_end(&r) != 0) {
		memset(out, 0, sizeof(*out));
		return NS_ERR_FORMAT;
	}
	return 0;
}

int ns_sshagent_parse_sign(const uint8_t *msg, size_t len, uint8_t sig[NS_SIG_BLOB_LEN])
{
	ns_str s, type, raw;
	ns_rd r, sr;
	int rc;

	memset(sig, 0, NS_SIG_BLOB_LEN);
	ns_rd_init(&r, msg, len);
	if ((rc = reply_type(&r, NS_SSH_AGENT_SIGN_RESPONSE)) != 0) {
		return rc;
	}
	ns_rd_string(&r, &s); /* string signature */
	if (ns_rd_end(&r) != 0 || s.len != NS_SIG_BLOB_LEN) {
		return NS_ERR_FORMAT;
	}
	ns_rd_init(&sr, s.p, s.len);
	ns_rd_string(&sr, &type); /* string "ssh-ed25519" */
	ns_rd_string(&sr, &raw);  /* string signature[64] */
	if (ns_rd_end(&sr) != 0 || !ns_str_eq(type, "ssh-ed25519") ||
	    raw.len != NS_ED25519_SIG_LEN) {
		return NS_ERR_FORMAT;
	}
	memcpy(sig, s.p, NS_SIG_BLOB_LEN);
	return 0;
}

int ns_sshagent_find(const ns_sshagent_ids *ids, const uint8_t pk[NS_ED25519_PK_LEN])
{
	size_t i;

	for (i = 0; i < ids->n; i++) {
		if (sodium_memcmp(ids->keys[i].pk, pk, NS_ED25519_PK_LEN) == 0) {
			return (int)i;
		}
	}
	return -1;
}
