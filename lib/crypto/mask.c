/*
 * mask.c - mask all but the last 4 characters of a secret (see mask.h).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/mask.h"
#include "core/banned.h"

#define MASK_KEEP	4

/* A byte that starts a UTF-8 character (anything but a continuation byte). */
static int
starts_char(unsigned char c)
{
	return (c & 0xC0) != 0x80;
}

char *
secret_mask(const char *s)
{
	size_t len, nchars = 0, i, keep_from, stars = 0, seen = 0;
	char *out;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	for (i = 0; i < len; i++)
		nchars += starts_char((unsigned char)s[i]);
	/* Byte offset of the first kept character; len when nothing is kept. */
	keep_from = len;
	if (nchars > MASK_KEEP) {
		for (i = 0; i < len; i++) {
			if (!starts_char((unsigned char)s[i]))
				continue;
			if (seen == nchars - MASK_KEEP) {
				keep_from = i;
				break;
			}
			seen++;
		}
		stars = nchars - MASK_KEEP;
	} else {
		stars = nchars;
	}
	out = malloc(stars + (len - keep_from) + 1);
	if (out == NULL)
		return NULL;
	memset(out, '*', stars);
	memcpy(out + stars, s + keep_from, len - keep_from);
	out[stars + len - keep_from] = '\0';
	return out;
}
