/* Fuzzes the revocation list: ns_revoked_check over the whole input against
 * a fixed ssh-keygen certificate, and ns_revoked_line_parse on each line.
 * The list must be refused as malformed exactly when some line is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/cert.h"
#include "nullspace/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ssh-keygen -s ca -I keyid -n alice,bob -z 42 (CERT_U1 in tests/lib_cert.h) */
static const char CERT[] =
    "ssh-ed25519-cert-v01@openssh.com "
    "AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIH9DCCNbnujOBHckT31iEAczH3hgTwmQPshwrYg/"
    "UdsOAAAAIOYT3OgQvtC9d3urVfJb3moNIMA7RJqrMuLYEEFj+"
    "p2wAAAAAAAAACoAAAABAAAABWtleWlkAAAAEAAAAAVhbGl"
    "jZQAAAANib2IAAAAAZZIAgAAAAAB4YfgAAAAAAAAAAIIAAAAVcGVybWl0LVgxMS1mb3J3YXJkaW5nAAAAAAAAABdwZXJta"
    "X"
    "QtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAA"
    "A"
    "AAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAgeYlvJbjkGatrtDQQyLTM10fQZmDDOdJ"
    "8"
    "cNdSkRSmBa4AAABTAAAAC3NzaC1lZDI1NTE5AAAAQMH9XlMg8jMqvd6SBIcFZt+eCAJhbbXJxzLjOZHzAU0+"
    "DdODuu80yXY"
    "TcrnhVUKftiiHG43Q85Ofh7bdR0RHzwc= user";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t blob[1024];
	static ns_cert c;
	const char *text = (const char *)data, *nl;
	size_t len, i = 0, end;
	int why, bad = 0;

	if (c.blob.p == NULL &&
	    (ns_cert_from_line(CERT, strlen(CERT), blob, sizeof(blob), &len) != 0 ||
	     ns_cert_parse(blob, len, &c, NULL) != 0)) {
		abort();
	}
	while (i < size) {
		nl = memchr(text + i, '\n', size - i);
		end = nl != NULL ? (size_t)(nl - text) : size;
		bad |= ns_revoked_line_parse(text + i, end - i) != 0;
		i = end + 1;
	}
	if ((ns_revoked_check(text, size, &c, &why) == 0) != (why == NS_CERT_OK) ||
	    bad != (why == NS_CERT_MALFORMED)) {
		abort();
	}
	return 0;
}
