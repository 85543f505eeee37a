/* The state of one relay splice in one place: each side's channel, what
 * each direction still owes after its held bytes (EOF, CLOSE), the exit
 * status owed to the user, the splice's mode; the transition table; the
 * ordered output a sweep sends (held bytes, exit, EOF, CLOSE); and when a
 * splice is finished. The replies owed to the user are relay_splice.c's
 * queue (ns_relay_chan.owed). */
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"

/* What a direction still owes its receiving channel, after the held bytes.
 *
 *   state \ event   PEER_EOF        END             EOF_SENT    CLOSE_SENT  GONE
 *   STREAM          EOF_DUE         CLOSE_DUE       -           -           DONE
 *   EOF_DUE         EOF_DUE         EOF_CLOSE_DUE   EOF_SENT    -           DONE
 *   EOF_SENT        EOF_SENT        CLOSE_DUE       -           -           DONE
 *   CLOSE_DUE       CLOSE_DUE       CLOSE_DUE       -           DONE        DONE
 *   EOF_CLOSE_DUE   EOF_CLOSE_DUE   EOF_CLOSE_DUE   CLOSE_DUE   -           DONE
 *   DONE            DONE            DONE            DONE        DONE        DONE
 *
 * PEER_EOF: the sending side's EOF; END: the splice ends on this side
 * (the other side closed, a refusal, the agent lost); EOF_SENT and
 * CLOSE_SENT: the sweep sent them; GONE: the receiving channel is closed,
 * nothing more goes to it. "-" cannot happen (the sweep sends only what is
 * due): the state stays. */
static const uint8_t tail_next[NS_TAIL_COUNT][NS_TEV_COUNT] = {
    [NS_TAIL_STREAM] = {NS_TAIL_EOF_DUE, NS_TAIL_CLOSE_DUE, NS_TAIL_STREAM, NS_TAIL_STREAM,
                        NS_TAIL_DONE},
    [NS_TAIL_EOF_DUE] = {NS_TAIL_EOF_DUE, NS_TAIL_EOF_CLOSE_DUE, NS_TAIL_EOF_SENT, NS_TAIL_EOF_DUE,
                         NS_TAIL_DONE},
    [NS_TAIL_EOF_SENT] = {NS_TAIL_EOF_SENT, NS_TAIL_CLOSE_DUE, NS_TAIL_EOF_SENT, NS_TAIL_EOF_SENT,
                          NS_TAIL_DONE},
    [NS_TAIL_CLOSE_DUE] = {NS_TAIL_CLOSE_DUE, NS_TAIL_CLOSE_DUE, NS_TAIL_CLOSE_DUE, NS_TAIL_DONE,
                           NS_TAIL_DONE},
    [NS_TAIL_EOF_CLOSE_DUE] = {NS_TAIL_EOF_CLOSE_DUE, NS_TAIL_EOF_CLOSE_DUE, NS_TAIL_CLOSE_DUE,
                               NS_TAIL_EOF_CLOSE_DUE, NS_TAIL_DONE},
    [NS_TAIL_DONE] = {NS_TAIL_DONE, NS_TAIL_DONE, NS_TAIL_DONE, NS_TAIL_DONE, NS_TAIL_DONE},
};

void ns_relay_tail(ns_relay_chan *ch, int dir, int ev)
{
	ch->tail[dir] = tail_next[ch->tail[dir]][ev];
}

int ns_relay_tail_ending(const ns_relay_chan *ch, int dir)
{
	uint8_t t = ch->tail[dir];

	return t == NS_TAIL_CLOSE_DUE || t == NS_TAIL_EOF_CLOSE_DUE || t == NS_TAIL_DONE;
}

/* The splice ends on both sides: the user gets EOF then CLOSE after what
 * is held for it, the agent a CLOSE. */
void ns_relay_state_end_both(ns_relay_chan *ch)
{
	ns_relay_tail(ch, NS_TO_FRONT, NS_TEV_PEER_EOF);
	ns_relay_tail(ch, NS_TO_FRONT, NS_TEV_END);
	ns_relay_tail(ch, NS_TO_INNER, NS_TEV_END);
}

