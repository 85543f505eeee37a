/* Connection layer tests over the in-memory pair: session channels, requests
 * and replies, data both ways with flow control (a 64 MiB transfer through a
 * small window), EOF/CLOSE from either side, channel limits, and the peer
 * errors that must end in a disconnect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "chan.h"
#include "lib_pair.h"

#define NCH 16
#define DATA_CAP 1024
#define STEPS 100000
#define BULK_BYTES (64u * 1024 * 1024)
#define BULK_WINDOW 32768
#define BULK_PACKET 4096

typedef struct rec {
	uint32_t channel, ext, reason, exit_status, cols, rows, wpx, hpx;
	int ok, want_reply, core, can_do;
	char s[8][256]; /* type/channel type/message, command, term, modes, name, value,
	                   signal, message */
	size_t modes_len;
} rec;

typedef struct tctx {
	int hold_open;  /* server: leave opens pending */
	int reject;     /* server: reject opens */
	int hold_reply; /* server: do not answer want_reply requests */
	int reply_ok;   /* server: the answer */
	int count[2][NS_EV_CHANNEL_REQUEST_REFUSED + 1];
	rec last[2][NS_EV_CHANNEL_REQUEST_REFUSED + 1];
	uint8_t data[2][NCH][2][DATA_CAP];
	size_t dlen[2][NCH][2];
	/* bulk transfer: the server sends, the client checks and consumes */
	int bulk;
	uint32_t sid, cid;
	uint64_t sent, received, max_in_flight;
	int bulk_bad;
} tctx;

static tctx T;

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 131 + (off >> 12) + (off >> 20));
}

static void copy(char *dst, ns_str s)
{
	size_t n = s.len < 255 ? s.len : 255;

	if (n) {
		memcpy(dst, s.p, n);
	}
	dst[n] = '\0';
}

static void record(tctx *t, int side, const ns_event *ev)
{
	rec *r = &t->last[side][ev->type];

	memset(r, 0, sizeof(*r));
	r->channel = ev->channel;
	r->ext = ev->ext;
	r->reason = ev->reason;
	r->ok = ev->ok;
	copy(r->s[0], ev->type == NS_EV_CHANNEL_REQUEST ? ev->req.type
	              : ev->type == NS_EV_CHANNEL_OPEN  ? ev->channel_type
	                                                : ev->message);
	copy(r->s[1], ev->req.command);
	copy(r->s[2], ev->req.term);
	copy(r->s[3], ev->req.modes);
	r->modes_len = ev->req.modes.len;
	copy(r->s[4], ev->req.name);
	copy(r->s[5], ev->req.value);
	copy(r->s[6], ev->req.signal);
	copy(r->s[7], ev->req.message);
	r->want_reply = ev->req.want_reply;
	r->core = ev->req.core_dumped;
	r->can_do = ev->req.client_can_do;
	r->exit_status = ev->req.exit_status;
	r->cols = ev->req.cols;
	r->rows = ev->req.rows;
	r->wpx = ev->req.width_px;
	r->hpx = ev->req.height_px;
	t->count[side][ev->type]++;
}

static void bulk_write(ns_pair *p, tctx *t)
{
	uint8_t buf[BULK_WINDOW];
	size_t w, i, acc;

	while (t->sent < BULK_BYTES && (w = ns_channel_writable(p->e[1], t->sid)) > 0) {
		w = w < sizeof(buf) ? w : sizeof(buf);
		w = w < BULK_BYTES - t->sent ? w : BULK_BYTES - t->sent;
		for (i = 0; i < w; i++) {
			buf[i] = pattern(t->sent + i);
		}
		assert_int_equal(ns_channel_write(p->e[1], t->sid, 0, buf, w, &acc), 0);
		assert_int_equal(acc, w);
		t->sent += acc;
		/* never more in flight than the receiver's window */
		if (t->sent - t->received > t->max_in_flight) {
			t->max_in_flight = t->sent - t->received;
		}
		assert_true(p->e[1]->chans[t->sid].remote_window <= BULK_WINDOW);
	}
}

static void bulk_read(ns_pair *p, tctx *t, const ns_event *ev)
{
	size_t i;

	assert_int_equal(ev->ext, 0);
	assert_true(ev->data.len <= BULK_PACKET);
	for (i = 0; i < ev->data.len; i++) {
		if (ev->data.p[i] != pattern(t->received + i)) {
			t->bulk_bad = 1;
		}
	}
	t->received += ev->data.len;
	assert_int_equal(ns_channel_consumed(p->e[0], ev->channel, ev->data.len), 0);
}

