/* comradarr-backup restore: the archive back into the database (Req 33.2-33.4). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "core/tar.h"
#include "db/counts.h"
#include "db/backup.h"
#include "db/db.h"
#include "db/migrate.h"
#include "stage/backup.h"
#include "stage/backup_int.h"
#include "core/banned.h"

static int
key_mismatch(const char *backup_id, const struct secret_key *k, struct err *e)
{
	char cur[17];

	if (k == NULL)
		return err_set(e, ERR_CRYPTO, SECRETBOX_KEY_MISMATCH ": this backup's secrets were "
			       "sealed with key id %s, and no secret key is set: put that key in "
			       "place (SECRET_KEY or $COMRADARR_HOME/secret.key) and restore again",
			       backup_id);
	secret_key_id_hex(k, cur);
	return err_set(e, ERR_CRYPTO, SECRETBOX_KEY_MISMATCH ": this backup's secrets were sealed "
		       "with key id %s; the current key's id is %s: set SECRET_KEY (or the key "
		       "file) to the key the backup was made with, and rotate later if you wish",
		       backup_id, cur);
}

/* Everything about the manifest a restore refuses before touching the database. */
static int
restore_precheck(json_t *m, const struct secret_key *k, struct err *e)
{
	int version = (int)json_integer_value(json_object_get(m, "schema_version"));
	int latest = db_schema_version_latest();
	const char *ids[DB_KEY_IDS_MAX];
	size_t n, i;
	json_t *v;
	char cur[17] = "";

	if (version > latest)
		return err_set(e, ERR_CONFLICT, "this backup is from a newer schema (version %d; "
			       "this comradarr knows up to %d): restore it with the comradarr "
			       "version that made it (%s) or a later one", version, latest,
			       json_string_value(json_object_get(m, "app_version")) ?
			       json_string_value(json_object_get(m, "app_version")) : "unknown");
	json_array_foreach(json_object_get(m, "migrations"), i, v) {
		int ver = (int)json_integer_value(json_object_get(v, "version"));
		const char *sum = json_string_value(json_object_get(v, "sha256"));
		char mine[65];
		size_t j;

		for (j = 0; j < db_migrations_count; j++)
			if (db_migrations[j].version == ver)
				break;
		if (j == db_migrations_count || sum == NULL)
			return err_set(e, ERR_CONFLICT, "this backup's schema has migration %d, "
				       "which this comradarr does not know", ver);
		db_migration_checksum(&db_migrations[j], mine);
		if (strcmp(mine, sum) != 0)
			return err_set(e, ERR_CONFLICT, "this backup's migration '%s' differs from "
				       "this comradarr's: it was made by another build; restore it "
				       "with that build", db_migrations[j].name);
	}
	if (k != NULL)
		secret_key_id_hex(k, cur);
	n = backup_manifest_key_ids(m, ids, DB_KEY_IDS_MAX);
	for (i = 0; i < n; i++)
		if (k == NULL || strcmp(ids[i], cur) != 0)
			return key_mismatch(ids[i], k, e);
	return 0;
}

