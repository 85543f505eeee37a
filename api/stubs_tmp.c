/* TEMPORARY stubs so the tree links while the control plane is written;
 * each helper deletes the stubs of the functions it implements. */
#include <string.h>

#include "apikey.h"
#include "mint.h"
#include "nullspace/error.h"
#include "nullspace/sdk.h"
#include "request.h"
#include "runtime.h"
#include "server.h"

/* runtime (runtime helper) */
int ns_runtime_open(const ns_runtime_config *cfg, ns_runtime **out, char *err, size_t cap) { (void)cfg; (void)out; (void)err; (void)cap; return NS_ERR_UNSUPPORTED; }
void ns_runtime_close(ns_runtime *rt) { (void)rt; }
int ns_runtime_create(ns_runtime *rt, const char *t, uint32_t to, int64_t now, ns_sandbox_info *out, char *err, size_t cap) { (void)rt; (void)t; (void)to; (void)now; (void)out; (void)err; (void)cap; return NS_ERR_UNSUPPORTED; }
int ns_runtime_get(ns_runtime *rt, const char *id, ns_sandbox_info *out) { (void)rt; (void)id; (void)out; return NS_ERR_UNSUPPORTED; }
size_t ns_runtime_list(ns_runtime *rt, ns_sandbox_info *out, size_t cap) { (void)rt; (void)out; (void)cap; return 0; }
int ns_runtime_kill(ns_runtime *rt, const char *id, const char *reason) { (void)rt; (void)id; (void)reason; return NS_ERR_UNSUPPORTED; }
void ns_runtime_tick(ns_runtime *rt, int64_t now) { (void)rt; (void)now; }

/* apikey, mint, request, server (server helper) */
void ns_apikey_generate(char out[NS_APIKEY_LEN + 1]) { out[0] = '\0'; }
void ns_apikey_hash(const char *key, size_t len, uint8_t out[NS_APIKEY_HASH_LEN]) { (void)key; (void)len; memset(out, 0, NS_APIKEY_HASH_LEN); }
int ns_apikeys_parse(const char *text, size_t len, ns_apikeys *out, int *line) { (void)text; (void)len; (void)out; (void)line; return NS_ERR_UNSUPPORTED; }
int ns_apikeys_load(const char *path, ns_apikeys *out, char *err, size_t cap) { (void)path; (void)out; (void)err; (void)cap; return NS_ERR_UNSUPPORTED; }
int ns_apikeys_add(const char *path, ns_apikeys *ks, const char *key, char *err, size_t cap) { (void)path; (void)ks; (void)key; (void)err; (void)cap; return NS_ERR_UNSUPPORTED; }
int ns_apikeys_check(const ns_apikeys *ks, const char *key, size_t len) { (void)ks; (void)key; (void)len; return 0; }
void ns_apikeys_free(ns_apikeys *ks) { (void)ks; }
int ns_mint_access(const ns_key *ca, const char *sandbox_id, const char *public_key, size_t len, int minutes, int64_t now, ns_minted *out, const char **why) { (void)ca; (void)sandbox_id; (void)public_key; (void)len; (void)minutes; (void)now; (void)out; (void)why; return NS_ERR_UNSUPPORTED; }
void ns_random_id(const char *prefix, size_t n, char *out) { (void)prefix; (void)n; out[0] = '\0'; }
int ns_api_route(const char *path, char id[NS_API_ID_MAX + 1]) { (void)path; id[0] = '\0'; return NS_ROUTE_NONE; }
int ns_api_parse_create(const char *body, size_t len, ns_create_request *out, const char **why) { (void)body; (void)len; (void)out; (void)why; return NS_ERR_UNSUPPORTED; }
int ns_api_parse_access(const char *body, size_t len, ns_access_request *out, const char **why) { (void)body; (void)len; (void)out; (void)why; return NS_ERR_UNSUPPORTED; }
int ns_api_server_start(const ns_api_server_config *cfg, ns_api_server **out, char *err, size_t cap) { (void)cfg; (void)out; (void)err; (void)cap; return NS_ERR_UNSUPPORTED; }
int ns_api_server_run(ns_api_server *s, int timeout_ms) { (void)s; (void)timeout_ms; return NS_ERR_UNSUPPORTED; }
void ns_api_server_stop(ns_api_server *s) { (void)s; }
int ns_api_known_hosts_line(const char *host, unsigned port, const uint8_t pk[NS_ED25519_PK_LEN], char *out, size_t cap) { (void)host; (void)port; (void)pk; (void)out; (void)cap; return NS_ERR_UNSUPPORTED; }
int ns_api_access_command(const char *user, const char *host, unsigned port, char *out, size_t cap) { (void)user; (void)host; (void)port; (void)out; (void)cap; return NS_ERR_UNSUPPORTED; }

