/* Tests for cert/: certificate parsing, text lines, signing, policy,
 * source-address lists and the revocation list, against certificates made
 * by OpenSSH 9.2 ssh-keygen (byte-identical re-signing, ssh-keygen -L on our
 * own output) and hand-built malformed ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "buf.h"
#include "cert_int.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"

/* valid from 2024-01-01T00:00:00Z to 2034-01-01T00:00:00Z */
#define VA 1704067200u
#define VB 2019686400u
#define ALL_DEFAULT_EXT                                                                            \
	(NS_EXT_PERMIT_X11_FORWARDING | NS_EXT_PERMIT_AGENT_FORWARDING |                           \
	 NS_EXT_PERMIT_PORT_FORWARDING | NS_EXT_PERMIT_PTY | NS_EXT_PERMIT_USER_RC)

/* ssh-keygen -t ed25519 -f ca -N '' -C ca (private key, test only) */
static const char CA_KEY[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAA"
    "BAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACB5iW8luOQZq2u0NBDItMzXR9BmYMM50nxw11KRFKYFrgAAAIiDcccRg"
    "3HH\nEQAAAAtzc2gtZWQyNTUxOQAAACB5iW8luOQZq2u0NBDItMzXR9BmYMM50nxw11KRFKYFrg\nAAAEAN0G9Uh"
    "R9Bi/YZ1wKGT/vSYMwR91yHWe932XzpItRU0HmJbyW45Bmra7Q0EMi0zNdH\n0GZgwznSfHDXUpEUpgWuAAAAAmN"
    "hAQID\n-----END OPENSSH PRIVATE KEY-----\n";

/* ca.pub */
#define CA_PUB "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHmJbyW45Bmra7Q0EMi0zNdH0GZgwznSfHDXUpEUpgWu ca"

/* ssh-keygen -t ed25519 -f ca2 -N '' -C ca2: ca2.pub */
#define CA2_PUB                                                                                    \
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKsUN4F947gJwmtU3y8tqtZjgxLHs1iqOHz/5zENURiK ca2"

/* ssh-keygen -t ed25519 -f user -N '' -C user: user.pub */
#define USER_PUB                                                                                   \
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOYT3OgQvtC9d3urVfJb3moNIMA7RJqrMuLYEEFj+p2w user"

/* ssh-keygen -t ed25519 -f host -N '' -C host: host.pub */
#define HOST_PUB                                                                                   \
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMOeGWNtDZDXUFwlqLwRMNcCF5NXEQC2aMdmAkKKxcRK host"

/* ssh-keygen -s ca -I keyid -n alice,bob -V 20240101000000Z:20340101000000Z -z 42 user.pub */
#define CERT_U1                                                                                    \
	"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIH9" \
	"DCCNbnujOBHckT31iEAczH3hgTwmQPshwrYg/UdsOAAAAIOYT3OgQvtC9d3urVfJb3moNIMA7RJqrMuLYEEFj+p2" \
	"wAAAAAAAAACoAAAABAAAABWtleWlkAAAAEAAAAAVhbGljZQAAAANib2IAAAAAZZIAgAAAAAB4YfgAAAAAAAAAAII" \
	"AAAAVcGVybWl0LVgxMS1mb3J3YXJkaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGV" \
	"ybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAA" \
	"AAAAAADMAAAALc3NoLWVkMjU1MTkAAAAgeYlvJbjkGatrtDQQyLTM10fQZmDDOdJ8cNdSkRSmBa4AAABTAAAAC3N" \
	"zaC1lZDI1NTE5AAAAQMH9XlMg8jMqvd6SBIcFZt+eCAJhbbXJxzLjOZHzAU0+DdODuu80yXYTcrnhVUKftiiHG43" \
	"Q85Ofh7bdR0RHzwc= user"

/* ssh-keygen -s ca -I fc-id -n alice -V 20240101000000Z:20340101000000Z -z 43 -O
 * force-command='echo hi' -O source-address=10.0.0.0/8,::1 */
#define CERT_U2                                                                                    \
	"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIKR" \
	"BP5myREV5fKfkvd8K9moTQe5pGKy/XXS2dXK19xG2AAAAIOYT3OgQvtC9d3urVfJb3moNIMA7RJqrMuLYEEFj+p2" \
	"wAAAAAAAAACsAAAABAAAABWZjLWlkAAAACQAAAAVhbGljZQAAAABlkgCAAAAAAHhh+AAAAABIAAAADWZvcmNlLWN" \
	"vbW1hbmQAAAALAAAAB2VjaG8gaGkAAAAOc291cmNlLWFkZHJlc3MAAAASAAAADjEwLjAuMC4wLzgsOjoxAAAAggA" \
	"AABVwZXJtaXQtWDExLWZvcndhcmRpbmcAAAAAAAAAF3Blcm1pdC1hZ2VudC1mb3J3YXJkaW5nAAAAAAAAABZwZXJ" \
	"taXQtcG9ydC1mb3J3YXJkaW5nAAAAAAAAAApwZXJtaXQtcHR5AAAAAAAAAA5wZXJtaXQtdXNlci1yYwAAAAAAAAA" \
	"AAAAAMwAAAAtzc2gtZWQyNTUxOQAAACB5iW8luOQZq2u0NBDItMzXR9BmYMM50nxw11KRFKYFrgAAAFMAAAALc3N" \
	"oLWVkMjU1MTkAAABAi6utepOzEJMm63JD+nLVmJiiUTsSEETE6H9vIsdjRaZrrRCkbsEZTfy/RSoGmR2YxzewUu3" \
	"gX+ulM7yVDYFfAw== user"

/* ssh-keygen -s ca -I vr-id -n alice -V 20240101000000Z:20340101000000Z -z 44 -O verify-required */
#define CERT_U3                                                                                    \
	"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIJr" \
	"5gAuZJalXnw98IQW92lIfoke6iVglFSKw67ASHHY9AAAAIOYT3OgQvtC9d3urVfJb3moNIMA7RJqrMuLYEEFj+p2" \
	"wAAAAAAAAACwAAAABAAAABXZyLWlkAAAACQAAAAVhbGljZQAAAABlkgCAAAAAAHhh+AAAAAAXAAAAD3ZlcmlmeS1" \
	"yZXF1aXJlZAAAAAAAAACCAAAAFXBlcm1pdC1YMTEtZm9yd2FyZGluZwAAAAAAAAAXcGVybWl0LWFnZW50LWZvcnd" \
	"hcmRpbmcAAAAAAAAAFnBlcm1pdC1wb3J0LWZvcndhcmRpbmcAAAAAAAAACnBlcm1pdC1wdHkAAAAAAAAADnBlcm1" \
	"pdC11c2VyLXJjAAAAAAAAAAAAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIHmJbyW45Bmra7Q0EMi0zNdH0GZgwznSfHD" \
	"XUpEUpgWuAAAAUwAAAAtzc2gtZWQyNTUxOQAAAEDHzDvp337/6FcZ3XA1ACaOxXBpGALifwQt44q5wzdErlhzwLi" \
	"IFcgTAWs2BBlyzdAuldhK9704Esdl083r7VIJ user"

/* ssh-keygen -s ca -I clear-id -n alice -V 20240101000000Z:20340101000000Z -z 45 -O clear */
#define CERT_U4                                                                                    \
	"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIMa" \
	"aszuRc5ypwaL0AgXexHqbmgC9JDZXugdDKGU7c21gAAAAIOYT3OgQvtC9d3urVfJb3moNIMA7RJqrMuLYEEFj+p2" \
	"wAAAAAAAAAC0AAAABAAAACGNsZWFyLWlkAAAACQAAAAVhbGljZQAAAABlkgCAAAAAAHhh+AAAAAAAAAAAAAAAAAA" \
	"AAAAzAAAAC3NzaC1lZDI1NTE5AAAAIHmJbyW45Bmra7Q0EMi0zNdH0GZgwznSfHDXUpEUpgWuAAAAUwAAAAtzc2g" \
	"tZWQyNTUxOQAAAEDdC3sal8HuIp+qRWvQj8dzZ6j+ELVVHRCoi0f2YNzwOsyEpEgbUzp2XfQN1+h1Hx2FgJAzHWH" \
	"tIwnKTHYBMV8L user"

/* ssh-keygen -s ca -I nopty-id -n alice -V 20240101000000Z:20340101000000Z -z 46 -O no-pty */
#define CERT_U5                                                                                    \
	"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIB4" \
	"6kZAkij8hpQHuYnbAvZKtXUrRsiWoyIplUJwZ8ux+AAAAIOYT3OgQvtC9d3urVfJb3moNIMA7RJqrMuLYEEFj+p2" \
	"wAAAAAAAAAC4AAAABAAAACG5vcHR5LWlkAAAACQAAAAVhbGljZQAAAABlkgCAAAAAAHhh+AAAAAAAAAAAcAAAABV" \
	"wZXJtaXQtWDExLWZvcndhcmRpbmcAAAAAAAAAF3Blcm1pdC1hZ2VudC1mb3J3YXJkaW5nAAAAAAAAABZwZXJtaXQ" \
	"tcG9ydC1mb3J3YXJkaW5nAAAAAAAAAA5wZXJtaXQtdXNlci1yYwAAAAAAAAAAAAAAMwAAAAtzc2gtZWQyNTUxOQA" \
	"AACB5iW8luOQZq2u0NBDItMzXR9BmYMM50nxw11KRFKYFrgAAAFMAAAALc3NoLWVkMjU1MTkAAABAejOYeRRdO7Q" \
	"WgoCKQSllPGBbmYOlIjTGVAzCnBIqqg57n9qlSR7XhwB4X6fjVSAwz0kxtAlNswvvLQp1rp4gAg== user"

/* ssh-keygen -s ca -I host-id -h -n host.example.org,sb_123 -V 20240101000000Z:20340101000000Z -z
 * 47 host.pub */
#define CERT_H1                                                                                    \
	"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIMr" \
	"9W97k+pmAYM8uTaBtrv4z/D4aWLaQPZU3PnWO1eqLAAAAIMOeGWNtDZDXUFwlqLwRMNcCF5NXEQC2aMdmAkKKxcR" \
	"KAAAAAAAAAC8AAAACAAAAB2hvc3QtaWQAAAAeAAAAEGhvc3QuZXhhbXBsZS5vcmcAAAAGc2JfMTIzAAAAAGWSAIA" \
	"AAAAAeGH4AAAAAAAAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAgeYlvJbjkGatrtDQQyLTM10fQZmDDOdJ" \
	"8cNdSkRSmBa4AAABTAAAAC3NzaC1lZDI1NTE5AAAAQPcAv/0PPo9XDbdNNyh3f2A94Cxbx5SHL/uGgcel3jX3d0G" \
	"xbJ5ymotu8WVq0BSzYZWqwACxAf7PhJkNErIA9Qs= host"

/* ssh-keygen -s ca -I '' -V 20240101000000Z:20340101000000Z (no principals, serial 0) */
#define CERT_U6                                                                                    \
	"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIOf" \
	"eYreO8FVoqqduwNcJXH1jRoXxNtZrKMVu4r9xv1FfAAAAIOYT3OgQvtC9d3urVfJb3moNIMA7RJqrMuLYEEFj+p2" \
	"wAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAZZIAgAAAAAB4YfgAAAAAAAAAAIIAAAAVcGVybWl0LVgxMS1mb3J3YXJ" \
	"kaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwA" \
	"AAAAAAAAKcGVybWl0LXB0eQAAAAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTk" \
	"AAAAgeYlvJbjkGatrtDQQyLTM10fQZmDDOdJ8cNdSkRSmBa4AAABTAAAAC3NzaC1lZDI1NTE5AAAAQHqsdztsrQq" \
	"IL/Z3VeBv3twz3MhHvRWUdwdnuymJoKBCF7rgdstxNc73eaI95sAbkbrWrPofYds34+DQYFfj1Q0= user"

/* ssh-keygen -s ca -I "weird id with spaces" -n a,b,c,d,e,f -V always:forever
 * -z 18446744073709551615 -O no-x11-forwarding -O permit-X11-forwarding
 * -O extension:custom@example.com=value -O critical:unknown@example.com=x */
#define CERT_U7                                                                                    \
	"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIB9" \
	"nsOk3AW711FcaCZPDucI8XBouf50Nh8xiqDx97M3LAAAAIOYT3OgQvtC9d3urVfJb3moNIMA7RJqrMuLYEEFj+p2" \
	"w//////////8AAAABAAAAFHdlaXJkIGlkIHdpdGggc3BhY2VzAAAAHgAAAAFhAAAAAWIAAAABYwAAAAFkAAAAAWU" \
	"AAAABZgAAAAAAAAAA//////////8AAAAgAAAAE3Vua25vd25AZXhhbXBsZS5jb20AAAAFAAAAAXgAAAClAAAAEmN" \
	"1c3RvbUBleGFtcGxlLmNvbQAAAAkAAAAFdmFsdWUAAAAVcGVybWl0LVgxMS1mb3J3YXJkaW5nAAAAAAAAABdwZXJ" \
	"taXQtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB" \
	"0eQAAAAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAgeYlvJbjkGatrtDQ" \
	"QyLTM10fQZmDDOdJ8cNdSkRSmBa4AAABTAAAAC3NzaC1lZDI1NTE5AAAAQHoMuRToDAJUus457jG9oQqRRAUO+Ti" \
	"FuPon5V/j+kk4QypeNvUkqFvcRrwyyuis0QCx21AyfloDgbGNpxkZcQQ= user"

/* Fingerprints as ssh-keygen -l / -L print them. */
#define FP_USER "SHA256:+e5pezz1oCkbWX6PtKc7W65lJ+vYhIMndhIzfPTBL40"
#define FP_CA "SHA256:LG0hT3trNxgfOcA4sRBRtw3aYCron54K7kLfvaxQSSE"
#define FP_HOST "SHA256:2ZlHE6nHtpJXYGnbz7Fol68pnKgPENuZ9B1cXXy+fv8"

static ns_key ca;
static uint8_t ca_pk[NS_ED25519_PK_LEN], ca2_pk[NS_ED25519_PK_LEN];
static uint8_t user_pk[NS_ED25519_PK_LEN], host_pk[NS_ED25519_PK_LEN];
static uint8_t big[2 * NS_CERT_BLOB_MAX];

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || ns_keyfile_parse(CA_KEY, strlen(CA_KEY), &ca) != 0 ||
	    ns_key_from_line(CA_PUB, strlen(CA_PUB), ca_pk, NULL) != 0 ||
	    ns_key_from_line(CA2_PUB, strlen(CA2_PUB), ca2_pk, NULL) != 0 ||
	    ns_key_from_line(USER_PUB, strlen(USER_PUB), user_pk, NULL) != 0 ||
	    ns_key_from_line(HOST_PUB, strlen(HOST_PUB), host_pk, NULL) != 0) {
		return -1;
	}
	return memcmp(ca.pk, ca_pk, NS_ED25519_PK_LEN) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	ns_key_wipe(&ca);
	return 0;
}

