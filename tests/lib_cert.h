/* Certificate fixtures shared by the tests/test_cert_*.c suites: an
 * ssh-keygen CA with the certificates OpenSSH 9.2 made with it, a group
 * setup that loads them, a policy helper, and a builder of hand-made
 * certificates signed so that only their structure is wrong. Exports: tc_. */
#ifndef NS_TESTS_LIB_CERT_H
#define NS_TESTS_LIB_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "nullspace/cert.h"
#include "nullspace/keys.h"

/* valid from 2024-01-01T00:00:00Z to 2034-01-01T00:00:00Z */
#define VA 1704067200u
#define VB 2019686400u
#define ALL_DEFAULT_EXT                                                                            \
	(NS_EXT_PERMIT_X11_FORWARDING | NS_EXT_PERMIT_AGENT_FORWARDING |                           \
	 NS_EXT_PERMIT_PORT_FORWARDING | NS_EXT_PERMIT_PTY | NS_EXT_PERMIT_USER_RC)

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

extern ns_key tc_ca; /* the CA private key, loaded by tc_setup */
extern uint8_t tc_ca_pk[NS_ED25519_PK_LEN], tc_ca2_pk[NS_ED25519_PK_LEN];
extern uint8_t tc_user_pk[NS_ED25519_PK_LEN], tc_host_pk[NS_ED25519_PK_LEN];
extern uint8_t tc_ca_blob[NS_KEY_BLOB_LEN];  /* tc_ca_pk as a key blob, after tc_default */
extern uint8_t tc_big[2 * NS_CERT_BLOB_MAX]; /* scratch, larger than any certificate */

/* cmocka group setup and teardown: load the keys above. */
int tc_setup(void **state);
int tc_teardown(void **state);

/* Decode a line into blob and parse it; the cert views point into blob. */
void tc_load(const char *line, uint8_t *blob, size_t cap, size_t *len, ns_cert *c);
void tc_assert_str(ns_str s, const char *want);

/* ---- policy */

/* A user-certificate policy for "alice" from 10.1.2.3, inside VA..VB. */
ns_cert_policy tc_policy(const uint8_t (*keys)[NS_ED25519_PK_LEN], size_t nca);
/* ns_cert_check gives want (and a refusal grants nothing). */
void tc_check(const ns_cert *c, const ns_cert_policy *p, int want, ns_cert_verdict *v);

/* ---- hand-built certificates */

typedef struct tc_field {
	const void *p;
	size_t n;
} tc_field;

typedef struct tcert {
	const char *alg;
	tc_field nonce, pk, key_id, principals, crit, ext, reserved, ca;
	uint64_t serial;
	uint32_t type;
	const ns_key *signer;
} tcert;

tc_field tc_bytes(const void *p, size_t n);
tc_field tc_cstr(const char *s);
/* A packed list of strings, into scratch slot 0..2. */
tc_field tc_pack(int slot, const char *const *items, size_t n);
/* Pairs name, value: value NULL -> empty data, else data = string value. */
tc_field tc_pairs(int slot, const char *const *kv, size_t n);
/* A valid user certificate for alice, permit-pty, signed by tc_ca. */
void tc_default(tcert *t);
size_t tc_build(const tcert *t, uint8_t *out, size_t cap);
/* Build into tc_big, parse, expect the reason (rc != 0 iff it is not OK). */
#define tc_expect(t, want, c) tc_expect_at(t, want, c, __LINE__)
void tc_expect_at(const tcert *t, int want, ns_cert *c, int line);

#endif
