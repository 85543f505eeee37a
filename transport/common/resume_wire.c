/* The resumable transport's frames (resume_wire.h): a streaming decoder
 * that hands DATA and CERT payloads out in place, piece by piece, and keeps
 * every other frame whole in a small header buffer; and the encoders. */
#include <string.h>

#include "resume_wire.h"

void ns_resume_dec_init(ns_resume_dec *d)
{
	memset(d, 0, sizeof(*d));
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* The whole length of the frame whose first hlen bytes are in h: 0 when
 * more bytes are needed to tell, SIZE_MAX for an unknown type. */
static size_t frame_len(const uint8_t *h, size_t hlen)
{
	switch (h[0]) {
	case NS_RF_DATA:
	case NS_RF_CERT: return NS_RESUME_DATA_HDR;
	case NS_RF_CERT_OK: return NS_RESUME_CERT_OK_LEN;
	case NS_RF_ACK: return NS_RESUME_ACK_LEN;
	case NS_RF_NEW: return 1;
	case NS_RF_RESUME: return NS_RESUME_RESUME_LEN;
	case NS_RF_ACCEPT: return NS_RESUME_ACCEPT_LEN;
	case NS_RF_END:
	case NS_RF_REFUSE:
	case NS_RF_CERT_NO: return hlen < 2 ? 0 : 2 + (size_t)h[1];
	default: return SIZE_MAX;
	}
}

static void fail(ns_resume_dec *d, ns_resume_ev *ev, const char *why)
{
	d->err = why;
	ev->type = NS_REV_ERROR;
	ev->why = why;
}

/* A whole frame in d->hdr (len bytes) to ev. */
static void whole(ns_resume_dec *d, size_t len, ns_resume_ev *ev)
{
	const uint8_t *h = d->hdr;
	size_t i;

	ev->type = NS_REV_FRAME;
	ev->frame = h[0];
	switch (h[0]) {
	case NS_RF_DATA:
		d->data_left = be32(h + 1); /* type */
		if (d->data_left == 0 || d->data_left > NS_RESUME_FRAME_MAX) {
			fail(d, ev, "bad-data-length");
			return;
		}
		ev->type = NS_REV_NONE; /* the payload comes next */
		break;
	case NS_RF_CERT:
		d->data_left = be32(h + 1); /* certificate length */
		if (d->data_left == 0 || d->data_left > NS_RESUME_CERT_MAX) {
			d->data_left = 0;
			fail(d, ev, "bad-cert-length");
			return;
		}
		d->in_cert = 1;
		ev->type = NS_REV_NONE; /* the certificate comes next */
		break;
	case NS_RF_ACK:
	case NS_RF_CERT_OK: ev->count = be64(h + 1); break; /* count / valid_before */
	case NS_RF_RESUME:
	case NS_RF_ACCEPT:
		ev->conn_id = be32(h + 1);                     /* conn id */
		memcpy(ev->token, h + 5, NS_RESUME_TOKEN_LEN); /* token */
		ev->count = be64(h + 5 + NS_RESUME_TOKEN_LEN); /* bytes received */
		if (h[0] == NS_RF_ACCEPT) {
			ev->grace_s = be32(h + 13 + NS_RESUME_TOKEN_LEN); /* grace */
		}
		break;
	case NS_RF_END:
	case NS_RF_REFUSE:
	case NS_RF_CERT_NO:
		for (i = 2; i < len; i++) {
			if (h[i] < 0x20 || h[i] > 0x7e) {
				fail(d, ev, "bad-text");
				return;
			}
		}
		memcpy(ev->text, h + 2, len - 2);
		ev->text[len - 2] = '\0';
		break;
	default: break; /* NEW: no fields */
	}
}

void ns_resume_dec_next(ns_resume_dec *d, const uint8_t *p, size_t n, size_t *used,
                        ns_resume_ev *ev)
{
	size_t want, take;

	memset(ev, 0, sizeof(*ev));
	*used = 0;
	if (d->err != NULL) {
		ev->type = NS_REV_ERROR;
		ev->why = d->err;
		return;
	}
	if (d->data_left > 0) {
		take = n < d->data_left ? n : d->data_left;
		d->data_left -= (uint32_t)take;
		*used = take;
		ev->type = take == 0 ? NS_REV_NONE : d->in_cert ? NS_REV_CERT : NS_REV_DATA;
		ev->p = p;
		ev->len = take;
		ev->count = d->data_left;
		if (d->data_left == 0) {
			d->in_cert = 0;
		}
		return;
	}
	while (*used < n) {
		want = d->hlen == 0 ? 1 : frame_len(d->hdr, d->hlen);
		if (want == SIZE_MAX) {
			fail(d, ev, "unknown-frame");
			return;
		}
		if (want == 0) {
			want = d->hlen + 1;
		}
		if (d->hlen < want) {
			d->hdr[d->hlen++] = p[(*used)++];
			continue;
		}
		break;
	}
	want = d->hlen == 0 ? 0 : frame_len(d->hdr, d->hlen);
	if (want == SIZE_MAX) {
		fail(d, ev, "unknown-frame");
		return;
	}
	if (want == 0 || d->hlen < want) {
		return; /* need more */
	}
	whole(d, want, ev);
	d->hlen = 0;
}

size_t ns_resume_put_data_hdr(uint8_t out[NS_RESUME_DATA_HDR], uint32_t len)
{
	out[0] = NS_RF_DATA;
	put32(out + 1, len);
	return NS_RESUME_DATA_HDR;
}

size_t ns_resume_put_cert_hdr(uint8_t out[NS_RESUME_DATA_HDR], uint32_t len)
{
	out[0] = NS_RF_CERT;
	put32(out + 1, len);
	return NS_RESUME_DATA_HDR;
}

size_t ns_resume_put_cert_ok(uint8_t out[NS_RESUME_CERT_OK_LEN], uint64_t valid_before)
{
	out[0] = NS_RF_CERT_OK;
	put64(out + 1, valid_before);
	return NS_RESUME_CERT_OK_LEN;
}

size_t ns_resume_put_ack(uint8_t out[NS_RESUME_ACK_LEN], uint64_t count)
{
	out[0] = NS_RF_ACK;
	put64(out + 1, count);
	return NS_RESUME_ACK_LEN;
}

static size_t put_id_token(uint8_t *out, int type, uint32_t id,
                           const uint8_t token[NS_RESUME_TOKEN_LEN], uint64_t count)
{
	out[0] = (uint8_t)type;
	put32(out + 1, id);
	memcpy(out + 5, token, NS_RESUME_TOKEN_LEN);
	put64(out + 5 + NS_RESUME_TOKEN_LEN, count);
	return 13 + NS_RESUME_TOKEN_LEN;
}

size_t ns_resume_put_resume(uint8_t out[NS_RESUME_RESUME_LEN], uint32_t id,
                            const uint8_t token[NS_RESUME_TOKEN_LEN], uint64_t count)
{
	return put_id_token(out, NS_RF_RESUME, id, token, count);
}

size_t ns_resume_put_accept(uint8_t out[NS_RESUME_ACCEPT_LEN], uint32_t id,
                            const uint8_t token[NS_RESUME_TOKEN_LEN], uint64_t count,
                            uint32_t grace_s)
{
	size_t n = put_id_token(out, NS_RF_ACCEPT, id, token, count);

	put32(out + n, grace_s);
	return n + 4;
}

size_t ns_resume_put_text(uint8_t out[NS_RESUME_HDR_MAX], int type, const char *text)
{
	size_t len = strlen(text);

	len = len < NS_RESUME_TEXT_MAX ? len : NS_RESUME_TEXT_MAX;
	out[0] = (uint8_t)type;
	out[1] = (uint8_t)len;
	memcpy(out + 2, text, len);
	return 2 + len;
}