/* Decode a line into blob and parse it; the cert views point into blob. */
static void load(const char *line, uint8_t *blob, size_t cap, size_t *len, ns_cert *c)
{
	int why = -1;

	assert_int_equal(ns_cert_from_line(line, strlen(line), blob, cap, len), 0);
	assert_int_equal(ns_cert_parse(blob, *len, c, &why), 0);
	assert_int_equal(why, NS_CERT_OK);
}

static void assert_str(ns_str s, const char *want)
{
	assert_int_equal(s.len, strlen(want));
	assert_true(s.len == 0 || memcmp(s.p, want, s.len) == 0);
}

static void assert_principals(const ns_cert *c, const char *const *want, uint32_t n)
{
	ns_str s;
	uint32_t i;

	assert_int_equal(c->nprincipals, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(ns_cert_principal(c, i, &s), 0);
		assert_str(s, want[i]);
	}
	assert_int_equal(ns_cert_principal(c, n, &s), NS_ERR_NOTFOUND);
}

static void assert_fp(const uint8_t pk[NS_ED25519_PK_LEN], const char *want)
{
	char fp[NS_FINGERPRINT_LEN];

	ns_key_fingerprint(pk, fp);
	assert_string_equal(fp, want);
}

/* Every field of the ssh-keygen certificates, as ssh-keygen -L shows them. */
static void test_parse_vectors(void **state)
{
	static const char *const ab[] = {"alice", "bob"}, *const a[] = {"alice"};
	static const char *const hosts[] = {"host.example.org", "sb_123"};
	uint8_t blob[1024];
	size_t len;
	ns_cert c;
	ns_str v;

	(void)state;
	load(CERT_U1, blob, sizeof(blob), &len, &c);
	assert_ptr_equal(c.blob.p, blob);
	assert_int_equal(c.blob.len, len);
	assert_int_equal(c.nonce.len, 32);
	assert_memory_equal(c.pk, user_pk, 32);
	assert_fp(c.pk, FP_USER);
	assert_int_equal(c.serial, 42);
	assert_int_equal(c.type, NS_CERT_USER);
	assert_str(c.key_id, "keyid");
	assert_principals(&c, ab, 2);
	assert_int_equal(c.valid_after, VA);
	assert_int_equal(c.valid_before, VB);
	assert_int_equal(c.critical_options.len, 0);
	assert_int_equal(c.reserved.len, 0);
	assert_memory_equal(c.ca_pk, ca_pk, 32);
	assert_fp(c.ca_pk, FP_CA);
	assert_int_equal(c.signature.len, NS_SIG_BLOB_LEN);
	assert_int_equal(ns_cert_extension_bits(&c), ALL_DEFAULT_EXT);
	assert_int_equal(ns_cert_option(&c, 1, "force-command", &v), NS_ERR_NOTFOUND);
	assert_int_equal(ns_cert_option(&c, 0, "permit-pty", &v), 0);
	assert_int_equal(v.len, 0);
	assert_int_equal(ns_cert_option(&c, 0, "no-touch-required", &v), NS_ERR_NOTFOUND);

	load(CERT_U2, blob, sizeof(blob), &len, &c);
	assert_int_equal(c.serial, 43);
	assert_str(c.key_id, "fc-id");
	assert_principals(&c, a, 1);
	assert_int_equal(ns_cert_option(&c, 1, "force-command", &v), 0);
	assert_str(v, "echo hi");
	assert_int_equal(ns_cert_option(&c, 1, "source-address", &v), 0);
	assert_str(v, "10.0.0.0/8,::1");
	assert_int_equal(ns_cert_option(&c, 0, "force-command", &v), NS_ERR_NOTFOUND);
	assert_int_equal(ns_cert_extension_bits(&c), ALL_DEFAULT_EXT);

	load(CERT_U3, blob, sizeof(blob), &len, &c);
	assert_int_equal(c.serial, 44);
	assert_int_equal(ns_cert_option(&c, 1, "verify-required", &v), 0);
	assert_int_equal(v.len, 0);

	load(CERT_U4, blob, sizeof(blob), &len, &c);
	assert_str(c.key_id, "clear-id");
	assert_int_equal(c.extensions.len, 0);
	assert_int_equal(ns_cert_extension_bits(&c), 0);

	load(CERT_U5, blob, sizeof(blob), &len, &c);
	assert_int_equal(ns_cert_extension_bits(&c),
	                 ALL_DEFAULT_EXT & ~(uint32_t)NS_EXT_PERMIT_PTY);

	load(CERT_H1, blob, sizeof(blob), &len, &c);
	assert_int_equal(c.type, NS_CERT_HOST);
	assert_int_equal(c.serial, 47);
	assert_str(c.key_id, "host-id");
	assert_fp(c.pk, FP_HOST);
	assert_principals(&c, hosts, 2);
	assert_int_equal(c.extensions.len, 0);

	load(CERT_U6, blob, sizeof(blob), &len, &c);
	assert_int_equal(c.serial, 0);
	assert_int_equal(c.key_id.len, 0);
	assert_principals(&c, NULL, 0);

	load(CERT_U7, blob, sizeof(blob), &len, &c);
	assert_int_equal(c.serial, UINT64_MAX);
	assert_str(c.key_id, "weird id with spaces");
	assert_int_equal(c.nprincipals, 6);
	assert_int_equal(c.valid_after, 0);
	assert_int_equal(c.valid_before, UINT64_MAX);
	assert_int_equal(ns_cert_option(&c, 1, "unknown@example.com", &v), 0);
	assert_str(v, "x");
	assert_int_equal(ns_cert_option(&c, 0, "custom@example.com", &v), 0);
	assert_str(v, "value");
	assert_int_equal(ns_cert_extension_bits(&c), ALL_DEFAULT_EXT);
}

