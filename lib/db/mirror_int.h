/*
 * mirror_int.h - what mirror.c (staging) and mirror_merge.c (the merge
 * statements) share.  Not part of the library's API: use mirror.h.
 */
#ifndef COMRADARR_DB_MIRROR_INT_H
#define COMRADARR_DB_MIRROR_INT_H

#include "core/buf.h"
#include "db/mirror.h"

enum mirror_phase {
	MIRROR_IDLE = 0,
	MIRROR_COPY,		/* a COPY FROM STDIN is running */
	MIRROR_DONE		/* committed or rolled back */
};

struct mirror {
	PGconn *db;
	int64_t connector_id;
	char cid[24];		/* connector_id as text, a query parameter */
	char *corr;		/* correlation id or NULL */
	enum mirror_phase phase;
	int series_staged;	/* the series phase ran */
	int episodes_staged;
	int movies_staged;
	int profiles_staged;
	long staged;
	struct buf row;		/* one COPY row being built */
};

/* Run sql with $1 = connector id, $2 = correlation id; *res optional. */
int mirror_query(struct mirror *m, const char *sql, PGresult **res, struct err *e);

#endif