static int cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	tctx *t = ud;
	size_t *len;

	record(t, side, ev);
	switch (ev->type) {
	case NS_EV_CHANNEL_OPEN:
		if (t->reject) {
			(void)!ns_channel_reject(p->e[1], ev->channel, NS_OPEN_CONNECT_FAILED,
			                         "no");
		} else if (!t->hold_open) {
			assert_int_equal(ns_channel_accept(p->e[1], ev->channel), 0);
		}
		break;
	case NS_EV_CHANNEL_REQUEST:
		if (side == 1 && ev->req.want_reply && !t->hold_reply) {
			assert_int_equal(ns_channel_reply(p->e[1], ev->channel, t->reply_ok), 0);
		}
		break;
	case NS_EV_CHANNEL_DATA:
		if (t->bulk && side == 0) {
			bulk_read(p, t, ev);
			break;
		}
		assert_true(ev->channel < NCH && ev->ext < 2);
		len = &t->dlen[side][ev->channel][ev->ext];
		assert_true(*len + ev->data.len <= DATA_CAP);
		memcpy(t->data[side][ev->channel][ev->ext] + *len, ev->data.p, ev->data.len);
		*len += ev->data.len;
		assert_int_equal(ns_channel_consumed(p->e[side], ev->channel, ev->data.len), 0);
		break;
	case NS_EV_WRITABLE:
		if (t->bulk && side == 1) {
			bulk_write(p, t);
		}
		break;
	default: break;
	}
	return 0;
}

static void connect_pair(ns_pair *p, const ns_engine_config *c, const ns_engine_config *s)
{
	memset(&T, 0, sizeof(T));
	T.reply_ok = 1;
	assert_int_equal(ns_pair_init(p, c, s), 0);
	assert_int_equal(ns_pair_connect(p), 0);
	assert_true(ns_pair_pump(p, cb, &T, STEPS) > 0);
}

static void pump(ns_pair *p)
{
	assert_true(ns_pair_pump(p, cb, &T, STEPS) > 0);
}

/* Open a session from the client; returns the client id, *sid the server's. */
static uint32_t open_session(ns_pair *p, uint32_t *sid)
{
	int opened = T.count[0][NS_EV_CHANNEL_OPENED];
	uint32_t id;

	assert_int_equal(ns_channel_open_session(p->e[0], &id), 0);
	pump(p);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_OPENED], opened + 1);
	assert_int_equal(T.last[0][NS_EV_CHANNEL_OPENED].channel, id);
	assert_string_equal(T.last[1][NS_EV_CHANNEL_OPEN].s[0], "session");
	*sid = T.last[1][NS_EV_CHANNEL_OPEN].channel;
	return id;
}

static ns_str S(const char *s)
{
	ns_str v = {(const uint8_t *)s, strlen(s)};
	return v;
}

static void write_all(ns_engine *e, uint32_t id, uint32_t ext, const char *s)
{
	size_t acc;

	assert_int_equal(ns_channel_write(e, id, ext, (const uint8_t *)s, strlen(s), &acc), 0);
	assert_int_equal(acc, strlen(s));
}

static void assert_data(int side, uint32_t id, uint32_t ext, const char *s)
{
	assert_int_equal(T.dlen[side][id][ext], strlen(s));
	assert_memory_equal(T.data[side][id][ext], s, strlen(s));
}

/* side ended the connection as a protocol error, saying why. */
static void assert_protocol_error(const ns_pair *p, int side, const char *why)
{
	assert_true(p->disconnected[side]);
	assert_int_equal(p->disc_reason[side], NS_DISC_PROTOCOL_ERROR);
	assert_string_equal(T.last[side][NS_EV_DISCONNECT].s[0], why);
}

