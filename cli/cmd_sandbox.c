/* `nullspace sandbox create|list|get|kill|ssh-access` (exec and files: sandbox_files.c): the
 * sandbox commands over the control plane API (nullspace/sdk.h). One option parser for all of them,
 * each subcommand naming the options it takes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "nullspace/error.h"
#include "sandbox_int.h"

#define LIST_FIRST 1024 /* entries asked for at first (the API sends the newest 1024) */

typedef struct sub_args {
	const char *api_url, *api_key;
	const char *template_name;
	unsigned long timeout, max_lifetime;
	unsigned long expires_in;
	int print_command, json, websocket;
	int permits; /* NS_CLI_NO_PORT_FORWARDING, NS_CLI_AGENT_FORWARDING */
	const char *id;
} sub_args;

typedef struct sub {
	const char *name;
	const char *synopsis;
	const char *help;
	const char *opts; /* the option letters it takes besides the API ones */
	int takes_id;
	int (*run)(ns_api *api, const sub_args *a);
} sub;

static int run_create(ns_api *api, const sub_args *a)
{
	ns_sandbox_opts o;
	ns_sandbox_info sb;
	int rc;

	ns_sandbox_opts_init(&o);
	o.template_name = a->template_name;
	o.timeout_s = (uint32_t)a->timeout;
	o.max_lifetime_s = (uint32_t)a->max_lifetime;
	if ((rc = ns_api_sandbox_create_opts(api, &o, &sb)) != 0) {
		return ns_cli_api_fail(api, rc);
	}
	printf("%s\n", sb.id);
	return 0;
}

static int run_list(ns_api *api, const sub_args *a)
{
	char created[NS_CLI_TIME_MAX], expires[NS_CLI_TIME_MAX];
	ns_sandbox_info *sb = NULL;
	size_t cap = LIST_FIRST, n = 0, i;
	int rc;

	(void)a;
	for (;;) {
		free(sb);
		if ((sb = calloc(cap, sizeof(*sb))) == NULL) {
			fprintf(stderr, "nullspace: out of memory\n");
			return NS_EXIT_FAILURE;
		}
		if ((rc = ns_api_sandbox_list(api, sb, cap, &n)) != 0) {
			free(sb);
			return ns_cli_api_fail(api, rc);
		}
		if (n <= cap) {
			break;
		}
		cap = n; /* more came than we asked for: once more with room */
	}
	printf("%-16s  %-8s  %-10s  %-20s  %-20s  %s\n", "ID", "STATE", "TEMPLATE", "CREATED",
	       "EXPIRES", "REASON");
	for (i = 0; i < n; i++) {
		ns_cli_time(sb[i].created_at, created);
		ns_cli_time(sb[i].expires_at, expires);
		printf("%-16s  %-8s  %-10s  %-20s  %s%s%s\n", sb[i].id, sb[i].state,
		       sb[i].template_name, created, expires, sb[i].stop_reason[0] ? "  " : "",
		       sb[i].stop_reason);
	}
	free(sb);
	return 0;
}

static int run_get(ns_api *api, const sub_args *a)
{
	char created[NS_CLI_TIME_MAX], expires[NS_CLI_TIME_MAX], max[NS_CLI_TIME_MAX];
	ns_sandbox_info sb;
	int rc;

	if ((rc = ns_api_sandbox_get(api, a->id, &sb)) != 0) {
		return ns_cli_api_fail(api, rc);
	}
	ns_cli_time(sb.created_at, created);
	ns_cli_time(sb.expires_at, expires);
	printf("id: %s\ntemplate: %s\nstate: %s\n", sb.id, sb.template_name, sb.state);
	if (sb.stop_reason[0] != '\0') {
		printf("stop_reason: %s\n", sb.stop_reason);
	}
	printf("created_at: %s\nexpires_at: %s\ntimeout: %u\n", created, expires, sb.timeout);
	ns_cli_time(sb.max_expires_at, max);
	printf("max_lifetime: %u\nmax_expires_at: %s\n", sb.max_lifetime, max);
	if (sb.last_activity_at != 0) {
		ns_cli_time(sb.last_activity_at, max);
		printf("last_activity_at: %s\n", max);
	}
	return 0;
}

