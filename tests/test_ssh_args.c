/* Tests for cli/ssh_args.c, the command line of `nullspace ssh`: OpenSSH
 * options before and after the id (clusters, attached and separate values),
 * the command after the first non-option word or "--", nullspace's own long
 * options anywhere before it, and the refusals (unknown letters, letters
 * nullspace sets, missing values, the limit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../cli/ssh_args.h"
#include "nullspace/error.h"

#define SB "sb_4k2j9x0q1m7a"

static char err[NS_SSH_ARGS_ERR_MAX];
static ns_ssh_args a;

static int split(char **argv)
{
	int argc = 0;

	while (argv[argc] != NULL) {
		argc++;
	}
	return ns_ssh_args_parse(argc, argv, &a, err, sizeof(err));
}

static void check_words(char **want, char **got, int n)
{
	int i;

	for (i = 0; want[i] != NULL; i++) {
		assert_true(i < n);
		assert_string_equal(want[i], got[i]);
	}
	assert_int_equal(i, n);
}

/* Today's bug: -L after the id was run as a remote command. */
static void test_forward_after_id(void **state)
{
	char *argv[] = {"ssh", SB, "-L", "8080:localhost:3000", NULL};
	char *words[] = {"-L", "8080:localhost:3000", NULL};

	(void)state;
	assert_int_equal(split(argv), 0);
	assert_string_equal(a.id, SB);
	check_words(words, a.words, a.nwords);
	assert_int_equal(a.ncommand, 0);
	assert_int_equal(a.nopts, 1);
	assert_int_equal(a.opts[0].letter, 'L');
	assert_string_equal(a.opts[0].arg, "8080:localhost:3000");
}

static void test_clusters_and_command(void **state)
{
	char *argv[] = {"ssh",
	                "-vvv",
	                "--native",
	                SB,
	                "-fNL8080:h:80",
	                "-o",
	                "ServerAliveInterval=5",
	                "-tt",
	                "-R",
	                "9000:x:9",
	                "ls",
	                "-l",
	                "-L",
	                NULL};
	char *words[] = {"-vvv", "-fNL8080:h:80", "-o", "ServerAliveInterval=5", "-tt",
	                 "-R",   "9000:x:9",      NULL};
	char *cmd[] = {"ls", "-l", "-L", NULL};

	(void)state;
	assert_int_equal(split(argv), 0);
	assert_string_equal(a.id, SB);
	assert_true(a.native);
	check_words(words, a.words, a.nwords);
	check_words(cmd, a.command, a.ncommand);
	assert_int_equal(a.nopts, 10); /* v v v f N L o t t R */
	assert_int_equal(a.opts[5].letter, 'L');
	assert_string_equal(a.opts[5].arg, "8080:h:80");
	assert_int_equal(a.tty, 2);
	assert_int_equal(ns_ssh_args_native_refused(&a), 'v');
}

static void test_double_dash(void **state)
{
	char *argv[] = {"ssh", "-T", SB, "--websocket", "--", "-L", "x", NULL};
	char *cmd[] = {"-L", "x", NULL};

	(void)state;
	assert_int_equal(split(argv), 0);
	assert_true(a.websocket);
	assert_int_equal(a.tty, 0);
	check_words(cmd, a.command, a.ncommand);
	assert_int_equal(ns_ssh_args_native_refused(&a), 0);
}

static void test_long_values(void **state)
{
	char *argv[] = {"ssh",
	                "--expires-in=5",
	                "--api-url",
	                "http://x",
	                SB,
	                "-A",
	                "--print-command",
	                "--no-port-forwarding",
	                NULL};

	(void)state;
	assert_int_equal(split(argv), 0);
	assert_string_equal(a.expires_in, "5");
	assert_string_equal(a.api_url, "http://x");
	assert_true(a.print_command && a.no_port_forwarding && a.agent);
	assert_int_equal(a.ncommand, 0);
	assert_int_equal(ns_ssh_args_native_refused(&a), 'A');
	/* a later -a undoes -A, as in ssh */
	char *argv2[] = {"ssh", SB, "-Aa", NULL};
	assert_int_equal(split(argv2), 0);
	assert_false(a.agent);
}

static void test_refusals(void **state)
{
	char *unknown[] = {"ssh", SB, "-Z", NULL};
	char *unknown_in[] = {"ssh", SB, "-NZ", NULL};
	char *own_port[] = {"ssh", SB, "-p", "22", NULL};
	char *own_login[] = {"ssh", "-lroot", SB, NULL};
	char *own_key[] = {"ssh", SB, "-i", "k", NULL};
	char *missing[] = {"ssh", SB, "-L", NULL};
	char *long_unknown[] = {"ssh", SB, "--forward", NULL};
	char *long_missing[] = {"ssh", SB, "--expires-in", NULL};
	char *long_value[] = {"ssh", SB, "--native=1", NULL};
	char *no_id[] = {"ssh", "-N", NULL};

	(void)state;
	assert_int_equal(split(unknown), NS_ERR_INVALID);
	assert_non_null(strstr(err, "unknown option -Z"));
	assert_non_null(strstr(err, "\"--\""));
	assert_int_equal(split(unknown_in), NS_ERR_INVALID);
	assert_non_null(strstr(err, "-Z in -NZ"));
	assert_int_equal(split(own_port), NS_ERR_INVALID);
	assert_non_null(strstr(err, "-p "));
	assert_non_null(strstr(err, "set by nullspace"));
	assert_int_equal(split(own_login), NS_ERR_INVALID);
	assert_non_null(strstr(err, "-l (in -lroot)"));
	assert_int_equal(split(own_key), NS_ERR_INVALID);
	assert_int_equal(split(missing), NS_ERR_INVALID);
	assert_non_null(strstr(err, "-L (in -L) wants a value"));
	assert_int_equal(split(long_unknown), NS_ERR_INVALID);
	assert_non_null(strstr(err, "unknown option --forward"));
	assert_int_equal(split(long_missing), NS_ERR_INVALID);
	assert_int_equal(split(long_value), NS_ERR_INVALID);
	assert_int_equal(split(no_id), NS_ERR_INVALID);
	assert_non_null(strstr(err, "want a sandbox ID"));
}

static void test_help_and_plain(void **state)
{
	char *help[] = {"ssh", "-h", NULL};
	char *plain[] = {"ssh", SB, "echo", "hi", NULL};
	char *cmd[] = {"echo", "hi", NULL};

	(void)state;
	assert_int_equal(split(help), 0);
	assert_true(a.help);
	assert_int_equal(split(plain), 0);
	assert_int_equal(a.nwords, 0);
	assert_int_equal(a.tty, -1);
	check_words(cmd, a.command, a.ncommand);
}

static void test_limit(void **state)
{
	static char *argv[NS_SSH_ARGS_OPTS_MAX + 4];
	int i;

	(void)state;
	argv[0] = "ssh";
	argv[1] = SB;
	for (i = 0; i < NS_SSH_ARGS_OPTS_MAX; i++) {
		argv[2 + i] = "-v";
	}
	argv[2 + i] = NULL;
	assert_int_equal(split(argv), 0);
	argv[2 + i] = "-v";
	argv[3 + i] = NULL;
	assert_int_equal(split(argv), NS_ERR_LIMIT);
	assert_non_null(strstr(err, "more than 256"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forward_after_id),
	    cmocka_unit_test(test_clusters_and_command),
	    cmocka_unit_test(test_double_dash),
	    cmocka_unit_test(test_long_values),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_help_and_plain),
	    cmocka_unit_test(test_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