static void test_session_exec(void **state)
{
	ns_chan_request q;
	uint32_t cid, sid;
	ns_pair p;
	size_t acc;

	(void)state;
	connect_pair(&p, NULL, NULL);
	cid = open_session(&p, &sid);
	memset(&q, 0, sizeof(q));
	q.type = S("exec");
	q.want_reply = 1;
	q.command = S("echo hello");
	assert_int_equal(ns_channel_request(p.e[0], cid, &q), 0);
	pump(&p);
	assert_int_equal(T.count[1][NS_EV_CHANNEL_REQUEST], 1);
	assert_string_equal(T.last[1][NS_EV_CHANNEL_REQUEST].s[0], "exec");
	assert_string_equal(T.last[1][NS_EV_CHANNEL_REQUEST].s[1], "echo hello");
	assert_true(T.last[1][NS_EV_CHANNEL_REQUEST].want_reply);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_REPLY], 1);
	assert_true(T.last[0][NS_EV_CHANNEL_REPLY].ok);
	/* no unsolicited replies */
	assert_int_equal(ns_channel_reply(p.e[1], sid, 1), NS_ERR_STATE);
	assert_int_equal(ns_channel_reply(p.e[0], cid, 1), NS_ERR_STATE);

	write_all(p.e[1], sid, 0, "hello\n");
	write_all(p.e[1], sid, 1, "warning\n");
	write_all(p.e[0], cid, 0, "input");
	pump(&p);
	assert_data(0, cid, 0, "hello\n");
	assert_data(0, cid, 1, "warning\n");
	assert_data(1, sid, 0, "input");
	assert_int_equal(T.last[0][NS_EV_CHANNEL_DATA].ext, 1);

	assert_int_equal(ns_channel_exit_status(p.e[1], sid, 42), 0);
	assert_int_equal(ns_channel_eof(p.e[1], sid), 0);
	assert_int_equal(ns_channel_writable(p.e[1], sid), 0);
	assert_int_equal(ns_channel_write(p.e[1], sid, 0, (const uint8_t *)"x", 1, &acc),
	                 NS_ERR_STATE);
	assert_int_equal(ns_channel_close(p.e[1], sid), 0);
	assert_int_equal(ns_channel_close(p.e[1], sid), 0); /* once */
	pump(&p);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_REQUEST], 1);
	assert_string_equal(T.last[0][NS_EV_CHANNEL_REQUEST].s[0], "exit-status");
	assert_int_equal(T.last[0][NS_EV_CHANNEL_REQUEST].exit_status, 42);
	assert_false(T.last[0][NS_EV_CHANNEL_REQUEST].want_reply);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_EOF], 1);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_CLOSED], 1);
	assert_int_equal(T.count[1][NS_EV_CHANNEL_CLOSED], 1);
	assert_int_equal(T.last[0][NS_EV_CHANNEL_CLOSED].channel, cid);
	assert_int_equal(T.last[1][NS_EV_CHANNEL_CLOSED].channel, sid);
	/* the peer closed: writes fail, the ids are free */
	assert_int_equal(ns_channel_write(p.e[0], cid, 0, (const uint8_t *)"x", 1, &acc),
	                 NS_ERR_CLOSED);
	assert_int_equal(ns_channel_writable(p.e[0], cid), 0);
	assert_int_equal(p.e[0]->chans[cid].state, NS_CH_FREE);
	assert_int_equal(p.e[1]->chans[sid].state, NS_CH_FREE);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

