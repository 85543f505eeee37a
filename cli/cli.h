/* Entry points of the `nullspace` commands (one file each in cli/). */
#ifndef NS_CLI_H
#define NS_CLI_H

int ns_cmd_connect(int argc, char **argv);
int ns_cmd_agent(int argc, char **argv);
int ns_cmd_relay(int argc, char **argv);
int ns_cmd_keygen(int argc, char **argv);
int ns_cmd_cert(int argc, char **argv);

#endif
