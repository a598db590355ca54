/*
 * libFuzzer target: the array splitter on arbitrary bytes, cut into chunks
 * at positions the input itself chooses.  Every element it delivers must
 * be balanced, and feeding must never crash or overrun.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arr/jsplit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
element(const char *d, size_t len, void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	/* an element is never empty and never starts with a separator */
	if (len == 0 || d[0] == ',' || d[0] == ']' || d[0] == ' ')
		__builtin_trap();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsplit s;
	struct err e = ERR_INIT;
	size_t off = 0, step;

	if (size == 0)
		return 0;
	/* the first byte picks the chunk size, so boundaries move around */
	step = (size_t)data[0] % 17 + 1;
	data++;
	size--;
	jsplit_init(&s, 4096, element, NULL);
	while (off < size) {
		size_t n = size - off < step ? size - off : step;

		if (jsplit_feed(&s, (const char *)data + off, n, &e) < 0)
			break;
		off += n;
	}
	if (off >= size)
		jsplit_finish(&s, &e);
	jsplit_release(&s);
	return 0;
}
