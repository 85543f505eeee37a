/* Temporary folders and file checks for the tests (lib_tmpdir.h). */
#include "lib_tmpdir.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "file.h"

int ns_tmpdir_make(char *out, size_t cap, const char *tag)
{
	if (snprintf(out, cap, "/tmp/%s_XXXXXX", tag) >= (int)cap) {
		return -1;
	}
	return mkdtemp(out) != NULL ? 0 : -1;
}

int ns_tmpdir_remove(const char *path)
{
	char cmd[600];

	if (snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path) >= (int)sizeof(cmd)) {
		return -1;
	}
	return system(cmd) == 0 ? 0 : -1;
}

unsigned ns_tmpdir_mode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (unsigned)(st.st_mode & 07777);
}

char *ns_tmpdir_slurp(const char *path, size_t *len)
{
	char *text = NULL;

	assert_int_equal(ns_file_read(path, 1 << 20, &text, len), 0);
	return text;
}
