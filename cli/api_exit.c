/* The documented exit codes of the control-plane commands (cli.h), chosen
 * from the SDK's error codes. */
#include "cli.h"
#include "nullspace/error.h"

int ns_cli_api_exit(int err)
{
	switch (err) {
	case NS_ERR_IO:
	case NS_ERR_TIMEOUT: return NS_EXIT_UNAVAILABLE;
	case NS_ERR_AUTH: return NS_EXIT_NOPERM;
	case NS_ERR_NOTFOUND:
	case NS_ERR_STATE: return NS_EXIT_NOTFOUND;
	case NS_ERR_HOSTKEY_CHANGED: return NS_EXIT_PROTOCOL;
	default: return NS_EXIT_FAILURE;
	}
}
