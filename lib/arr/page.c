#include <stdlib.h>
#include <string.h>

#include "arr/jget.h"
#include "arr/page.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/banned.h"

/* 0 marks an empty slot; the apps' ids start at 1, id 0 is kept aside. */
#define EMPTY 0

void
arr_pager_init(struct arr_pager *p, int page_size)
{
	memset(p, 0, sizeof(*p));
	p->page_size = page_size > 0 ? page_size : ARR_PAGE_SIZE;
	p->next_page = 1;
	p->total_records = -1;
}

void
arr_pager_release(struct arr_pager *p)
{
	free(p->ids);
	p->ids = NULL;
	p->ids_len = p->ids_cap = 0;
}

static size_t
slot(int64_t id, size_t cap)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 17) & (cap - 1);
}

static int
grow(struct arr_pager *p)
{
	size_t ncap = p->ids_cap ? p->ids_cap * 2 : 1024;
	int64_t *n = calloc(ncap, sizeof(*n));

	if (n == NULL)
		return -1;
	for (size_t i = 0; i < p->ids_cap; i++) {
		size_t k;

		if (p->ids[i] == EMPTY)
			continue;
		for (k = slot(p->ids[i], ncap); n[k] != EMPTY; k = (k + 1) & (ncap - 1))
			;
		n[k] = p->ids[i];
	}
	free(p->ids);
	p->ids = n;
	p->ids_cap = ncap;
	return 0;
}

/* 1 when id is new (and now remembered), 0 when seen, -1 out of memory. */
static int
remember(struct arr_pager *p, int64_t id)
{
	size_t k;

	/* id 0 cannot live in the table; it maps to a value no app uses */
	if (id == EMPTY)
		id = INT64_MIN;
	if ((p->ids_len + 1) * 2 > p->ids_cap && grow(p) < 0)
		return -1;
	for (k = slot(id, p->ids_cap); p->ids[k] != EMPTY; k = (k + 1) & (p->ids_cap - 1))
		if (p->ids[k] == id)
			return 0;
	p->ids[k] = id;
	p->ids_len++;
	return 1;
}

int
arr_page_more(int page, int page_size, long long total_records,
	      size_t records_on_page)
{
	if (records_on_page == 0)
		return 0;
	if (total_records < 0)
		return 0;
	return (long long)page * page_size < total_records;
}

int
arr_pager_feed(struct arr_pager *p, const json_t *doc, arr_element_fn fn,
	       void *arg, struct err *e)
{
	json_t *records, *r;
	int64_t total;
	int page = p->next_page;
	size_t i;

	records = json_object_get(doc, "records");
	if (!json_is_object(doc) || !json_is_array(records))
		return err_set(e, ERR_PARSE, "page %d is not a page of records (no "
			       "'records' array); is the app too old for this "
			       "endpoint?", page);
	if (jget_int64(doc, "totalRecords", &total))
		p->total_records = total;
	json_array_foreach(records, i, r) {
		int64_t id;
		int fresh = 1;

		if (jget_int64(r, "id", &id)) {
			fresh = remember(p, id);
			if (fresh < 0)
				return err_set(e, ERR_NOMEM, "out of memory "
					       "remembering record ids");
		}
		if (!fresh) {
			p->duplicates++;
			continue;
		}
		p->delivered++;
		if (fn(r, arg, e) < 0)
			return -1;
	}
	p->done = !arr_page_more(page, p->page_size, p->total_records,
				 json_array_size(records)) ||
		  page >= ARR_PAGE_MAX_PAGES;
	p->next_page = page + 1;
	return 0;
}

int
arr_page_each(struct arr_client *c, const struct arr_page_query *q,
	      arr_element_fn fn, void *arg, struct err *e)
{
	struct arr_pager p;
	struct buf path = BUF_INIT;
	json_t *doc = NULL;
	int ret = -1;

	arr_pager_init(&p, q->page_size);
	while (!p.done) {
		buf_reset(&path);
		if (buf_appendf(&path, "%s?page=%d&pageSize=%d&sortKey=%s&sortDirection=%s%s%s",
				q->path, p.next_page, p.page_size, q->sort_key,
				q->sort_direction ? q->sort_direction : "ascending",
				q->extra ? "&" : "", q->extra ? q->extra : "") < 0) {
			err_set(e, ERR_NOMEM, "out of memory building a page URL");
			goto out;
		}
		if (arr_client_get_json(c, path.data, &doc, e) < 0)
			goto out;
		if (arr_pager_feed(&p, doc, fn, arg, e) < 0)
			goto out;
		json_decref(doc);
		doc = NULL;
	}
	if (p.duplicates > 0)
		log_debug("arr", "%s: %lu records repeated across pages were dropped",
			  q->path, p.duplicates);
	ret = 0;
out:
	json_decref(doc);
	buf_release(&path);
	arr_pager_release(&p);
	return ret;
}
