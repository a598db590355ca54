/*
 * throttle.h - throttle profiles in the database and the multi-host
 * counters that enforce them (Req 7, 29.6, 37.2).
 *
 * Profiles live in throttle_profiles; the three presets are written from
 * lib/policy/throttle.h by db_throttle_seed_presets() (so their numbers have
 * one definition) and cannot be edited or removed.  A connector uses the
 * profile assigned in throttle_assignments, else Moderate (Req 7.7).
 *
 * The counters: throttle_ledger holds one row per admitted command (when,
 * how many indexer queries).  An admission, inside the caller's transaction:
 *
 *	db_throttle_lock()   the connector's throttle_state row FOR UPDATE:
 *	                     every dispatcher on every host queues here
 *	db_throttle_check()  reads the window and the day's spend from the
 *	                     ledger and asks throttle_admit()
 *	db_throttle_spend()  appends the ledger row (only when allowed)
 *	COMMIT
 *
 * Two dispatchers therefore never both take the last query of a window or
 * of the day, and a refused attempt (rolled back, or simply not spent)
 * consumes nothing.  "now" is the database's clock (clock_timestamp(),
 * read after the lock, so ledger times are ordered across hosts) unless the
 * process runs on an injected clock (tests), whose time is used instead.
 */
#ifndef COMRADARR_DB_THROTTLE_H
#define COMRADARR_DB_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"
#include "policy/throttle.h"

#define DB_THROTTLE_DEFAULT "moderate"
#define DB_THROTTLE_MAX_ATTEMPTS 6	/* default attempts before exhausted */

struct db_throttle_profile {
	int64_t id;
	int preset;		/* 1: one of the presets, read-only */
	int max_attempts;	/* 1..1000: exhausted at this many (Req 5.6) */
	struct throttle_profile p;	/* p.name is the profile's name */
};

/* Insert the presets, or bring their numbers up to date.  Idempotent. */
int db_throttle_seed_presets(PGconn *db, struct err *e);

/* Validate (throttle_profile_validate + max_attempts) and insert; fills
 * prof->id.  A name taken: ERR_CONFLICT. */
int db_throttle_profile_add(PGconn *db, struct db_throttle_profile *prof, struct err *e);

/* By name (case-sensitive; presets are lowercase).  ERR_NOTFOUND says how
 * to list them. */
int db_throttle_profile_get(PGconn *db, const char *name, struct db_throttle_profile *out,
			    struct err *e);

/* All profiles, presets first then by name.  *list is malloc'd (free()). */
int db_throttle_profile_list(PGconn *db, struct db_throttle_profile **list, size_t *n,
			     struct err *e);

/* Replace a custom profile's numbers (and name, when prof->p.name differs
 * from name).  A preset: ERR_USAGE, saying to copy it. */
int db_throttle_profile_update(PGconn *db, const char *name,
			       const struct db_throttle_profile *prof, struct err *e);

/* Remove a custom profile.  Still assigned: ERR_CONFLICT naming a connector. */
int db_throttle_profile_remove(PGconn *db, const char *name, struct err *e);

/* Assign a profile to a connector; profile NULL returns it to the default. */
int db_throttle_assign(PGconn *db, const char *connector, const char *profile, struct err *e);

/* The profile in force for a connector (its assignment, else Moderate). */
int db_throttle_for_connector(PGconn *db, int64_t connector_id, struct db_throttle_profile *out,
			      struct err *e);

/* The database's clock, in microseconds since the epoch. */
int db_now_us(PGconn *db, int64_t *out, struct err *e);

/* ---- the counters (call inside a transaction) */

/* Create the connector's throttle_state row if needed and lock it. */
int db_throttle_lock(PGconn *db, int64_t connector_id, struct err *e);

struct db_throttle_decision {
	struct throttle_verdict v;
	int64_t now_us;		/* the instant decided for */
	int64_t spent_today;	/* queries spent in now's local day */
	int64_t paused_until_us;	/* 0: no 429 pause */
	char pause_reason[64];
};

/*
 * May `cost` queries be sent now?  now_us <= 0 uses the database's clock.
 * Needs db_throttle_lock() first in the same transaction.
 */
int db_throttle_check(PGconn *db, int64_t connector_id, const struct throttle_profile *p,
		      const struct policy_tz *tz, int64_t now_us, int cost,
		      struct db_throttle_decision *out, struct err *e);

/* Record an admitted command; *ledger_id (may be NULL) gets its row id. */
int db_throttle_spend(PGconn *db, int64_t connector_id, int64_t at_us, int cost,
		      int64_t queue_id, const char *claimed_by, int64_t *ledger_id,
		      struct err *e);

/*
 * lock + check + spend in one transaction of its own (the caller must not
 * be in one).  Returns 0 with out->v.allowed saying what happened.
 */
int db_throttle_admit(PGconn *db, int64_t connector_id, const struct throttle_profile *p,
		      const struct policy_tz *tz, int64_t now_us, int cost,
		      struct db_throttle_decision *out, int64_t *ledger_id, struct err *e);

/* Give back a ledger row for a send the *arr certainly did not act on. */
int db_throttle_refund(PGconn *db, int64_t ledger_id, struct err *e);

/* Pause a connector until until_us (after a 429), with an event
 * "connector_paused"; one transaction. */
int db_throttle_pause(PGconn *db, int64_t connector_id, int64_t until_us, const char *reason,
		      struct err *e);

/*
 * Note, once per local day, that the connector's daily budget ran out
 * (Req 7.2): writes a "budget_exhausted" event the first time for that
 * day; *first (may be NULL) says whether this call wrote it.
 */
int db_throttle_note_budget(PGconn *db, int64_t connector_id, int64_t day_start_us,
			    int64_t resumes_us, int *first, struct err *e);

/* Read-only view for `comradarr queue status` (no lock taken). */
int db_throttle_peek(PGconn *db, int64_t connector_id, const struct throttle_profile *p,
		     const struct policy_tz *tz, int64_t now_us,
		     struct db_throttle_decision *out, struct err *e);

#endif
