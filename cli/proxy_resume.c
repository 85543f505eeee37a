/* `nullspace proxy tcp://HOST:PORT` and ws[s]://URL (issue 18): an ssh
 * ProxyCommand whose byte stream to the relay survives the loss of the TCP
 * (or WebSocket: proxy_link.c carries the same bytes in frames)
 * connection. After
 * NS_RESUME_MAGIC and NEW the relay names the connection and gives a
 * token; stdin goes out in numbered DATA frames kept until acknowledged
 * (transport/common/resume_buf.c), the relay's frames come to stdout. When
 * the socket is lost the proxy reconnects with backoff for the relay's
 * grace time, presents the token and the count it received, and both
 * sides send again from there: ssh above sees one unbroken stream. On
 * every connection the relay's SSH version line comes first, raw: the
 * first one goes to ssh, a resumed one's is dropped (ssh has one). With
 * --renew, a renewed certificate goes to the relay in a CERT frame between
 * two frames of the stream (proxy_renew.c). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "clock.h"
#include "file.h"
#include "net.h"
#include "proxy_int.h"
#include "resume_buf.h"
#include "resume_wire.h"

#define CHUNK 32768
#define CONNECT_MS 10000    /* one TCP connect */
#define HELLO_MS 10000      /* connect to ACCEPT, the version line included */
#define BACKOFF_MIN_MS 250  /* first retry after a loss; doubles */
#define BACKOFF_MAX_MS 4000 /* ... up to this */
#define IDLE_ACK_MS 1000    /* received bytes are acknowledged at least this often */
#define TCP_DEAD_MS 20000   /* TCP_USER_TIMEOUT and keepalive: a silent loss is seen */

enum { ST_BANNER = 0, ST_WAIT, ST_OPEN, ST_DOWN };

typedef struct rp {
	ns_plink_cfg cfg;
	ns_plink link;
	int fd, state, opened, in_open, quiet;
	uint32_t id, grace_s;
	uint8_t token[NS_RESUME_TOKEN_LEN];
	uint64_t down_since, retry_at, wait_until;
	unsigned backoff;
	ns_resume_banner ban; /* the relay's version line (and lines before it) */
	ns_resume_dec dec;
	ns_resume_tx tx;
	uint8_t buf[CHUNK];
} rp;

/* The exit code + 0x100 to stop, or 0 to go on. */
#define STOP(code) (0x100 | (code))

static volatile sig_atomic_t hup; /* ssh ends its ProxyCommand with SIGHUP */
/* --renew (cmd_proxy.c sets it; one proxy per process), or NULL */
static ns_proxy_renew *renew;

void ns_cli_resume_proxy_renew(ns_proxy_renew *rn)
{
	renew = rn;
}

/* No frame of the stream half-written: another may start. */
static int between(const ns_resume_tx *t)
{
	return t->hoff == t->hend && t->data_left == 0 && t->coff == 0;
}

static void on_hup(int sig)
{
	(void)sig;
	hup = 1;
}

/* ssh is gone (SIGHUP, or stdout closed): tell the relay at once that the
 * stream is over, so it does not keep the session for the grace time. Best
 * effort, and only between two frames. */
static void final_end(rp *p, const char *why)
{
	uint8_t f[NS_RESUME_HDR_MAX];
	size_t n = ns_resume_put_text(f, NS_RF_END, why);
	const ns_resume_tx *t = &p->tx;

	if (p->state == ST_OPEN && between(t) && !ns_proxy_renew_busy(renew) &&
	    ns_plink_pending(&p->link) == 0) {
		(void)ns_plink_send(&p->link, f, n);
		(void)ns_plink_flush(&p->link);
	}
}

static void tcp_opts(int fd)
{
	int on = 1, idle = TCP_DEAD_MS / 4000, intvl = TCP_DEAD_MS / 8000, cnt = 3;
	unsigned ut = TCP_DEAD_MS;

	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ut, sizeof(ut));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* Connect (and upgrade); the relay's version line comes first
 * (ST_BANNER): 0, or an EXIT_PROXY_* code with the reason in err. */
static int dial(rp *p, char *err, size_t cap)
{
	int fd, rc;

	if ((rc = ns_plink_dial(&p->link, &p->cfg, p->opened, CONNECT_MS, err, cap)) != 0) {
		return rc;
	}
	fd = p->link.fd;
	tcp_opts(fd);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	ns_resume_banner_init(&p->ban);
	ns_resume_dec_init(&p->dec);
	p->fd = fd;
	p->state = ST_BANNER;
	p->wait_until = ns_clock_ms() + HELLO_MS;
	return 0;
}

