/* The library's version at run time (nullspace/version.h), so a caller can
 * tell which libnullspace.so it got from the one it was compiled against. */
#include "nullspace/version.h"

const char *ns_version(void)
{
	return NS_VERSION_STRING;
}

int ns_version_number(void)
{
	return NS_VERSION_NUMBER;
}
