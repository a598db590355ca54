/*
 * uisettings.c - the settings sections' own rows (see uisettings.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/db.h"
#include "db/uisettings.h"
#include "db/uistats.h"
#include "core/banned.h"

#define EPOCH(x) "coalesce(floor(date_part('epoch', " x "))::bigint, 0)"

int
db_ui_channel_last(PGconn *db, json_t **out, struct err *e)
{
	/* LATERAL ... LIMIT 1 per channel reads the top of
	 * notify_messages_channel backwards: a handful of rows whatever the
	 * message history holds (sql/0018 says why by created_at) */
	return db_ui_json(db,
		"SELECT coalesce(json_object_agg(c.name, json_build_object("
		"'state', m.state, 'kind', m.kind, 'attempts', m.attempts, "
		"'http_status', m.http_status, 'error', m.last_error, "
		"'at', " EPOCH("coalesce(m.sent_at, m.created_at)") ")), '{}')::text "
		"FROM notify_channels c CROSS JOIN LATERAL (SELECT state, kind, attempts, "
		"http_status, last_error, sent_at, created_at FROM notify_messages "
		"WHERE channel_id = c.id ORDER BY created_at DESC, id DESC LIMIT 1) m", 0, NULL, out,
		e);
}

int
db_backup_check_put(PGconn *db, const struct db_backup_check *c, struct err *e)
{
	char bytes[24], mtime[24], schema[24];
	const char *p[7] = {
		c->name, db_fmt_int64(bytes, sizeof(bytes), c->bytes),
		db_fmt_int64(mtime, sizeof(mtime), c->mtime_us), c->ok ? "true" : "false",
		c->ok ? NULL : c->detail,
		c->ok ? db_fmt_int64(schema, sizeof(schema), c->schema_version) : NULL,
		c->checked_by
	};

	return db_query(db, "INSERT INTO backup_checks (name, bytes, mtime_us, ok, detail, "
			"schema_version, checked_by) VALUES ($1, $2, $3, $4, $5, $6, $7) "
			"ON CONFLICT (name) DO UPDATE SET bytes = EXCLUDED.bytes, "
			"mtime_us = EXCLUDED.mtime_us, ok = EXCLUDED.ok, detail = EXCLUDED.detail, "
			"schema_version = EXCLUDED.schema_version, "
			"checked_by = EXCLUDED.checked_by, checked_at = now()", 7, p, NULL, e);
}

int
db_backup_checks(PGconn *db, json_t **out, struct err *e)
{
	return db_ui_json(db,
		"SELECT coalesce(json_object_agg(name, json_build_object('bytes', bytes, "
		"'mtime_us', mtime_us, 'ok', ok, 'detail', detail, 'schema_version', "
		"schema_version, 'checked_by', checked_by, 'at', " EPOCH("checked_at") ")), "
		"'{}')::text FROM backup_checks", 0, NULL, out, e);
}

int
db_backup_checks_prune(PGconn *db, char *const *names, size_t n, struct err *e)
{
	struct buf b;
	const char *p[1];
	int ret, bad = 0;

	/* a text[] literal of the names: each is quoted, and a file name of
	 * the backup directory's pattern holds no quote or backslash, but
	 * escape them anyway rather than trust that */
	buf_init(&b, 0);
	bad |= buf_putc(&b, '{') < 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			bad |= buf_putc(&b, ',') < 0;
		bad |= buf_putc(&b, '"') < 0;
		for (const char *s = names[i]; *s != '\0'; s++) {
			if (*s == '"' || *s == '\\')
				bad |= buf_putc(&b, '\\') < 0;
			bad |= buf_putc(&b, *s) < 0;
		}
		bad |= buf_putc(&b, '"') < 0;
	}
	if (bad || buf_putc(&b, '}') < 0) {
		buf_release(&b);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	p[0] = b.data;
	ret = db_query(db, "DELETE FROM backup_checks WHERE NOT (name = ANY ($1::text[]))", 1, p,
		       NULL, e);
	buf_release(&b);
	return ret;
}