static void test_line(void **state)
{
	static const char *const lines[] = {CERT_U1, CERT_U2, CERT_U3, CERT_U4,
	                                    CERT_U5, CERT_H1, CERT_U6, CERT_U7};
	uint8_t blob[1024];
	char out[2048], line[2048];
	size_t len, i, n;
	ns_cert c;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		load(lines[i], blob, sizeof(blob), &len, &c);
		/* ssh-keygen's line ends in the comment of the signed key */
		n = (size_t)(strrchr(lines[i], ' ') - lines[i]);
		assert_int_equal(ns_cert_to_line(blob, len, NULL, out, sizeof(out)), 0);
		assert_int_equal(strlen(out), n);
		assert_memory_equal(out, lines[i], n);
		assert_int_equal(ns_cert_to_line(blob, len, "a comment", out, sizeof(out)), 0);
		assert_string_equal(out + n, " a comment");
		assert_int_equal(ns_cert_to_line(blob, len, NULL, out, n), NS_ERR_NOMEM);
		assert_int_equal(ns_cert_to_line(blob, len, "bad\ncomment", out, sizeof(out)),
		                 NS_ERR_INVALID);
	}
	/* whitespace around, CRLF, no comment */
	snprintf(line, sizeof(line), " \t%s\r\n", CERT_U1);
	assert_int_equal(ns_cert_from_line(line, strlen(line), blob, sizeof(blob), &len), 0);
	assert_int_equal(
	    ns_cert_from_line(CERT_U1, n = strlen(CERT_U1) - 5, blob, sizeof(blob), &len), 0);
	/* errors */
	assert_int_equal(ns_cert_from_line(USER_PUB, strlen(USER_PUB), blob, sizeof(blob), &len),
	                 NS_ERR_KEYTYPE);
	assert_int_equal(len, 0);
	assert_int_equal(ns_cert_from_line("", 0, blob, sizeof(blob), &len), NS_ERR_FORMAT);
	assert_int_equal(
	    ns_cert_from_line(NS_CERT_ALG, strlen(NS_CERT_ALG), blob, sizeof(blob), &len),
	    NS_ERR_FORMAT);
	assert_int_equal(ns_cert_from_line(CERT_U1, strlen(CERT_U1), blob, 100, &len),
	                 NS_ERR_FORMAT);
	snprintf(line, sizeof(line), "%s\n%s", CERT_U1, CERT_U1);
	assert_int_equal(ns_cert_from_line(line, strlen(line), blob, sizeof(blob), &len),
	                 NS_ERR_FORMAT);
	snprintf(line, sizeof(line), "%s", CERT_U1);
	line[100] = '*';
	assert_int_equal(ns_cert_from_line(line, strlen(line), blob, sizeof(blob), &len),
	                 NS_ERR_FORMAT);
	line[100] = '\0';
	assert_int_equal(ns_cert_from_line(line, strlen(CERT_U1), blob, sizeof(blob), &len),
	                 NS_ERR_FORMAT);
	assert_int_equal(ns_cert_from_line(CERT_U1, NS_CERT_LINE_MAX + 1, blob, sizeof(blob), &len),
	                 NS_ERR_TOOBIG);
}

