/*
 * path.h - one canonical form for a request path, before any routing.
 *
 * The peer review of another *arr helper found "auth bypass by path tricks":
 * a router that matched "/api/settings" but not "/api//settings",
 * "/api/./settings" or "/api/%73ettings", in front of a handler that saw the
 * same thing.  Here a path is decoded and checked once; anything that could
 * mean two things is refused with 400 before routing, and the router matches
 * only the canonical form.
 */
#ifndef COMRADARR_WEB_PATH_H
#define COMRADARR_WEB_PATH_H

#include <stddef.h>

/*
 * Decode raw (the request target's path, still percent-encoded, without the
 * query) into out (size bytes).  Refused, returning -1 with *why set to a
 * static reason:
 *   - not starting with '/', longer than WEB_PATH_MAX, or too many segments
 *   - an empty segment ("//"), a trailing '/' (except "/" itself)
 *   - a segment "." or "..", or one ending in '.' (Windows-style trailing
 *     dots some proxies strip)
 *   - a bad escape, or an escape of '/', '\', '.', ';', NUL or a control
 *     character (so "%2e%2e" or "%2f" cannot smuggle a separator)
 *   - a raw backslash, ';', control character or byte 0x7f
 * Returns 0 with the decoded path in out.
 */
int web_path_normalise(const char *raw, char *out, size_t size, const char **why);

/*
 * Percent-decode s (a query value: '+' is a space) into out; -1 when an
 * escape is bad, a NUL would result, or out is too small.
 */
int web_query_decode(const char *s, size_t len, char *out, size_t size);

#endif
