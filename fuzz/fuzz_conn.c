/* The connection past key exchange: a seeded engine pair (fixed keys and
 * randomness, tests/lib_pair.c) completes kex, and auth unless the input
 * asks to stop before it; then each record of the input is sent by one
 * engine as a real, encrypted packet to the engine under test, which the
 * pair pumps and answers like an application (accepts channels, replies to
 * requests, consumes and echoes data). This reaches userauth, channel open,
 * data, window, requests, close, global requests and rekey in both roles.
 *
 * Input: byte 0 = mode: bit 0 the engine under test (0 server, 1 client),
 * bit 1 after auth (else before it), bit 2 open a session first (after
 * auth). Then records: u16 length, then that many bytes of payload (its
 * first byte the message type); length 0 advances the clock 30 s; the
 * one-byte payloads 0xFF and 0xFE start a real key re-exchange from the
 * peer and from the engine under test. */
#include <string.h>

#include "../tests/lib_pair.h"
#include "engine_int.h"
#include "nullspace/engine.h"
#include "nullspace/error.h"
#include "wire.h"

#define SEED 20261203
#define STEPS_PER_RECORD 40
#define RECORDS_MAX 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz {
	int authed_phase; /* 1: let the client authenticate */
} fz;

static int cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	static const uint8_t echo[64];
	fz *f = ud;
	ns_engine *e = p->e[side];
	size_t n;

	switch (ev->type) {
	case NS_EV_AUTH_READY: return f->authed_phase ? 0 : NS_PAIR_HANDLED;
	case NS_EV_CHANNEL_OPEN: (void)!ns_channel_accept(e, ev->channel); break;
	case NS_EV_CHANNEL_REQUEST:
		if (ev->req.want_reply) {
			(void)!ns_channel_reply(e, ev->channel, ev->req.type.len % 2);
		}
		break;
	case NS_EV_CHANNEL_DATA:
		(void)!ns_channel_consumed(e, ev->channel, ev->data.len);
		n = ev->data.len < sizeof(echo) ? ev->data.len : sizeof(echo);
		(void)!ns_channel_write(e, ev->channel, ev->ext, echo, n, &n);
		break;
	case NS_EV_CHANNEL_EOF:
		(void)!ns_channel_eof(e, ev->channel);
		(void)!ns_channel_close(e, ev->channel);
		break;
	default: break;
	}
	return 0;
}

/* The peer of the engine under test sends payload as one packet. */
static void send_payload(ns_engine *from, const uint8_t *p, size_t len)
{
	ns_buf *m;

	if (ns_engine_closed(from)) {
		return;
	}
	m = ns_eng_msg(from, p[0]);
	if (ns_wr_bytes(m, p + 1, len - 1) == 0) {
		(void)ns_eng_send(from);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_pair p;
	fz f;
	size_t off = 1, len;
	int target, records = 0;
	uint32_t ch;

	if (size < 1) {
		return 0;
	}
	target = data[0] & 1;
	f.authed_phase = (data[0] >> 1) & 1;
	if (ns_pair_init_seeded(&p, NULL, NULL, SEED) != 0) {
		return 0;
	}
	if (ns_pair_pump(&p, cb, &f, 200) < 0 || (f.authed_phase && !p.authed)) {
		ns_pair_free(&p);
		return 0; /* the seeded handshake always completes: not reached */
	}
	if (f.authed_phase && (data[0] & 4) && ns_channel_open_session(p.e[0], &ch) == 0) {
		(void)ns_pair_pump(&p, cb, &f, STEPS_PER_RECORD);
	}
	while (off + 2 <= size && records++ < RECORDS_MAX && !ns_engine_closed(p.e[target])) {
		len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off) {
			len = size - off;
		}
		if (len == 0) {
			p.now_ms += 30000;
		} else if (len == 1 && data[off] >= 0xFE) {
			(void)!ns_engine_rekey(p.e[data[off] == 0xFF ? 1 - target : target]);
		} else {
			send_payload(p.e[1 - target], data + off, len);
		}
		off += len;
		(void)ns_pair_pump(&p, cb, &f, STEPS_PER_RECORD);
	}
	ns_pair_free(&p);
	return 0;
}