/* Every prefix, a trailing byte, and every flipped byte must fail. */
static void test_truncate_flip(void **state)
{
	static const char *const lines[] = {CERT_U1, CERT_U2, CERT_H1, CERT_U6};
	uint8_t blob[1024], m[1025];
	size_t len, i, k;
	ns_cert c;
	int why;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		load(lines[i], blob, sizeof(blob), &len, &c);
		for (k = 0; k < len; k++) {
			why = -1;
			assert_int_not_equal(ns_cert_parse(blob, k, &c, &why), 0);
			assert_int_equal(why, NS_CERT_MALFORMED);
			assert_null(c.blob.p);
		}
		memcpy(m, blob, len);
		m[len] = 0;
		assert_int_equal(ns_cert_parse(m, len + 1, &c, &why), NS_ERR_FORMAT);
		assert_int_equal(why, NS_CERT_MALFORMED);
		for (k = 0; k < len; k++) {
			memcpy(m, blob, len);
			m[k] ^= 0x01;
			assert_int_not_equal(ns_cert_parse(m, len, &c, &why), 0);
			assert_int_not_equal(why, NS_CERT_OK);
			/* the raw signature: structure intact, signature wrong */
			if (k >= len - NS_ED25519_SIG_LEN) {
				assert_int_equal(why, NS_CERT_BAD_SIGNATURE);
			}
		}
	}
	assert_int_equal(ns_cert_parse(big, NS_CERT_BLOB_MAX + 1, &c, &why), NS_ERR_TOOBIG);
	assert_int_equal(why, NS_CERT_MALFORMED);
}

/* ---- hand-built certificates, signed so that only the structure is wrong */

typedef struct field {
	const void *p;
	size_t n;
} field;

typedef struct tcert {
	const char *alg;
	field nonce, pk, key_id, principals, crit, ext, reserved, ca;
	uint64_t serial;
	uint32_t type;
	const ns_key *signer;
} tcert;

static uint8_t nonce32[32], ca_blob[NS_KEY_BLOB_LEN], lst[3][8192];

static field F(const void *p, size_t n)
{
	field f = {p, n};
	return f;
}

static field S(const char *s)
{
	return F(s, strlen(s));
}

/* A packed list of strings, into lst[slot]. */
static field pack(int slot, const char *const *items, size_t n)
{
	ns_buf b;
	size_t i;

	ns_buf_init_fixed(&b, lst[slot], sizeof(lst[slot]));
	for (i = 0; i < n; i++) {
		ns_wr_cstr(&b, items[i]);
	}
	assert_int_equal(b.err, 0);
	return F(b.p, b.len);
}

/* Pairs name, value: value NULL -> empty data, else data = string value. */
static field pairs(int slot, const char *const *kv, size_t n)
{
	uint8_t inner[512];
	ns_buf b, d;
	size_t i;

	ns_buf_init_fixed(&b, lst[slot], sizeof(lst[slot]));
	for (i = 0; i + 1 < n; i += 2) {
		ns_buf_init_fixed(&d, inner, sizeof(inner));
		if (kv[i + 1] != NULL) {
			ns_wr_cstr(&d, kv[i + 1]);
		}
		ns_wr_cstr(&b, kv[i]);
		ns_wr_string(&b, d.p, d.len);
	}
	assert_int_equal(b.err, 0);
	return F(b.p, b.len);
}

static void tc_default(tcert *t)
{
	static const char *const alice[] = {"alice"}, *const pty[] = {"permit-pty", NULL};

	memset(nonce32, 0x11, sizeof(nonce32));
	ns_key_blob(ca_pk, ca_blob);
	memset(t, 0, sizeof(*t));
	t->alg = NS_CERT_ALG;
	t->nonce = F(nonce32, 32);
	t->pk = F(user_pk, 32);
	t->serial = 7;
	t->type = NS_CERT_USER;
	t->key_id = S("kid");
	t->principals = pack(0, alice, 1);
	t->ext = pairs(1, pty, 2);
	t->ca = F(ca_blob, sizeof(ca_blob));
	t->signer = &ca;
}

static size_t tc_build(const tcert *t, uint8_t *out, size_t cap)
{
	uint8_t sig[NS_SIG_BLOB_LEN];
	ns_buf b;

	ns_buf_init_fixed(&b, out, cap);
	ns_wr_cstr(&b, t->alg);
	ns_wr_string(&b, t->nonce.p, t->nonce.n);
	ns_wr_string(&b, t->pk.p, t->pk.n);
	ns_wr_u64(&b, t->serial);
	ns_wr_u32(&b, t->type);
	ns_wr_string(&b, t->key_id.p, t->key_id.n);
	ns_wr_string(&b, t->principals.p, t->principals.n);
	ns_wr_u64(&b, VA);
	ns_wr_u64(&b, VB);
	ns_wr_string(&b, t->crit.p, t->crit.n);
	ns_wr_string(&b, t->ext.p, t->ext.n);
	ns_wr_string(&b, t->reserved.p, t->reserved.n);
	ns_wr_string(&b, t->ca.p, t->ca.n);
	assert_int_equal(ns_key_sign(t->signer, out, b.len, sig), 0);
	ns_wr_string(&b, sig, sizeof(sig));
	assert_int_equal(b.err, 0);
	return b.len;
}

/* Build, parse, expect (rc != 0 iff why != OK). */
#define expect(t, want, c) expect_at(t, want, c, __LINE__)
static void expect_at(const tcert *t, int want, ns_cert *c, int line)
{
	size_t n = tc_build(t, big, sizeof(big));
	int why = -1, rc = ns_cert_parse(big, n, c, &why);

	if (why != want || (rc == 0) != (want == NS_CERT_OK)) {
		fail_msg("line %d: reason %s, want %s (rc %d)", line, ns_cert_reason_name(why),
		         ns_cert_reason_name(want), rc);
	}
}

