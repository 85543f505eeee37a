/* Tests for api/runtime*.c with real agents (the binary named by the
 * NULLSPACE environment variable; skipped without it): create (registry
 * entry, files and modes, no probe connection in the agent's log, the
 * socket accepts, a session runs in the sandbox's home), get, list, kill,
 * timeout, an agent killed from outside, unknown template, limit, an
 * agent that fails to start, leftovers of an earlier run removed, and close
 * stopping everything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "file.h"
#include "nullspace/client.h"
#include "nullspace/error.h"
#include "registry.h"
#include "isolate.h"
#include "runtime.h"
#include "runtime_int.h"

#define NOW 1700000000

typedef struct fixture {
	char tmp[64];
	char sandboxes[128], registry[128];
	char client_line[NS_KEY_LINE_MAX];
	ns_key client;
	ns_runtime_config cfg;
	ns_runtime *rt;
	char log[16384];
} fixture;

static const char *exe(void)
{
	const char *p = getenv("NULLSPACE");

	return (p != NULL && access(p, X_OK) == 0) ? p : NULL;
}

static void log_line(void *ud, const char *line)
{
	fixture *f = ud;
	size_t n = strlen(f->log);

	snprintf(f->log + n, sizeof(f->log) - n, "%s\n", line);
}

static int group_setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	return sodium_init() < 0 ? -1 : 0;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		return -1;
	}
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/ns_rt.XXXXXX");
	if (mkdtemp(f->tmp) == NULL || ns_key_generate(&f->client, "relay client") != 0 ||
	    ns_key_to_line(f->client.pk, "relay", f->client_line, sizeof(f->client_line)) != 0) {
		free(f);
		return -1;
	}
	snprintf(f->sandboxes, sizeof(f->sandboxes), "%s/state/sandboxes", f->tmp);
	snprintf(f->registry, sizeof(f->registry), "%s/state/registry", f->tmp);
	f->cfg.exe = exe();
	f->cfg.sandboxes_dir = f->sandboxes;
	f->cfg.registry_dir = f->registry;
	f->cfg.relay_client_key_line = f->client_line;
	f->cfg.log = log_line;
	f->cfg.log_ud = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	ns_runtime_close(f->rt);
	ns_rt_rmtree(f->tmp);
	ns_key_wipe(&f->client);
	free(f);
	return 0;
}

/* Skips without an agent binary; else opens the runtime. */
static void open_rt(fixture *f)
{
	char err[512] = "";

	if (f->cfg.exe == NULL) {
		skip();
	}
	assert_int_equal(ns_runtime_open(&f->cfg, &f->rt, err, sizeof(err)), 0);
	assert_non_null(f->rt);
}

static ns_rt_sandbox *internal(fixture *f, const char *id)
{
	size_t i;

	for (i = 0; i < f->rt->n; i++) {
		if (strcmp(f->rt->sb[i]->info.id, id) == 0) {
			return f->rt->sb[i];
		}
	}
	fail_msg("sandbox %s not in the table", id);
	return NULL;
}

static void create(fixture *f, uint32_t timeout, ns_sandbox_info *sb, pid_t *pid)
{
	char err[1024] = "";
	int rc = ns_runtime_create(f->rt, "base", timeout, 0, NOW, sb, err, sizeof(err));

	if (rc != 0) {
		fail_msg("create: %s (%s)", ns_strerror(rc), err);
	}
	*pid = internal(f, sb->id)->pid;
	assert_true(*pid > 0);
}

static int accepts(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0) {
		close(fd);
	}
	return ok;
}

/* Started on its readiness notice, not on a probe: the agent's log says it
 * listens and has no connection in it yet. */
static void assert_no_probe(const char *dir)
{
	char path[600], *text = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/agent.log", dir);
	assert_int_equal(ns_file_read(path, 1 << 20, &text, &len), 0);
	assert_non_null(strstr(text, "agent event=listen"));
	assert_null(strstr(text, "event=connect"));
	free(text);
}

