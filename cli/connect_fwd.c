/* The -L forward spec of the built-in client, as OpenSSH writes it:
 * [BIND:]PORT:HOST:HOSTPORT, each address optionally in brackets (IPv6).
 * Only loopback binds and TCP: what the built-in client listens on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connect_fwd.h"

#define FIELDS_MAX 4

/* Split s (modified) at ':' outside brackets, brackets removed. */
static int split(char *s, char *f[FIELDS_MAX])
{
	int n = 0;

	for (;;) {
		char *end;
		if (n == FIELDS_MAX) {
			return -1;
		}
		if (*s == '[') {
			if ((end = strchr(s, ']')) == NULL || (end[1] != ':' && end[1] != '\0')) {
				return -1;
			}
			*end = '\0';
			f[n++] = s + 1;
			s = end + 1;
		} else {
			f[n++] = s;
			s += strcspn(s, ":");
		}
		if (*s == '\0') {
			return n;
		}
		*s++ = '\0';
	}
}

static int port(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9') {
		return -1;
	}
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535) {
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int ns_connect_fwd_parse(const char *spec, ns_client_forward *out,
                         char store[NS_CONNECT_FWD_SPEC_MAX], char *err, size_t cap)
{
	char *f[FIELDS_MAX];
	int n;

	memset(out, 0, sizeof(*out));
	if (strlen(spec) >= NS_CONNECT_FWD_SPEC_MAX) {
		snprintf(err, cap, "-L %s: too long", spec);
		return -1;
	}
	if (strchr(spec, '/') != NULL) {
		snprintf(err, cap,
		         "-L %s: the built-in client forwards TCP ports, not Unix sockets", spec);
		return -1;
	}
	strcpy(store, spec);
	n = split(store, f);
	if (n != 3 && n != 4) {
		snprintf(err, cap, "-L %s: want [BIND:]PORT:HOST:HOSTPORT", spec);
		return -1;
	}
	if (n == 4 && strcmp(f[0], "127.0.0.1") != 0 && strcmp(f[0], "localhost") != 0 &&
	    strcmp(f[0], "::1") != 0) {
		snprintf(err, cap,
		         "-L %s: the built-in client listens on loopback only (127.0.0.1, "
		         "localhost or ::1), not on '%s'",
		         spec, f[0]);
		return -1;
	}
	out->listen_host = n == 4 ? f[0] : "127.0.0.1";
	out->host = f[n - 2];
	if (port(f[n - 3], &out->listen_port) != 0 || port(f[n - 1], &out->port) != 0 ||
	    out->host[0] == '\0') {
		snprintf(err, cap, "-L %s: want [BIND:]PORT:HOST:HOSTPORT (ports 1 to 65535)",
		         spec);
		return -1;
	}
	return 0;
}