/* A side's channel is closed (both CLOSEs done, or the connection lost):
 * what was held for it is dropped and the other side's channel ends. */
void ns_relay_state_gone(ns_relay_chan *ch, int side)
{
	int to_side = side == NS_SIDE_FRONT ? NS_TO_FRONT : NS_TO_INNER;

	if (side == NS_SIDE_FRONT) {
		ch->fstate = NS_RS_GONE;
	} else {
		ch->istate = NS_RS_GONE;
	}
	ns_relay_hold_free(&ch->hold[to_side][0]);
	ns_relay_hold_free(&ch->hold[to_side][1]);
	ns_relay_tail(ch, to_side, NS_TEV_GONE);
	ns_relay_tail(ch, 1 - to_side, NS_TEV_END);
}

int ns_relay_state_done(const ns_relay_chan *ch)
{
	return (ch->fstate == NS_RS_NONE || ch->fstate == NS_RS_GONE) &&
	       (ch->istate == NS_RS_NONE || ch->istate == NS_RS_GONE);
}

static int send_exit(ns_engine *e, ns_relay_chan *ch)
{
	if (ch->exit_kind == NS_EXIT_STATUS) {
		return ns_channel_exit_status(e, ch->fch, ch->exit_status);
	}
	return ns_channel_exit_signal(e, ch->fch, ch->exit_sig, ch->exit_core, ch->exit_msg);
}

/* No room in the receiver's output: towards the agent, wait for it. */
static int again(ns_relay_chan *ch, int dir, int moved)
{
	if (dir == NS_TO_INNER) {
		ns_relay_mux_wait(ch);
	}
	return moved;
}

/* After the held bytes of a direction: the exit status (to the user
 * only), then EOF, then CLOSE, each once the previous one went out. */
static int send_tail(ns_engine *e, ns_relay_chan *ch, int dir, uint32_t id)
{
	int moved = 0;

	if (ch->hold[dir][0].len > 0 || ch->hold[dir][1].len > 0) {
		return 0;
	}
	if (dir == NS_TO_FRONT && ch->exit_kind != NS_EXIT_NONE && !ch->exit_sent) {
		if (send_exit(e, ch) == NS_ERR_AGAIN) {
			return 0;
		}
		ch->exit_sent = 1;
		moved = 1;
	}
	if (ch->tail[dir] == NS_TAIL_EOF_DUE || ch->tail[dir] == NS_TAIL_EOF_CLOSE_DUE) {
		if (ns_channel_eof(e, id) == NS_ERR_AGAIN) {
			return again(ch, dir, moved);
		}
		ns_relay_tail(ch, dir, NS_TEV_EOF_SENT);
		moved = 1;
	}
	if (ch->tail[dir] == NS_TAIL_CLOSE_DUE) {
		if (ns_channel_close(e, id) == NS_ERR_AGAIN) {
			return again(ch, dir, moved);
		}
		ns_relay_tail(ch, dir, NS_TEV_CLOSE_SENT);
		moved = 1;
	}
	return moved;
}

int ns_relay_flow_sweep(ns_relay_conn *c)
{
	uint32_t i;
	int moved = 0;

	for (i = 0; i < NS_RELAY_SLOTS(c->r); i++) {
		ns_relay_chan *ch = c->chans[i];
		if (ch == NULL) {
			continue;
		}
		if (ch->fstate == NS_RS_OPEN) {
			moved |= ns_relay_flow_flush(c, ch, NS_TO_FRONT);
			moved |= send_tail(c->front.e, ch, NS_TO_FRONT, ch->fch);
		}
		if (ch->in != NULL && ch->istate == NS_RS_OPEN) {
			moved |= ns_relay_flow_flush(c, ch, NS_TO_INNER);
			moved |= send_tail(ch->in->p.e, ch, NS_TO_INNER, ch->ich);
		}
	}
	return moved;
}
