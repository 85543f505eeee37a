/* Tests for transport/common/resume_wire.c and resume_buf.c (issue 18):
 * every frame decoded when fed a byte at a time, refusals of bad frames
 * (sticky), and the replay buffer: numbering, ACKs, the cap, a rewind to
 * the peer's count after a reconnection, and two ends pumped against each
 * other in memory across a cut, every byte once and in order; the relay's
 * version line as the proxy reads it before its hello (resume_banner.c):
 * lines before it kept, the frames after it left, every bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/error.h"
#include "resume_buf.h"
#include "resume_wire.h"

/* Decode buf in pieces of step bytes: DATA appended to data, the last
 * whole frame in *last; how many whole frames. */
static int decode(ns_resume_dec *d, const uint8_t *buf, size_t len, size_t step, uint8_t *data,
                  size_t *dlen, ns_resume_ev *last)
{
	size_t off = 0, used, n;
	ns_resume_ev ev;
	int frames = 0;

	*dlen = 0;
	while (off < len) {
		n = len - off < step ? len - off : step;
		do {
			ns_resume_dec_next(d, buf + off, n, &used, &ev);
			off += used;
			n -= used;
			if (ev.type == NS_REV_DATA) {
				memcpy(data + *dlen, ev.p, ev.len);
				*dlen += ev.len;
			} else if (ev.type == NS_REV_FRAME || ev.type == NS_REV_ERROR) {
				*last = ev;
				frames++;
				if (ev.type == NS_REV_ERROR) {
					return frames;
				}
			}
		} while (n > 0 && used > 0);
	}
	return frames;
}

static void every_frame_bytewise(void **state)
{
	uint8_t buf[512], tok[NS_RESUME_TOKEN_LEN], data[64];
	size_t n = 0, dlen, step;
	ns_resume_dec d;
	ns_resume_ev ev;

	(void)state;
	memset(tok, 0xa5, sizeof(tok));
	n += ns_resume_put_data_hdr(buf + n, 5);
	memcpy(buf + n, "hello", 5);
	n += 5;
	n += ns_resume_put_ack(buf + n, 0x0102030405060708ull);
	n += ns_resume_put_resume(buf + n, 77, tok, 1234);
	n += ns_resume_put_accept(buf + n, 78, tok, 99, 120);
	n += ns_resume_put_text(buf + n, NS_RF_REFUSE, "bad-token");
	n += ns_resume_put_text(buf + n, NS_RF_END, "");
	for (step = 1; step <= n; step += step < 8 ? 1 : 17) {
		ns_resume_dec_init(&d);
		assert_int_equal(decode(&d, buf, n, step, data, &dlen, &ev), 5);
		assert_int_equal(dlen, 5);
		assert_memory_equal(data, "hello", 5);
		assert_int_equal(ev.type, NS_REV_FRAME);
		assert_int_equal(ev.frame, NS_RF_END);
		assert_string_equal(ev.text, "");
	}
	/* the fields, one frame at a time */
	ns_resume_dec_init(&d);
	n = ns_resume_put_accept(buf, 78, tok, 99, 120);
	assert_int_equal(decode(&d, buf, n, n, data, &dlen, &ev), 1);
	assert_int_equal(ev.frame, NS_RF_ACCEPT);
	assert_int_equal(ev.conn_id, 78);
	assert_memory_equal(ev.token, tok, sizeof(tok));
	assert_int_equal(ev.count, 99);
	assert_int_equal(ev.grace_s, 120);
	n = ns_resume_put_text(buf, NS_RF_REFUSE, "bad-token");
	assert_int_equal(decode(&d, buf, n, 1, data, &dlen, &ev), 1);
	assert_string_equal(ev.text, "bad-token");
}