static void test_requests(void **state)
{
	static const uint8_t modes[] = {1, 0, 0, 0, 3, 128, 0, 0, 0x96, 0, 0};
	ns_chan_request q;
	const rec *r = &T.last[1][NS_EV_CHANNEL_REQUEST];
	uint32_t cid, sid;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL, NULL);
	cid = open_session(&p, &sid);
	memset(&q, 0, sizeof(q));
	q.type = S("pty-req");
	q.want_reply = 1;
	q.term = S("xterm-256color");
	q.cols = 80;
	q.rows = 24;
	q.width_px = 640;
	q.height_px = 480;
	q.modes.p = modes;
	q.modes.len = sizeof(modes);
	assert_int_equal(ns_channel_request(p.e[0], cid, &q), 0);
	pump(&p);
	assert_string_equal(r->s[0], "pty-req");
	assert_string_equal(r->s[2], "xterm-256color");
	assert_int_equal(r->cols, 80);
	assert_int_equal(r->rows, 24);
	assert_int_equal(r->wpx, 640);
	assert_int_equal(r->hpx, 480);
	assert_int_equal(r->modes_len, sizeof(modes));

	memset(&q, 0, sizeof(q));
	q.type = S("env");
	q.name = S("LANG");
	q.value = S("C.UTF-8");
	assert_int_equal(ns_channel_request(p.e[0], cid, &q), 0);
	pump(&p);
	assert_string_equal(r->s[4], "LANG");
	assert_string_equal(r->s[5], "C.UTF-8");

	memset(&q, 0, sizeof(q));
	q.type = S("window-change");
	q.cols = 132;
	q.rows = 50;
	assert_int_equal(ns_channel_request(p.e[0], cid, &q), 0);
	q.want_reply = 1; /* RFC 4254 6.7: never wants a reply */
	assert_int_equal(ns_channel_request(p.e[0], cid, &q), NS_ERR_INVALID);
	pump(&p);
	assert_string_equal(r->s[0], "window-change");
	assert_int_equal(r->cols, 132);
	assert_int_equal(r->rows, 50);

	memset(&q, 0, sizeof(q));
	q.type = S("signal");
	q.signal = S("INT");
	assert_int_equal(ns_channel_request(p.e[0], cid, &q), 0);
	pump(&p);
	assert_string_equal(r->s[6], "INT");

	memset(&q, 0, sizeof(q));
	q.type = S("subsystem");
	q.want_reply = 1;
	q.command = S("sftp");
	T.reply_ok = 0;
	assert_int_equal(ns_channel_request(p.e[0], cid, &q), 0);
	pump(&p);
	assert_string_equal(r->s[0], "subsystem");
	assert_string_equal(r->s[1], "sftp");
	assert_false(T.last[0][NS_EV_CHANNEL_REPLY].ok);

	/* unknown type: type and want_reply only */
	memset(&q, 0, sizeof(q));
	q.type = S("frobnicate@example.com");
	q.want_reply = 1;
	assert_int_equal(ns_channel_request(p.e[0], cid, &q), 0);
	pump(&p);
	assert_string_equal(r->s[0], "frobnicate@example.com");
	assert_true(r->want_reply);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_REPLY], 3);

	/* exit-signal to the client */
	assert_int_equal(ns_channel_exit_signal(p.e[1], sid, "KILL", 1, "killed"), 0);
	pump(&p);
	r = &T.last[0][NS_EV_CHANNEL_REQUEST];
	assert_string_equal(r->s[0], "exit-signal");
	assert_string_equal(r->s[6], "KILL");
	assert_true(r->core);
	assert_string_equal(r->s[7], "killed");
	assert_false(r->can_do);

	/* xon-xoff to the client (RFC 4254 6.8): client_can_do, never a reply */
	memset(&q, 0, sizeof(q));
	q.type = S("xon-xoff");
	q.client_can_do = 1;
	assert_int_equal(ns_channel_request(p.e[1], sid, &q), 0);
	pump(&p);
	assert_string_equal(r->s[0], "xon-xoff");
	assert_true(r->can_do);
	assert_false(r->core);
	assert_false(r->want_reply);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

/* Craft a raw connection message from side to the other (bypassing the
 * engine's own checks), as a misbehaving peer would. */
static ns_buf *raw(ns_pair *p, int side, uint8_t type)
{
	return ns_eng_msg(p->e[side], type);
}

/* A keepalive@openssh.com channel request from the client, wanting a reply. */
static void send_keepalive(ns_pair *p, uint32_t cid, uint32_t sid)
{
	ns_buf *m = raw(p, 0, SSH_MSG_CHANNEL_REQUEST);

	ns_wr_u32(m, sid);
	ns_wr_cstr(m, "keepalive@openssh.com");
	ns_wr_bool(m, 1);
	assert_int_equal(ns_eng_send(p->e[0]), 0);
	p->e[0]->chans[cid].our_requests++;
}

/* A CHANNEL_WINDOW_ADJUST from the client, whatever its own window says. */
static void send_window_adjust(ns_pair *p, uint32_t sid, uint32_t bytes)
{
	ns_buf *m = raw(p, 0, SSH_MSG_CHANNEL_WINDOW_ADJUST);

	ns_wr_u32(m, sid);
	ns_wr_u32(m, bytes);
	assert_int_equal(ns_eng_send(p->e[0]), 0);
}

/* CHANNEL_DATA from the client to server channel sid, past the engine's checks. */
static void send_data(ns_pair *p, uint32_t sid, const char *s)
{
	ns_buf *m = raw(p, 0, SSH_MSG_CHANNEL_DATA);

	ns_wr_u32(m, sid);
	ns_wr_cstr(m, s);
	assert_int_equal(ns_eng_send(p->e[0]), 0);
}

