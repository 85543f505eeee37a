/* Time and the small public accessors of the engine: ticks drive keepalives,
 * rekeying by time and the release of idle buffers. */
#include <string.h>

#include "engine_int.h"
#include "kex.h"

static uint64_t until(uint64_t deadline, uint64_t now)
{
	return deadline > now ? deadline - now : 0;
}

static int keepalive(ns_engine *e)
{
	if (e->cfg.keepalive_ms == 0 || !e->auth_done ||
	    e->now_ms - e->last_rx_ms < e->cfg.keepalive_ms) {
		return 0;
	}
	if (e->keepalive_out >= NS_KEEPALIVE_MAX_MISSED) {
		return ns_eng_fail(e, NS_ERR_TIMEOUT, NS_DISC_CONNECTION_LOST,
		                   "keepalive timeout: peer not responding");
	}
	e->keepalive_out++;
	e->last_rx_ms = e->now_ms;
	return ns_global_keepalive(e);
}

/* 1 when the receive, send or message buffer is allocated. */
static int holds_buffers(const ns_engine *e)
{
	return e->in.p != NULL || e->out.p != NULL || e->msg.p != NULL;
}

/* Connections idle for NS_IDLE_RELEASE_MS give their buffers back. Not at
 * once: a busy connection empties them at almost every turn, and freeing
 * (with its wipe) and allocating them again each time cost more than the
 * copies the buffers save. */
static void release_idle(ns_engine *e)
{
	int busy = e->ev_count > 0 || e->in_off < e->in.len || e->in_need > 0 || e->out.len > 0;

	if (busy) {
		e->busy_ms = e->now_ms;
		return;
	}
	if (!holds_buffers(e) || e->now_ms - e->busy_ms < NS_IDLE_RELEASE_MS) {
		return;
	}
	e->in.len = e->in_off = 0; /* all handled */
	/* wiped as far as it was written: a 256 KiB buffer that took a few
	 * hundred bytes stays mostly untouched, and not resident */
	ns_buf_shrink_dirty(&e->in, e->in_dirty);
	e->in_dirty = 0;
	ns_buf_reset(&e->msg);
	ns_buf_shrink(&e->msg);
	ns_buf_shrink(&e->out);
}

int ns_engine_tick(ns_engine *e, uint64_t now_ms)
{
	int rc;

	if (e->now_ms == 0) {
		e->last_rx_ms = now_ms;
		e->kex_done_ms = now_ms;
	}
	e->now_ms = now_ms;
	if (e->phase == NS_PH_CLOSED) {
		return 0;
	}
	if ((rc = keepalive(e)) != 0 || (rc = ns_kex_check_limits(e)) != 0) {
		return rc;
	}
	release_idle(e);
	if (e->kex_state == NS_KX_NONE) {
		ns_buf_reset(&e->my_kexinit);
		ns_buf_shrink(&e->my_kexinit);
		ns_buf_reset(&e->peer_kexinit);
		ns_buf_shrink(&e->peer_kexinit);
	}
	return 0;
}

uint64_t ns_engine_next_timeout(const ns_engine *e, uint64_t now_ms)
{
	uint64_t t = UINT64_MAX, k;

	if (e->phase == NS_PH_CLOSED) {
		return t;
	}
	if (e->kex_first_done && e->kex_state == NS_KX_NONE) {
		t = until(e->kex_done_ms + e->cfg.rekey_ms, now_ms);
	}
	if (e->cfg.keepalive_ms && e->auth_done) {
		k = until(e->last_rx_ms + e->cfg.keepalive_ms, now_ms);
		t = k < t ? k : t;
	}
	if (holds_buffers(e)) {
		k = until(e->busy_ms + NS_IDLE_RELEASE_MS, now_ms);
		t = k < t ? k : t;
	}
	return t;
}

int ns_engine_rekey(ns_engine *e)
{
	if (!e->kex_first_done || e->phase == NS_PH_CLOSED) {
		return NS_ERR_STATE;
	}
	e->rekey_wanted = 1;
	return ns_kex_check_limits(e);
}

int ns_engine_hostkey_verdict(ns_engine *e, int ok)
{
	return ns_kex_verdict(e, ok);
}

int ns_engine_closed(const ns_engine *e)
{
	return e->phase == NS_PH_CLOSED && e->closed_reported;
}

int ns_engine_authenticated(const ns_engine *e)
{
	return e->auth_done;
}

const uint8_t *ns_engine_session_id(const ns_engine *e)
{
	return e->have_session_id ? e->session_id : NULL;
}

const char *ns_engine_kex_alg(const ns_engine *e)
{
	return e->kex_alg;
}

const char *ns_engine_cipher(const ns_engine *e)
{
	return ns_pkt_cipher_name(e->tx.encrypted ? e->tx.cipher : NS_PKT_NONE);
}

int ns_engine_strict_kex(const ns_engine *e)
{
	return e->strict;
}

ns_str ns_engine_peer_version(const ns_engine *e)
{
	ns_str s;

	s.p = (const uint8_t *)e->peer_version;
	s.len = strlen(e->peer_version);
	return s;
}

uint32_t ns_engine_kex_count(const ns_engine *e)
{
	return e->kex_count;
}

const char *ns_event_name(int type)
{
	static const char *const names[] = {
	    "none",
	    "hostkey",
	    "auth-ready",
	    "auth-success",
	    "auth-failure",
	    "auth-pk-ok",
	    "auth-banner",
	    "auth-request",
	    "channel-open",
	    "channel-opened",
	    "channel-open-failed",
	    "channel-request",
	    "channel-reply",
	    "channel-data",
	    "channel-eof",
	    "channel-closed",
	    "writable",
	    "disconnect",
	    "channel-request-refused",
	    "global-request",
	    "global-reply",
	};

	if (type < 0 || (size_t)type >= sizeof(names) / sizeof(names[0])) {
		return "unknown";
	}
	return names[type];
}
