/* The resumable transport between `nullspace proxy` and the relay (issue
 * 18): the preamble the proxy sends before any SSH byte, and the frames
 * both sides exchange after it. docs/relay.md "Resumable connections" has
 * the wire format; this header is its one definition. */
#ifndef NS_RESUME_WIRE_H
#define NS_RESUME_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* The relay writes its SSH version line at once on every connection; the
 * proxy reads it (ns_resume_banner), then sends these as its first bytes.
 * No SSH client can send them: an SSH client's first line starts "SSH-"
 * (RFC 4253 4.2). */
#define NS_RESUME_MAGIC "NSRESUM1"
#define NS_RESUME_MAGIC_LEN 8
#define NS_RESUME_TOKEN_LEN 32                  /* random, secret, one per resume */
#define NS_RESUME_FRAME_MAX 32768               /* payload of one DATA frame */
#define NS_RESUME_UNACKED_MAX (4 * 1024 * 1024) /* bytes kept for replay, each way */
#define NS_RESUME_ACK_EVERY 16384               /* bytes received between ACKs */
#define NS_RESUME_TEXT_MAX 255                  /* reason of END / REFUSE */
#define NS_RESUME_HDR_MAX (2 + NS_RESUME_TEXT_MAX)
/* A CERT frame's certificate (the relay's login limit, NS_CERT_BLOB_MAX). */
#define NS_RESUME_CERT_MAX 16384

/* Frame types: one byte, then the fields (big-endian). */
enum {
	NS_RF_DATA = 0x01,    /* u32 len (1..FRAME_MAX), len bytes of the stream */
	NS_RF_ACK = 0x02,     /* u64 bytes of the stream received in all */
	NS_RF_END = 0x03,     /* u8 len, text: the stream ended, do not resume */
	NS_RF_CERT = 0x04,    /* proxy: u32 len (1..CERT_MAX), a renewed OpenSSH
	                         user certificate (its wire blob) */
	NS_RF_CERT_OK = 0x05, /* relay: u64 valid_before: the connection now
	                         lasts until then */
	NS_RF_CERT_NO = 0x06, /* relay: u8 len, text: the CERT was refused, why */
	NS_RF_NEW = 0x20,     /* proxy, after the magic: a new resumable stream */
	NS_RF_RESUME = 0x21,  /* proxy: u32 conn id, token, u64 bytes received */
	NS_RF_ACCEPT = 0x30,  /* relay: u32 conn id, token (the next one), u64
	                         bytes received, u32 grace seconds */
	NS_RF_REFUSE = 0x31,  /* relay: u8 len, text; then it closes */
};

enum { NS_REV_NONE = 0, NS_REV_FRAME, NS_REV_DATA, NS_REV_ERROR, NS_REV_CERT };

typedef struct ns_resume_ev {
	int type;         /* NS_REV_* */
	int frame;        /* NS_REV_FRAME: NS_RF_* (not DATA) */
	const uint8_t *p; /* NS_REV_DATA / NS_REV_CERT: a piece of the payload */
	size_t len;
	uint32_t conn_id; /* RESUME, ACCEPT */
	uint8_t token[NS_RESUME_TOKEN_LEN];
	uint64_t count;   /* ACK, RESUME, ACCEPT; CERT_OK: valid_before; NS_REV_CERT:
	                     the certificate's bytes after this piece (0: the last) */
	uint32_t grace_s; /* ACCEPT */
	char text[NS_RESUME_TEXT_MAX + 1]; /* END, REFUSE: printable ASCII only */
	const char *why;                   /* NS_REV_ERROR */
} ns_resume_ev;

/* A streaming decoder: DATA payloads come out in pieces as they arrive,
 * other frames whole. The first error is sticky. */
typedef struct ns_resume_dec {
	uint8_t hdr[NS_RESUME_HDR_MAX];
	size_t hlen;
	uint32_t data_left; /* of the current DATA or CERT frame */
	int in_cert;        /* ... which is a CERT */
	const char *err;
} ns_resume_dec;

void ns_resume_dec_init(ns_resume_dec *d);
/* The next event of p..p+n: *used bytes consumed (0 with NS_REV_NONE: need
 * more). A DATA event's p points into the input. */
void ns_resume_dec_next(ns_resume_dec *d, const uint8_t *p, size_t n, size_t *used,
                        ns_resume_ev *ev);

/* Encoders into out (at least the size each names); the length written. */
#define NS_RESUME_DATA_HDR 5 /* DATA's and CERT's */
#define NS_RESUME_CERT_OK_LEN 9
#define NS_RESUME_ACK_LEN 9
#define NS_RESUME_RESUME_LEN (1 + 4 + NS_RESUME_TOKEN_LEN + 8)
#define NS_RESUME_ACCEPT_LEN (1 + 4 + NS_RESUME_TOKEN_LEN + 8 + 4)
size_t ns_resume_put_data_hdr(uint8_t out[NS_RESUME_DATA_HDR], uint32_t len);
size_t ns_resume_put_ack(uint8_t out[NS_RESUME_ACK_LEN], uint64_t count);
size_t ns_resume_put_resume(uint8_t out[NS_RESUME_RESUME_LEN], uint32_t id,
                            const uint8_t token[NS_RESUME_TOKEN_LEN], uint64_t count);
size_t ns_resume_put_accept(uint8_t out[NS_RESUME_ACCEPT_LEN], uint32_t id,
                            const uint8_t token[NS_RESUME_TOKEN_LEN], uint64_t count,
                            uint32_t grace_s);
/* A CERT's header (len bytes of certificate follow); a CERT_OK. */
size_t ns_resume_put_cert_hdr(uint8_t out[NS_RESUME_DATA_HDR], uint32_t len);
size_t ns_resume_put_cert_ok(uint8_t out[NS_RESUME_CERT_OK_LEN], uint64_t valid_before);
/* END, REFUSE or CERT_NO with text (cut at NS_RESUME_TEXT_MAX); out holds
 * NS_RESUME_HDR_MAX. */
size_t ns_resume_put_text(uint8_t out[NS_RESUME_HDR_MAX], int type, const char *text);

/* The relay's version line as the proxy reads it before its hello: lines
 * that do not start "SSH-" may come first (RFC 4253 4.2), then the version
 * line, each ended by LF (CRLF on the wire). Bounded: the version line to
 * NS_RESUME_VERSION_MAX bytes with its CRLF (RFC 4253: 255), everything up
 * to its end to NS_RESUME_BANNER_MAX; no NUL anywhere. */
#define NS_RESUME_VERSION_MAX 255
#define NS_RESUME_BANNER_MAX 8192

typedef struct ns_resume_banner {
	uint8_t buf[NS_RESUME_BANNER_MAX]; /* every line through the version line */
	size_t len;
	size_t line; /* where the current line starts in buf */
	int done;
	const char *err; /* sticky: "version-line-too-long", "banner-too-long", "nul-in-banner" */
} ns_resume_banner;

void ns_resume_banner_init(ns_resume_banner *b);
/* Take bytes of p..p+n up to the version line's end (*used of them): 1
 * once it is complete (buf[0, len) holds it, with any lines before), 0 for
 * more, -1 on an error (err). */
int ns_resume_banner_feed(ns_resume_banner *b, const uint8_t *p, size_t n, size_t *used);

#endif
