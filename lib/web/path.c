/*
 * path.c - request path canonicalisation (see path.h).
 */
#include <string.h>

#include "web/path.h"
#include "web/web.h"
#include "core/banned.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A byte no segment may hold, raw or escaped. */
static int
forbidden(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '\\' || c == ';';
}

int
web_path_normalise(const char *raw, char *out, size_t size, const char **why)
{
	size_t n = 0, seg_start = 0;
	int segments = 0;
	const char *p;

	*why = NULL;
	if (size == 0)
		return -1;
	out[0] = '\0';
	if (raw == NULL || raw[0] != '/') {
		*why = "path must start with '/'";
		return -1;
	}
	if (strlen(raw) > WEB_PATH_MAX) {
		*why = "path too long";
		return -1;
	}
	if (strcmp(raw, "/") == 0) {
		if (size < 2)
			return -1;
		memcpy(out, "/", 2);
		return 0;
	}
	for (p = raw; ; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '/' || c == '\0') {
			size_t seglen;

			if (n > 0) {	/* end the segment before this separator */
				seglen = n - seg_start;
				if (seglen == 0) {
					*why = c == '\0' ? "trailing '/' in path" : "empty segment in path";
					return -1;
				}
				if (out[n - 1] == '.') {
					*why = "path segment ends in '.'";
					return -1;
				}
			}
			if (c == '\0')
				break;
			if (++segments > WEB_MAX_SEGMENTS) {
				*why = "too many path segments";
				return -1;
			}
			if (n + 1 >= size) {
				*why = "path too long";
				return -1;
			}
			out[n++] = '/';
			seg_start = n;
			continue;
		}
		if (c == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);

			if (hi < 0 || lo < 0) {
				*why = "bad escape in path";
				return -1;
			}
			c = (unsigned char)(hi * 16 + lo);
			if (c == '/' || c == '.' || c == '\0' || forbidden(c)) {
				*why = "escaped separator or dot in path";
				return -1;
			}
			p += 2;
		} else if (forbidden(c)) {
			*why = "forbidden character in path";
			return -1;
		}
		if (n + 1 >= size) {
			*why = "path too long";
			return -1;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

int
web_query_decode(const char *s, size_t len, char *out, size_t size)
{
	size_t i, n = 0;

	if (size == 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (c == '\0') {
			return -1;
		}
		if (n + 1 >= size)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}
