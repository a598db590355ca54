/*
 * cutoff.c - the upgrade candidate decision.
 */
#include <string.h>

#include "core/err.h"
#include "policy/cutoff.h"

#include "core/banned.h"

static int
rank_of(const struct cutoff_profile *p, int quality_id, int *rank)
{
	for (size_t i = 0; i < p->nitems; i++) {
		if (p->items[i].quality_id == quality_id) {
			*rank = p->items[i].rank;
			return 0;
		}
	}
	return -1;
}

int
cutoff_decide(const struct cutoff_profile *p, const struct cutoff_file *f,
	      struct cutoff_verdict *out, struct err *e)
{
	int cutoff_rank, file_rank, below;

	memset(out, 0, sizeof(*out));
	if (rank_of(p, p->cutoff_quality_id, &cutoff_rank) < 0)
		return err_set(e, ERR_USAGE,
			       "quality profile cutoff %d is not one of its qualities; sync the connector again",
			       p->cutoff_quality_id);
	if (rank_of(p, f->quality_id, &file_rank) < 0) {
		out->quality_unknown = 1;
		below = 1;
	} else {
		below = file_rank < cutoff_rank;
	}
	if (f->flag != CUTOFF_FLAG_UNKNOWN) {
		int app = f->flag == CUTOFF_FLAG_NOT_MET;

		out->flag_disagrees = app != below;
		below = app;
	}
	if (below)
		out->reason = CUTOFF_QUALITY_BELOW;
	else if (f->custom_format_score < p->cutoff_format_score)
		out->reason = CUTOFF_CF_SCORE_BELOW;
	if (out->reason != CUTOFF_NONE && !p->upgrade_allowed) {
		out->upgrades_disabled = 1;
		out->reason = CUTOFF_NONE;
	}
	out->candidate = out->reason != CUTOFF_NONE;
	return 0;
}

const char *
cutoff_reason_name(enum cutoff_reason r)
{
	switch (r) {
	case CUTOFF_NONE: return "none";
	case CUTOFF_QUALITY_BELOW: return "quality_below_cutoff";
	case CUTOFF_CF_SCORE_BELOW: return "cf_score_below_cutoff";
	}
	return "unknown";
}
