#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/secretbox.h"
#include "stage/keyrotate.h"
#include "core/banned.h"

struct paths {
	char *next, *old;
};

static int
paths_make(const char *key_path, struct paths *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	if (asprintf(&p->next, "%s.new", key_path) < 0) {
		p->next = NULL;
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	if (asprintf(&p->old, "%s.old", key_path) < 0) {
		p->old = NULL;
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

static void
paths_release(struct paths *p)
{
	free(p->next);
	free(p->old);
}

static int
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Load an existing key file (never generating one). */
static int
load_existing(const char *path, struct secret_key *k, struct err *e)
{
	if (!exists(path))
		return err_set(e, ERR_CONFIG, "there is no key file \"%s\"", path);
	return secret_key_load(NULL, path, k, NULL, e);
}

int
key_rotate(PGconn *db, const char *key_path, struct key_rotation *r, struct err *e)
{
	struct paths p;
	struct secret_key cur, kept, next;
	int ret = -1, have_old, have_new, generated = 0;

	memset(r, 0, sizeof(*r));
	memset(&cur, 0, sizeof(cur));
	memset(&kept, 0, sizeof(kept));
	memset(&next, 0, sizeof(next));
	if (paths_make(key_path, &p, e) < 0)
		goto out;
	have_old = exists(p.old);
	have_new = exists(p.next);
	if (have_old && !have_new) {
		err_set(e, ERR_CONFLICT, "the previous rotation's old key is still kept in \"%s\": "
			"once everything works with the current key, run 'comradarr key confirm', "
			"then rotate again", p.old);
		goto out;
	}
	if (load_existing(key_path, &cur, e) < 0)
		goto out;
	if (have_old) {
		if (load_existing(p.old, &kept, e) < 0)
			goto out;
		if (sodium_memcmp(kept.key, cur.key, sizeof(cur.key)) != 0) {
			err_set(e, ERR_CONFLICT, "\"%s\" and \"%s\" hold different keys, and \"%s\" "
				"exists: a rotation stopped after a key file was changed by hand; put "
				"the files back as the rotation left them", p.old, key_path, p.next);
			goto out;
		}
	}
	if (secret_key_load(NULL, p.next, &next, &generated, e) < 0)
		goto out;
	r->resumed = !generated;
	if (sodium_memcmp(next.key, cur.key, sizeof(cur.key)) == 0) {
		err_set(e, ERR_CONFLICT, "\"%s\" holds the current key: remove it and rotate again",
			p.next);
		goto out;
	}
	secret_key_id_hex(&cur, r->old_id);
	secret_key_id_hex(&next, r->new_id);
	if (db_secrets_reseal(db, &cur, &next, &r->reseal, e) < 0) {
		err_prefix(e, "nothing was re-sealed (the new key waits in \"%s\")", p.next);
		goto out;
	}
	if (secret_key_file_install(key_path, p.next, p.old, e) < 0) {
		err_prefix(e, "the secrets are sealed with the new key (id %s) but the key files "
			   "were not swapped: run 'comradarr key rotate' again to finish", r->new_id);
		goto out;
	}
	ret = 0;
out:
	secret_key_wipe(&cur);
	secret_key_wipe(&kept);
	secret_key_wipe(&next);
	paths_release(&p);
	return ret;
}

int
key_confirm(PGconn *db, const char *key_path, char removed_id[17], struct err *e)
{
	struct paths p;
	struct secret_key kept;
	char ids[DB_KEY_IDS_MAX][17];
	size_t n = 0;
	int ret = -1;

	removed_id[0] = '\0';
	memset(&kept, 0, sizeof(kept));
	if (paths_make(key_path, &p, e) < 0)
		goto out;
	if (exists(p.next)) {
		err_set(e, ERR_CONFLICT, "a rotation is not finished (\"%s\" exists): run 'comradarr "
			"key rotate' to finish it first", p.next);
		goto out;
	}
	if (!exists(p.old)) {
		err_set(e, ERR_NOTFOUND, "no old key is kept (\"%s\" does not exist): nothing to "
			"confirm", p.old);
		goto out;
	}
	if (load_existing(p.old, &kept, e) < 0)
		goto out;
	secret_key_id_hex(&kept, removed_id);
	if (db_secret_key_ids(db, ids, &n, e) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ids[i], removed_id) == 0) {
			err_set(e, ERR_CONFLICT, "stored secrets are still sealed with the old key "
				"(id %s): run 'comradarr key rotate' to finish the rotation", removed_id);
			goto out;
		}
	}
	if (unlink(p.old) < 0) {
		err_set(e, ERR_IO, "cannot remove \"%s\": %s", p.old, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	secret_key_wipe(&kept);
	paths_release(&p);
	return ret;
}

static void
file_id(const char *path, char out[17])
{
	struct secret_key k;
	struct err ignored = ERR_INIT;

	out[0] = '\0';
	memset(&k, 0, sizeof(k));
	if (exists(path) && secret_key_load(NULL, path, &k, NULL, &ignored) == 0)
		secret_key_id_hex(&k, out);
	secret_key_wipe(&k);
}

int
key_state_read(PGconn *db, const char *key_path, const struct secret_key *k,
	       struct key_state *s, struct err *e)
{
	struct paths p;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	if (k != NULL)
		secret_key_id_hex(k, s->current);
	if (key_path != NULL) {
		if (paths_make(key_path, &p, e) < 0)
			goto out;
		if (k == NULL)
			file_id(key_path, s->current);
		file_id(p.next, s->pending);
		file_id(p.old, s->kept);
	}
	if (db_secret_key_ids(db, s->stored, &s->nstored, e) < 0)
		goto out;
	ret = 0;
out:
	if (key_path != NULL)
		paths_release(&p);
	return ret;
}
