/* Parsing a CA keys file: the list of trusted CA public keys, one key line
 * each, that the agent and the relay read at every login or reload and
 * `nullspace cert check` reads from its --ca files. */
#include <string.h>

#include "ca_keys.h"
#include "nullspace/error.h"

/* Blank, or a '#' comment, after leading spaces and tabs ("\r" for CRLF). */
static int skipped(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t')) {
		i++;
	}
	return i == len || line[i] == '#' || line[i] == '\r';
}

int ns_ca_keys_parse(const char *text, size_t len, uint8_t (*cas)[NS_ED25519_PK_LEN], size_t max,
                     size_t *n, size_t *bad_line)
{
	const char *nl;
	size_t off = 0, eol, lnum = 0;
	int rc = 0, err;

	*n = 0;
	*bad_line = 0;
	while (off < len) {
		nl = memchr(text + off, '\n', len - off);
		eol = nl != NULL ? (size_t)(nl - text) : len;
		lnum++;
		if (skipped(text + off, eol - off)) {
			err = 0;
		} else if (*n == max) {
			err = NS_ERR_LIMIT;
		} else if ((err = ns_key_from_line(text + off, eol - off, cas[*n], NULL)) == 0) {
			(*n)++;
		}
		if (err != 0 && rc == 0) {
			rc = err;
			*bad_line = lnum;
		}
		off = eol + 1;
	}
	return rc;
}
