/* `nullspace ssh-config`: an ssh_config block with which plain OpenSSH
 * (`ssh sb_x`, `scp -O`, `rsync -e ssh`, git over ssh) reaches sandboxes
 * through the relay with a fresh certificate and the CLI's pinned relay key:
 *   Match exec        `nullspace ssh-config --prepare %n`: mint or reuse
 *   ProxyCommand      `nullspace ssh-config --connect %n`: TCP to its relay
 *   KnownHostsCommand `nullspace ssh-config --known-hosts %n %H`: the pin
 * --write puts it in ~/.ssh/nullspace.conf and Includes that from
 * ~/.ssh/config, once. The helpers are ssh_config_run.c. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "file.h"
#include "nullspace/error.h"
#include "sandbox_int.h"
#include "ssh_config.h"
#include "sshfiles_int.h"

#define BLOCK_MAX 8192
#define CONFIG_MAX (1u << 20) /* a ~/.ssh/config we edit */

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: nullspace ssh-config [--write] [--host PATTERN] [--agent-forwarding]\n"
	        "                            [--no-resume] [--no-renew]\n"
	        "\n"
	        "Print an ssh_config block that makes plain OpenSSH reach sandboxes through\n"
	        "the relay: `ssh sb_123`, `scp -O`, `rsync -e ssh`, `git clone ssh://sb_123/...`.\n"
	        "Each connection gets a certificate on demand (reused while valid), and the\n"
	        "relay's host key pinned by the CLI. The login name does not matter.\n"
	        "\n"
	        "  --write          write it to ~/.ssh/%s and add\n"
	        "                   `Include` of it at the top of ~/.ssh/config (once)\n"
	        "  --host PATTERN   the host names it applies to (default %s)\n"
	        "  --agent-forwarding  certificates permit agent forwarding, so that\n"
	        "                   `ssh -A` (or ForwardAgent yes) can use it; off by default\n"
	        "  --no-resume      connect straight to the relay; by default the connection\n"
	        "                   survives a network drop shorter than the relay's grace\n"
	        "                   time (`nullspace proxy tcp://`, docs/relay.md)\n"
	        "  --no-renew       with resume, the connection renews its certificate in the\n"
	        "                   background before it expires (for a relay that ends\n"
	        "                   sessions at expiry); this turns that off\n"
	        "  -h, --help       this help\n",
	        NS_SSH_CONFIG_FILE, NS_SSH_CONFIG_PATTERN);
}

/* s with every '%' doubled (ssh_config tokens) and in single quotes for
 * the shell; NS_ERR_INVALID for a quote or a control character. */
static int quote(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	if (cap < 3) {
		return NS_ERR_TOOBIG;
	}
	out[n++] = '\'';
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '"' || (unsigned char)*s < 0x20 || *s == 0x7f) {
			return NS_ERR_INVALID;
		}
		if (n + 4 > cap) {
			return NS_ERR_TOOBIG;
		}
		if (*s == '%') {
			out[n++] = '%';
		}
		out[n++] = *s;
	}
	out[n++] = '\'';
	out[n] = '\0';
	return 0;
}