static void test_parse_structure(void **state)
{
	static const char *const unsorted[] = {"permit-pty", NULL, "permit-X11-forwarding", NULL};
	static const char *const dup[] = {"permit-pty", NULL, "permit-pty", NULL};
	static const char *const prefix[] = {"permit-pty", NULL, "permit-pty2", NULL};
	static const char *const crit_unsorted[] = {"source-address", "10.0.0.0/8", "force-command",
	                                            "x"};
	static const char *const flag_data[] = {"permit-pty", "yes"};
	static const char *const unknown_ext[] = {"a@example.com", "anything", "permit-pty", NULL};
	static const char *const empty_name[] = {"", NULL};
	static const char *const bad_name[] = {"permit pty", NULL};
	const char *names[NS_CERT_PRINCIPALS_MAX + 1];
	char pnames[NS_CERT_PRINCIPALS_MAX + 1][8], longname[NS_CERT_NAME_MAX + 2];
	uint8_t rsa_blob[32] = {0, 0, 0, 7, 's', 's', 'h', '-', 'r', 's', 'a'};
	uint8_t cert_blob[1024], nonce[NS_CERT_NONCE_MAX + 1] = {0}, raw[16];
	size_t len, i;
	ns_key other;
	ns_cert c;
	tcert t;

	(void)state;
	tc_default(&t);
	expect(&t, NS_CERT_OK, &c);
	assert_int_equal(ns_cert_extension_bits(&c), NS_EXT_PERMIT_PTY);
	assert_int_equal(c.serial, 7);

	tc_default(&t); /* type names */
	t.alg = "ssh-ed25519";
	expect(&t, NS_CERT_MALFORMED, &c);
	t.alg = "ssh-rsa-cert-v01@openssh.com";
	expect(&t, NS_CERT_MALFORMED, &c);
	t.alg = "ssh-ed25519-cert-v01@openssh.co";
	expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* nonce: 1..NS_CERT_NONCE_MAX */
	t.nonce = F(nonce, 0);
	expect(&t, NS_CERT_MALFORMED, &c);
	t.nonce = F(nonce, 1);
	expect(&t, NS_CERT_OK, &c);
	t.nonce = F(nonce, NS_CERT_NONCE_MAX);
	expect(&t, NS_CERT_OK, &c);
	t.nonce = F(nonce, NS_CERT_NONCE_MAX + 1);
	expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* pk exactly 32 bytes */
	t.pk = F(user_pk, 31);
	expect(&t, NS_CERT_MALFORMED, &c);
	t.pk = F(nonce, 33);
	expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* type 1 or 2 */
	t.type = 0;
	expect(&t, NS_CERT_MALFORMED, &c);
	t.type = 3;
	expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* key id: no NUL, at most NS_CERT_KEY_ID_MAX */
	t.key_id = F("a\0b", 3);
	expect(&t, NS_CERT_MALFORMED, &c);
	t.key_id = F(big + NS_CERT_BLOB_MAX, NS_CERT_KEY_ID_MAX + 1);
	expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* principals: at most 256, each <= NS_CERT_NAME_MAX, no NUL */
	for (i = 0; i <= NS_CERT_PRINCIPALS_MAX; i++) {
		snprintf(pnames[i], sizeof(pnames[i]), "p%zu", i);
		names[i] = pnames[i];
	}
	t.principals = pack(0, names, NS_CERT_PRINCIPALS_MAX);
	expect(&t, NS_CERT_OK, &c);
	assert_int_equal(c.nprincipals, NS_CERT_PRINCIPALS_MAX);
	t.principals = pack(0, names, NS_CERT_PRINCIPALS_MAX + 1);
	expect(&t, NS_CERT_MALFORMED, &c);
	memset(longname, 'x', sizeof(longname));
	longname[NS_CERT_NAME_MAX] = '\0';
	names[0] = longname;
	t.principals = pack(0, names, 1);
	expect(&t, NS_CERT_OK, &c);
	longname[NS_CERT_NAME_MAX] = 'x';
	longname[NS_CERT_NAME_MAX + 1] = '\0';
	t.principals = pack(0, names, 1);
	expect(&t, NS_CERT_MALFORMED, &c);
	t.principals = F("\0\0\0\3a\0b", 7);
	expect(&t, NS_CERT_MALFORMED, &c);
	t.principals = F("\0\0\0\5ab", 6); /* inner string overruns */
	expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* options and extensions: sorted, once, well-formed */
	t.ext = pairs(1, unsorted, 4);
	expect(&t, NS_CERT_MALFORMED, &c);
	t.ext = pairs(1, dup, 4);
	expect(&t, NS_CERT_MALFORMED, &c);
	t.ext = pairs(1, prefix, 4);
	expect(&t, NS_CERT_OK, &c);
	t.ext = pairs(1, flag_data, 2);
	expect(&t, NS_CERT_MALFORMED, &c);
	t.ext = pairs(1, empty_name, 2);
	expect(&t, NS_CERT_MALFORMED, &c);
	t.ext = pairs(1, bad_name, 2);
	expect(&t, NS_CERT_MALFORMED, &c);
	t.ext = pairs(1, unknown_ext, 4);
	expect(&t, NS_CERT_OK, &c);
	assert_int_equal(ns_cert_extension_bits(&c), NS_EXT_PERMIT_PTY);
	memcpy(raw, "\0\0\0\1x\0\0\0\3abc", 12); /* data not a string */
	t.ext = F(raw, 12);
	expect(&t, NS_CERT_MALFORMED, &c);
	memcpy(raw, "\0\0\0\1x\0\0\0\6\0\0\0\1ab", 15); /* data with trailing byte */
	t.ext = F(raw, 15);
	expect(&t, NS_CERT_MALFORMED, &c);
	t.ext = F(raw, 5); /* name without data */
	expect(&t, NS_CERT_MALFORMED, &c);
	tc_default(&t);
	t.crit = pairs(2, crit_unsorted, 4);
	expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* reserved is ignored (PROTOCOL.certkeys) */
	t.reserved = S("future");
	expect(&t, NS_CERT_OK, &c);

	tc_default(&t); /* signature key: a plain ssh-ed25519 key */
	load(CERT_U1, cert_blob, sizeof(cert_blob), &len, &c);
	t.ca = F(cert_blob, len);
	expect(&t, NS_CERT_CA_IS_CERT, &c);
	t.ca = F(rsa_blob, sizeof(rsa_blob));
	expect(&t, NS_CERT_MALFORMED, &c);
	t.ca = F(ca_blob, sizeof(ca_blob) - 1);
	expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* signed by another key than the one named */
	assert_int_equal(ns_key_generate(&other, NULL), 0);
	t.signer = &other;
	expect(&t, NS_CERT_BAD_SIGNATURE, &c);
	ns_key_wipe(&other);
}

/* ---- signing */

static void copy_opt(const ns_cert *c, const char *name, char *buf, size_t cap, const char **out)
{
	ns_str v;

	*out = NULL;
	if (ns_cert_option(c, 1, name, &v) == 0) {
		assert_int_equal(ns_str_copy(v, buf, cap), 0);
		*out = buf;
	}
}

/* Re-sign each ssh-keygen certificate from its parsed fields with the same
 * CA key and nonce: Ed25519 is deterministic, so the bytes must be equal. */
static void test_sign_identical(void **state)
{
	static const char *const lines[] = {CERT_U1, CERT_U2, CERT_U3, CERT_U4, CERT_U5, CERT_H1};
	uint8_t blob[1024], out[1024];
	char kid[64], pn[4][64], fc[64], sa[64];
	const char *pp[4];
	size_t len, outlen, i;
	uint32_t k;
	ns_cert_spec s;
	ns_str v;
	ns_cert c;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		load(lines[i], blob, sizeof(blob), &len, &c);
		memset(&s, 0, sizeof(s));
		s.type = c.type;
		assert_int_equal(ns_str_copy(c.key_id, kid, sizeof(kid)), 0);
		s.key_id = kid;
		s.serial = c.serial;
		for (k = 0; k < c.nprincipals; k++) {
			assert_int_equal(ns_cert_principal(&c, k, &v), 0);
			assert_int_equal(ns_str_copy(v, pn[k], sizeof(pn[k])), 0);
			pp[k] = pn[k];
		}
		s.principals = pp;
		s.nprincipals = c.nprincipals;
		s.valid_after = c.valid_after;
		s.valid_before = c.valid_before;
		copy_opt(&c, "force-command", fc, sizeof(fc), &s.force_command);
		copy_opt(&c, "source-address", sa, sizeof(sa), &s.source_address);
		s.verify_required = ns_cert_option(&c, 1, "verify-required", &v) == 0;
		s.extensions = ns_cert_extension_bits(&c);
		s.nonce = c.nonce.p;
		s.nonce_len = c.nonce.len;
		assert_int_equal(ns_cert_sign(&ca, c.pk, &s, out, sizeof(out), &outlen), 0);
		assert_int_equal(outlen, len);
		assert_memory_equal(out, blob, len);
	}
}

static void base_spec(ns_cert_spec *s, const char *const *principals, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->type = NS_CERT_USER;
	s->key_id = "ours";
	s->serial = 7;
	s->principals = principals;
	s->nprincipals = n;
	s->valid_after = VA;
	s->valid_before = VB;
}

