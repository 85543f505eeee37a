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

/* NS_NODISCARD: the result must be read. It marks the engine's calls that
 * return an int status (0 or a negative NS_ERR_*), so a caller that drops
 * one fails to build (-Werror). A result that truly cannot matter is dropped
 * with (void)! and a comment saying why (gcc ignores a plain (void) cast). */
#if defined(__has_attribute)
#if __has_attribute(warn_unused_result)
#define NS_NODISCARD __attribute__((warn_unused_result))
#endif
#endif
#ifndef NS_NODISCARD
#define NS_NODISCARD
#endif

#endif
