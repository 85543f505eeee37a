/* The API's revoked accesses on disk (revoked.h): read at start, written
 * whole after each change through a temporary file and a rename, 0600, so
 * that a restart of the API never brings a revoked certificate back while
 * it can still be valid. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "nullspace/error.h"
#include "revoked.h"

int ns_api_revoked_load(ns_api_revoked *rv, const char *path, int64_t now, size_t *bad, char *err,
                        size_t cap)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*bad = 0;
	rc = ns_file_read(path, NS_API_REVOKED_FILE_MAX, &text, &len);
	if (rc == NS_ERR_NOTFOUND) {
		return 0;
	}
	if (rc != 0) {
		snprintf(err, cap, "%s: %s", path,
		         rc == NS_ERR_TOOBIG ? "larger than the list can be" : strerror(errno));
		return rc;
	}
	rc = ns_api_revoked_load_text(rv, text, len, now, bad);
	free(text);
	if (rc != 0) {
		snprintf(err, cap, "%s: more than %d revoked accesses", path, NS_API_REVOKED_MAX);
	}
	return rc;
}

int ns_api_revoked_save(const ns_api_revoked *rv, const char *path, char *err, size_t cap)
{
	char tmp[4096];
	size_t len = 0;
	char *text;
	int fd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, cap, "the path of the revocation file is too long");
		return NS_ERR_INVALID;
	}
	if ((text = ns_api_revoked_save_text(rv, &len)) == NULL) {
		snprintf(err, cap, "out of memory");
		return NS_ERR_NOMEM;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	ok = fd >= 0 && ns_file_write_all(fd, text, len) == 0 && fsync(fd) == 0;
	free(text);
	if (fd >= 0 && close(fd) != 0) {
		ok = 0;
	}
	if (!ok || rename(tmp, path) != 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		if (fd >= 0) {
			unlink(tmp);
		}
		return NS_ERR_IO;
	}
	return 0;
}