/* The hello after the version line: NEW, or RESUME with our count. Short
 * (a fresh socket takes it whole): 0, or -1. */
static int send_hello(rp *p)
{
	uint8_t h[NS_RESUME_MAGIC_LEN + NS_RESUME_RESUME_LEN];
	size_t n = NS_RESUME_MAGIC_LEN;
	ssize_t k;

	memcpy(h, NS_RESUME_MAGIC, NS_RESUME_MAGIC_LEN);
	if (p->opened) {
		n += ns_resume_put_resume(h + n, p->id, p->token, p->tx.recvd);
	} else {
		h[n++] = NS_RF_NEW;
	}
	do {
		k = ns_plink_send(&p->link, h, n);
	} while (k < 0 && errno == EINTR);
	sodium_memzero(h, sizeof(h));
	return k == (ssize_t)n ? 0 : -1;
}

/* The socket is gone: reconnect from now on, or stop. */
static int lost(rp *p, const char *why)
{
	uint64_t now = ns_clock_ms();

	ns_plink_close(&p->link);
	p->fd = -1;
	if (!p->opened) {
		fprintf(stderr, "nullspace proxy: no resumable connection to %s:%u: %s\n",
		        p->cfg.host, (unsigned)p->cfg.port, why);
		return STOP(NS_EXIT_UNAVAILABLE);
	}
	if (!p->in_open && ns_resume_tx_ended(&p->tx)) {
		return STOP(0); /* ssh is done and the relay was told */
	}
	if (p->state == ST_OPEN) {
		fprintf(stderr,
		        "nullspace proxy: connection to the relay lost (%s); reconnecting for up "
		        "to %u s\n",
		        why, (unsigned)p->grace_s);
		p->down_since = now;
		p->backoff = BACKOFF_MIN_MS;
	}
	p->state = ST_DOWN;
	p->retry_at = now + p->backoff;
	p->backoff = p->backoff * 2 < BACKOFF_MAX_MS ? p->backoff * 2 : BACKOFF_MAX_MS;
	return 0;
}

static int on_accept(rp *p, const ns_resume_ev *ev)
{
	uint64_t now = ns_clock_ms();

	if ((p->opened && ev->conn_id != p->id) || ns_resume_tx_rewind(&p->tx, ev->count) != 0) {
		fprintf(stderr, "nullspace proxy: gave up: the relay resumed at a byte count we no "
		                "longer hold\n");
		return STOP(NS_EXIT_PROTOCOL);
	}
	if (p->opened) {
		fprintf(stderr, "nullspace proxy: resumed after %.1f s\n",
		        (double)(now - p->down_since) / 1000.0);
		ns_proxy_renew_reconnected(renew);
	}
	p->id = ev->conn_id;
	memcpy(p->token, ev->token, NS_RESUME_TOKEN_LEN);
	p->grace_s = ev->grace_s;
	p->opened = 1;
	p->state = ST_OPEN;
	return 0;
}

/* One frame from the relay (not DATA). */
static int on_frame(rp *p, const ns_resume_ev *ev)
{
	if (ev->frame == NS_RF_ACCEPT && p->state == ST_WAIT) {
		return on_accept(p, ev);
	}
	if (ev->frame == NS_RF_REFUSE && p->state == ST_WAIT) {
		fprintf(stderr, "nullspace proxy: gave up: the relay refused to %s: %s\n",
		        p->opened ? "resume" : "open a resumable connection", ev->text);
		return STOP(NS_EXIT_NOPERM);
	}
	if (ev->frame == NS_RF_ACK && p->state == ST_OPEN &&
	    ns_resume_tx_ack(&p->tx, ev->count) == 0) {
		return 0;
	}
	if ((ev->frame == NS_RF_CERT_OK || ev->frame == NS_RF_CERT_NO) && p->state == ST_OPEN) {
		ns_proxy_renew_answer(renew, ev);
		return 0;
	}
	if (ev->frame == NS_RF_END && p->state == ST_OPEN) {
		return STOP(0); /* the relay ended the stream after its last byte */
	}
	fprintf(stderr, "nullspace proxy: gave up: a frame out of place from the relay\n");
	return STOP(NS_EXIT_PROTOCOL);
}

