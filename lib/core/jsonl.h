/*
 * jsonl.h - the JSON-lines report a tool prints on stdout.
 *
 * Every line is one JSON object with at least "event" (what happened, a
 * short snake_case name documented in comradarr(7)) and "ts" (RFC 3339 UTC
 * with milliseconds).  Ids are the *arr ids plus "connector" (its name).
 * Lines are flushed one by one so a pipe sees them as they happen, and a
 * broken pipe (the reader went away) is reported once, not fatal: the
 * database is the truth, the pipe only carries reports.
 *
 * lib/ writes through a struct jsonl that cmd/ opened on stdout, never to
 * stdout directly.  Values that look secret are redacted like log records.
 */
#ifndef COMRADARR_CORE_JSONL_H
#define COMRADARR_CORE_JSONL_H

#include <jansson.h>
#include <stdio.h>

struct jsonl {
	FILE *out;		/* NULL: swallow (a library caller that wants no report) */
	int broken;		/* the reader went away */
	unsigned long lines;	/* lines written */
};

void jsonl_init(struct jsonl *j, FILE *out);

/*
 * Emit one line: obj (stolen; may be NULL for an empty object) gets "event"
 * and "ts" set first.  Returns 0, or -1 when the line could not be written
 * (the pipe broke); callers normally ignore that and carry on.
 */
int jsonl_emit(struct jsonl *j, const char *event, json_t *obj);

/* Format a timestamp (microseconds since the epoch) as RFC 3339 UTC, ms. */
void jsonl_format_ts(long long usec, char *buf, size_t size);

#endif
