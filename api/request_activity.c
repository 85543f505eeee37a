/* POST /v1/activity's body: {"sandboxes": [ids]} read by jansson into a
 * fixed table, each id checked as the registry checks sandbox ids, an id
 * named twice kept once, at most NS_API_ACTIVITY_MAX; unknown members are
 * ignored as in every other body. */
#include "request_activity.h"

#include <jansson.h>
#include <string.h>

#include "json_object.h"
#include "nullspace/error.h"
#include "registry.h"

#define NOT_JSON "the request body is not valid JSON (or repeats a member)"
#define NOT_OBJECT "the request body must be a JSON object"
#define NOT_LIST "sandboxes must be an array of sandbox ids"

static int seen(const ns_activity_request *out, const char *id)
{
	size_t i;

	for (i = 0; i < out->n; i++) {
		if (strcmp(out->ids[i], id) == 0) {
			return 1;
		}
	}
	return 0;
}

/* One element of the array into out. */
static int take(json_t *v, ns_activity_request *out, const char **why)
{
	size_t n;

	if (!json_is_string(v)) {
		*why = NOT_LIST;
		return NS_ERR_FORMAT;
	}
	n = json_string_length(v);
	if (n == 0 || n > NS_API_ID_MAX || strlen(json_string_value(v)) != n ||
	    !ns_registry_id_valid(json_string_value(v))) {
		*why = "a sandbox id must be 1 to 64 of A-Z, a-z, 0-9, '_' and '-'";
		return NS_ERR_INVALID;
	}
	if (seen(out, json_string_value(v))) {
		return 0;
	}
	memcpy(out->ids[out->n], json_string_value(v), n + 1);
	out->n++;
	return 0;
}

int ns_api_parse_activity(const char *body, size_t len, ns_activity_request *out, const char **why)
{
	json_t *j = NULL, *arr;
	size_t i;
	int rc = NS_ERR_FORMAT;

	out->n = 0;
	*why = NULL;
	if (len == 0) {
		*why = "sandboxes is required (an array of sandbox ids)";
		goto out;
	}
	if ((j = ns_json_object_load(body, len, NOT_JSON, NOT_OBJECT, why)) == NULL) {
		goto out;
	}
	arr = json_object_get(j, "sandboxes");
	if (!json_is_array(arr)) {
		*why = NOT_LIST;
		goto out;
	}
	if (json_array_size(arr) > NS_API_ACTIVITY_MAX) {
		*why = "sandboxes names more than 512 ids: send several reports";
		rc = NS_ERR_INVALID;
		goto out;
	}
	for (i = 0; i < json_array_size(arr); i++) {
		if ((rc = take(json_array_get(arr, i), out, why)) != 0) {
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(j);
	if (rc != 0) {
		out->n = 0;
	}
	return rc;
}