static int from_sock(rp *p, const uint8_t *b, size_t n)
{
	size_t off = 0, used;
	ns_resume_ev ev;
	int rc;

	while (off < n) {
		ns_resume_dec_next(&p->dec, b + off, n - off, &used, &ev);
		off += used;
		if (ev.type == NS_REV_DATA && p->state == ST_OPEN) {
			if (ns_file_write_all(1, ev.p, ev.len) != 0) {
				final_end(p, "ssh is gone");
				return STOP(NS_EXIT_FAILURE);
			}
			ns_resume_tx_received(&p->tx, ev.len);
		} else if (ev.type == NS_REV_FRAME && (rc = on_frame(p, &ev)) != 0) {
			return rc;
		} else if (ev.type == NS_REV_ERROR || ev.type == NS_REV_DATA) {
			fprintf(stderr,
			        "nullspace proxy: the relay at %s:%u does not offer resumable "
			        "connections (%s); use --no-resume\n",
			        p->cfg.host, (unsigned)p->cfg.port,
			        ev.type == NS_REV_DATA ? "data" : ev.why);
			return STOP(NS_EXIT_PROTOCOL);
		} else if (ev.type == NS_REV_NONE && used == 0) {
			break;
		}
	}
	return 0;
}

/* Bytes while the version line is awaited: it goes to ssh on the first
 * connection (dropped on a resumed one: ssh has it), then the hello goes
 * out and any bytes after the line are frames. */
static int from_banner(rp *p, const uint8_t *b, size_t n)
{
	size_t used = 0;
	int rc = ns_resume_banner_feed(&p->ban, b, n, &used);

	if (rc < 0) {
		fprintf(stderr,
		        "nullspace proxy: gave up: the relay at %s:%u sent no usable SSH version "
		        "line (%s)\n",
		        p->cfg.host, (unsigned)p->cfg.port, p->ban.err);
		return STOP(NS_EXIT_PROTOCOL);
	}
	if (rc == 0) {
		return 0;
	}
	if (!p->opened && ns_file_write_all(1, p->ban.buf, p->ban.len) != 0) {
		return STOP(NS_EXIT_FAILURE); /* ssh is gone */
	}
	if (send_hello(p) != 0) {
		return lost(p, "the hello could not be sent");
	}
	p->state = ST_WAIT;
	return used < n ? from_sock(p, b + used, n - used) : 0;
}

/* Frames out until the socket is full; a CERT between two of them. */
static int to_sock(rp *p)
{
	const uint8_t *v = NULL;
	size_t k = 0;
	ssize_t n;
	int cert;

	while (p->state == ST_OPEN) {
		cert = between(&p->tx) && (k = ns_proxy_renew_next(renew, &v)) > 0;
		if (!cert && (k = ns_resume_tx_next(&p->tx, &v)) == 0) {
			break;
		}
		n = ns_plink_send(&p->link, v, k);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return 0;
		}
		if (n <= 0) {
			return lost(p, strerror(errno));
		}
		if (cert) {
			ns_proxy_renew_wrote(renew, (size_t)n);
		} else {
			ns_resume_tx_wrote(&p->tx, (size_t)n);
		}
	}
	if (p->state == ST_OPEN && ns_plink_flush(&p->link) != 0) {
		return lost(p, "write error");
	}
	if (p->state == ST_OPEN && !p->in_open && ns_resume_tx_ended(&p->tx)) {
		ns_plink_end(&p->link); /* after our END: the relay ends the stream too */
	}
	return 0;
}

static int from_stdin(rp *p)
{
	size_t want = ns_resume_tx_space(&p->tx), taken = 0;
	ssize_t k;

	want = want < CHUNK ? want : CHUNK;
	k = read(0, p->buf, want);
	if (k < 0 && (errno == EINTR || errno == EAGAIN)) {
		return 0;
	}
	if (k <= 0) {
		p->in_open = 0;
		ns_resume_tx_end(&p->tx, "ssh ended");
		return 0;
	}
	if (ns_resume_tx_put(&p->tx, p->buf, (size_t)k, &taken) != 0 || taken != (size_t)k) {
		fprintf(stderr, "nullspace proxy: out of memory\n");
		return STOP(NS_EXIT_FAILURE);
	}
	return 0;
}

