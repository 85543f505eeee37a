/* known_hosts fixtures shared by the tests/test_known_hosts_*.c suites:
 * hashed host names from OpenSSH 9.2 `ssh-keygen -H`, lookups over a whole
 * text, and a table runner for them. Exports: kh_. */
#ifndef NS_TESTS_LIB_KNOWN_HOSTS_H
#define NS_TESTS_LIB_KNOWN_HOSTS_H

#include <stddef.h>
#include <stdint.h>

#include "lib_keylines.h"
#include "nullspace/known_hosts.h"

/* `ssh-keygen -H` (OpenSSH 9.2) of a file listing host.example.com,
 * [host.example.com]:2222, 10.0.0.1, bad.example.com, a.test and b.test. */
#define H_HOST "|1|qsBNcb9wjXRrsMLrQAx1f+EDcIw=|QXY8O0ZTHP+2zUA02oinN578Mv8="
#define H_HOST2222 "|1|GqtcRkxvNOMWbA+kW9i6sUAjCus=|8ZqZTOCt2BH4cgAGJA8RdLeY2Fc="
#define H_10001 "|1|Q1hJmWdX4rvvzMzOHG3vu4+j+Ls=|fC14uELxYvO+d+H/otgLkT+Crts="
#define H_BAD "|1|JHNAkUfLq+GVijRaeN1YUK/bkvA=|IoipLmyg+X17gA7G/49QFQSpmB0="
#define H_A "|1|nownX8dMGXquZI/HgSDW/Rmf+KE=|pked43jqEBAgFlv2acgXSzHkWDs="
#define H_B "|1|PpUJMgEzewIFMvdaonPD1RawewA=|YReawksSy3uPjPxJqswfKVwxfbo="

int kh_check(const char *text, const char *host, unsigned port, const uint8_t pk[32]);
int kh_check_ca(const char *text, const char *host, unsigned port, const uint8_t pk[32]);
int kh_entry(const char *line, ns_known_hosts_entry *e);

/* One lookup and the answer it must give. */
typedef struct kh_case {
	const char *host;
	unsigned port;
	int want;
} kh_case;
/* A lookup over a whole text: ns_known_hosts_check, _check_ca, _revoked. */
typedef int (*kh_lookup)(const char *text, size_t len, const char *host, unsigned port,
                         const uint8_t pk[32]);
/* Each case looked up for pk in text gives its want. */
void kh_expect(kh_lookup fn, const char *text, const uint8_t pk[32], const kh_case *cases,
               size_t n);

#endif