static void assert_group_gone(pid_t pid)
{
	errno = 0;
	assert_int_equal(kill(-pid, 0), -1);
	assert_int_equal(errno, ESRCH);
}

static void assert_mode(const char *dir, const char *name, unsigned mode)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, mode);
}

static uid_t owner_of(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_uid;
}

static void assert_owner(const char *dir, const char *name, uid_t uid)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_uid, uid);
}

static void assert_registry(fixture *f, const char *id, int state, ns_registry_entry *e)
{
	assert_int_equal(ns_registry_lookup(f->registry, id, e), 0);
	assert_int_equal(e->state, state);
}

/* A session through the relay's key: runs in the sandbox's home. */
static void check_session(fixture *f, const ns_registry_entry *e, const char *dir)
{
	ns_client_config cc;
	ns_client_buf out;
	ns_client *c = NULL;
	char err[NS_CLIENT_ERR_MAX] = "", want[1200];
	int status = -1, sig = -1;

	ns_client_config_init(&cc);
	memset(&out, 0, sizeof(out));
	cc.host = e->endpoint;
	cc.user = e->user;
	cc.key = &f->client;
	cc.hostkey_policy = NS_HOSTKEY_PINNED;
	cc.hostkey_pin = e->host_key;
	cc.connect_timeout_ms = 10000;
	if (ns_client_connect(&cc, &c, err, sizeof(err)) != 0) {
		fail_msg("connect to %s: %s", e->endpoint, err);
	}
	assert_int_equal(
	    ns_client_exec_capture(c, "pwd; echo \"$HOME\"", NULL, 0, &out, NULL, &status, &sig),
	    0);
	assert_int_equal(status, 0);
	(void)dir; /* isolated: the home as the sandbox sees it */
	snprintf(want, sizeof(want), "%s\n%s\n", NS_ISOLATE_HOME, NS_ISOLATE_HOME);
	assert_int_equal(out.len, strlen(want));
	assert_memory_equal(out.p, want, out.len);
	ns_client_buf_free(&out);
	ns_client_close(c);
}