/* sdk, config (sdk helper) */
int ns_api_open(ns_api **out, const char *url, const char *key, char *err, size_t cap) { (void)out; (void)url; (void)key; (void)err; (void)cap; return NS_ERR_UNSUPPORTED; }
void ns_api_close(ns_api *api) { (void)api; }
const char *ns_api_error(const ns_api *api) { (void)api; return ""; }
int ns_api_status(const ns_api *api) { (void)api; return 0; }
const char *ns_api_url(const ns_api *api) { (void)api; return ""; }
int ns_api_sandbox_create(ns_api *api, const char *t, uint32_t to, ns_sandbox_info *out) { (void)api; (void)t; (void)to; (void)out; return NS_ERR_UNSUPPORTED; }
int ns_api_sandbox_get(ns_api *api, const char *id, ns_sandbox_info *out) { (void)api; (void)id; (void)out; return NS_ERR_UNSUPPORTED; }
int ns_api_sandbox_list(ns_api *api, ns_sandbox_info *out, size_t cap, size_t *n) { (void)api; (void)out; (void)cap; (void)n; return NS_ERR_UNSUPPORTED; }
int ns_api_sandbox_kill(ns_api *api, const char *id) { (void)api; (void)id; return NS_ERR_UNSUPPORTED; }
int ns_api_create_ssh_access(ns_api *api, const char *sb, const char *pk, int m, ns_ssh_access *out) { (void)api; (void)sb; (void)pk; (void)m; (void)out; return NS_ERR_UNSUPPORTED; }
void ns_ssh_access_free(ns_ssh_access *a) { (void)a; }
int ns_api_decode_sandbox(const char *body, size_t len, ns_sandbox_info *out, const char **why) { (void)body; (void)len; (void)out; (void)why; return NS_ERR_UNSUPPORTED; }
int ns_api_decode_sandbox_list(const char *body, size_t len, ns_sandbox_info *out, size_t cap, size_t *n, const char **why) { (void)body; (void)len; (void)out; (void)cap; (void)n; (void)why; return NS_ERR_UNSUPPORTED; }
int ns_api_decode_access(const char *body, size_t len, ns_ssh_access *out, const char **why) { (void)body; (void)len; (void)out; (void)why; return NS_ERR_UNSUPPORTED; }
int ns_api_decode_error(const char *body, size_t len, char *msg, size_t cap) { (void)body; (void)len; (void)msg; (void)cap; return NS_ERR_UNSUPPORTED; }
int ns_api_config_parse(const char *text, size_t len, ns_api_config *out, int *line) { (void)text; (void)len; (void)out; (void)line; return NS_ERR_UNSUPPORTED; }
int ns_api_home(char *out, size_t cap) { (void)out; (void)cap; return NS_ERR_UNSUPPORTED; }
int ns_api_config_load(const char *home, ns_api_config *out, char *err, size_t cap) { (void)home; (void)out; (void)err; (void)cap; return NS_ERR_UNSUPPORTED; }
int ns_api_config_save(const char *home, const ns_api_config *cfg, char *err, size_t cap) { (void)home; (void)cfg; (void)err; (void)cap; return NS_ERR_UNSUPPORTED; }