static void test_sign_errors(void **state)
{
	static const char *const ab[] = {"alice", "bob"}, *const empty[] = {""};
	uint8_t out[1024], nonce[8] = {0};
	size_t outlen = 99, i;
	ns_cert_spec s;
	ns_key pub;
	ns_cert c;
	int why;

	(void)state;
	for (i = 1; i < NS_CERT_NEXT; i++) { /* the table is in wire order */
		assert_true(strcmp(ns_cert_ext_names[i - 1].name, ns_cert_ext_names[i].name) < 0);
	}
	base_spec(&s, ab, 2);
	s.extensions = NS_EXT_PERMIT_PTY;
	assert_int_equal(ns_cert_sign(&ca, user_pk, &s, out, sizeof(out), &outlen), 0);
	assert_int_equal(ns_cert_parse(out, outlen, &c, &why), 0);
	assert_int_equal(c.nonce.len, 32);
	/* too small: every cap short of the size fails cleanly */
	for (i = 0; i < outlen; i++) {
		size_t n = 99;
		assert_int_equal(ns_cert_sign(&ca, user_pk, &s, out, i, &n), NS_ERR_NOMEM);
		assert_int_equal(n, 0);
	}
	pub = ca;
	pub.has_sk = 0;
	assert_int_equal(ns_cert_sign(&pub, user_pk, &s, out, sizeof(out), &outlen),
	                 NS_ERR_INVALID);
	sodium_memzero(&pub, sizeof(pub));
#define REFUSE(stmt)                                                                               \
	do {                                                                                       \
		base_spec(&s, ab, 2);                                                              \
		stmt;                                                                              \
		assert_int_equal(ns_cert_sign(&ca, user_pk, &s, out, sizeof(out), &outlen),        \
		                 NS_ERR_INVALID);                                                  \
		assert_int_equal(outlen, 0);                                                       \
	} while (0)
	REFUSE(s.nprincipals = 0);
	REFUSE(s.nprincipals = NS_CERT_PRINCIPALS_MAX + 1);
	REFUSE(s.principals = empty; s.nprincipals = 1);
	REFUSE(s.type = 3);
	REFUSE(s.key_id = NULL);
	REFUSE(s.valid_before = s.valid_after);
	REFUSE(s.nonce = nonce; s.nonce_len = sizeof(nonce));
	REFUSE(s.extensions = 1u << 6);
	REFUSE(s.source_address = "10.0.0.1/8");
	REFUSE(s.source_address = "");
	REFUSE(s.force_command = "");
	REFUSE(s.type = NS_CERT_HOST; s.extensions = NS_EXT_PERMIT_PTY);
	REFUSE(s.type = NS_CERT_HOST; s.force_command = "x");
	REFUSE(s.type = NS_CERT_HOST; s.verify_required = 1);
#undef REFUSE
}

/* Our own certificate as ssh-keygen -L shows it. */
static void test_sign_keygen_reads(void **state)
{
	static const char *const ab[] = {"alice", "sb_123"};
	char path[] = "/tmp/ns_test_cert_XXXXXX", cmd[128], text[4096], line[2048];
	uint8_t out[1024];
	size_t outlen, n;
	ns_cert_spec s;
	FILE *f;
	int fd;

	(void)state;
	if (system("command -v ssh-keygen >/dev/null 2>&1") != 0) {
		skip();
	}
	base_spec(&s, ab, 2);
	s.force_command = "/bin/true";
	s.source_address = "10.0.0.0/8,::1";
	s.verify_required = 1;
	s.extensions = NS_EXT_PERMIT_PTY | NS_EXT_PERMIT_X11_FORWARDING | NS_EXT_NO_TOUCH_REQUIRED;
	assert_int_equal(ns_cert_sign(&ca, user_pk, &s, out, sizeof(out), &outlen), 0);
	assert_int_equal(ns_cert_to_line(out, outlen, "ours", line, sizeof(line)), 0);
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	assert_int_equal(write(fd, "\n", 1), 1);
	close(fd);
	snprintf(cmd, sizeof(cmd), "ssh-keygen -L -f %s 2>&1", path);
	assert_non_null(f = popen(cmd, "r"));
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	assert_int_equal(pclose(f), 0);
	unlink(path);
	assert_non_null(strstr(text, "ssh-ed25519-cert-v01@openssh.com user certificate"));
	assert_non_null(strstr(text, "Public key: ED25519-CERT " FP_USER));
	assert_non_null(strstr(text, "Signing CA: ED25519 " FP_CA));
	assert_non_null(strstr(text, "Key ID: \"ours\""));
	assert_non_null(strstr(text, "Serial: 7"));
	assert_non_null(strstr(text, "Valid: from 2024-01-01T00:00:00 to 2034-01-01T00:00:00"));
	assert_non_null(
	    strstr(text, "Principals: \n                alice\n                sb_123\n"));
	assert_non_null(strstr(text, "Critical Options: \n                force-command /bin/true\n"
	                             "                source-address 10.0.0.0/8,::1\n"
	                             "                verify-required\n"));
	assert_non_null(strstr(text, "Extensions: \n                no-touch-required\n"
	                             "                permit-X11-forwarding\n"
	                             "                permit-pty\n"));
}

/* ---- policy */

static ns_cert_policy pol(const uint8_t (*keys)[NS_ED25519_PK_LEN], size_t nca)
{
	ns_cert_policy p;

	memset(&p, 0, sizeof(p));
	p.ca_keys = keys;
	p.nca = nca;
	p.type = NS_CERT_USER;
	p.principal = "alice";
	p.now = VA + 1000;
	p.peer_addr = "10.1.2.3";
	return p;
}

static void check(const ns_cert *c, const ns_cert_policy *p, int want, ns_cert_verdict *v)
{
	int rc = ns_cert_check(c, p, v);

	assert_string_equal(ns_cert_reason_name(v->reason), ns_cert_reason_name(want));
	assert_int_equal(rc, want == NS_CERT_OK ? 0 : NS_ERR_AUTH);
	if (want != NS_CERT_OK) {
		assert_int_equal(v->has_force_command, 0);
		assert_int_equal(v->extensions, 0);
		assert_int_equal(v->verify_required, 0);
	}
}