static void test_create_get_list_kill(void **state)
{
	fixture *f = *state;
	ns_sandbox_info a, b, got, list[4];
	ns_registry_entry e;
	char dir[512], endpoint[600], line[128];
	ns_key hk;
	char *text = NULL;
	size_t len, i;
	pid_t pa, pb;
	uid_t uid_a;

	open_rt(f);
	create(f, 600, &a, &pa);
	assert_int_equal(strlen(a.id), 15);
	assert_memory_equal(a.id, "sb_", 3);
	for (i = 3; i < 15; i++) {
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz0123456789", a.id[i]));
	}
	assert_string_equal(a.template_name, "base");
	assert_string_equal(a.state, "running");
	assert_string_equal(a.stop_reason, "");
	assert_int_equal(a.created_at, NOW);
	assert_int_equal(a.expires_at, NOW + 600);
	assert_int_equal(a.timeout, 600);
	assert_int_equal(getpgid(pa), pa); /* its own process group */

	/* the folder, its files and the registry entry */
	snprintf(dir, sizeof(dir), "%s/%s", f->sandboxes, a.id);
	assert_mode(f->tmp, "state/sandboxes", 0700);
	assert_mode(f->tmp, "state/registry", 0700);
	assert_mode(dir, "", 0700);
	assert_mode(dir, "home", 0700);
	assert_mode(dir, "run", 0755);
	assert_owner(dir, "run", geteuid());
	assert_owner(dir, "run/agent.sock", geteuid()); /* bound by the runtime */
	assert_mode(dir, "root", 0755);
	assert_mode(dir, "run/host_key", 0600);
	assert_mode(dir, "run/authorized_keys", geteuid() == 0 ? 0644 : 0600);
	uid_a = owner_of(dir, "home");
	assert_true(geteuid() == 0 ? uid_a >= NS_RUNTIME_UID_BASE : uid_a == geteuid());
	assert_owner(dir, "run/host_key", uid_a);
	assert_owner(dir, "run/authorized_keys", geteuid());
	assert_registry(f, a.id, NS_SANDBOX_RUNNING, &e);
	snprintf(endpoint, sizeof(endpoint), "unix:%s/run/agent.sock", dir);
	assert_string_equal(e.endpoint, endpoint);
	assert_string_equal(e.user, "sandbox");
	snprintf(endpoint, sizeof(endpoint), "%s/run/host_key", dir);
	assert_int_equal(ns_file_read(endpoint, NS_KEYFILE_MAX, &text, &len), 0);
	memset(&hk, 0, sizeof(hk));
	assert_int_equal(ns_keyfile_parse(text, len, &hk), 0);
	assert_memory_equal(e.host_key, hk.pk, NS_ED25519_PK_LEN);
	ns_key_wipe(&hk);
	free(text);
	assert_no_probe(dir);
	assert_true(accepts(e.endpoint + 5));
	check_session(f, &e, dir);
	snprintf(line, sizeof(line), "sandbox %s started (template base, timeout 600s", a.id);
	assert_non_null(strstr(f->log, line));

	/* get and list, newest first */
	create(f, 30, &b, &pb);
	assert_string_not_equal(a.id, b.id);
	snprintf(endpoint, sizeof(endpoint), "%s/%s", f->sandboxes, b.id);
	/* as root, no two running sandboxes share a host uid */
	if (geteuid() == 0) {
		assert_true(owner_of(endpoint, "home") >= NS_RUNTIME_UID_BASE);
		assert_int_not_equal(owner_of(endpoint, "home"), uid_a);
	}
	assert_int_equal(ns_runtime_get(f->rt, a.id, &got), 0);
	assert_string_equal(got.id, a.id);
	assert_int_equal(got.timeout, 600);
	assert_int_equal(ns_runtime_get(f->rt, "sb_nosuchthing", &got), NS_ERR_NOTFOUND);
	assert_int_equal(ns_runtime_list(f->rt, list, 4), 2);
	assert_string_equal(list[0].id, b.id);
	assert_string_equal(list[1].id, a.id);
	assert_int_equal(ns_runtime_list(f->rt, list, 1), 2);

	/* kill: registry says stopped, the group is gone, the other runs on */
	assert_int_equal(ns_runtime_kill(f->rt, a.id, "killed"), 0);
	assert_int_equal(ns_runtime_get(f->rt, a.id, &got), 0);
	assert_string_equal(got.state, "stopped");
	assert_string_equal(got.stop_reason, "killed");
	assert_registry(f, a.id, NS_SANDBOX_STOPPED, &e);
	assert_group_gone(pa);
	assert_false(accepts(e.endpoint + 5));
	snprintf(line, sizeof(line), "sandbox %s stopped (killed)", a.id);
	assert_non_null(strstr(f->log, line));
	assert_int_equal(ns_runtime_kill(f->rt, a.id, "killed"), 0); /* again: fine */
	assert_int_equal(ns_runtime_kill(f->rt, "sb_nosuchthing", "killed"), NS_ERR_NOTFOUND);
	assert_int_equal(kill(-pb, 0), 0);
	assert_registry(f, b.id, NS_SANDBOX_RUNNING, &e);
	assert_int_equal(ns_runtime_list(f->rt, list, 4), 2); /* stopped ones are kept */
	assert_string_equal(list[1].state, "stopped");
}

