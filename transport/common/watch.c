/* epoll interest per fd for the agent loop: add, modify or remove only when
 * the wanted events change, and close fds out of the set. */
#include <sys/epoll.h>
#include <unistd.h>

#include "watch.h"
#include "nullspace/error.h"

void ns_watch_init(ns_watch *w, int fd, uint64_t token)
{
	w->fd = fd;
	w->events = 0;
	w->token = token;
}

int ns_watch_set(int epfd, ns_watch *w, uint32_t events)
{
	struct epoll_event ev;
	int op;

	if (w->fd < 0 || events == w->events) {
		return 0;
	}
	ev.events = events;
	ev.data.u64 = w->token;
	if (events == 0) {
		op = EPOLL_CTL_DEL;
	} else if (w->events == 0) {
		op = EPOLL_CTL_ADD;
	} else {
		op = EPOLL_CTL_MOD;
	}
	if (epoll_ctl(epfd, op, w->fd, &ev) != 0) {
		return NS_ERR_IO;
	}
	w->events = events;
	return 0;
}

void ns_watch_close(int epfd, ns_watch *w)
{
	if (w->fd < 0) {
		return;
	}
	ns_watch_set(epfd, w, 0);
	close(w->fd);
	w->fd = -1;
}
