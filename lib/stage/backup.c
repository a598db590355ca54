#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/tar.h"
#include "db/backup.h"
#include "db/db.h"
#include "db/migrate.h"
#include "stage/backup.h"
#include "stage/backup_int.h"
#include "core/banned.h"

#define MANIFEST_NAME "manifest.json"
#define DIGEST_NAME "SHA256"

void
backup_emit(const struct backup_opts *o, const char *event, json_t *obj)
{
	if (o != NULL && o->line != NULL) {
		o->line(o->line_arg, event, obj);
		json_decref(obj);
	} else if (o != NULL && o->out != NULL) {
		jsonl_emit(o->out, event, obj);
	} else {
		json_decref(obj);
	}
}

static void
hex_digest(const unsigned char *data, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* ------------------------------------------------------------ create */

struct writer {
	FILE *f;
	int64_t mtime;
	const char *table;
	struct buf chunk;
	int seq;		/* members written for this table */
	int64_t bytes;		/* of this table's rows */
	json_t *members;
};

static int
flush_member(struct writer *w, struct err *e)
{
	char name[TAR_NAME_MAX + 1], sum[65];

	if (w->chunk.len == 0)
		return 0;
	snprintf(name, sizeof(name), "data/%s/%06d.copy", w->table, ++w->seq);
	hex_digest((const unsigned char *)w->chunk.data, w->chunk.len, sum);
	if (tar_write_member(w->f, name, w->chunk.data, w->chunk.len, w->mtime, e) < 0)
		return -1;
	json_array_append_new(w->members, json_pack("{s:s, s:s, s:I, s:s}", "name", name,
						     "table", w->table, "bytes",
						     (json_int_t)w->chunk.len, "sha256", sum));
	w->bytes += (int64_t)w->chunk.len;
	buf_reset(&w->chunk);
	return 0;
}

static int
on_row(void *arg, const char *row, size_t len, struct err *e)
{
	struct writer *w = arg;

	if (buf_append(&w->chunk, row, len) < 0)
		return err_set(e, ERR_NOMEM, "a row of table '%s' is too big for a backup member",
			       w->table);
	if (w->chunk.len >= BACKUP_CHUNK)
		return flush_member(w, e);
	return 0;
}

static json_t *
manifest_new(const struct db_snapshot *s, int no_mirror, int64_t now_us)
{
	json_t *m, *mig = json_array(), *seqs = json_array(), *keys = json_array();
	char ts[40];

	jsonl_format_ts(now_us, ts, sizeof(ts));
	for (size_t i = 0; i < s->nmigrations; i++)
		json_array_append_new(mig, json_pack("{s:i, s:s, s:s}", "version",
						     s->migrations[i].version, "name",
						     s->migrations[i].name, "sha256",
						     s->migrations[i].checksum));
	for (size_t i = 0; i < s->nseqs; i++)
		json_array_append_new(seqs, json_pack("{s:s, s:I, s:b}", "name", s->seqs[i].name,
						      "last_value",
						      (json_int_t)s->seqs[i].last_value,
						      "is_called", s->seqs[i].is_called));
	for (size_t i = 0; i < s->nkey_ids; i++)
		json_array_append_new(keys, json_string(s->key_ids[i]));
	m = json_pack("{s:s, s:i, s:s, s:i, s:o, s:s, s:o, s:b, s:o, s:[], s:[]}",
		      "format", BACKUP_FORMAT, "format_version", BACKUP_FORMAT_VERSION,
		      "app_version", COMRADARR_VERSION, "schema_version", s->schema_version,
		      "migrations", mig, "created_at", ts, "secret_key_ids", keys,
		      "no_mirror", no_mirror, "sequences", seqs, "tables", "members");
	return m;
}

int
backup_create(PGconn *db, FILE *out, const struct backup_opts *o, struct backup_report *r,
	      struct err *e)
{
	struct db_snapshot s;
	struct writer w;
	json_t *m = NULL;
	char *text = NULL, sum[65], line[100];
	int ret = -1, open = 0;
	int64_t now = clock_now_us();

	memset(r, 0, sizeof(*r));
	memset(&w, 0, sizeof(w));
	buf_init(&w.chunk, BACKUP_CHUNK + (64u << 20));
	w.f = out;
	w.mtime = now / 1000000;
	if (db_backup_begin(db, o->no_mirror ? db_mirror_tables : NULL, &s, e) < 0)
		goto out;
	open = 1;
	m = manifest_new(&s, o->no_mirror, now);
	if (m == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	w.members = json_object_get(m, "members");
	for (size_t i = 0; i < s.ntables; i++) {
		const struct db_table_info *t = &s.tables[i];
		json_t *cols = json_array();
		int64_t rows = 0;

		if (o->progress != NULL)
			o->progress(o->progress_arg, t->name, i, s.ntables);
		w.table = t->name;
		w.seq = 0;
		w.bytes = 0;
		if (db_backup_copy(db, t, on_row, &w, &rows, e) < 0 || flush_member(&w, e) < 0) {
			json_decref(cols);
			err_prefix(e, "table '%s'", t->name);
			goto out;
		}
		for (size_t j = 0; j < t->ncols; j++)
			json_array_append_new(cols, json_string(t->cols[j]));
		json_array_append_new(json_object_get(m, "tables"),
				      json_pack("{s:s, s:o, s:I, s:I, s:i}", "name", t->name,
						"columns", cols, "rows", (json_int_t)rows,
						"bytes", (json_int_t)w.bytes, "members", w.seq));
		backup_emit(o, "backup_table", json_pack("{s:s, s:I, s:I}", "table", t->name,
						  "rows", (json_int_t)rows, "bytes",
						  (json_int_t)w.bytes));
		r->rows += rows;
		r->tables++;
	}
	db_backup_end(db);
	open = 0;
	text = json_dumps(m, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (text == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	hex_digest((const unsigned char *)text, strlen(text), sum);
	snprintf(line, sizeof(line), "%s  %s\n", sum, MANIFEST_NAME);
	if (tar_write_member(out, MANIFEST_NAME, text, strlen(text), w.mtime, e) < 0 ||
	    tar_write_member(out, DIGEST_NAME, line, strlen(line), w.mtime, e) < 0 ||
	    tar_write_end(out, e) < 0)
		goto out;
	if (fflush(out) == EOF) {
		err_set(e, ERR_IO, "cannot write the archive: %s", strerror(errno));
		goto out;
	}
	r->schema_version = s.schema_version;
	if (s.nkey_ids > 0)
		snprintf(r->key_id, sizeof(r->key_id), "%s", s.key_ids[0]);
	ret = 0;
out:
	if (open)
		db_backup_end(db);
	if (s.tables != NULL || s.migrations != NULL)
		db_snapshot_release(&s);
	buf_release(&w.chunk);
	free(text);
	json_decref(m);
	return ret;
}

int
backup_create_file(PGconn *db, const char *path, const struct backup_opts *o,
		   struct backup_report *r, struct err *e)
{
	char *tmp = NULL;
	FILE *f = NULL;
	int fd = -1, ret = -1, linked = 0;
	struct stat st;

	memset(r, 0, sizeof(*r));
	if (access(path, F_OK) == 0)
		return err_set(e, ERR_CONFLICT, "'%s' exists already: a backup never replaces a "
			       "file", path);
	if (asprintf(&tmp, "%s.partial", path) < 0)
		return err_set(e, ERR_NOMEM, "out of memory");
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(e, ERR_IO, "cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		err_set(e, ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (backup_create(db, f, o, r, e) < 0)
		goto out;
	if (fflush(f) == EOF || fsync(fileno(f)) < 0 || fstat(fileno(f), &st) < 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	r->bytes = (int64_t)st.st_size;
	/* link + unlink: unlike rename, never replaces a file made meanwhile */
	if (link(tmp, path) < 0) {
		err_set(e, ERR_IO, "cannot create '%s': %s", path, strerror(errno));
		goto out;
	}
	linked = 1;
	ret = 0;
out:
	if (f != NULL && fclose(f) == EOF && ret == 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", path, strerror(errno));
		ret = -1;
	}
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	if (ret < 0 && linked)
		unlink(path);
	free(tmp);
	return ret;
}

/* ------------------------------------------------------------ reading */

struct seen {
	char name[TAR_NAME_MAX + 2];
	uint64_t bytes;
	char sha[65];
};

/* "data/TABLE/NNNNNN.copy" with a plain table name. */
static int
data_member_table(const char *name, char table[DB_NAME_MAX])
{
	const char *t = name + 5, *slash;
	size_t n;

	if (strncmp(name, "data/", 5) != 0 || (slash = strchr(t, '/')) == NULL)
		return -1;
	n = (size_t)(slash - t);
	if (n == 0 || n >= DB_NAME_MAX || strlen(slash + 1) != 11 ||
	    strcmp(slash + 7, ".copy") != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '_'))
			return -1;
	for (size_t i = 1; i <= 6; i++)
		if (slash[i] < '0' || slash[i] > '9')
			return -1;
	memcpy(table, t, n);
	table[n] = '\0';
	return 0;
}

static int
read_small(struct tar_reader *tr, const struct tar_member *tm, size_t cap, struct buf *b,
	   struct err *e)
{
	char tmp[8192];
	long n;

	if (tm->size > cap)
		return err_set(e, ERR_PARSE, "member '%s' is too big (%llu bytes) for a backup's",
			       tm->name, (unsigned long long)tm->size);
	buf_init(b, cap + 1);
	while ((n = tar_read(tr, tmp, sizeof(tmp), e)) > 0)
		if (buf_append(b, tmp, (size_t)n) < 0)
			return err_set(e, ERR_NOMEM, "out of memory");
	return n < 0 ? -1 : 0;
}

/* The manifest's shape: what backup_verify and restore rely on. */
static int
check_manifest(json_t *m, struct err *e)
{
	json_t *v, *tables = json_object_get(m, "tables"), *members = json_object_get(m, "members");
	size_t i;

	if (!json_is_string(json_object_get(m, "format")) ||
	    strcmp(json_string_value(json_object_get(m, "format")), BACKUP_FORMAT) != 0)
		return err_set(e, ERR_PARSE, "this is not a comradarr backup (its manifest names "
			       "no '" BACKUP_FORMAT "' format)");
	if (json_integer_value(json_object_get(m, "format_version")) != BACKUP_FORMAT_VERSION)
		return err_set(e, ERR_PARSE, "backup format version %lld is not one this comradarr "
			       "reads (%d): use the comradarr that made it",
			       (long long)json_integer_value(json_object_get(m, "format_version")),
			       BACKUP_FORMAT_VERSION);
	if (!json_is_integer(json_object_get(m, "schema_version")) || !json_is_array(tables) ||
	    !json_is_array(members) || !json_is_array(json_object_get(m, "sequences")) ||
	    !json_is_array(json_object_get(m, "migrations")) ||
	    !json_is_array(json_object_get(m, "secret_key_ids")))
		return err_set(e, ERR_PARSE, "the backup's manifest is incomplete");
	json_array_foreach(tables, i, v) {
		json_t *cols = json_object_get(v, "columns"), *c;
		size_t j;
		char t[DB_NAME_MAX];
		char probe[TAR_NAME_MAX + 1];

		if (!json_is_string(json_object_get(v, "name")) || !json_is_array(cols) ||
		    !json_is_integer(json_object_get(v, "rows")) ||
		    !json_is_integer(json_object_get(v, "members")))
			return err_set(e, ERR_PARSE, "the backup's manifest has a malformed table");
		snprintf(probe, sizeof(probe), "data/%s/000001.copy",
			 json_string_value(json_object_get(v, "name")));
		if (data_member_table(probe, t) < 0)
			return err_set(e, ERR_PARSE, "the backup's manifest names a table '%s' that "
				       "no comradarr schema has",
				       json_string_value(json_object_get(v, "name")));
		json_array_foreach(cols, j, c)
			if (!json_is_string(c))
				return err_set(e, ERR_PARSE, "the backup's manifest has a malformed "
					       "column list");
	}
	json_array_foreach(members, i, v) {
		if (!json_is_string(json_object_get(v, "name")) ||
		    !json_is_string(json_object_get(v, "table")) ||
		    !json_is_integer(json_object_get(v, "bytes")) ||
		    !json_is_string(json_object_get(v, "sha256")))
			return err_set(e, ERR_PARSE, "the backup's manifest has a malformed member");
	}
	return 0;
}

int
backup_verify(FILE *in, json_t **manifest, struct err *e)
{
	struct tar_reader tr;
	struct tar_member tm;
	struct seen *seen = NULL;
	size_t nseen = 0, alloc = 0, i;
	struct buf mtext = BUF_INIT, dtext = BUF_INIT;
	json_t *m = NULL, *v;
	json_error_t je;
	char sum[65], want[200];
	int rc, ret = -1, state = 0;	/* 0 data, 1 manifest read, 2 digest read */
	unsigned char buf[65536];

	if (manifest != NULL)
		*manifest = NULL;
	tar_reader_init(&tr, in);
	while ((rc = tar_next(&tr, &tm, e)) == 1) {
		char table[DB_NAME_MAX];

		if (state == 2) {
			err_set(e, ERR_PARSE, "member '%s' follows the end of the backup: refused "
				"(a member was added)", tm.name);
			goto out;
		}
		if (strcmp(tm.name, MANIFEST_NAME) == 0 && state == 0) {
			if (read_small(&tr, &tm, BACKUP_MANIFEST_MAX, &mtext, e) < 0)
				goto out;
			state = 1;
		} else if (strcmp(tm.name, DIGEST_NAME) == 0 && state == 1) {
			if (read_small(&tr, &tm, 1024, &dtext, e) < 0)
				goto out;
			state = 2;
		} else if (state == 0 && data_member_table(tm.name, table) == 0) {
			crypto_hash_sha256_state st;
			unsigned char h[crypto_hash_sha256_BYTES];
			long n;

			if (nseen == BACKUP_MEMBERS_MAX) {
				err_set(e, ERR_PARSE, "the backup has more than %d members",
					BACKUP_MEMBERS_MAX);
				goto out;
			}
			if (nseen == alloc) {
				struct seen *p;

				alloc = alloc ? alloc * 2 : 64;
				p = realloc(seen, alloc * sizeof(*seen));
				if (p == NULL) {
					err_set(e, ERR_NOMEM, "out of memory");
					goto out;
				}
				seen = p;
			}
			crypto_hash_sha256_init(&st);
			while ((n = tar_read(&tr, buf, sizeof(buf), e)) > 0)
				crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
			if (n < 0)
				goto out;
			crypto_hash_sha256_final(&st, h);
			snprintf(seen[nseen].name, sizeof(seen[nseen].name), "%s", tm.name);
			seen[nseen].bytes = tm.size;
			sodium_bin2hex(seen[nseen].sha, 65, h, sizeof(h));
			nseen++;
		} else {
			err_set(e, ERR_PARSE, "member '%s' is not part of a comradarr backup: refused",
				tm.name);
			goto out;
		}
	}
	if (rc < 0)
		goto out;
	if (state != 2) {
		err_set(e, ERR_PARSE, "the archive is truncated or incomplete: it has no %s",
			state == 0 ? "manifest" : "manifest digest");
		goto out;
	}
	hex_digest((const unsigned char *)mtext.data, mtext.len, sum);
	snprintf(want, sizeof(want), "%s  %s\n", sum, MANIFEST_NAME);
	if (dtext.len != strlen(want) || memcmp(dtext.data, want, dtext.len) != 0) {
		err_set(e, ERR_PARSE, "the manifest is corrupt: its SHA-256 does not match the "
			"one recorded in '%s'", DIGEST_NAME);
		goto out;
	}
	m = json_loadb(mtext.data, mtext.len, 0, &je);
	if (m == NULL) {
		err_set(e, ERR_PARSE, "the manifest is not valid JSON: %s", je.text);
		goto out;
	}
	if (check_manifest(m, e) < 0)
		goto out;
	if (json_array_size(json_object_get(m, "members")) != nseen) {
		err_set(e, ERR_PARSE, "the backup has %zu data members, its manifest lists %zu: "
			"members were added or removed", nseen,
			json_array_size(json_object_get(m, "members")));
		goto out;
	}
	json_array_foreach(json_object_get(m, "members"), i, v) {
		if (strcmp(json_string_value(json_object_get(v, "name")), seen[i].name) != 0) {
			err_set(e, ERR_PARSE, "member '%s' is not the one the manifest lists there "
				"('%s'): refused", seen[i].name,
				json_string_value(json_object_get(v, "name")));
			goto out;
		}
		if ((uint64_t)json_integer_value(json_object_get(v, "bytes")) != seen[i].bytes ||
		    strcmp(json_string_value(json_object_get(v, "sha256")), seen[i].sha) != 0) {
			err_set(e, ERR_PARSE, "member '%s' is corrupt: its SHA-256 does not match the "
				"manifest", seen[i].name);
			goto out;
		}
	}
	if (manifest != NULL) {
		*manifest = m;
		m = NULL;
	}
	ret = 0;
out:
	free(seen);
	buf_release(&mtext);
	buf_release(&dtext);
	json_decref(m);
	return ret;
}

int
backup_read_manifest(const char *path, json_t **manifest, struct err *e)
{
	struct tar_reader tr;
	struct tar_member tm;
	struct buf b = BUF_INIT;
	json_error_t je;
	FILE *f = fopen(path, "rb");
	int rc, ret = -1;

	*manifest = NULL;
	if (f == NULL)
		return err_set(e, ERR_IO, "cannot open '%s': %s", path, strerror(errno));
	tar_reader_init(&tr, f);
	while ((rc = tar_next(&tr, &tm, e)) == 1) {
		if (strcmp(tm.name, MANIFEST_NAME) != 0)
			continue;
		if (read_small(&tr, &tm, BACKUP_MANIFEST_MAX, &b, e) < 0)
			goto out;
		*manifest = json_loadb(b.data ? b.data : "", b.len, 0, &je);
		if (*manifest == NULL) {
			err_set(e, ERR_PARSE, "the manifest of '%s' is not valid JSON", path);
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (rc == 0)
		err_set(e, ERR_PARSE, "'%s' has no manifest: truncated, or not a backup", path);
out:
	buf_release(&b);
	fclose(f);
	return ret;
}

size_t
backup_manifest_key_ids(json_t *manifest, const char **ids, size_t max)
{
	json_t *a = json_object_get(manifest, "secret_key_ids"), *v;
	size_t i, n = 0;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && n < max)
			ids[n++] = json_string_value(v);
	return n;
}
