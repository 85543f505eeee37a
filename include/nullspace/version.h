/* The library's version: the macros say what a caller was compiled
 * against, ns_version() what it runs with. The shared library's soname
 * changes with NS_VERSION_MAJOR, and before 1.0 with NS_VERSION_MINOR too
 * (libnullspace.so.0.2): a 0.x minor version may change the ABI. */
#ifndef NULLSPACE_VERSION_H
#define NULLSPACE_VERSION_H

#include "nullspace/decls.h"

#define NS_VERSION_MAJOR 0
#define NS_VERSION_MINOR 2
#define NS_VERSION_PATCH 0
#define NS_VERSION_STRING "0.2.0"
/* MAJOR * 10000 + MINOR * 100 + PATCH, for #if comparisons. */
#define NS_VERSION_NUMBER (NS_VERSION_MAJOR * 10000 + NS_VERSION_MINOR * 100 + NS_VERSION_PATCH)

NS_BEGIN_DECLS

/* "MAJOR.MINOR.PATCH" of the library linked at run time. */
const char *ns_version(void);
/* NS_VERSION_NUMBER of the library linked at run time. */
int ns_version_number(void);

NS_END_DECLS

#endif
