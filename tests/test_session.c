/* Tests for the pure parts of the agent's session runtime
 * (transport/agent/session_modes.c, transport/agent/session_names.c): RFC 4254 terminal
 * modes applied to a struct termios, the env allowlist, signal names. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "nullspace/error.h"
#include "session_util.h"

static ns_str view(const void *p, size_t len)
{
	ns_str s = {(const uint8_t *)p, len};
	return s;
}

static ns_str cs(const char *s)
{
	return view(s, strlen(s));
}

static void base(struct termios *t)
{
	memset(t, 0, sizeof(*t));
	t->c_lflag = ECHO | ICANON | ISIG;
	t->c_iflag = ICRNL;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = CS8;
	t->c_cc[VINTR] = 0x7f;
	t->c_cc[VEOF] = 4;
}

static void modes_echo_off_vintr(void **state)
{
	/* ECHO 0, VINTR 3, TTY_OP_END */
	static const uint8_t m[] = {53, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0};
	struct termios t;

	(void)state;
	base(&t);
	assert_int_equal(ns_session_modes_apply(view(m, sizeof(m)), &t), 0);
	assert_int_equal(t.c_lflag & ECHO, 0);
	assert_true(t.c_lflag & ICANON);
	assert_int_equal(t.c_cc[VINTR], 3);
	assert_int_equal(t.c_cc[VEOF], 4);
}

static void modes_flags_sizes_speeds(void **state)
{
	/* IXON 1, ICRNL 0, ONLCR 0, CS7 1, PARENB 1, ISPEED 9600, OSPEED 38400,
	 * IUTF8 1, VEOF 255 (disabled) */
	static const uint8_t m[] = {38,  0, 0, 0,    1, 36, 0, 0, 0, 0, 72,  0, 0, 0,    0,
	                            90,  0, 0, 0,    1, 92, 0, 0, 0, 1, 128, 0, 0, 0x25, 0x80,
	                            129, 0, 0, 0x96, 0, 42, 0, 0, 0, 1, 5,   0, 0, 0,    255};
	struct termios t;

	(void)state;
	base(&t);
	assert_int_equal(ns_session_modes_apply(view(m, sizeof(m)), &t), 0);
	assert_true(t.c_iflag & IXON);
	assert_int_equal(t.c_iflag & ICRNL, 0);
	assert_int_equal(t.c_oflag & ONLCR, 0);
	assert_true(t.c_oflag & OPOST);
	assert_int_equal(t.c_cflag & CSIZE, CS7);
	assert_true(t.c_cflag & PARENB);
	/* glibc keeps one speed for both directions: the last one set wins */
	assert_int_equal(cfgetospeed(&t), B38400);
#ifdef IUTF8
	assert_true(t.c_iflag & IUTF8);
#endif
	assert_int_equal(t.c_cc[VEOF], _POSIX_VDISABLE);

	base(&t);
	assert_int_equal(ns_session_modes_apply(view(m, 30), &t), 0); /* up to ISPEED */
	assert_int_equal(cfgetispeed(&t), B9600);
}

static void modes_stop_and_skip(void **state)
{
	/* unknown op 20 skipped, ECHO 0, then op 160 stops: VINTR stays */
	static const uint8_t m[] = {20, 0, 0, 0, 9, 53, 0, 0, 0, 0, 160, 1, 0, 0, 0, 3};
	/* ISIG 0, then VINTR with its argument cut off */
	static const uint8_t cut[] = {50, 0, 0, 0, 0, 1, 0, 0};
	struct termios t;

	(void)state;
	base(&t);
	assert_int_equal(ns_session_modes_apply(view(m, sizeof(m)), &t), 0);
	assert_int_equal(t.c_lflag & ECHO, 0);
	assert_int_equal(t.c_cc[VINTR], 0x7f);

	base(&t);
	assert_int_equal(ns_session_modes_apply(view(cut, sizeof(cut)), &t), NS_ERR_SHORT);
	assert_int_equal(t.c_lflag & ISIG, 0);
	assert_int_equal(t.c_cc[VINTR], 0x7f);

	base(&t);
	assert_int_equal(ns_session_modes_apply(view(NULL, 0), &t), 0);
	assert_true(t.c_lflag & ECHO);
}

static void env_allowlist(void **state)
{
	static const char nul_value[] = {'a', 0, 'b'};
	char long_value[NS_SESSION_ENV_VALUE_MAX + 2];

	(void)state;
	assert_true(ns_session_env_allowed(cs("LANG"), cs("C.UTF-8")));
	assert_true(ns_session_env_allowed(cs("LC_ALL"), cs("en_US.UTF-8")));
	assert_true(ns_session_env_allowed(cs("LC_CTYPE"), cs("")));
	assert_true(ns_session_env_allowed(cs("TERM"), cs("xterm-256color")));
	assert_false(ns_session_env_allowed(cs("PATH"), cs("/tmp")));
	assert_false(ns_session_env_allowed(cs("LD_PRELOAD"), cs("/tmp/x.so")));
	assert_false(ns_session_env_allowed(cs("BASH_ENV"), cs("/tmp/x")));
	assert_false(ns_session_env_allowed(cs("LC_"), cs("x")));
	assert_false(ns_session_env_allowed(cs("lang"), cs("C")));
	assert_false(ns_session_env_allowed(cs("LC_A=B"), cs("x")));
	assert_false(ns_session_env_allowed(cs("LANG "), cs("x")));
	assert_false(ns_session_env_allowed(cs(""), cs("x")));
	assert_false(ns_session_env_allowed(cs("LANG"), view(nul_value, sizeof(nul_value))));
	memset(long_value, 'a', sizeof(long_value));
	assert_false(ns_session_env_allowed(cs("LANG"), view(long_value, sizeof(long_value))));
}

static void signal_names(void **state)
{
	(void)state;
	assert_int_equal(ns_session_signal_number(cs("TERM")), SIGTERM);
	assert_int_equal(ns_session_signal_number(cs("HUP")), SIGHUP);
	assert_int_equal(ns_session_signal_number(cs("KILL")), SIGKILL);
	assert_int_equal(ns_session_signal_number(cs("USR2")), SIGUSR2);
	assert_int_equal(ns_session_signal_number(cs("SEGV")), SIGSEGV);
	assert_int_equal(ns_session_signal_number(cs("SIGTERM")), 0);
	assert_int_equal(ns_session_signal_number(cs("STOP")), 0);
	assert_int_equal(ns_session_signal_number(cs("term")), 0);
	assert_int_equal(ns_session_signal_number(cs("")), 0);
	assert_string_equal(ns_session_signal_name(SIGTERM), "TERM");
	assert_string_equal(ns_session_signal_name(SIGABRT), "ABRT");
	assert_string_equal(ns_session_signal_name(SIGPIPE), "PIPE");
	assert_null(ns_session_signal_name(SIGSTOP));
	assert_null(ns_session_signal_name(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(modes_echo_off_vintr), cmocka_unit_test(modes_flags_sizes_speeds),
	    cmocka_unit_test(modes_stop_and_skip),  cmocka_unit_test(env_allowlist),
	    cmocka_unit_test(signal_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
