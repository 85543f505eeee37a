/* Opened and closed by every public header: C linkage for C++ callers, and
 * default visibility for what the header declares. The library is built
 * with -fvisibility=hidden, so it exports exactly what include/nullspace/
 * declares (the list is committed in include/abi.txt and checked). */
#ifndef NULLSPACE_DECLS_H
#define NULLSPACE_DECLS_H

#ifdef __cplusplus
#define NS_BEGIN_DECLS                                                                             \
	extern "C" {                                                                               \
	_Pragma("GCC visibility push(default)")
#define NS_END_DECLS                                                                               \
	_Pragma("GCC visibility pop")                                                              \
	}
#else
#define NS_BEGIN_DECLS _Pragma("GCC visibility push(default)")
#define NS_END_DECLS _Pragma("GCC visibility pop")
#endif

#endif
