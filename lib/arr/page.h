/*
 * page.h - walk a paged *arr endpoint: wanted/missing, wanted/cutoff,
 * history, queue (Req 29.1-29.2, 27.1).
 *
 * The apps sort without a tie-breaker and drop records from the list while
 * we walk it (a file imports, a download finishes), so consecutive pages can
 * overlap or skip.  The pager therefore asks with an explicit sortKey and
 * sortDirection (omitting the direction means descending), dedupes records
 * by id, and stops when page * pageSize >= totalRecords or on an empty page.
 *
 * struct arr_pager is the pure part (one page document in, records out) so
 * tests can feed it crafted pages; arr_page_each drives it over HTTP.
 */
#ifndef COMRADARR_ARR_PAGE_H
#define COMRADARR_ARR_PAGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "arr/client.h"
#include "core/err.h"

#define ARR_PAGE_SIZE 1000
/* A hard stop in case an app reports an ever-growing total. */
#define ARR_PAGE_MAX_PAGES 100000

struct arr_pager {
	int page_size;
	int next_page;		/* the page to fetch next, 1-based */
	int done;
	long long total_records;	/* as last reported */
	unsigned long delivered;	/* records handed to the callback */
	unsigned long duplicates;	/* records dropped as already seen */
	/* the set of ids seen: open addressing, owned */
	int64_t *ids;
	size_t ids_len;
	size_t ids_cap;
};

/* page_size 0 = ARR_PAGE_SIZE. */
void arr_pager_init(struct arr_pager *p, int page_size);
void arr_pager_release(struct arr_pager *p);

/*
 * Take one page document {page, pageSize, totalRecords, records[]}: call fn
 * for each record whose id was not seen before (records without an integer
 * id are passed on as they are), then decide whether another page is
 * needed (p->done).  Returns 0, or -1 when the document is not a page
 * (ERR_PARSE), memory ran out or fn failed.
 */
int arr_pager_feed(struct arr_pager *p, const json_t *doc, arr_element_fn fn,
		   void *arg, struct err *e);

/* Is there another page after page (1-based) given the counts? */
int arr_page_more(int page, int page_size, long long total_records,
		  size_t records_on_page);

struct arr_page_query {
	const char *path;	/* "/api/v3/wanted/missing" */
	const char *extra;	/* more query, e.g. "monitored=true"; may be NULL */
	const char *sort_key;	/* required: "episodes.airDateUtc" */
	const char *sort_direction;	/* NULL = "ascending" */
	int page_size;		/* 0 = ARR_PAGE_SIZE */
};

/* Fetch every page and call fn once per distinct record (borrowed). */
int arr_page_each(struct arr_client *c, const struct arr_page_query *q,
		  arr_element_fn fn, void *arg, struct err *e);

#endif
