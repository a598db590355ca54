#include <limits.h>
#include <string.h>

#include "arr/jget.h"
#include "core/clock.h"
#include "core/banned.h"

void
jget_copy(char *out, size_t size, const char *s)
{
	size_t n;

	if (size == 0)
		return;
	n = strlen(s);
	if (n >= size) {
		n = size - 1;
		/* back off continuation bytes so a character is never split */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

int
jget_int64(const json_t *obj, const char *key, int64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return 1;
	}
	/* sizes and counts sometimes come as 1.0e9 from some versions */
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (d >= -9.2e18 && d <= 9.2e18) {
			*out = (int64_t)d;
			return 1;
		}
	}
	return 0;
}

int
jget_int(const json_t *obj, const char *key, int *out)
{
	int64_t v;

	if (!jget_int64(obj, key, &v) || v < INT_MIN || v > INT_MAX)
		return 0;
	*out = (int)v;
	return 1;
}

int
jget_double(const json_t *obj, const char *key, double *out)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_number(v))
		return 0;
	*out = json_number_value(v);
	return 1;
}

int
jget_bool(const json_t *obj, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_boolean(v))
		return 0;
	*out = json_is_true(v);
	return 1;
}

int
jget_str(const json_t *obj, const char *key, char *out, size_t size)
{
	json_t *v = json_object_get(obj, key);

	if (size > 0)
		out[0] = '\0';
	if (!json_is_string(v))
		return 0;
	jget_copy(out, size, json_string_value(v));
	return 1;
}

int
jget_time(const json_t *obj, const char *key, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	int64_t us;

	*out = 0;
	if (!json_is_string(v) || clock_parse_iso8601(json_string_value(v), &us) < 0)
		return 0;
	*out = us;
	return 1;
}