/* A pattern of letters, digits, '_', '-', '.', '*' and '?' only. */
static int pattern_ok(const char *p)
{
	if (*p == '\0' || strlen(p) > 64) {
		return 0;
	}
	for (; *p != '\0'; p++) {
		if (!(*p == '_' || *p == '-' || *p == '.' || *p == '*' || *p == '?' ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9'))) {
			return 0;
		}
	}
	return 1;
}

static int make_block(const char *pattern, int agent, const char *connect_opts, char *out,
                      size_t cap)
{
	char self[PATH_MAX], home[PATH_MAX], qself[2 * PATH_MAX + 3], qhome[2 * PATH_MAX + 3];
	char key[2 * PATH_MAX + 40], cert[2 * PATH_MAX + 40];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int len;

	if (n <= 0 || ns_api_home(home, sizeof(home)) != 0) {
		fprintf(stderr, "nullspace: cannot find this program or NULLSPACE_HOME\n");
		return NS_EXIT_CONFIG;
	}
	self[n] = '\0';
	if (quote(self, qself, sizeof(qself)) != 0 || quote(home, qhome, sizeof(qhome)) != 0) {
		fprintf(stderr,
		        "nullspace: the path %s or %s holds a quote or a control character, "
		        "which ssh_config cannot carry\n",
		        self, home);
		return NS_EXIT_CONFIG;
	}
	/* the file names without the shell quotes: ssh takes them whole */
	snprintf(key, sizeof(key), "\"%.*s/ssh/id_ed25519\"", (int)strlen(qhome) - 2, qhome + 1);
	snprintf(cert, sizeof(cert), "\"%.*s/ssh/%%n-cert.pub\"", (int)strlen(qhome) - 2,
	         qhome + 1);
	len =
	    snprintf(out, cap,
	             "# nullspace: `ssh %s` through the relay, with a certificate made on demand.\n"
	             "# Written by `nullspace ssh-config` (NULLSPACE_HOME=%s); run it again\n"
	             "# to refresh, do not edit.\n"
	             "Match host \"%s\" exec \"%s ssh-config --home %s%s --prepare %%n\"\n"
	             "    ProxyCommand %s ssh-config --home %s --connect %%n%s\n"
	             "    KnownHostsCommand %s ssh-config --home %s --known-hosts %%n %%H\n"
	             "    UserKnownHostsFile /dev/null\n"
	             "    GlobalKnownHostsFile /dev/null\n"
	             "    StrictHostKeyChecking yes\n"
	             "    IdentityFile %s\n"
	             "    CertificateFile %s\n"
	             "    IdentitiesOnly yes\n"
	             "    PasswordAuthentication no\n"
	             "    KbdInteractiveAuthentication no\n",
	             pattern, home, pattern, qself, qhome, agent ? " --agent-forwarding" : "",
	             qself, qhome, connect_opts, qself, qhome, key, cert);
	if (len < 0 || (size_t)len >= cap) {
		fprintf(stderr, "nullspace: paths too long for the ssh_config block\n");
		return NS_EXIT_CONFIG;
	}
	return 0;
}

/* ~/.ssh (from $HOME, as OpenSSH's ~ for the user running it) into dir. */
static int ssh_dir(char *dir, size_t cap)
{
	const char *home = getenv("HOME");
	char err[PATH_MAX + 128];

	if (home == NULL || home[0] != '/' || snprintf(dir, cap, "%s/.ssh", home) >= (int)cap) {
		fprintf(stderr, "nullspace: HOME is not set to an absolute folder\n");
		return NS_EXIT_CONFIG;
	}
	if (ns_file_mkdir(dir, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "nullspace: %s\n", err);
		return NS_EXIT_FAILURE;
	}
	return 0;
}

/* Add "Include FILE" at the top of ~/.ssh/config unless a line has it. */
static int add_include(const char *dir, const char *conf)
{
	char path[PATH_MAX + 16], line[PATH_MAX + 32], err[2 * PATH_MAX + 64], *text = NULL, *out;
	size_t len = 0, ll;
	struct stat st;
	int rc, mode = 0600;

	snprintf(path, sizeof(path), "%s/config", dir);
	ll = (size_t)snprintf(line, sizeof(line), "Include \"%s\"\n", conf);
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			fprintf(stderr,
			        "nullspace: %s is not a regular file (a link?): add this line at "
			        "its top yourself:\n%s",
			        path, line);
			return NS_EXIT_FAILURE;
		}
		mode = (int)(st.st_mode & 0777);
		if ((rc = ns_file_read(path, CONFIG_MAX, &text, &len)) != 0) {
			fprintf(stderr, "nullspace: cannot read %s: %s\n", path, ns_strerror(rc));
			return NS_EXIT_FAILURE;
		}
	} else if (errno != ENOENT) {
		fprintf(stderr, "nullspace: %s: %s\n", path, strerror(errno));
		return NS_EXIT_FAILURE;
	}
	if (text != NULL && ns_ssh_config_has_line(text, len, line, ll - 1)) {
		free(text);
		return 0;
	}
	if ((out = malloc(ll + len + 1)) == NULL) {
		free(text);
		fprintf(stderr, "nullspace: out of memory\n");
		return NS_EXIT_FAILURE;
	}
	memcpy(out, line, ll);
	if (len > 0) {
		memcpy(out + ll, text, len);
	}
	rc = ns_sshfiles_write(path, out, ll + len, mode, 0, err, sizeof(err));
	free(out);
	free(text);
	if (rc != 0) {
		fprintf(stderr, "nullspace: %s\n", err);
		return NS_EXIT_FAILURE;
	}
	return 0;
}

