/* Public keys made by OpenSSH 9.2 ssh-keygen, as the lines of
 * authorized_keys and known_hosts hold them, shared by the authfile and
 * known_hosts suites. Exports: kl_. */
#ifndef NS_TESTS_LIB_KEYLINES_H
#define NS_TESTS_LIB_KEYLINES_H

#include <stdint.h>

/* ssh-keygen -t ed25519 -C test: k.pub */
#define B64_K "AAAAC3NzaC1lZDI1NTE5AAAAIHfKll5C3VKMwONnIhoIKOq/uogrlCFlGQkt3uiRnDpi"
extern const uint8_t kl_pk_k[32]; /* the key in B64_K */
/* another ed25519 key (-C '') and an RSA key */
#define B64_NC "AAAAC3NzaC1lZDI1NTE5AAAAIJqR3MvSvnQimiSwmzW0o1pwEy0pcl0lgi5xXgWRU51t"
#define LINE_RSA                                                                                   \
	"ssh-rsa "                                                                                 \
	"AAAAB3NzaC1yc2EAAAADAQABAAAAgQDnE1HhgeflqILbkAweGXAzWEI7ngUB7WFGjqaZPtCn0VUhlfv9M8Oao4ov" \
	"+"                                                                                        \
	"vpACc56jawmCpJuZgT5LNLyBbk2tl+iUxTLh+lKCuHjtmNLHkHjFFaH7/"                                \
	"aaroTm4CSLpDx+STv3CAhk0FWyj9zVXEezCU03Ljep2kga7KH48WFekQ== rsa"

/* cmocka group setup: sodium_init. */
int kl_setup(void **state);

#endif