static void refusals(void **state)
{
	static const struct {
		uint8_t b[8];
		size_t n;
		const char *why;
	} bad[] = {
	    {{0x53, 'S', 'H', '-'}, 4, "unknown-frame"}, /* an SSH version line */
	    {{0x01, 0, 0, 0, 0}, 5, "bad-data-length"},
	    {{0x01, 0, 0, 0x80, 0x01}, 5, "bad-data-length"}, /* FRAME_MAX + 1 */
	    {{0x03, 2, 'o', 0x07}, 4, "bad-text"},
	    {{0x31, 1, '\n'}, 3, "bad-text"},
	};
	uint8_t data[16];
	size_t i, dlen;
	ns_resume_dec d;
	ns_resume_ev ev;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ns_resume_dec_init(&d);
		assert_int_equal(decode(&d, bad[i].b, bad[i].n, 1, data, &dlen, &ev), 1);
		assert_int_equal(ev.type, NS_REV_ERROR);
		assert_string_equal(ev.why, bad[i].why);
		/* sticky: a good frame after it is refused too */
		ns_resume_dec_next(&d, (const uint8_t *)"\x02\0\0\0\0\0\0\0\0", 9, &dlen, &ev);
		assert_int_equal(ev.type, NS_REV_ERROR);
	}
	/* the largest DATA frame is fine */
	ns_resume_dec_init(&d);
	ns_resume_dec_next(&d, (const uint8_t *)"\x01\0\0\x80\0", 5, &dlen, &ev);
	assert_int_equal(ev.type, NS_REV_NONE);
	assert_int_equal(dlen, 5);
	assert_int_equal(d.data_left, NS_RESUME_FRAME_MAX);
}

/* Everything t has to write, into out (appended at *n). */
static void drain(ns_resume_tx *t, uint8_t *out, size_t *n, size_t cap)
{
	const uint8_t *v;
	size_t k;

	while ((k = ns_resume_tx_next(t, &v)) > 0) {
		k = k < cap - *n ? k : cap - *n;
		if (k == 0) {
			return;
		}
		memcpy(out + *n, v, k);
		*n += k;
		ns_resume_tx_wrote(t, k);
	}
}

static void replay_buffer(void **state)
{
	uint8_t src[100000], wire[120000], data[120000];
	size_t taken, n = 0, dlen, i;
	ns_resume_tx t;
	ns_resume_dec d;
	ns_resume_ev ev;

	(void)state;
	for (i = 0; i < sizeof(src); i++) {
		src[i] = (uint8_t)(i * 7 + (i >> 9));
	}
	ns_resume_tx_init(&t);
	assert_int_equal(ns_resume_tx_put(&t, src, sizeof(src), &taken), 0);
	assert_int_equal(taken, sizeof(src));
	drain(&t, wire, &n, sizeof(wire));
	/* framed in at most FRAME_MAX pieces: 4 headers */
	assert_int_equal(n, sizeof(src) + 4 * NS_RESUME_DATA_HDR);
	ns_resume_dec_init(&d);
	decode(&d, wire, n, 4096, data, &dlen, &ev);
	assert_int_equal(dlen, sizeof(src));
	assert_memory_equal(data, src, sizeof(src));
	/* ACKs: none past what was sent, none backwards */
	assert_int_equal(ns_resume_tx_ack(&t, sizeof(src) + 1), NS_ERR_PROTOCOL);
	assert_int_equal(ns_resume_tx_ack(&t, 40000), 0);
	assert_int_equal(t.len, sizeof(src) - 40000);
	assert_int_equal(ns_resume_tx_ack(&t, 39999), NS_ERR_PROTOCOL);
	/* the peer got 50000 before the cut: from there again, whole frames */
	assert_int_equal(ns_resume_tx_rewind(&t, 39999), NS_ERR_PROTOCOL);
	assert_int_equal(ns_resume_tx_rewind(&t, sizeof(src) + 1), NS_ERR_PROTOCOL);
	assert_int_equal(ns_resume_tx_rewind(&t, 50000), 0);
	n = 0;
	drain(&t, wire, &n, sizeof(wire));
	ns_resume_dec_init(&d);
	decode(&d, wire, n, 1000, data, &dlen, &ev);
	assert_int_equal(dlen, sizeof(src) - 50000);
	assert_memory_equal(data, src + 50000, dlen);
	assert_int_equal(ns_resume_tx_ack(&t, sizeof(src)), 0);
	assert_int_equal(t.len, 0);
	assert_null(t.buf); /* all acknowledged: the buffer is released */
	assert_int_equal(ns_resume_tx_pending(&t), 0);
	ns_resume_tx_free(&t);
}

