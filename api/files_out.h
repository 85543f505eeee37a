/* What comes back from a sandbox for the Commands and Files APIs, read
 * without I/O: any bytes as a JSON string (invalid UTF-8 replaced by
 * U+FFFD), the helper's listing records and the size line of a download.
 * The sandbox is not trusted: fuzzed by fuzz/fuzz_files_out.c. */
#ifndef NS_API_FILES_OUT_H
#define NS_API_FILES_OUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define NS_FILES_LIST_OUTPUT_MAX (4 * 1024 * 1024) /* bytes of a listing */
#define NS_FILES_HEAD_MAX 24                       /* the size line of a download */

/* A JSON string of the n bytes, invalid UTF-8 sequences replaced (NULL when
 * out of memory). */
json_t *ns_files_text(const uint8_t *p, size_t n);
/* The helper's listing: records "T SIZE MODE NAME\0" (T one of f d l o) into
 * a JSON array of {"name","type","size","mode"}. 0 or NS_ERR_FORMAT /
 * NS_ERR_NOMEM; *out NULL on failure. */
int ns_files_list_parse(const uint8_t *p, size_t n, json_t **out);
/* The first line of a download, "SIZE\n" (decimal, no leading zero, at most
 * max): 0, NS_ERR_AGAIN (no newline yet, n under NS_FILES_HEAD_MAX) or
 * NS_ERR_FORMAT. *used: the bytes of the line with its newline. */
int ns_files_head_parse(const char *p, size_t n, uint64_t max, uint64_t *size, size_t *used);

#endif
