/* The ssh ProxyCommand for the legacy WebSocket URL (`nullspace ssh
 * --websocket`, `sandbox ssh-access --print-command --websocket`): ssh runs
 * the value with $SHELL -c after expanding its %-tokens, so each word is
 * single-quoted for the shell and every '%' doubled. */
#include <stdlib.h>
#include <string.h>

#include "sshfiles.h"

/* Bytes word takes quoted: 'w' with each ' as '\'' and each % as %%. */
static size_t quoted_len(const char *w)
{
	size_t n = 2;

	for (; *w != '\0'; w++) {
		n += *w == '\'' ? 4 : *w == '%' ? 2 : 1;
	}
	return n;
}

static char *put_quoted(char *p, const char *w)
{
	*p++ = '\'';
	for (; *w != '\0'; w++) {
		if (*w == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			if (*w == '%') {
				*p++ = '%';
			}
			*p++ = *w;
		}
	}
	*p++ = '\'';
	return p;
}

char *ns_ssh_command_quoted(const char *const *words, size_t n)
{
	size_t i, len = 1;
	char *out, *p;

	for (i = 0; i < n; i++) {
		len += quoted_len(words[i]) + 1;
	}
	if ((out = malloc(len)) == NULL) {
		return NULL;
	}
	for (p = out, i = 0; i < n; i++) {
		if (i > 0) {
			*p++ = ' ';
		}
		p = put_quoted(p, words[i]);
	}
	*p = '\0';
	return out;
}

char *ns_ssh_proxy_command(const char *exe, const char *url, const char *pin)
{
	const char *words[6];
	size_t n = 0;

	if (url == NULL) {
		return NULL;
	}
	words[n++] = exe != NULL ? exe : "websocat";
	words[n++] = exe != NULL ? "proxy" : "--binary";
	if (exe != NULL && pin != NULL) {
		words[n++] = "--pin-sha256";
		words[n++] = pin;
	}
	words[n++] = url;
	return ns_ssh_command_quoted(words, n);
}