static void cap_and_end(void **state)
{
	uint8_t *big = calloc(1, NS_RESUME_UNACKED_MAX + 10), out[64];
	size_t taken, n = 0, dlen;
	ns_resume_tx t;
	ns_resume_dec d;
	ns_resume_ev ev;
	const uint8_t *v;

	(void)state;
	assert_non_null(big);
	ns_resume_tx_init(&t);
	assert_int_equal(ns_resume_tx_put(&t, big, NS_RESUME_UNACKED_MAX + 10, &taken), 0);
	assert_int_equal(taken, NS_RESUME_UNACKED_MAX); /* the cap: the rest waits */
	assert_int_equal(ns_resume_tx_space(&t), 0);
	assert_int_equal(ns_resume_tx_put(&t, big, 1, &taken), 0);
	assert_int_equal(taken, 0);
	ns_resume_tx_free(&t);
	free(big);
	/* END goes after the data, with an ACK of what came the other way */
	ns_resume_tx_init(&t);
	assert_int_equal(ns_resume_tx_put(&t, (const uint8_t *)"abc", 3, &taken), 0);
	ns_resume_tx_received(&t, 10); /* below ACK_EVERY: no ACK yet */
	assert_int_equal(t.clen, 0);
	ns_resume_tx_end(&t, "bye");
	drain(&t, out, &n, sizeof(out));
	assert_true(ns_resume_tx_ended(&t));
	ns_resume_dec_init(&d);
	assert_int_equal(decode(&d, out, n, 1, out + 32, &dlen, &ev), 2);
	assert_int_equal(dlen, 3);
	assert_int_equal(ev.frame, NS_RF_END);
	assert_string_equal(ev.text, "bye");
	assert_int_equal(ns_resume_tx_next(&t, &v), 0);
	ns_resume_tx_free(&t);
	/* ACK every ACK_EVERY bytes received */
	ns_resume_tx_init(&t);
	ns_resume_tx_received(&t, NS_RESUME_ACK_EVERY);
	assert_int_equal(t.clen, NS_RESUME_ACK_LEN);
	assert_int_equal(t.ack_sent, NS_RESUME_ACK_EVERY);
	ns_resume_tx_free(&t);
}

/* One end's bytes through a "connection" that breaks after cut bytes of
 * wire: the receiver keeps what it decoded, the sender rewinds to the
 * receiver's count, and the stream arrives whole. */
static void cut_and_resume(void **state)
{
	static uint8_t src[300000], wire[400000], got[300000];
	size_t cuts[] = {1, 4, 5, 6, 32773, 32774, 100000, 250000}, c, i, taken;
	ns_resume_tx t;
	ns_resume_dec d;
	ns_resume_ev ev;
	size_t n, off, used, glen;

	(void)state;
	for (i = 0; i < sizeof(src); i++) {
		src[i] = (uint8_t)(i ^ (i >> 8));
	}
	for (c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
		ns_resume_tx_init(&t);
		assert_int_equal(ns_resume_tx_put(&t, src, sizeof(src), &taken), 0);
		n = 0;
		drain(&t, wire, &n, cuts[c]); /* the connection dies after cut bytes */
		ns_resume_dec_init(&d);
		glen = 0;
		for (off = 0; off < n; off += used) {
			ns_resume_dec_next(&d, wire + off, n - off, &used, &ev);
			if (ev.type == NS_REV_DATA) {
				memcpy(got + glen, ev.p, ev.len);
				glen += ev.len;
			}
			if (used == 0) {
				break;
			}
		}
		/* reconnect: the receiver says what it has */
		assert_int_equal(ns_resume_tx_rewind(&t, glen), 0);
		n = 0;
		drain(&t, wire, &n, sizeof(wire));
		ns_resume_dec_init(&d);
		for (off = 0; off < n; off += used) {
			ns_resume_dec_next(&d, wire + off, n - off, &used, &ev);
			assert_int_not_equal(ev.type, NS_REV_ERROR);
			if (ev.type == NS_REV_DATA) {
				memcpy(got + glen, ev.p, ev.len);
				glen += ev.len;
			}
		}
		assert_int_equal(glen, sizeof(src));
		assert_memory_equal(got, src, sizeof(src));
		ns_resume_tx_free(&t);
	}
}