static void test_keepalive_requests(void **state)
{
	ns_chan_request q;
	uint32_t cid, sid;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL, NULL);
	cid = open_session(&p, &sid);
	/* keepalive@openssh.com: answered FAILURE by the engine, no event */
	send_keepalive(&p, cid, sid);
	pump(&p);
	assert_int_equal(T.count[1][NS_EV_CHANNEL_REQUEST], 0);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_REPLY], 1);
	assert_false(T.last[0][NS_EV_CHANNEL_REPLY].ok);

	/* a keepalive behind a request the server still owes: replies in order */
	T.hold_reply = 1;
	memset(&q, 0, sizeof(q));
	q.type = S("shell");
	q.want_reply = 1;
	assert_int_equal(ns_channel_request(p.e[0], cid, &q), 0);
	send_keepalive(&p, cid, sid);
	pump(&p);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_REPLY], 1); /* the FAILURE waits */
	assert_int_equal(ns_channel_reply(p.e[1], sid, 1), 0);
	pump(&p);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_REPLY], 3);
	assert_false(T.last[0][NS_EV_CHANNEL_REPLY].ok); /* SUCCESS then FAILURE */

	/* global keepalive: FAILURE comes back, counters reset */
	p.e[0]->keepalive_out = 1;
	assert_int_equal(ns_global_keepalive(p.e[0]), 0);
	assert_int_equal(p.e[0]->global_out, 1);
	pump(&p);
	assert_int_equal(p.e[0]->global_out, 0);
	assert_int_equal(p.e[0]->keepalive_out, 0);
	assert_false(p.disconnected[0] || p.disconnected[1]);

	/* an unsolicited global reply is a protocol error */
	raw(&p, 1, SSH_MSG_REQUEST_SUCCESS);
	assert_int_equal(ns_eng_send(p.e[1]), 0);
	pump(&p);
	assert_protocol_error(&p, 0, "global request reply without a request");
	ns_pair_free(&p);
}

static void test_close_from_client(void **state)
{
	uint32_t cid, sid;
	ns_pair p;
	size_t acc;

	(void)state;
	connect_pair(&p, NULL, NULL);
	cid = open_session(&p, &sid);
	write_all(p.e[0], cid, 0, "bye");
	assert_int_equal(ns_channel_eof(p.e[0], cid), 0);
	assert_int_equal(ns_channel_close(p.e[0], cid), 0);
	/* our CLOSE is out: no more data from us */
	assert_int_equal(ns_channel_write(p.e[0], cid, 0, (const uint8_t *)"x", 1, &acc),
	                 NS_ERR_STATE);
	pump(&p);
	assert_data(1, sid, 0, "bye");
	assert_int_equal(T.count[1][NS_EV_CHANNEL_EOF], 1);
	assert_int_equal(T.count[1][NS_EV_CHANNEL_CLOSED], 1);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_CLOSED], 1);
	assert_int_equal(ns_channel_close(p.e[1], sid), NS_ERR_CLOSED);
	/* the id is reused */
	assert_int_equal(open_session(&p, &sid), cid);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

static void test_open_rejected(void **state)
{
	ns_pair p;
	uint32_t id;

	(void)state;
	connect_pair(&p, NULL, NULL);
	T.reject = 1;
	assert_int_equal(ns_channel_open_session(p.e[0], &id), 0);
	pump(&p);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_OPEN_FAILED], 1);
	assert_int_equal(T.last[0][NS_EV_CHANNEL_OPEN_FAILED].reason, NS_OPEN_CONNECT_FAILED);
	assert_string_equal(T.last[0][NS_EV_CHANNEL_OPEN_FAILED].s[0], "no");
	assert_int_equal(p.e[0]->chans[id].state, NS_CH_FREE);
	/* servers do not open sessions */
	assert_int_equal(ns_channel_open_session(p.e[1], &id), NS_ERR_STATE);
	ns_pair_free(&p);
}

/* direct-tcpip (ssh -L): the type reaches the server, data flows both ways;
 * a name over NS_CHAN_HOST_MAX or a port over 65535 is refused; servers do
 * not open it. */
static void test_direct_tcpip(void **state)
{
	char big[NS_CHAN_HOST_MAX + 2];
	ns_pair p;
	uint32_t id, sid;

	(void)state;
	connect_pair(&p, NULL, NULL);
	assert_int_equal(
	    ns_channel_open_direct_tcpip(p.e[0], "localhost", 3000, "127.0.0.1", 5555, &id), 0);
	pump(&p);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_OPENED], 1);
	assert_int_equal(T.last[0][NS_EV_CHANNEL_OPENED].channel, id);
	assert_string_equal(T.last[1][NS_EV_CHANNEL_OPEN].s[0], "direct-tcpip");
	sid = T.last[1][NS_EV_CHANNEL_OPEN].channel;
	write_all(p.e[0], id, 0, "GET /");
	write_all(p.e[1], sid, 0, "200 OK");
	pump(&p);
	assert_data(1, sid, 0, "GET /");
	assert_data(0, id, 0, "200 OK");
	memset(big, 'h', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ns_channel_open_direct_tcpip(p.e[0], big, 80, "127.0.0.1", 1, &id),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_channel_open_direct_tcpip(p.e[0], "h", 65536, "127.0.0.1", 1, &id),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_channel_open_direct_tcpip(p.e[1], "h", 80, "127.0.0.1", 1, &id),
	                 NS_ERR_STATE);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

