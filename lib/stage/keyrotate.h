/*
 * keyrotate.h - `comradarr key rotate|confirm|status` (Req 36.4): a new
 * secret key, every stored secret sealed again under it, the old key kept
 * until the user says everything works.
 *
 * The files, beside the key file K ($COMRADARR_HOME/secret.key):
 *
 *   1. K.new is made (mode 0600, written atomically), or read when a
 *      rotation that stopped left it;
 *   2. one transaction re-seals every value under K's key with K.new's
 *      (db/secrets.h); values already under the new key are left;
 *   3. K is linked to K.old, then K.new is renamed over K.
 *
 * A crash anywhere leaves every secret readable with one of the two keys,
 * both on disk: before 2 commits, everything is under K; after, under
 * K.new (tools fail with a key mismatch naming the new key id until step 3
 * runs); running rotate again finishes either case.  `confirm` removes
 * K.old once no stored value carries its id.  Backups made before the
 * rotation are sealed with the old key: keep a copy of K.old with them.
 *
 * A key given by SECRET_KEY or SECRET_KEY_FILE is the administrator's
 * file, not ours: the caller refuses to rotate it.
 */
#ifndef COMRADARR_STAGE_KEYROTATE_H
#define COMRADARR_STAGE_KEYROTATE_H

#include <libpq-fe.h>

#include "core/err.h"
#include "db/secrets.h"

struct key_rotation {
	char old_id[17];
	char new_id[17];
	int resumed;		/* a rotation that had stopped was finished */
	struct db_reseal_report reseal;
};

int key_rotate(PGconn *db, const char *key_path, struct key_rotation *r, struct err *e);

/* Remove K.old; refused while a stored value still carries its id, or a
 * rotation is unfinished.  removed_id receives its id. */
int key_confirm(PGconn *db, const char *key_path, char removed_id[17], struct err *e);

struct key_state {
	char current[17];	/* "" when there is no key file */
	char pending[17];	/* K.new: a rotation not finished */
	char kept[17];		/* K.old: waiting for confirm */
	char stored[DB_KEY_IDS_MAX][17];	/* the ids the database's secrets carry */
	size_t nstored;
};

/* key_path NULL: the key came from SECRET_KEY (k gives its id). */
int key_state_read(PGconn *db, const char *key_path, const struct secret_key *k,
		   struct key_state *s, struct err *e);

#endif
