#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/jsonl.h"
#include "core/log.h"
#include "core/banned.h"

void
jsonl_init(struct jsonl *j, FILE *out)
{
	j->out = out;
	j->broken = 0;
	j->lines = 0;
}

void
jsonl_format_ts(long long usec, char *buf, size_t size)
{
	time_t secs = (time_t)(usec / 1000000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)((usec % 1000000) / 1000));
}


int
jsonl_emit(struct jsonl *j, const char *event, json_t *obj)
{
	json_t *line;
	char ts[40];
	char *text = NULL;
	int ret = -1;

	line = json_object();
	if (line == NULL)
		goto out;
	jsonl_format_ts(clock_now_us(), ts, sizeof(ts));
	json_object_set_new(line, "event", json_string(event));
	json_object_set_new(line, "ts", json_string(ts));
	if (obj != NULL)
		json_object_update_missing(line, obj);
	log_redact_json(line);
	if (j == NULL || j->out == NULL || j->broken) {
		ret = 0;
		goto out;
	}
	text = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (text == NULL)
		goto out;
	if (fputs(text, j->out) == EOF || fputc('\n', j->out) == EOF ||
	    fflush(j->out) == EOF) {
		if (!j->broken)
			log_warn("jsonl", "stdout closed (%s); carrying on, the database has the results",
				 strerror(errno));
		j->broken = 1;
		goto out;
	}
	j->lines++;
	ret = 0;
out:
	free(text);
	json_decref(obj);
	json_decref(line);
	return ret;
}