static void test_ten_channels(void **state)
{
	uint32_t cid[10], sid[10];
	char msg[32];
	ns_pair p;
	int i;

	(void)state;
	connect_pair(&p, NULL, NULL);
	for (i = 0; i < 10; i++) {
		cid[i] = open_session(&p, &sid[i]);
	}
	for (i = 0; i < 10; i++) {
		snprintf(msg, sizeof(msg), "to server %d", i);
		write_all(p.e[0], cid[i], 0, msg);
		snprintf(msg, sizeof(msg), "to client %d", i);
		write_all(p.e[1], sid[i], i & 1, msg);
	}
	pump(&p);
	for (i = 0; i < 10; i++) {
		snprintf(msg, sizeof(msg), "to server %d", i);
		assert_data(1, sid[i], 0, msg);
		snprintf(msg, sizeof(msg), "to client %d", i);
		assert_data(0, cid[i], i & 1, msg);
		assert_int_equal(ns_channel_close(p.e[i & 1], i & 1 ? sid[i] : cid[i]), 0);
	}
	pump(&p);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_CLOSED], 10);
	assert_int_equal(T.count[1][NS_EV_CHANNEL_CLOSED], 10);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

static void test_max_channels(void **state)
{
	ns_engine_config s = NS_ENGINE_CONFIG_INIT, c = NS_ENGINE_CONFIG_INIT;
	uint32_t cid[3], sid[3], id;
	ns_pair p;

	(void)state;
	s.max_channels = 2;
	c.max_channels = 3;
	connect_pair(&p, &c, &s);
	cid[0] = open_session(&p, &sid[0]);
	cid[1] = open_session(&p, &sid[1]);
	assert_int_equal(ns_channel_open_session(p.e[0], &cid[2]), 0);
	pump(&p);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_OPEN_FAILED], 1);
	assert_int_equal(T.last[0][NS_EV_CHANNEL_OPEN_FAILED].reason, NS_OPEN_RESOURCE_SHORTAGE);
	assert_string_equal(T.last[0][NS_EV_CHANNEL_OPEN_FAILED].s[0], "too many channels");
	assert_false(p.disconnected[0] || p.disconnected[1]);
	/* the client's own table: three slots */
	assert_int_equal(ns_channel_open_session(p.e[0], &cid[2]), 0);
	assert_int_equal(ns_channel_open_session(p.e[0], &id), NS_ERR_LIMIT);
	pump(&p);
	/* a slot frees up on the server: opens work again */
	assert_int_equal(ns_channel_close(p.e[0], cid[0]), 0);
	pump(&p);
	cid[0] = open_session(&p, &sid[0]);
	write_all(p.e[0], cid[0], 0, "still up");
	pump(&p);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

/* The channel table grows with what is open, not with max_channels (64 by
 * default): one open channel holds a NS_CHAN_TABLE_MIN table, 20 hold a
 * table of at most twice that many, and it shrinks again once they close;
 * ids are reused lowest first. (Default configs: main's size-tagged
 * ns_engine_config needs no change here.) */