/* COPY one table's members (the archive is positioned at its first). */
static int
load_table(PGconn *db, struct tar_reader *tr, json_t *m, json_t *t, size_t *next_member,
	   const struct backup_opts *o, int64_t *rows, struct err *e)
{
	const char *name = json_string_value(json_object_get(t, "name"));
	json_t *cols = json_object_get(t, "columns"), *c;
	json_int_t want = json_integer_value(json_object_get(t, "rows"));
	long nmem = (long)json_integer_value(json_object_get(t, "members"));
	char **colv = NULL;
	size_t ncols = json_array_size(cols), i;
	unsigned char buf[65536];
	int ret = -1, copying = 0, failed = 0;

	colv = calloc(ncols ? ncols : 1, sizeof(char *));
	if (colv == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	json_array_foreach(cols, i, c)
		colv[i] = (char *)json_string_value(c);
	if (db_restore_copy_begin(db, name, colv, ncols, e) < 0)
		goto out;
	copying = 1;
	for (long k = 0; k < nmem; k++) {
		if (o->progress != NULL)
			o->progress(o->progress_arg, name, *next_member,
				    json_array_size(json_object_get(m, "members")));
		json_t *mem = json_array_get(json_object_get(m, "members"), (*next_member)++);
		struct tar_member tm;
		crypto_hash_sha256_state st;
		unsigned char h[crypto_hash_sha256_BYTES];
		char sum[65];
		long n;

		if (mem == NULL || tar_next(tr, &tm, e) != 1 ||
		    strcmp(tm.name, json_string_value(json_object_get(mem, "name"))) != 0 ||
		    strcmp(json_string_value(json_object_get(mem, "table")), name) != 0) {
			if (e->kind == ERR_NONE)
				err_set(e, ERR_PARSE, "the backup changed while it was restored (member "
					"%ld of table '%s' is not where the manifest puts it)", k + 1,
					name);
			failed = 1;
			goto out;
		}
		crypto_hash_sha256_init(&st);
		while ((n = tar_read(tr, buf, sizeof(buf), e)) > 0) {
			crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
			if (db_restore_copy_put(db, (const char *)buf, (size_t)n, e) < 0)
				break;
		}
		if (n != 0) {
			failed = 1;
			goto out;
		}
		crypto_hash_sha256_final(&st, h);
		sodium_bin2hex(sum, sizeof(sum), h, sizeof(h));
		if (strcmp(sum, json_string_value(json_object_get(mem, "sha256"))) != 0) {
			err_set(e, ERR_PARSE, "member '%s' changed after it was verified: restore "
				"stopped, nothing was changed", tm.name);
			failed = 1;
			goto out;
		}
	}
	copying = 0;
	if (db_restore_copy_end(db, 0, rows, e) < 0)
		goto out;
	if (*rows != (int64_t)want) {
		err_set(e, ERR_PARSE, "table '%s' loaded %lld rows, the manifest says %lld",
			name, (long long)*rows, (long long)want);
		goto out;
	}
	ret = 0;
out:
	if (copying) {
		struct err ignored = ERR_INIT;
		int64_t dummy;

		db_restore_copy_end(db, failed || ret < 0, &dummy, &ignored);
		if (e->kind == ERR_NONE)
			*e = ignored;
	}
	free(colv);
	return ret;
}

static int
clear_tables(PGconn *db, json_t *m, struct err *e)
{
	json_t *tables = json_object_get(m, "tables"), *v;
	const char **names = calloc(json_array_size(tables) + 1, sizeof(char *));
	size_t i;
	int ret;

	if (names == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	json_array_foreach(tables, i, v)
		names[i] = json_string_value(json_object_get(v, "name"));
	ret = db_restore_clear(db, names, json_array_size(tables), e);
	free(names);
	return ret;
}

int
backup_restore(PGconn *db, const char *path, const struct secret_key *k,
	       const struct backup_opts *o, struct backup_report *r, struct err *e)
{
	FILE *f = NULL;
	json_t *m = NULL, *v;
	struct tar_reader tr;
	struct stat st;
	char target[DB_NAME_MAX];
	size_t i, next_member = 0;
	int ret = -1, locked_b = 0, locked_m = 0, in_tx = 0, pending = 0, applied = 0, version;
	const char *ids[DB_KEY_IDS_MAX];
	char got[DB_KEY_IDS_MAX][17];
	size_t ngot = 0;
	struct db_deferred deferred = { NULL, 0 };

	memset(r, 0, sizeof(*r));
	f = fopen(path, "rb");
	if (f == NULL)
		return err_set(e, ERR_IO, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		err_set(e, ERR_USAGE, "'%s' is not a regular file: a restore reads the backup twice "
			"(verify, then load), so it needs a file", path);
		goto out;
	}
	/* Req 33.2: the whole archive is checked before anything is changed */
	if (backup_verify(f, &m, e) < 0 || restore_precheck(m, k, e) < 0)
		goto out;
	version = (int)json_integer_value(json_object_get(m, "schema_version"));
	if (db_lock(db, DB_LOCK_BACKUP, 0, e) < 0)
		goto out;
	locked_b = 1;
	if (db_lock(db, DB_LOCK_MIGRATE, 0, e) < 0)
		goto out;
	locked_m = 1;
	/* a database migrated by a newer comradarr is not replaced by an older one */
	if (db_migrate_status(db, NULL, NULL, &pending, e) < 0)
		goto out;
	if (fseeko(f, 0, SEEK_SET) < 0) {
		err_set(e, ERR_IO, "cannot read '%s' again: %s", path, strerror(errno));
		goto out;
	}
	tar_reader_init(&tr, f);
	if (db_restore_begin(db, target, e) < 0)
		goto out;
	in_tx = 1;
	/* the backup's page counters are loaded as they were, with the rows
	 * they count: the triggers must not count those rows again (an older
	 * backup has none; migrating it counts them) */
	if (db_restore_migrate(db, 0, version, &applied, e) < 0 || clear_tables(db, m, e) < 0 ||
	    db_restore_defer_constraints(db, &deferred, e) < 0 ||
	    (version >= DB_COUNTS_SINCE && db_counts_triggers(db, 0, e) < 0))
		goto out;
	json_array_foreach(json_object_get(m, "tables"), i, v) {
		int64_t rows = 0;

		if (load_table(db, &tr, m, v, &next_member, o, &rows, e) < 0)
			goto out;
		backup_emit(o, "restore_table", json_pack("{s:s, s:I}", "table",
						   json_string_value(json_object_get(v, "name")),
						   "rows", (json_int_t)rows));
		r->rows += rows;
		r->tables++;
	}
	if (next_member != json_array_size(json_object_get(m, "members"))) {
		err_set(e, ERR_PARSE, "the manifest lists %zu data members but its tables account "
			"for %zu: refused", json_array_size(json_object_get(m, "members")),
			next_member);
		goto out;
	}
	json_array_foreach(json_object_get(m, "sequences"), i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));

		if (name == NULL || !json_is_integer(json_object_get(v, "last_value"))) {
			err_set(e, ERR_PARSE, "the backup's manifest has a malformed sequence");
			goto out;
		}
		if (db_restore_setval(db, name, json_integer_value(json_object_get(v, "last_value")),
				      json_is_true(json_object_get(v, "is_called")), e) < 0)
			goto out;
	}
	if ((version >= DB_COUNTS_SINCE && db_counts_triggers(db, 1, e) < 0) ||
	    db_restore_build_constraints(db, &deferred, e) < 0 ||
	    db_restore_migrate(db, version, db_schema_version_latest(), &r->migrated, e) < 0)
		goto out;
	/* the manifest said which key; the rows themselves must agree */
	if (db_restore_key_ids(db, got, &ngot, e) < 0)
		goto out;
	for (i = 0; i < ngot; i++) {
		char cur[17] = "";

		if (k != NULL)
			secret_key_id_hex(k, cur);
		if (strcmp(got[i], cur) != 0) {
			key_mismatch(got[i], k, e);
			goto out;
		}
	}
	if (db_restore_swap(db, target, e) < 0)
		goto out;
	in_tx = 0;
	r->schema_version = db_schema_version_latest();
	r->bytes = (int64_t)st.st_size;
	if (backup_manifest_key_ids(m, ids, 1) == 1)
		snprintf(r->key_id, sizeof(r->key_id), "%s", ids[0]);
	ret = 0;
out:
	if (in_tx)
		db_restore_abort(db);
	if (locked_m || locked_b) {
		struct err ignored = ERR_INIT;

		if (locked_m)
			db_unlock(db, DB_LOCK_MIGRATE, 0, &ignored);
		if (locked_b)
			db_unlock(db, DB_LOCK_BACKUP, 0, &ignored);
	}
	db_deferred_release(&deferred);
	json_decref(m);
	fclose(f);
	return ret;
}