static int run_kill(ns_api *api, const sub_args *a)
{
	int rc;

	if ((rc = ns_api_sandbox_kill(api, a->id)) != 0) {
		return ns_cli_api_fail(api, rc);
	}
	printf("%s stopped\n", a->id);
	return 0;
}

static int run_access(ns_api *api, const sub_args *a)
{
	return ns_cli_sandbox_access(api, a->id, a->json, a->websocket, (int)a->expires_in,
	                             a->permits);
}

static const sub subs[] = {
    {"create", "[--template NAME] [--timeout SECONDS] [--max-lifetime SECONDS]",
     "Start a sandbox and print its id.\n\n"
     "  --template NAME       what runs in it (default base: a shell in its folder)\n"
     "  --timeout SECONDS     stop it after that long without SSH activity, 1 to\n"
     "                        86400 (default 600)\n"
     "  --max-lifetime SECONDS  activity keeps it running at most that long (from\n"
     "                        --timeout to 86400, default 86400; = --timeout: a\n"
     "                        fixed deadline)\n",
     "toL", 0, run_create},
    {"list", "", "A table of the sandboxes, newest first, stopped ones included.\n", "", 0,
     run_list},
    {"get", "ID", "One sandbox as key: value lines.\n", "", 1, run_get},
    {"kill", "ID", "Stop a sandbox (stopping a stopped one is not an error).\n", "", 1, run_kill},
    {"ssh-access",
     "ID (--print-command [--websocket] | --json) [--expires-in MINUTES]\n"
     "                             [--no-port-forwarding] [--agent-forwarding]",
     "Mint short-lived SSH access to a running sandbox for the key\n"
     "NULLSPACE_HOME/ssh/id_ed25519 (created on first use). The output is a\n"
     "credential until it expires: do not share or log it.\n\n"
     "  --print-command       write the key, the certificate and the relay's\n"
     "                        known_hosts line under NULLSPACE_HOME/ssh/ (as\n"
     "                        `nullspace ssh` does) and print the ssh command line\n"
     "  --websocket           with --print-command: ssh through the signed WebSocket\n"
     "                        URL (ProxyCommand `nullspace proxy URL`; a comment\n"
     "                        line gives the websocat equivalent). The URL alone is a\n"
     "                        bearer credential (legacy path, docs/api.md)\n"
     "  --json                print the access object of the API\n"
     "  --expires-in MINUTES  lifetime of a new certificate, 1 to 60 (default 10)\n"
     "  --no-port-forwarding  a certificate without permit-port-forwarding (ssh -L,\n"
     "                        -D, -W and -R refused by the relay)\n"
     "  --agent-forwarding    a certificate with permit-agent-forwarding (ssh -A;\n"
     "                        off by default)\n",
     "pjweNA", 1, run_access},
};
#define NSUBS (sizeof(subs) / sizeof(subs[0]))

static void usage(FILE *f, const sub *s)
{
	size_t i;

	if (s != NULL) {
		fprintf(f, "usage: nullspace sandbox %s%s%s\n\n%s\n%s", s->name,
		        s->synopsis[0] ? " " : "", s->synopsis, s->help, NS_CLI_API_HELP);
		return;
	}
	fprintf(f, "usage: nullspace sandbox COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < NSUBS; i++) {
		fprintf(f, "  %s%s%s\n", subs[i].name, subs[i].synopsis[0] ? " " : "",
		        subs[i].synopsis);
	}
	fprintf(f, "  exec [--cwd DIR] [--env NAME=VALUE]... [--timeout SECONDS] ID -- COMMAND...\n"
	           "  files upload|download|ls|rm|url ...   (nullspace sandbox files --help)\n");
	fprintf(f,
	        "\noptions of every command:\n%s\n"
	        "Run 'nullspace sandbox COMMAND --help' for more.\n",
	        NS_CLI_API_HELP);
}

static int bad_usage(const sub *s, const char *what, const char *arg)
{
	fprintf(stderr, "nullspace sandbox %s: %s%s%s\n", s->name, what, arg ? ": " : "",
	        arg ? arg : "");
	usage(stderr, s);
	return NS_EXIT_USAGE;
}

