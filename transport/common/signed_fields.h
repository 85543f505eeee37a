/* What the two signed URL kinds share (the WebSocket URL, ws_url.c, and
 * the Files API's, api/files_url.c): HMAC-SHA256 over a context string and
 * fields joined by newlines, and the one spelling each of their exp and
 * sig query values may have. Pure functions. */
#ifndef NS_TRANSPORT_SIGNED_FIELDS_H
#define NS_TRANSPORT_SIGNED_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#define NS_SIGNED_SIG_LEN 32    /* HMAC-SHA256 */
#define NS_SIGNED_EXP_DIGITS 20 /* UINT64_MAX has 20 decimal digits */

/* sig = HMAC-SHA256(key, context || f[0] || "\n" || f[1] ... f[n-1]). */
void ns_signed_fields_hmac(const uint8_t *key, size_t klen, const char *context,
                           const char *const *f, size_t n, uint8_t sig[NS_SIGNED_SIG_LEN]);
/* exp in decimal, the spelling signers print: 1 to NS_SIGNED_EXP_DIGITS
 * digits, no leading zero, no overflow. 0 or NS_ERR_FORMAT. */
int ns_signed_exp_parse(const char *v, size_t len, uint64_t *out);
/* sig in 2 * NS_SIGNED_SIG_LEN lower-case hex digits (one spelling per
 * signature). 0 or NS_ERR_FORMAT. */
int ns_signed_sig_parse(const char *v, size_t len, uint8_t sig[NS_SIGNED_SIG_LEN]);
/* The value of one lower-case hex digit, or -1. */
int ns_signed_hexval(char c);

#endif
