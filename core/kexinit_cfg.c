/* The kex and MAC lists an engine offers, from its configuration: names we
 * implement, each once, in the caller's order (the cipher list, which also
 * depends on the CPU, is checked by ns_kexinit_ciphers in kexinit.c). */
#include <string.h>

#include "kexinit.h"
#include "mac.h"
#include "nullspace/error.h"
#include "wire.h"

static int pick(const char *wanted, const char *dflt, int (*by_name)(ns_str), char *out, size_t cap)
{
	const char *p = wanted != NULL ? wanted : dflt;
	size_t len = 0;
	ns_str name, have;

	out[0] = '\0';
	for (;;) {
		name.p = (const uint8_t *)p;
		name.len = strcspn(p, ",");
		have.p = (const uint8_t *)out;
		have.len = len;
		if (by_name(name) == 0 || len + name.len + 2 > cap) {
			return NS_ERR_INVALID;
		}
		memcpy(out + len + (len > 0), p, name.len);
		out[len + (len > 0) + name.len] = '\0';
		if (ns_namelist_has(have, out + len + (len > 0))) {
			out[0] = '\0';
			return NS_ERR_INVALID; /* repeated */
		}
		if (len > 0) {
			out[len] = ',';
		}
		len += (len > 0) + name.len;
		if (p[name.len] == '\0') {
			return 0;
		}
		p += name.len + 1;
	}
}

int ns_kexinit_kex_list(const char *wanted, char *out, size_t cap)
{
	return pick(wanted, ns_kexinit_default_kex(), ns_kex_method_by_name, out, cap);
}

int ns_kexinit_mac_list(const char *wanted, char *out, size_t cap)
{
	return pick(wanted, ns_kexinit_default_macs(), ns_mac_by_name, out, cap);
}