static void test_policy(void **state)
{
	uint8_t keys[2][NS_ED25519_PK_LEN], b1[1024], b2[1024], b3[1024], bh[1024], b6[1024];
	uint8_t b5[1024], b7[1024];
	size_t len;
	ns_cert u1, u2, u3, u5, h1, u6, u7, zero;
	ns_cert_policy p;
	ns_cert_verdict v;

	(void)state;
	memcpy(keys[0], ca2_pk, 32);
	memcpy(keys[1], ca_pk, 32);
	load(CERT_U1, b1, sizeof(b1), &len, &u1);
	load(CERT_U2, b2, sizeof(b2), &len, &u2);
	load(CERT_U3, b3, sizeof(b3), &len, &u3);
	load(CERT_U5, b5, sizeof(b5), &len, &u5);
	load(CERT_H1, bh, sizeof(bh), &len, &h1);
	load(CERT_U6, b6, sizeof(b6), &len, &u6);
	load(CERT_U7, b7, sizeof(b7), &len, &u7);

	p = pol(keys, 2);
	check(&u1, &p, NS_CERT_OK, &v);
	assert_int_equal(v.extensions, ALL_DEFAULT_EXT);
	assert_int_equal(v.has_force_command, 0);
	p.principal = "bob";
	check(&u1, &p, NS_CERT_OK, &v);
	/* CA: the other one only, none, the right one only */
	p = pol(keys, 1);
	check(&u1, &p, NS_CERT_UNTRUSTED_CA, &v);
	p = pol(keys, 0);
	check(&u1, &p, NS_CERT_UNTRUSTED_CA, &v);
	p = pol(keys + 1, 1);
	check(&u1, &p, NS_CERT_OK, &v);
	/* type */
	check(&h1, &p, NS_CERT_WRONG_TYPE, &v);
	p.type = NS_CERT_HOST;
	check(&u1, &p, NS_CERT_WRONG_TYPE, &v);
	p.principal = "sb_123";
	check(&h1, &p, NS_CERT_OK, &v);
	p.principal = "sb_123:22";
	check(&h1, &p, NS_CERT_WRONG_PRINCIPAL, &v);
	/* principals */
	p = pol(keys, 2);
	check(&u6, &p, NS_CERT_NO_PRINCIPALS, &v);
	p.principal = "";
	check(&u6, &p, NS_CERT_NO_PRINCIPALS, &v);
	check(&u1, &p, NS_CERT_WRONG_PRINCIPAL, &v);
	p.principal = NULL;
	check(&u1, &p, NS_CERT_WRONG_PRINCIPAL, &v);
	p.principal = "carol";
	check(&u1, &p, NS_CERT_WRONG_PRINCIPAL, &v);
	p.principal = "alic";
	check(&u1, &p, NS_CERT_WRONG_PRINCIPAL, &v);
	p.principal = "alice ";
	check(&u1, &p, NS_CERT_WRONG_PRINCIPAL, &v);
	p.principal = "Alice";
	check(&u1, &p, NS_CERT_WRONG_PRINCIPAL, &v);
	/* validity: valid_after <= now < valid_before */
	p = pol(keys, 2);
	p.now = VA - 1;
	check(&u1, &p, NS_CERT_NOT_YET_VALID, &v);
	p.now = VA;
	check(&u1, &p, NS_CERT_OK, &v);
	p.now = VB - 1;
	check(&u1, &p, NS_CERT_OK, &v);
	p.now = VB;
	check(&u1, &p, NS_CERT_EXPIRED, &v);
	p.now = UINT64_MAX;
	check(&u1, &p, NS_CERT_EXPIRED, &v);
	p.principal = "carol"; /* principal is checked before validity */
	check(&u1, &p, NS_CERT_WRONG_PRINCIPAL, &v);
	/* force-command and source-address 10.0.0.0/8,::1 */
	p = pol(keys, 2);
	check(&u2, &p, NS_CERT_OK, &v);
	assert_int_equal(v.has_force_command, 1);
	assert_str(v.force_command, "echo hi");
	p.peer_addr = "11.0.0.1";
	check(&u2, &p, NS_CERT_SOURCE_ADDRESS, &v);
	p.peer_addr = "::1";
	check(&u2, &p, NS_CERT_OK, &v);
	p.peer_addr = "::2";
	check(&u2, &p, NS_CERT_SOURCE_ADDRESS, &v);
	p.peer_addr = "::ffff:10.9.9.9";
	check(&u2, &p, NS_CERT_OK, &v);
	p.peer_addr = "::ffff:11.9.9.9";
	check(&u2, &p, NS_CERT_SOURCE_ADDRESS, &v);
	p.peer_addr = NULL;
	check(&u2, &p, NS_CERT_SOURCE_ADDRESS, &v);
	p.peer_addr = "not an address";
	check(&u2, &p, NS_CERT_SOURCE_ADDRESS, &v);
	/* verify-required, no permit-pty */
	p = pol(keys, 2);
	check(&u3, &p, NS_CERT_OK, &v);
	assert_int_equal(v.verify_required, 1);
	check(&u5, &p, NS_CERT_OK, &v);
	assert_int_equal(v.extensions & NS_EXT_PERMIT_PTY, 0);
	assert_int_equal(v.extensions & NS_EXT_PERMIT_AGENT_FORWARDING,
	                 NS_EXT_PERMIT_AGENT_FORWARDING);
	/* ssh-keygen -O critical:unknown@example.com=x */
	p.principal = "f";
	check(&u7, &p, NS_CERT_UNKNOWN_OPTION, &v);
	/* a failed parse leaves a zeroed cert that nothing accepts */
	memset(&zero, 0, sizeof(zero));
	memcpy(zero.ca_pk, ca_pk, 32);
	check(&zero, &p, NS_CERT_MALFORMED, &v);
}

static void test_policy_options(void **state)
{
	static const char *const unknown[] = {"no-such-option", "x"};
	static const char *const vr_data[] = {"verify-required", "yes"};
	static const char *const fc_empty[] = {"force-command", ""};
	static const char *const sa_bad[] = {"source-address", "10.0.0.1/8"};
	static const char *const sa_v6[] = {"source-address", "2001:db8::/32,192.168.0.0/16"};
	static const uint8_t fc_flag[] = {0,   0,   0,   13,  'f', 'o', 'r', 'c', 'e', '-', 'c',
	                                  'o', 'm', 'm', 'a', 'n', 'd', 0,   0,   0,   0};
	const uint8_t(*keys)[NS_ED25519_PK_LEN] = &ca_pk;
	ns_cert_policy p = pol(keys, 1);
	ns_cert_verdict v;
	ns_cert c;
	tcert t;

	(void)state;
	tc_default(&t);
	t.crit = pairs(2, unknown, 2);
	expect(&t, NS_CERT_OK, &c);
	check(&c, &p, NS_CERT_UNKNOWN_OPTION, &v);
	t.crit = pairs(2, vr_data, 2);
	expect(&t, NS_CERT_OK, &c);
	check(&c, &p, NS_CERT_MALFORMED, &v);
	t.crit = pairs(2, fc_empty, 2);
	expect(&t, NS_CERT_OK, &c);
	check(&c, &p, NS_CERT_MALFORMED, &v);
	t.crit = F(fc_flag, sizeof(fc_flag));
	expect(&t, NS_CERT_OK, &c);
	check(&c, &p, NS_CERT_MALFORMED, &v);
	t.crit = pairs(2, sa_bad, 2);
	expect(&t, NS_CERT_OK, &c);
	check(&c, &p, NS_CERT_MALFORMED, &v);
	t.crit = pairs(2, sa_v6, 2);
	expect(&t, NS_CERT_OK, &c);
	check(&c, &p, NS_CERT_SOURCE_ADDRESS, &v);
	p.peer_addr = "2001:db8:1::5";
	check(&c, &p, NS_CERT_OK, &v);
	p.peer_addr = "::ffff:192.168.3.4";
	check(&c, &p, NS_CERT_OK, &v);
	p.peer_addr = "192.168.3.4";
	check(&c, &p, NS_CERT_OK, &v);
	/* a host certificate with any critical option */
	tc_default(&t);
	t.type = NS_CERT_HOST;
	t.crit = pairs(2, sa_v6, 2);
	expect(&t, NS_CERT_OK, &c);
	p.type = NS_CERT_HOST;
	p.principal = "alice";
	check(&c, &p, NS_CERT_UNKNOWN_OPTION, &v);
}

static void test_policy_revoked(void **state)
{
	static const struct {
		const char *list;
		int want;
	} cases[] = {
	    {"", NS_CERT_OK},
	    {"# nothing\n\n   \n", NS_CERT_OK},
	    {"serial: 42", NS_CERT_REVOKED_SERIAL},
	    {"serial: 41\nserial: 43\n", NS_CERT_OK},
	    {"serial: 40-50\n", NS_CERT_REVOKED_SERIAL},
	    {"serial:42-42", NS_CERT_REVOKED_SERIAL},
	    {"serial: 43-18446744073709551615", NS_CERT_OK},
	    {"  id: keyid  \r\n", NS_CERT_REVOKED_KEY_ID},
	    {"id: keyi\nid: keyid2\nid: KEYID", NS_CERT_OK},
	    {"key: " CA2_PUB, NS_CERT_OK},
	    {"# the user's key\nkey: " USER_PUB "\n", NS_CERT_REVOKED_KEY},
	    {"key: " CA_PUB, NS_CERT_REVOKED_KEY},
	    {"serial: 1\nid: x\nkey: " CA2_PUB "\nserial: 42\n", NS_CERT_REVOKED_SERIAL},
	    /* a malformed line anywhere voids the whole list: refuse */
	    {"serial: 42x", NS_CERT_MALFORMED},
	    {"serial: 1\nserial: forty-two\n", NS_CERT_MALFORMED},
	    {"id: keyid\nbogus\n", NS_CERT_MALFORMED},
	    {"serial: 0", NS_CERT_MALFORMED},
	    {"serial: 50-40", NS_CERT_MALFORMED},
	    {"serial: 18446744073709551616", NS_CERT_MALFORMED},
	    {"key: ssh-ed25519 AAAA", NS_CERT_MALFORMED},
	};
	uint8_t blob[1024];
	const uint8_t(*keys)[NS_ED25519_PK_LEN] = &ca_pk;
	ns_cert_policy p = pol(keys, 1);
	ns_cert_verdict v;
	size_t len, i;
	ns_cert c;
	int why;

	(void)state;
	load(CERT_U1, blob, sizeof(blob), &len, &c);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p.revoked = cases[i].list;
		p.revoked_len = strlen(cases[i].list);
		check(&c, &p, cases[i].want, &v);
		why = -1;
		assert_int_equal(ns_revoked_check(p.revoked, p.revoked_len, &c, &why),
		                 cases[i].want == NS_CERT_OK ? 0 : NS_ERR_AUTH);
		assert_int_equal(why, cases[i].want);
	}
	/* expiry is reported before revocation */
	p.revoked = "serial: 42";
	p.revoked_len = strlen(p.revoked);
	p.now = VB;
	check(&c, &p, NS_CERT_EXPIRED, &v);
}

