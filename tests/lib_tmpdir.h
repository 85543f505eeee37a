/* A temporary folder per test (setup and teardown for cmocka groups that
 * keep its path in a buffer of theirs), and the file checks tests of files
 * share: a file's mode, a whole file read. */
#ifndef NS_TESTS_LIB_TMPDIR_H
#define NS_TESTS_LIB_TMPDIR_H

#include <stddef.h>

/* A new folder /tmp/TAG_XXXXXX, its path in out: 0, or -1. */
int ns_tmpdir_make(char *out, size_t cap, const char *tag);
/* Remove it and all it holds: 0, or -1. */
int ns_tmpdir_remove(const char *path);
/* The permission bits of path (the test fails when it cannot stat it). */
unsigned ns_tmpdir_mode(const char *path);
/* The whole file (at most 1 MiB), malloc'd, its length in *len; the test
 * fails when it cannot be read. */
char *ns_tmpdir_slurp(const char *path, size_t *len);

#endif
