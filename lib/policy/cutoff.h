/*
 * cutoff.h - is an existing file an upgrade candidate? (Req 4.1)
 *
 * The apps decide in two parts (API-NOTES "Missing and cutoff"):
 *   1. quality: the file's quality ranks below the profile's cutoff.  The
 *      app's own qualityCutoffNotMet flag answers exactly this, and it wins
 *      when the caller has it: the app knows its profile best.
 *   2. custom formats: the file's customFormatScore is below the profile's
 *      cutoffFormatScore.  The flag and wanted/cutoff do NOT check this, so
 *      it is computed here.
 * Both only apply when the profile has upgradeAllowed: an app that will
 * not take an upgrade would spend indexer queries for nothing.
 */
#ifndef COMRADARR_POLICY_CUTOFF_H
#define COMRADARR_POLICY_CUTOFF_H

#include <stddef.h>

struct err;

/* One allowed quality of a profile, groups flattened: every member of a
 * group carries the group's rank.  A group's own id may be listed with
 * the same rank, so a cutoff that names a group resolves. */
struct cutoff_quality {
	int quality_id;
	int rank;		/* higher is better */
};

struct cutoff_profile {
	const struct cutoff_quality *items;
	size_t nitems;
	int cutoff_quality_id;	/* "cutoff" (a quality or group id) */
	int upgrade_allowed;
	int cutoff_format_score;
};

/* qualityCutoffNotMet as the app reported it */
enum cutoff_flag { CUTOFF_FLAG_UNKNOWN = -1, CUTOFF_FLAG_MET = 0,
		   CUTOFF_FLAG_NOT_MET = 1 };

struct cutoff_file {
	int quality_id;
	int custom_format_score;
	enum cutoff_flag flag;
};

enum cutoff_reason {
	CUTOFF_NONE = 0,		/* not a candidate */
	CUTOFF_QUALITY_BELOW,		/* quality_below_cutoff */
	CUTOFF_CF_SCORE_BELOW		/* cf_score_below_cutoff */
};

struct cutoff_verdict {
	int candidate;
	enum cutoff_reason reason;	/* quality first when both apply */
	int upgrades_disabled;		/* why NONE when the rest would say yes */
	int flag_disagrees;		/* the app's flag and our ranking differ
					 * (a profile changed since the sync) */
	int quality_unknown;		/* the file's quality is not in the
					 * profile: below cutoff unless the flag
					 * says otherwise */
};

/*
 * Decide.  Returns 0, or -1 with ERR_USAGE when the profile's cutoff id
 * is not among its items (a malformed profile the caller must report).
 */
int cutoff_decide(const struct cutoff_profile *p, const struct cutoff_file *f,
		  struct cutoff_verdict *out, struct err *e);

/* "none", "quality_below_cutoff", "cf_score_below_cutoff" */
const char *cutoff_reason_name(enum cutoff_reason r);

#endif
