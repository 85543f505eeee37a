/* One JSON object from a body (json_object.h): duplicate members refused,
 * so that two readers can never see two different values. */
#include "json_object.h"

json_t *ns_json_object_load(const char *body, size_t len, const char *not_json,
                            const char *not_object, const char **why)
{
	json_error_t jerr;
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);

	if (j == NULL) {
		*why = not_json;
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*why = not_object;
		return NULL;
	}
	return j;
}
