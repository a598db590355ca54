/*
 * libFuzzer target: the log redactor on arbitrary text around a planted
 * secret.  The input chooses a marker, a secret and the text on both sides;
 * the secret must never survive (not in log_redact()'s text, not in a JSON
 * array through log_redact_json()), and the output is never longer than the
 * input plus what the "[REDACTED]" stand-ins add.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const markers[] = {
	"apikey=", "api_key=", "x-api-key:", "x-api-key=", "password=", "token=",
	"Bearer ", "authorization:", "Cookie:", "\"apikey\":", "\"password\":", "\"token\":",
	"secret=",
};

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	char secret[17], *text, *red, *dumped;
	const char *m;
	size_t half, len, n;
	int planted;
	json_t *arr;

	if (size < 17)
		return 0;
	m = markers[data[0] % (sizeof(markers) / sizeof(markers[0]))];
	/* 15 letters or digits and a digit: a token by any rule */
	for (int i = 0; i < 15; i++)
		secret[i] = alnum[data[1 + i] % 36];
	secret[15] = '7';
	secret[16] = '\0';
	data += 16;
	size -= 16;
	half = size / 2;
	len = size + strlen(m) + sizeof(secret) + 4;
	text = malloc(len);
	if (text == NULL)
		return 0;
	/* prefix, " ", marker, secret, " ", suffix; NULs in the input end the
	 * text early, as they would for a C string from anywhere */
	n = 0;
	memcpy(text, data, half);
	n += half;
	text[n++] = ' ';
	memcpy(text + n, m, strlen(m));
	n += strlen(m);
	memcpy(text + n, secret, 16);
	n += 16;
	text[n++] = ' ';
	memcpy(text + n, data + half, size - half);
	n += size - half;
	text[n] = '\0';

	/* planted once, and the text reaches it (no NUL before) */
	planted = strlen(text) == n && count(text, secret) == 1;
	red = log_redact(text);
	if (red == NULL)
		__builtin_trap();
	if (planted && strstr(red, secret) != NULL)
		__builtin_trap();
	if (strlen(red) > strlen(text) + count(red, "[REDACTED]") * strlen("[REDACTED]"))
		__builtin_trap();
	free(red);

	arr = json_pack("[s%, [s%]]", text, strlen(text), text, strlen(text));
	if (arr != NULL) {
		log_redact_json(arr);
		dumped = json_dumps(arr, JSON_COMPACT);
		if (dumped != NULL && planted && strstr(dumped, secret) != NULL)
			__builtin_trap();
		free(dumped);
		json_decref(arr);
	}
	free(text);
	return 0;
}
