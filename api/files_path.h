/* Paths of the Files API, checked without I/O before anything reaches a
 * sandbox: a path is relative to the sandbox user's home, or absolute under
 * it; "..", NUL bytes and control bytes are refused. What is left is a
 * relative path the in-sandbox helper opens beneath the home with
 * openat2(RESOLVE_BENEATH), which refuses symbolic links leading out. */
#ifndef NS_API_FILES_PATH_H
#define NS_API_FILES_PATH_H

#include <stddef.h>

#define NS_FILES_PATH_MAX 4096           /* bytes of a path as given */
#define NS_FILES_UPLOAD_MAX (1ULL << 30) /* 1 GiB per upload */
#define NS_FILES_LIST_MAX 10000          /* entries listed at most */
#define NS_FILES_MODE_DEFAULT 0644       /* an upload's mode unless given */

/* Check path (len bytes, may hold a NUL) against home (the home as the
 * sandbox sees it, e.g. "/home/user"): 0 with out holding the path relative
 * to home ("." for the home itself), or NS_ERR_INVALID with *why a message
 * for the client. */
int ns_files_path_check(const char *path, size_t len, const char *home, char *out, size_t cap,
                        const char **why);
/* An octal mode "0644" / "755" (at most 07777): 0 or NS_ERR_INVALID. */
int ns_files_mode_parse(const char *s, unsigned *mode);

#endif
