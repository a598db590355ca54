#include "arr/parse.h"
#include "arr/prowlarr.h"
#include "core/banned.h"

struct each {
	arr_indexer_status_fn fn;
	void *arg;
};

static int
status_el(json_t *j, void *arg, struct err *e)
{
	struct each *a = arg;
	struct arr_indexer_status s;
	int rc = arr_indexer_status_parse(j, &s, e);

	if (rc != ARR_PARSED)
		return rc < 0 ? -1 : 0;
	return a->fn(&s, a->arg, e);
}

int
arr_indexer_status_each(struct arr_client *c, arr_indexer_status_fn fn,
			void *arg, struct err *e)
{
	struct each a = { fn, arg };

	/* Prowlarr only speaks v1, whatever the client's dialect says */
	return arr_client_get_each(c, "/api/v1/indexerstatus", status_el, &a, e);
}

int
arr_indexer_disabled(const struct arr_indexer_status *s, int64_t now_us)
{
	return s->disabled_till != ARR_NO_TIME && s->disabled_till > now_us;
}