/* Feed in pieces of step: the result of the last feed, bytes used in all. */
static int banner(ns_resume_banner *b, const char *in, size_t len, size_t step, size_t *all)
{
	size_t off = 0, used, n;
	int rc = 0;

	ns_resume_banner_init(b);
	while (off < len && rc == 0) {
		n = len - off < step ? len - off : step;
		rc = ns_resume_banner_feed(b, (const uint8_t *)in + off, n, &used);
		assert_true(used <= n);
		off += used;
	}
	*all = off;
	return rc;
}

static void banner_lines(void **state)
{
	static const char one[] = "SSH-2.0-nullspace_1\r\n\x30\x00";
	static const char pre[] = "hello\r\nSSH-not-yet? no: it is\nx\r\nSSH-2.0-y\r\n\x31\x02no";
	static const char pre2[] = "hello\r\nworld\r\nSSH-2.0-y\r\n\x30";
	ns_resume_banner *b = malloc(sizeof(*b));
	size_t step, all;

	(void)state;
	assert_non_null(b);
	for (step = 1; step < 40; step += 7) {
		assert_int_equal(banner(b, one, sizeof(one) - 1, step, &all), 1);
		assert_int_equal(all, 21); /* the frames after the line are left */
		assert_int_equal(b->len, 21);
		assert_memory_equal(b->buf, one, 21);
	}
	/* a line starting "SSH-" is the version line, whatever follows */
	assert_int_equal(banner(b, pre, sizeof(pre) - 1, 3, &all), 1);
	assert_int_equal(all, 7 + 23);
	assert_memory_equal(b->buf, pre, all);
	/* lines before it, then the version line */
	assert_int_equal(banner(b, pre2, sizeof(pre2) - 1, 1, &all), 1);
	assert_int_equal(all, sizeof(pre2) - 2);
	assert_int_equal(b->len, sizeof(pre2) - 2);
	/* not done before the LF */
	assert_int_equal(banner(b, "SSH-2.0-y\r", 10, 1, &all), 0);
	free(b);
}

static void banner_bounds(void **state)
{
	ns_resume_banner *b = malloc(sizeof(*b));
	char *big = malloc(NS_RESUME_BANNER_MAX + 64);
	size_t all, used;

	(void)state;
	assert_non_null(b);
	assert_non_null(big);
	/* the version line: 255 bytes with its CRLF pass, 256 do not */
	memcpy(big, "SSH-2.0-", 8);
	memset(big + 8, 'v', 300);
	memcpy(big + NS_RESUME_VERSION_MAX - 2, "\r\n", 2);
	assert_int_equal(banner(b, big, NS_RESUME_VERSION_MAX, 1, &all), 1);
	memset(big + 8, 'v', 300);
	memcpy(big + NS_RESUME_VERSION_MAX - 1, "\r\n", 2);
	assert_int_equal(banner(b, big, NS_RESUME_VERSION_MAX + 1, 1, &all), -1);
	assert_string_equal(b->err, "version-line-too-long");
	/* sticky */
	assert_int_equal(ns_resume_banner_feed(b, (const uint8_t *)"\n", 1, &used), -1);
	assert_int_equal(used, 0);
	/* NUL anywhere */
	assert_int_equal(banner(b, "hi\0\r\nSSH-2.0-x\r\n", 16, 4, &all), -1);
	assert_string_equal(b->err, "nul-in-banner");
	assert_int_equal(banner(b, "SSH-2.0-\0x\r\n", 12, 4, &all), -1);
	assert_string_equal(b->err, "nul-in-banner");
	/* lines before it: 8 KiB in all */
	memset(big, 'a', NS_RESUME_BANNER_MAX + 64);
	big[100] = '\n';
	assert_int_equal(banner(b, big, NS_RESUME_BANNER_MAX + 64, 1000, &all), -1);
	assert_string_equal(b->err, "banner-too-long");
	/* ... and up to 8 KiB with the version line is fine */
	memcpy(big + NS_RESUME_BANNER_MAX - 11, "\nSSH-2.0-\r\n", 11);
	assert_int_equal(banner(b, big, NS_RESUME_BANNER_MAX, 1000, &all), 1);
	assert_int_equal(b->len, NS_RESUME_BANNER_MAX);
	free(big);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_frame_bytewise), cmocka_unit_test(refusals),
	    cmocka_unit_test(replay_buffer),        cmocka_unit_test(cap_and_end),
	    cmocka_unit_test(cut_and_resume),       cmocka_unit_test(banner_lines),
	    cmocka_unit_test(banner_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
