/*
 * fuzz-hostspec.c - session specs as POST /sessions and sessions.json
 * give them to the host (src/host/host.c): any bytes, checked both ways.
 * An accepted spec must have kept within the bounds.
 */
#include <stdint.h>
#include <string.h>

#include <cJSON.h>

#include "host/hostint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	const cJSON *argv;
	cJSON *o;

	for (int saved = 0; saved < 2; saved++) {
		if (aa_host_check_spec((const char *)data, size, saved,
		    &why) != 0) {
			if (why == NULL)
				__builtin_trap(); /* a refusal says why */
			continue;
		}
		o = cJSON_ParseWithLength((const char *)data, size);
		argv = cJSON_GetObjectItemCaseSensitive(o, "argv");
		if (!cJSON_IsArray(argv) || cJSON_GetArraySize(argv) < 1 ||
		    cJSON_GetArraySize(argv) > 256)
			__builtin_trap(); /* accepted out of bounds */
		cJSON_Delete(o);
	}
	return 0;
}