static void test_timeout(void **state)
{
	fixture *f = *state;
	ns_sandbox_info a, got;
	ns_registry_entry e;
	pid_t pa;

	open_rt(f);
	create(f, 5, &a, &pa);
	ns_runtime_tick(f->rt, NOW + 4);
	assert_int_equal(ns_runtime_get(f->rt, a.id, &got), 0);
	assert_string_equal(got.state, "running");
	assert_int_equal(kill(-pa, 0), 0);
	ns_runtime_tick(f->rt, NOW + 5);
	assert_int_equal(ns_runtime_get(f->rt, a.id, &got), 0);
	assert_string_equal(got.state, "stopped");
	assert_string_equal(got.stop_reason, "timeout");
	assert_registry(f, a.id, NS_SANDBOX_STOPPED, &e);
	assert_group_gone(pa);
	assert_non_null(strstr(f->log, "stopped (timeout)"));
}

static void test_exited(void **state)
{
	fixture *f = *state;
	ns_sandbox_info a, got;
	ns_registry_entry e;
	int i;
	pid_t pa;

	open_rt(f);
	create(f, 600, &a, &pa);
	assert_int_equal(kill(pa, SIGKILL), 0);
	for (i = 0; i < 500; i++) {
		ns_runtime_tick(f->rt, NOW + 1);
		assert_int_equal(ns_runtime_get(f->rt, a.id, &got), 0);
		if (strcmp(got.state, "stopped") == 0) {
			break;
		}
		ns_rt_sleep_ms(10);
	}
	assert_string_equal(got.state, "stopped");
	assert_string_equal(got.stop_reason, "exited");
	assert_registry(f, a.id, NS_SANDBOX_STOPPED, &e);
	assert_group_gone(pa);
}

static void test_unknown_template_and_limit(void **state)
{
	fixture *f = *state;
	ns_sandbox_info a, b;
	char err[512] = "";
	pid_t pa;

	f->cfg.max_sandboxes = 1;
	open_rt(f);
	assert_int_equal(ns_runtime_create(f->rt, "nosuch", 60, 0, NOW, &a, err, sizeof(err)),
	                 NS_ERR_NOTFOUND);
	assert_non_null(strstr(err, "nosuch"));
	assert_int_equal(ns_runtime_list(f->rt, &a, 1), 0);
	assert_int_equal(rmdir(f->sandboxes), 0); /* empty: nothing was made */
	assert_int_equal(mkdir(f->sandboxes, 0700), 0);
	create(f, 60, &a, &pa);
	assert_int_equal(ns_runtime_create(f->rt, "base", 60, 0, NOW, &b, err, sizeof(err)),
	                 NS_ERR_LIMIT);
	assert_int_equal(ns_runtime_kill(f->rt, a.id, "killed"), 0);
	create(f, 60, &b, &pa); /* room again */
}

static void test_agent_fails(void **state)
{
	fixture *f = *state;
	ns_sandbox_info a;
	char err[1024] = "";
	int rc;

	if (exe() == NULL) {
		skip();
	}
	f->cfg.exe = "/bin/false";
	f->cfg.no_isolation = 1; /* else the start-up probe already fails */
	open_rt(f);
	rc = ns_runtime_create(f->rt, "base", 60, 0, NOW, &a, err, sizeof(err));
	assert_int_equal(rc, NS_ERR_IO);
	assert_non_null(strstr(err, "exited at start (exit 1)"));
	assert_int_equal(ns_runtime_list(f->rt, &a, 1), 0);
	assert_int_equal(rmdir(f->sandboxes), 0); /* its folder was removed */
	assert_int_equal(rmdir(f->registry), 0);  /* and no entry written */
}

/* Isolation that cannot work here stops the runtime at open, saying why:
 * a binary that is no nullspace fails the probe sandbox. */
static void test_probe_fails(void **state)
{
	fixture *f = *state;
	char err[1024] = "";

	if (exe() == NULL) {
		skip();
	}
	f->cfg.exe = "/bin/false";
	assert_int_equal(ns_runtime_open(&f->cfg, &f->rt, err, sizeof(err)), NS_ERR_IO);
	assert_null(f->rt);
	assert_non_null(strstr(err, "cannot isolate sandboxes on this machine"));
	assert_non_null(strstr(err, "--no-isolation"));
}