/* 0 parsed, -1 help shown, else the exit code (usage printed). */
static int parse(const sub *s, int argc, char **argv, sub_args *a)
{
	static const struct option longs[] = {
	    {"template", required_argument, NULL, 't'},
	    {"timeout", required_argument, NULL, 'o'},
	    {"max-lifetime", required_argument, NULL, 'L'},
	    {"print-command", no_argument, NULL, 'p'},
	    {"json", no_argument, NULL, 'j'},
	    {"websocket", no_argument, NULL, 'w'},
	    {"expires-in", required_argument, NULL, 'e'},
	    {"no-port-forwarding", no_argument, NULL, 'N'},
	    {"agent-forwarding", no_argument, NULL, 'A'},
	    {"api-url", required_argument, NULL, NS_CLI_OPT_API_URL},
	    {"api-key", required_argument, NULL, NS_CLI_OPT_API_KEY},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, li = -1;

	memset(a, 0, sizeof(*a));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longs, &li)) != -1) {
		if (c == 'h') {
			usage(stdout, s);
			return -1;
		}
		if (c == '?' || c == ':') {
			return bad_usage(s, c == ':' ? "missing value" : "unknown option",
			                 argv[optind - 1]);
		}
		if (c < 256 && strchr(s->opts, c) == NULL) {
			return bad_usage(s, "option not taken here",
			                 li >= 0 ? longs[li].name : "?");
		}
		a->api_url = c == NS_CLI_OPT_API_URL ? optarg : a->api_url;
		a->api_key = c == NS_CLI_OPT_API_KEY ? optarg : a->api_key;
		a->template_name = c == 't' ? optarg : a->template_name;
		a->print_command |= c == 'p';
		a->json |= c == 'j';
		a->websocket |= c == 'w';
		a->permits |= c == 'N' ? NS_CLI_NO_PORT_FORWARDING : 0;
		a->permits |= c == 'A' ? NS_CLI_AGENT_FORWARDING : 0;
		if ((c == 'o' &&
		     ns_cli_number(optarg, 1, NS_API_SANDBOX_TIMEOUT_MAX, &a->timeout)) ||
		    (c == 'L' &&
		     ns_cli_number(optarg, 1, NS_API_SANDBOX_LIFETIME_MAX, &a->max_lifetime)) ||
		    (c == 'e' && ns_cli_number(optarg, NS_API_EXPIRES_MIN, NS_API_EXPIRES_MAX,
		                               &a->expires_in))) {
			return bad_usage(s, "value out of range", optarg);
		}
	}
	if (argc - optind != s->takes_id) {
		return bad_usage(s, s->takes_id ? "want one sandbox ID" : "unexpected argument",
		                 optind < argc ? argv[optind] : NULL);
	}
	a->id = s->takes_id ? argv[optind] : NULL;
	if (strchr(s->opts, 'p') != NULL && a->print_command + a->json != 1) {
		return bad_usage(s, "want one of --print-command and --json", NULL);
	}
	if (a->websocket && !a->print_command) {
		return bad_usage(s, "--websocket goes with --print-command", NULL);
	}
	return 0;
}

int ns_cmd_sandbox(int argc, char **argv)
{
	const sub *s = NULL;
	ns_api *api = NULL;
	sub_args a;
	size_t i;
	int rc;

	if (argc < 2) {
		usage(stderr, NULL);
		return NS_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout, NULL);
		return 0;
	}
	if (strcmp(argv[1], "exec") == 0) {
		return ns_cli_sandbox_exec(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "files") == 0) {
		return ns_cli_sandbox_files(argc - 1, argv + 1);
	}
	for (i = 0; i < NSUBS && s == NULL; i++) {
		s = strcmp(argv[1], subs[i].name) == 0 ? &subs[i] : NULL;
	}
	if (s == NULL) {
		fprintf(stderr, "nullspace sandbox: unknown command '%s'\n", argv[1]);
		usage(stderr, NULL);
		return NS_EXIT_USAGE;
	}
	if ((rc = parse(s, argc - 1, argv + 1, &a)) != 0) {
		return rc < 0 ? 0 : rc;
	}
	if ((rc = ns_cli_api_open(a.api_url, a.api_key, &api)) != 0) {
		return rc;
	}
	rc = s->run(api, &a);
	ns_api_close(api);
	return rc;
}
