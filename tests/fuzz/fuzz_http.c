/*
 * Fuzz the health check's reading of an answer: the HTTP response parser
 * and the "status" of the JSON body after it. Whatever the bytes, neither
 * reads outside them, and a parsed head ends inside them.
 */
#include "http_probe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: AddressSanitizer sees a read past
	 * the end. */
	char *copy = malloc(size ? size : 1);
	struct http_response r;
	char status[32];

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (http_parse_response(copy, size, &r) == 1) {
		if (r.body > size || r.status < 100 || r.status > 999)
			abort();
		if (http_json_status(copy + r.body, size - r.body, status, sizeof(status)) &&
		    strlen(status) >= sizeof(status))
			abort();
	}
	http_json_status(copy, size, status, sizeof(status));
	free(copy);
	return 0;
}