/* Two runtimes (two `up` on one machine) never hand out one host uid:
 * the claim is machine-wide, and a released uid can be claimed again. */
static void test_uid_claims(void **state)
{
	ns_runtime r1, r2;
	ns_rt_sandbox a, b, c;
	char err[256];

	(void)state;
	if (geteuid() != 0) {
		skip();
	}
	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	assert_int_equal(ns_rt_uid_pick(&r1, &a, err, sizeof(err)), 0);
	assert_int_equal(ns_rt_uid_pick(&r2, &b, err, sizeof(err)), 0);
	assert_true(a.uid >= NS_RUNTIME_UID_BASE && b.uid >= NS_RUNTIME_UID_BASE);
	assert_int_not_equal(a.uid, b.uid);
	ns_rt_uid_release(&a);
	assert_int_equal(ns_rt_uid_pick(&r2, &c, err, sizeof(err)), 0);
	assert_int_not_equal(c.uid, b.uid); /* b still holds its uid */
	ns_rt_uid_release(&b);
	ns_rt_uid_release(&c);
	assert_int_equal(b.uid_fd, -1);
}

static void test_stale_removed(void **state)
{
	fixture *f = *state;
	char path[512];
	struct stat st;
	int fd;

	if (exe() == NULL) {
		skip();
	}
	snprintf(path, sizeof(path), "%s/sb_old/home/locked", f->sandboxes);
	assert_int_equal(ns_file_mkdir(path, 1, NULL, 0), 0);
	snprintf(path, sizeof(path), "%s/sb_old/home/locked/file", f->sandboxes);
	assert_true((fd = open(path, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/sb_old/home/locked", f->sandboxes);
	assert_int_equal(chmod(path, 0), 0);
	assert_int_equal(ns_file_mkdir(f->registry, 1, NULL, 0), 0);
	snprintf(path, sizeof(path), "%s/sb_old", f->registry);
	assert_int_equal(ns_rt_write_new(path, 0644, "x", 1), 0);
	snprintf(path, sizeof(path), "%s/.sb_old.abcdef", f->registry);
	assert_int_equal(ns_rt_write_new(path, 0644, "x", 1), 0);
	snprintf(path, sizeof(path), "%s/keep.txt", f->registry); /* not an entry */
	assert_int_equal(ns_rt_write_new(path, 0644, "x", 1), 0);
	open_rt(f);
	snprintf(path, sizeof(path), "%s/sb_old", f->sandboxes);
	assert_int_equal(lstat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/sb_old", f->registry);
	assert_int_equal(lstat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/.sb_old.abcdef", f->registry);
	assert_int_equal(lstat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/keep.txt", f->registry);
	assert_int_equal(lstat(path, &st), 0);
}

static void test_close_stops_all(void **state)
{
	fixture *f = *state;
	ns_sandbox_info a, b;
	ns_registry_entry e;
	char line[128];
	pid_t pa, pb;

	open_rt(f);
	create(f, 600, &a, &pa);
	create(f, 600, &b, &pb);
	ns_runtime_close(f->rt);
	f->rt = NULL;
	assert_group_gone(pa);
	assert_group_gone(pb);
	assert_registry(f, a.id, NS_SANDBOX_STOPPED, &e);
	assert_registry(f, b.id, NS_SANDBOX_STOPPED, &e);
	snprintf(line, sizeof(line), "sandbox %s stopped (shutdown)", b.id);
	assert_non_null(strstr(f->log, line));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_create_get_list_kill, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exited, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_template_and_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_agent_fails, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_probe_fails, setup, teardown),
	    cmocka_unit_test(test_uid_claims),
	    cmocka_unit_test_setup_teardown(test_stale_removed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_close_stops_all, setup, teardown),
	};

	if (exe() == NULL) {
		fprintf(stderr,
		        "SKIP: set NULLSPACE to the nullspace binary (build/asan/nullspace)\n");
	}
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