static int write_config(const char *block)
{
	char dir[PATH_MAX], conf[PATH_MAX + 32], err[2 * PATH_MAX + 64];
	int rc;

	if ((rc = ssh_dir(dir, sizeof(dir) - 32)) != 0) {
		return rc;
	}
	snprintf(conf, sizeof(conf), "%s/%s", dir, NS_SSH_CONFIG_FILE);
	if (ns_sshfiles_write(conf, block, strlen(block), 0600, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "nullspace: %s\n", err);
		return NS_EXIT_FAILURE;
	}
	if ((rc = add_include(dir, conf)) != 0) {
		return rc;
	}
	printf("wrote %s, included from %s/config\n", conf, dir);
	return 0;
}

int ns_cmd_ssh_config(int argc, char **argv)
{
	static const struct option longs[] = {
	    {"write", no_argument, NULL, 'w'},
	    {"host", required_argument, NULL, 'H'},
	    {"home", required_argument, NULL, 'm'},
	    {"prepare", required_argument, NULL, 'p'},
	    {"connect", required_argument, NULL, 'c'},
	    {"known-hosts", required_argument, NULL, 'k'},
	    {"agent-forwarding", no_argument, NULL, 'A'},
	    {"no-resume", no_argument, NULL, 'r'},
	    {"no-renew", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *pattern = NS_SSH_CONFIG_PATTERN, *prepare = NULL, *connect = NULL,
	           *known = NULL;
	char block[BLOCK_MAX];
	int c, write = 0, agent = 0, rc, no_resume = 0, no_renew = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return 0;
		case 'w': write = 1; break;
		case 'A': agent = 1; break;
		case 'H': pattern = optarg; break;
		case 'm': setenv("NULLSPACE_HOME", optarg, 1); break;
		case 'p': prepare = optarg; break;
		case 'c': connect = optarg; break;
		case 'k': known = optarg; break;
		case 'r': no_resume = 1; break;
		case 'n': no_renew = 1; break;
		default:
			fprintf(stderr, "nullspace ssh-config: %s: %s\n",
			        c == ':' ? "missing value" : "unknown option", argv[optind - 1]);
			usage(stderr);
			return NS_EXIT_USAGE;
		}
	}
	if (prepare != NULL) {
		return ns_ssh_config_prepare(prepare, agent);
	}
	if (connect != NULL) {
		return ns_ssh_config_connect(connect, no_resume  ? 0
		                                      : no_renew ? NS_SSH_CONFIG_RESUME
		                                                 : NS_SSH_CONFIG_RESUME |
		                                                       NS_SSH_CONFIG_RENEW);
	}
	if (known != NULL) {
		return ns_ssh_config_known_hosts(known, optind < argc ? argv[optind] : known);
	}
	if (optind < argc || !pattern_ok(pattern)) {
		fprintf(stderr, "nullspace ssh-config: %s\n",
		        optind < argc ? "unexpected argument" : "bad --host pattern");
		usage(stderr);
		return NS_EXIT_USAGE;
	}
	if ((rc = make_block(pattern, agent,
	                     no_resume  ? " --no-resume"
	                     : no_renew ? " --no-renew"
	                                : "",
	                     block, sizeof(block))) != 0) {
		return rc;
	}
	if (write) {
		return write_config(block);
	}
	fputs(block, stdout);
	return 0;
}
