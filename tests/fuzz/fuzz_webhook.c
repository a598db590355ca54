/*
 * libFuzzer target: the *arr webhook payload parser.  Any bytes: no crash,
 * no read past the input; an accepted Grab, Download or file delete names
 * at least one positive id, and never more than the cap.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "arr/webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arr_webhook w;
	struct err e = ERR_INIT;

	if (arr_webhook_parse((const char *)data, size, &w, &e) < 0) {
		if (e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (w.kind == ARR_HOOK_GRAB || w.kind == ARR_HOOK_DOWNLOAD || w.kind == ARR_HOOK_FILE_DELETE) {
		if (w.nids < 1 || w.nids > ARR_WEBHOOK_MAX_IDS)
			abort();
		for (int i = 0; i < w.nids; i++)
			if (w.ids[i] <= 0)
				abort();
	}
	return 0;
}