/* Timers: the retry, the hello's deadline, the idle ACK. */
static int timers(rp *p, uint64_t now)
{
	char err[512];
	int rc;

	if ((p->state == ST_WAIT || p->state == ST_BANNER) && now >= p->wait_until) {
		return lost(p, "no answer");
	}
	if (p->state == ST_DOWN && now - p->down_since > (uint64_t)p->grace_s * 1000) {
		fprintf(stderr,
		        "nullspace proxy: gave up: the relay was unreachable for %u s, its "
		        "grace time: the session is over\n",
		        (unsigned)p->grace_s);
		return STOP(NS_EXIT_UNAVAILABLE);
	}
	if (p->state == ST_DOWN && now >= p->retry_at && (rc = dial(p, err, sizeof(err))) != 0) {
		if (rc == EXIT_PROXY_UNREACH || p->link.soft ||
		    (rc == EXIT_PROXY_TUNNEL && p->link.proxy_status >= 500)) {
			return lost(p, err); /* the path is still cut: again later */
		}
		fprintf(stderr, "nullspace proxy: gave up: %s\n", err);
		return STOP(rc);
	}
	if (p->state == ST_OPEN && p->tx.recvd > p->tx.ack_sent) {
		ns_resume_tx_ack_now(&p->tx);
	}
	ns_proxy_renew_tick(renew);
	return 0;
}

static int wait_ms(const rp *p, uint64_t now)
{
	uint64_t t = p->state == ST_DOWN   ? p->retry_at
	             : p->state != ST_OPEN ? p->wait_until
	                                   : now + IDLE_ACK_MS;

	return t > now ? (int)(t - now) : 0;
}

static int step(rp *p)
{
	struct pollfd pf[2];
	uint64_t now = ns_clock_ms();
	const uint8_t *v;
	ssize_t k;
	int rc;

	pf[0].fd = p->in_open && ns_resume_tx_space(&p->tx) > 0 ? 0 : -1;
	pf[0].events = POLLIN;
	pf[1].fd = p->state != ST_DOWN ? p->fd : -1;
	pf[1].events = POLLIN | ((p->state == ST_OPEN && (ns_resume_tx_pending(&p->tx) > 0 ||
	                                                  ns_proxy_renew_next(renew, &v) > 0)) ||
	                                 ns_plink_pending(&p->link) > 0
	                             ? POLLOUT
	                             : 0);
	if (hup) {
		final_end(p, "ssh ended");
		return STOP(0);
	}
	if (poll(pf, 2, pf[1].fd >= 0 && ns_plink_ready(&p->link) ? 0 : wait_ms(p, now)) < 0) {
		return errno == EINTR ? 0 : STOP(NS_EXIT_FAILURE);
	}
	if ((pf[0].revents & (POLLIN | POLLHUP | POLLERR)) && (rc = from_stdin(p)) != 0) {
		return rc;
	}
	if (pf[1].fd >= 0 && p->state != ST_OPEN && (pf[1].revents & POLLOUT) &&
	    ns_plink_flush(&p->link) != 0) {
		return lost(p, "write error");
	}
	if (pf[1].fd >= 0 &&
	    ((pf[1].revents & (POLLIN | POLLHUP | POLLERR)) || ns_plink_ready(&p->link))) {
		k = ns_plink_recv(&p->link, p->buf, sizeof(p->buf));
		if (k < 0 && (errno == EINTR || errno == EAGAIN)) {
			return 0;
		}
		if (k <= 0) {
			return lost(p, k == 0 ? "closed" : strerror(errno));
		}
		rc = p->state == ST_BANNER ? from_banner(p, p->buf, (size_t)k)
		                           : from_sock(p, p->buf, (size_t)k);
		if (rc != 0) {
			return rc;
		}
	}
	if ((rc = timers(p, ns_clock_ms())) != 0) {
		return rc;
	}
	return p->state == ST_OPEN ? to_sock(p) : 0;
}

int ns_cli_resume_proxy(const char *host, uint16_t port)
{
	ns_plink_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.host = host;
	cfg.port = port;
	return ns_cli_resume_proxy_to(&cfg);
}

int ns_cli_resume_proxy_to(const ns_plink_cfg *cfg)
{
	char err[512];
	int rc = 0;
	rp *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		return NS_EXIT_FAILURE;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, on_hup);
	p->cfg = *cfg;
	p->fd = -1;
	p->link.fd = -1;
	p->in_open = 1;
	ns_resume_tx_init(&p->tx);
	if ((rc = dial(p, err, sizeof(err))) != 0) {
		if (rc == EXIT_PROXY_UNREACH) {
			fprintf(stderr, "nullspace proxy: cannot reach the relay %s:%u: %s\n",
			        cfg->host, (unsigned)cfg->port, err);
		} else {
			fprintf(stderr, "nullspace proxy: %s\n", err);
		}
		rc = STOP(rc);
	}
	while (rc == 0) {
		rc = step(p);
	}
	ns_plink_close(&p->link);
	ns_resume_tx_free(&p->tx);
	sodium_memzero(p, sizeof(*p));
	free(p);
	return rc & 0xff;
}