static void test_revoked_lines(void **state)
{
	static const char *const good[] = {
	    "",
	    "   ",
	    "# comment",
	    "serial: 1",
	    "serial:1",
	    "serial: 1-1",
	    "serial:\t5-10\n",
	    "serial: 18446744073709551615",
	    "id: a key id with spaces",
	    "id:x",
	    "key: " USER_PUB,
	    "key: ssh-ed25519 "
	    "AAAAC3NzaC1lZDI1NTE5AAAAIOYT3OgQvtC9d3urVfJb3moNIMA7RJqrMuLYEEFj+p2w",
	};
	static const char *const bad[] = {
	    "serial",
	    "serial:",
	    "serial: -1",
	    "serial: +1",
	    "serial: 1-",
	    "serial: -",
	    "serial: 1 - 2",
	    "serial: 0x10",
	    "serial: 0",
	    "serial: 0-5",
	    "serial: 3-2",
	    "serial: 99999999999999999999",
	    "Serial: 1",
	    "serial : 1",
	    "id:",
	    "id:   ",
	    "key:",
	    "key: " CA_PUB "x\ny",
	    "key: ssh-rsa AAAA",
	    "key: " CERT_U1,
	    "revoke everything",
	    "a\rb",
	};
	char longid[NS_CERT_KEY_ID_MAX + 8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(ns_revoked_line_parse(good[i], strlen(good[i])), 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ns_revoked_line_parse(bad[i], strlen(bad[i])), NS_ERR_FORMAT);
	}
	assert_int_equal(ns_revoked_line_parse("id: a\0b", 7), NS_ERR_FORMAT);
	memcpy(longid, "id: ", 4);
	memset(longid + 4, 'x', NS_CERT_KEY_ID_MAX);
	assert_int_equal(ns_revoked_line_parse(longid, 4 + NS_CERT_KEY_ID_MAX), 0);
	longid[4 + NS_CERT_KEY_ID_MAX] = 'x';
	assert_int_equal(ns_revoked_line_parse(longid, 5 + NS_CERT_KEY_ID_MAX), NS_ERR_FORMAT);
}

static void test_cidr(void **state)
{
	static const struct {
		const char *list, *addr;
		int want;
	} cases[] = {
	    {"10.0.0.0/8", "10.255.0.1", 1},
	    {"10.0.0.0/8", "11.0.0.1", 0},
	    {"10.1.2.3", "10.1.2.3", 1},
	    {"10.1.2.3/32", "10.1.2.4", 0},
	    {"0.0.0.0/0", "203.0.113.9", 1},
	    {"0.0.0.0/0", "::1", 0},
	    {"192.168.0.0/23", "192.168.1.255", 1},
	    {"192.168.0.0/23", "192.168.2.0", 0},
	    {"::1", "::1", 1},
	    {"::1", "::2", 0},
	    {"2001:db8::/32", "2001:db8:ffff::1", 1},
	    {"2001:db8::/32", "2001:db9::1", 0},
	    {"::/0", "fe80::1", 1},
	    {"::/0", "10.0.0.1", 0},
	    {"10.0.0.0/8", "::ffff:10.0.0.1", 1},
	    {"10.0.0.0/8", "::ffff:11.0.0.1", 0},
	    {"::ffff:10.0.0.0/104", "10.2.3.4", 1},
	    {"::ffff:10.0.0.0/104", "::ffff:10.2.3.4", 1},
	    {"1.2.3.4,10.0.0.0/8,::1", "::1", 1},
	    {"1.2.3.4,10.0.0.0/8", "10.0.0.9", 1},
	    {"1.2.3.4", NULL, 0},
	    {"1.2.3.4", "", 0},
	    {"1.2.3.4", "1.2.3.4/32", 0},
	    {"1.2.3.4", "01.2.3.4", 0},
	    {"FE80::/10", "fe80::1", 1},
	    {"10.0.0.0/08", "10.0.0.1", 1},
	    /* malformed lists, wherever the bad entry is */
	    {"", "10.0.0.1", NS_ERR_FORMAT},
	    {",", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/8,", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/8,,::1", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/8, ::1", "10.0.0.1", NS_ERR_FORMAT},
	    {"!10.0.0.0/8", "11.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/8,!::1", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.1/8", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/33", "10.0.0.1", NS_ERR_FORMAT},
	    {"::/129", "::1", NS_ERR_FORMAT},
	    {"10.0.0.0/", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/1000", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/8/8", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.256", "10.0.0.1", NS_ERR_FORMAT},
	    {"*", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.*", "10.0.0.1", NS_ERR_FORMAT},
	    {"example.com", "10.0.0.1", NS_ERR_FORMAT},
	    {"fe80::1%eth0", "fe80::1", NS_ERR_FORMAT},
	    {"2001:db8::1/32", "2001:db8::1", NS_ERR_FORMAT},
	    {"1.2.3.4,ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128", "1.2.3.4", 1},
	    {"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2555", "1.2.3.4", NS_ERR_FORMAT},
	};
	ns_str l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		l.p = (const uint8_t *)cases[i].list;
		l.len = strlen(cases[i].list);
		if (ns_cidr_list_match(l, cases[i].addr) != cases[i].want) {
			fail_msg("case %zu: \"%s\" vs %s", i, cases[i].list,
			         cases[i].addr ? cases[i].addr : "NULL");
		}
	}
	l.p = (const uint8_t *)"10.0.0.0/8\0,::1";
	l.len = 15;
	assert_int_equal(ns_cidr_list_match(l, "10.0.0.1"), NS_ERR_FORMAT);
}

static void test_reason_names(void **state)
{
	static const char *const names[] = {
	    "ok",
	    "malformed",
	    "bad-signature",
	    "ca-is-cert",
	    "untrusted-ca",
	    "wrong-type",
	    "no-principals",
	    "wrong-principal",
	    "not-yet-valid",
	    "expired",
	    "unknown-critical-option",
	    "source-address",
	    "revoked-serial",
	    "revoked-key-id",
	    "revoked-key",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_string_equal(ns_cert_reason_name((int)i), names[i]);
	}
	assert_int_equal(NS_CERT_REVOKED_KEY + 1, (int)(sizeof(names) / sizeof(names[0])));
	assert_string_equal(ns_cert_reason_name(-1), "unknown");
	assert_string_equal(ns_cert_reason_name(NS_CERT_REVOKED_KEY + 1), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_vectors),     cmocka_unit_test(test_line),
	    cmocka_unit_test(test_truncate_flip),     cmocka_unit_test(test_parse_structure),
	    cmocka_unit_test(test_sign_identical),    cmocka_unit_test(test_sign_errors),
	    cmocka_unit_test(test_sign_keygen_reads), cmocka_unit_test(test_policy),
	    cmocka_unit_test(test_policy_options),    cmocka_unit_test(test_policy_revoked),
	    cmocka_unit_test(test_revoked_lines),     cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