static void test_table_on_demand(void **state)
{
	uint32_t cid[20], sid[20], one, sone;
	ns_pair p;
	int i;

	(void)state;
	connect_pair(&p, NULL, NULL);
	assert_int_equal(p.e[1]->nchans, 0);
	cid[0] = open_session(&p, &sid[0]);
	assert_int_equal(p.e[0]->nchans, NS_CHAN_TABLE_MIN);
	assert_int_equal(p.e[1]->nchans, NS_CHAN_TABLE_MIN);
	for (i = 1; i < 20; i++) {
		cid[i] = open_session(&p, &sid[i]);
	}
	assert_true(p.e[1]->nchans >= 20 && p.e[1]->nchans <= 40);
	assert_true(p.e[0]->nchans >= 20 && p.e[0]->nchans <= 40);
	/* every channel still works after the table moved */
	write_all(p.e[0], cid[15], 0, "moved");
	write_all(p.e[1], sid[3], 0, "early");
	pump(&p);
	assert_data(1, sid[15], 0, "moved");
	assert_data(0, cid[3], 0, "early");
	for (i = 0; i < 20; i++) {
		assert_int_equal(ns_channel_close(p.e[0], cid[i]), 0);
		pump(&p);
	}
	assert_int_equal(T.count[1][NS_EV_CHANNEL_CLOSED], 20);
	assert_int_equal(p.e[1]->nchans, NS_CHAN_TABLE_MIN);
	assert_int_equal(p.e[0]->nchans, NS_CHAN_TABLE_MIN);
	/* the lowest id again */
	one = open_session(&p, &sone);
	assert_int_equal(one, 0);
	assert_int_equal(sone, 0);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

static void test_bulk_small_window(void **state)
{
	ns_engine_config c = NS_ENGINE_CONFIG_INIT;
	ns_pair p;

	(void)state;
	c.window = BULK_WINDOW;
	c.max_packet = BULK_PACKET;
	c.rekey_bytes = 16u * 1024 * 1024; /* rekeys mid-transfer */
	connect_pair(&p, &c, NULL);
	T.cid = open_session(&p, &T.sid);
	assert_int_equal(p.e[1]->chans[T.sid].remote_window, BULK_WINDOW);
	assert_int_equal(p.e[1]->chans[T.sid].remote_max_packet, BULK_PACKET);
	T.bulk = 1;
	bulk_write(&p, &T);
	assert_true(ns_pair_pump(&p, cb, &T, 1000000) > 0);
	assert_int_equal(T.sent, BULK_BYTES);
	assert_int_equal(T.received, BULK_BYTES);
	assert_false(T.bulk_bad);
	assert_true(T.max_in_flight <= BULK_WINDOW);
	assert_true(ns_engine_kex_count(p.e[0]) > 2);
	assert_true(T.count[1][NS_EV_WRITABLE] > 0);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	print_message("bulk: %llu bytes, %d WRITABLE events, %u key exchanges\n",
	              (unsigned long long)T.received, T.count[1][NS_EV_WRITABLE],
	              ns_engine_kex_count(p.e[0]));
	ns_pair_free(&p);
}

static void test_no_more_sessions(void **state)
{
	uint32_t cid, sid, id;
	ns_buf *m;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL, NULL);
	cid = open_session(&p, &sid);
	m = raw(&p, 0, SSH_MSG_GLOBAL_REQUEST);
	ns_wr_cstr(m, "no-more-sessions@openssh.com");
	ns_wr_bool(m, 0);
	assert_int_equal(ns_eng_send(p.e[0]), 0);
	write_all(p.e[0], cid, 0, "ok");
	pump(&p);
	assert_true(p.e[1]->no_more_sessions);
	assert_data(1, sid, 0, "ok");
	assert_false(p.disconnected[1]);
	assert_int_equal(ns_channel_open_session(p.e[0], &id), 0);
	pump(&p);
	assert_protocol_error(&p, 1, "session channel opened after no-more-sessions@openssh.com");
	assert_int_equal(p.disc_error[1], NS_ERR_PROTOCOL);
	ns_pair_free(&p);
}

static void test_window_overrun(void **state)
{
	ns_engine_config c = NS_ENGINE_CONFIG_INIT;
	uint8_t buf[8192];
	uint32_t sid;
	ns_pair p;
	size_t acc;

	(void)state;
	c.window = 4096;
	connect_pair(&p, &c, NULL);
	open_session(&p, &sid);
	memset(buf, 'a', sizeof(buf));
	p.e[1]->chans[sid].remote_window += 100000; /* the server ignores the window */
	assert_int_equal(ns_channel_write(p.e[1], sid, 0, buf, sizeof(buf), &acc), 0);
	assert_int_equal(acc, sizeof(buf));
	pump(&p);
	assert_protocol_error(&p, 0, "channel data beyond the window");
	assert_int_equal(p.disc_error[0], NS_ERR_PROTOCOL);
	ns_pair_free(&p);
}

static void test_max_packet_overrun(void **state)
{
	uint8_t buf[40000];
	uint32_t sid;
	ns_pair p;
	size_t acc;

	(void)state;
	connect_pair(&p, NULL, NULL);
	open_session(&p, &sid);
	memset(buf, 'b', sizeof(buf));
	p.e[1]->chans[sid].remote_max_packet = sizeof(buf); /* over the client's 32 KiB */
	assert_int_equal(ns_channel_write(p.e[1], sid, 0, buf, sizeof(buf), &acc), 0);
	pump(&p);
	assert_protocol_error(&p, 0, "channel data larger than the maximum packet size");
	ns_pair_free(&p);
}

