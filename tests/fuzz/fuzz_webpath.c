/*
 * libFuzzer target: comradarr-serve's request path canonicalisation and
 * query decoding.  Whatever the bytes, an accepted path is in canonical
 * form: it starts with '/', has no empty, "." or ".." segment, no segment
 * ending in '.', no control character, backslash or ';', no trailing '/',
 * and canonicalising it again gives it back unchanged (one meaning only).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/path.h"
#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[WEB_PATH_MAX + 64], out[WEB_PATH_MAX + 1], again[WEB_PATH_MAX + 1], q[128];
	const char *why;
	size_t n = size < sizeof(in) - 1 ? size : sizeof(in) - 1;

	memcpy(in, data, n);
	in[n] = '\0';
	(void)web_query_decode(in, n, q, sizeof(q));
	if (web_path_normalise(in, out, sizeof(out), &why) < 0) {
		if (why == NULL)
			abort();
		return 0;
	}
	if (out[0] != '/' || strstr(out, "//") != NULL || strstr(out, "/./") != NULL ||
	    strstr(out, "/../") != NULL || strpbrk(out, "\\;") != NULL)
		abort();
	for (const char *p = out; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
		if (*p == '.' && (p[1] == '/' || p[1] == '\0'))
			abort();
	}
	if (strcmp(out, "/") != 0 && out[strlen(out) - 1] == '/')
		abort();
	/* the canonical form of a canonical path is itself, unless it holds a
	 * '%' (which the second pass would read as an escape) */
	if (strchr(out, '%') == NULL &&
	    (web_path_normalise(out, again, sizeof(again), &why) < 0 || strcmp(out, again) != 0))
		abort();
	return 0;
}
