/* Connection layer internals (RFC 4254) shared by chan.c, chan_data.c,
 * chan_req.c, chan_parse.c and global.c: limits, the output reservation
 * for owed replies, and the pure request parsers (fuzzed on their own). */
#ifndef NS_CORE_CHAN_H
#define NS_CORE_CHAN_H

#include "engine_int.h"

/* Limits on fields of incoming channel requests. */
#define NS_CHAN_TERM_MAX 256        /* pty-req TERM value */
#define NS_CHAN_MODES_MAX 4096      /* pty-req encoded terminal modes */
#define NS_CHAN_ENV_NAME_MAX 256    /* env variable name */
#define NS_CHAN_ENV_VALUE_MAX 32768 /* env variable value */
#define NS_CHAN_COMMAND_MAX 32768   /* exec command, subsystem name */
/* NS_CHAN_KEY_ID_MAX, NS_CHAN_SOURCE_MAX: nullspace/engine.h */
/* Our window is given back (WINDOW_ADJUST) once this fraction of it was
 * consumed: a quarter, so a sender never waits while a relay and the final
 * receiver each hold back part of their batches. */
#define NS_CHAN_ADJUST_DIV 4
/* Bytes a DATA / EXTENDED_DATA payload adds around its data: type,
 * recipient channel, data type code, string length. */
#define NS_CHAN_DATA_HEADER 13
/* Largest data we put in one packet, whatever the peer's max packet. */
#define NS_CHAN_DATA_MAX (NS_PAYLOAD_MAX - NS_CHAN_DATA_HEADER)
/* Output space channel data leaves free for control messages (window
 * adjusts, requests, replies, CLOSE, rekeying) so they never overflow. */
#define NS_CHAN_OUT_RESERVE (64 * 1024)
/* Channel data fills the output only up to this many bytes waiting to be
 * sent, well below NS_OUTPUT_HIGH, where the engine stops taking input: so
 * an engine busy sending data still reads, and the peer's WINDOW_ADJUST,
 * replies and key exchange are never stuck behind our own data. Two of our
 * engines that both stopped reading while their output was full of data
 * deadlocked each other (a relay splicing a two-way stream, issue 10). */
#define NS_CHAN_DATA_OUT_HIGH (NS_OUTPUT_HIGH - NS_CHAN_OUT_RESERVE)
/* Output space a control message of the caller (request, EOF, CLOSE, open
 * verdict) leaves free for the engine's own answers. */
#define NS_CHAN_CTL_RESERVE (16 * 1024)
/* Peer want_reply requests we may owe replies for: on one channel (the
 * bits of ns_channel.reply_kinds) and on the whole connection. More is a
 * protocol error (the peer floods requests without waiting for answers). */
#define NS_CHAN_REPLIES_MAX 32
#define NS_CHAN_REPLIES_CONN_MAX 1024
/* Output one CHANNEL_SUCCESS / FAILURE takes: type and recipient channel,
 * sealed. Each owed reply keeps this much of the output free (every other
 * sender leaves it alone), so a reply is always queued, in order: never
 * NS_ERR_AGAIN. The reservation is bounded because requests are read only
 * while the output is below NS_OUTPUT_HIGH (ns_engine_input) and owed
 * replies are capped by the two limits above: at most 41 KiB. */
#define NS_CHAN_REPLY_ROOM (5 + NS_PACKET_OVERHEAD)

/* Body of SSH_MSG_CHANNEL_REQUEST after the recipient channel (RFC 4254
 * 6.2-6.10, 6.10 and OpenSSH PROTOCOL 2.1-2.4): request type, want reply,
 * then the fields of known types (NS_CHAN_SESSION_INFO's into *info, zeroed
 * for every other type); unknown types keep only type and want_reply. NS_ERR_TOOBIG: well-formed,
 * but a string field is longer than its limit above (TERM, modes, env, command...): only type and
 * want_reply are set, and the request alone is refused. NS_ERR_FORMAT: malformed. */
int ns_chan_request_parse(ns_rd *r, ns_chan_request *out, ns_session_info *info);
/* pty-req encoded terminal modes (RFC 4254 8): opcode/uint32 pairs up to
 * TTY_OP_END (or the end of the string); opcodes 160+ stop the parse. */
int ns_chan_modes_check(ns_str modes);
/* Body of SSH_MSG_GLOBAL_REQUEST (RFC 4254 4): request name and want reply;
 * request-specific data is left unread. */
int ns_global_request_parse(ns_rd *r, ns_str *name, int *want_reply);

/* The channel table grows on demand, from NS_CHAN_TABLE_MIN entries by
 * doubling up to cfg.max_channels, and gives back half once three quarters
 * of it are free at the top: an engine allowed thousands of channels (the
 * relay's one connection to an agent) holds a table for what is open, not
 * for its limit (4096 entries were 300 KiB per connection). Grow by one
 * step: 0, NS_ERR_LIMIT (at max_channels) or NS_ERR_NOMEM. */
#define NS_CHAN_TABLE_MIN 8
int ns_chan_table_grow(ns_engine *e);
/* The lowest free slot, set up with our window and max packet (the table
 * grows when full): 0, NS_ERR_LIMIT or NS_ERR_NOMEM. */
int ns_chan_alloc_slot(ns_engine *e, uint32_t *id);
/* The channel an incoming message of this type addresses (id is ours), in
 * state NS_CH_OPEN; otherwise fails the connection and returns NULL. */
ns_channel *ns_chan_peer_target(ns_engine *e, uint32_t id, uint8_t type);
/* Release a slot (both CLOSEs done, open refused or failed) and the
 * output its owed replies held. */
void ns_chan_release(ns_engine *e, uint32_t id);
/* Free output space not held for owed replies: what every sender but a
 * reply may use. */
size_t ns_chan_out_free(const ns_engine *e);
/* Does the output have room for a payload of this size plus
 * NS_CHAN_CTL_RESERVE, beyond the owed replies? Caller-side control
 * messages check this and return NS_ERR_AGAIN rather than overflow the
 * output (a fatal error). */
int ns_chan_room_for(const ns_engine *e, size_t payload);
/* An open channel of ours that the caller may still use, or an error:
 * NS_ERR_INVALID (no such id), NS_ERR_CLOSED (gone, or the connection
 * ended), NS_ERR_STATE (not open yet). */
int ns_chan_lookup(ns_engine *e, uint32_t id, ns_channel **c);

/* Incoming messages, by file. */
int ns_chan_on_open(ns_engine *e, ns_rd *r);
int ns_chan_on_open_confirmation(ns_engine *e, ns_rd *r);
int ns_chan_on_open_failure(ns_engine *e, ns_rd *r);
int ns_chan_on_eof(ns_engine *e, ns_rd *r);
int ns_chan_on_close(ns_engine *e, ns_rd *r);
int ns_chan_on_window_adjust(ns_engine *e, ns_rd *r);      /* chan_data.c */
int ns_chan_on_data(ns_engine *e, ns_rd *r, int extended); /* chan_data.c */
int ns_chan_on_request(ns_engine *e, ns_rd *r);            /* chan_req.c */
int ns_chan_on_reply(ns_engine *e, ns_rd *r, int ok);      /* chan_req.c */
int ns_global_on_request(ns_engine *e, ns_rd *r);          /* global.c */
int ns_global_on_reply(ns_engine *e, ns_rd *r, int ok);    /* global.c */

#endif
