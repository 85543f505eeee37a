/* The exit codes of `nullspace sandbox-helper` (cli/cmd_sandbox_helper.c),
 * the contract between the helper inside a sandbox and the API that reads
 * them (api/server_stream.c). */
#ifndef NS_API_HELPER_CODES_H
#define NS_API_HELPER_CODES_H

#define NS_HELPER_EXIT_OK 0
#define NS_HELPER_EXIT_IO 1        /* an I/O error (message says which) */
#define NS_HELPER_EXIT_USAGE 2     /* bad arguments */
#define NS_HELPER_EXIT_NOTFOUND 3  /* no such file or folder */
#define NS_HELPER_EXIT_ESCAPE 4    /* a symbolic link leads out of the home */
#define NS_HELPER_EXIT_TYPE 5      /* a folder where a file is wanted, or the reverse */
#define NS_HELPER_EXIT_SHORT 6     /* the upload ended before its announced size */
#define NS_HELPER_EXIT_TIMEOUT 124 /* run: the command was killed at its timeout */

#endif