static void test_window_adjust_limit(void **state)
{
	uint32_t cid, sid, w;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL, NULL);
	cid = open_session(&p, &sid);
	/* up to exactly 2^32-1 is fine */
	w = p.e[1]->chans[sid].remote_window;
	send_window_adjust(&p, sid, UINT32_MAX - w);
	pump(&p);
	assert_false(p.disconnected[1]);
	assert_int_equal(p.e[1]->chans[sid].remote_window, UINT32_MAX);
	/* one more byte overflows */
	send_window_adjust(&p, sid, 1);
	(void)cid;
	pump(&p);
	assert_protocol_error(&p, 1, "channel window adjusted beyond 2^32-1 bytes");
	ns_pair_free(&p);
}

static void test_data_unknown_channel(void **state)
{
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL, NULL);
	send_data(&p, 7, "boo"); /* no such channel */
	pump(&p);
	assert_protocol_error(&p, 1, "CHANNEL_DATA for an unknown channel");
	assert_int_equal(p.disc_error[1], NS_ERR_PROTOCOL);
	ns_pair_free(&p);
}

static void test_data_after_eof(void **state)
{
	uint32_t cid, sid;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL, NULL);
	cid = open_session(&p, &sid);
	assert_int_equal(ns_channel_eof(p.e[0], cid), 0);
	pump(&p);
	send_data(&p, sid, "late");
	pump(&p);
	assert_protocol_error(&p, 1, "channel data after CHANNEL_EOF");
	ns_pair_free(&p);
}

static void test_client_refuses_opens(void **state)
{
	ns_buf *m;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL, NULL);
	/* the server pretends to open channel 5 of its own */
	assert_int_equal(ns_chan_table_grow(p.e[1]), 0); /* NS_CHAN_TABLE_MIN slots */
	p.e[1]->chans[5].state = NS_CH_OPENING;
	m = raw(&p, 1, SSH_MSG_CHANNEL_OPEN);
	ns_wr_cstr(m, "forwarded-tcpip");
	ns_wr_u32(m, 5);
	ns_wr_u32(m, 65536);
	ns_wr_u32(m, 32768);
	assert_int_equal(ns_eng_send(p.e[1]), 0);
	pump(&p);
	assert_int_equal(T.count[0][NS_EV_CHANNEL_OPEN], 0);
	assert_int_equal(T.count[1][NS_EV_CHANNEL_OPEN_FAILED], 1);
	assert_int_equal(T.last[1][NS_EV_CHANNEL_OPEN_FAILED].reason,
	                 NS_OPEN_ADMINISTRATIVELY_PROHIBITED);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

static void test_writable_during_rekey(void **state)
{
	uint32_t cid, sid;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL, NULL);
	cid = open_session(&p, &sid);
	assert_true(ns_channel_writable(p.e[0], cid) > 0);
	assert_int_equal(ns_engine_rekey(p.e[0]), 0);
	assert_int_equal(ns_channel_writable(p.e[0], cid), 0);
	pump(&p);
	assert_true(ns_channel_writable(p.e[0], cid) > 0);
	assert_true(T.count[0][NS_EV_WRITABLE] >= 1);
	assert_int_equal(T.last[0][NS_EV_WRITABLE].channel, NS_CHANNEL_ALL);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_session_exec),
	    cmocka_unit_test(test_direct_tcpip),
	    cmocka_unit_test(test_requests),
	    cmocka_unit_test(test_keepalive_requests),
	    cmocka_unit_test(test_close_from_client),
	    cmocka_unit_test(test_open_rejected),
	    cmocka_unit_test(test_ten_channels),
	    cmocka_unit_test(test_max_channels),
	    cmocka_unit_test(test_table_on_demand),
	    cmocka_unit_test(test_bulk_small_window),
	    cmocka_unit_test(test_no_more_sessions),
	    cmocka_unit_test(test_window_overrun),
	    cmocka_unit_test(test_max_packet_overrun),
	    cmocka_unit_test(test_window_adjust_limit),
	    cmocka_unit_test(test_data_unknown_channel),
	    cmocka_unit_test(test_data_after_eof),
	    cmocka_unit_test(test_client_refuses_opens),
	    cmocka_unit_test(test_writable_during_rekey),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
