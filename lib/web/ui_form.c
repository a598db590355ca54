/*
 * ui_form.c - urlencoded form bodies (see ui_form.h).
 */
#include <strings.h>
#include <string.h>

#include "web/path.h"
#include "web/ui_form.h"
#include "core/banned.h"

#define FORM_VALUE_MAX	4096

/* Walk the fields of body; for each named name, decode into out and call
 * back.  The callback returns non-zero to stop. */
static int
walk(const char *body, size_t len, const char *name, char *out, size_t size,
     int (*cb)(const char *value, void *arg), void *arg)
{
	size_t nlen = strlen(name), i = 0;

	while (body != NULL && i < len) {
		size_t start = i, eq, end;

		while (i < len && body[i] != '&')
			i++;
		end = i;
		i++;		/* past '&' */
		for (eq = start; eq < end && body[eq] != '='; eq++)
			;
		if (eq - start != nlen || memcmp(body + start, name, nlen) != 0)
			continue;
		if (eq == end) {
			if (size > 0)
				out[0] = '\0';
		} else if (web_query_decode(body + eq + 1, end - eq - 1, out, size) < 0) {
			continue;
		}
		if (size > 0) {
			int r = cb(out, arg);

			if (r != 0)
				return r;
		}
	}
	return 0;
}

static int
stop_first(const char *value, void *arg)
{
	(void)value;
	*(int *)arg = 1;
	return 1;
}

const char *
ui_form_get(const char *body, size_t len, const char *name, char *out, size_t size)
{
	int found = 0;

	if (size == 0)
		return NULL;
	walk(body, len, name, out, size, stop_first, &found);
	return found ? out : NULL;
}

int
ui_form_each(const char *body, size_t len, const char *name,
	     int (*fn)(const char *value, void *arg), void *arg)
{
	char v[FORM_VALUE_MAX];

	return walk(body, len, name, v, sizeof(v), fn, arg);
}

int
ui_form_is_urlencoded(const char *ct)
{
	static const char want[] = "application/x-www-form-urlencoded";

	if (ct == NULL || strncasecmp(ct, want, sizeof(want) - 1) != 0)
		return 0;
	ct += sizeof(want) - 1;
	return *ct == '\0' || *ct == ';' || *ct == ' ';
}
