/*
 * fuzz-json.c - the JSON request-body helper and the response encoder.
 *
 * Input: first byte picks the Content-Type, the rest is the body.  Any
 * parsed tree is re-encoded with the $schema decoration, and so is the
 * problem object of a refused body.
 */
#include <stdint.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "api/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {
		NULL, "application/json", "text/plain", "application/x+json",
		"application/json; charset=utf-8", "",
	};
	struct aa_buf out;
	cJSON *tree, *problem;

	if (size < 1)
		return 0;
	aa_buf_init(&out);
	aa_json_parse_body(types[data[0] % AA__ARRAY_SIZE(types)],
	    (const char *)data + 1, size - 1, &tree, &problem);
	if (tree != NULL)
		aa_json_encode(&out, "localhost", "X", tree);
	if (problem != NULL)
		aa_json_encode(&out, "example.com", "ErrorModel", problem);
	cJSON_Delete(tree);
	cJSON_Delete(problem);
	aa_buf_release(&out);
	return 0;
}
