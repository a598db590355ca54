/*
 * batch.c - the season pack decision and command formation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "policy/batch.h"

#include "core/banned.h"

void
batch_season_config_default(struct batch_season_config *c)
{
	c->pack_enabled = 1;
	c->threshold_pct = 50;
	c->min_missing = 3;
}

int
batch_season_config_validate(const struct batch_season_config *c,
			     struct err *e)
{
	if (c->threshold_pct < 0 || c->threshold_pct > 100)
		return err_set(e, ERR_CONFIG,
			       "season pack threshold %d%% is out of range; use 0 to 100",
			       c->threshold_pct);
	if (c->min_missing < 1 || c->min_missing > 1000)
		return err_set(e, ERR_CONFIG,
			       "season pack minimum missing count %d is out of range; use 1 to 1000",
			       c->min_missing);
	return 0;
}

enum batch_season_choice
batch_season_decide(const struct batch_season *s,
		    const struct batch_season_config *c,
		    enum batch_season_reason *reason)
{
	enum batch_season_reason r;
	enum batch_season_choice ch = BATCH_EPISODES;

	if (s->missing_aired <= 0) {
		r = BATCH_R_NOTHING_MISSING;
		ch = BATCH_NOTHING;
	} else if (!c->pack_enabled) {
		r = BATCH_R_PACK_DISABLED;
	} else if (s->pack_in_cooldown) {
		/* the pack search may still grab: episodes would double the
		 * indexer queries for the same files */
		r = BATCH_R_PACK_COOLDOWN;
		ch = BATCH_WAIT;
	} else if (s->next_airing_set) {
		r = BATCH_R_AIRING;
	} else if (s->aired_episodes < s->total_episodes) {
		r = BATCH_R_NOT_FULLY_AIRED;
	} else if (s->missing_aired < c->min_missing) {
		r = BATCH_R_TOO_FEW_MISSING;
	} else if ((int64_t)s->missing_aired * 100 <=
		   (int64_t)c->threshold_pct * s->total_episodes) {
		r = BATCH_R_BELOW_THRESHOLD;
	} else if (s->pack_failed) {
		r = BATCH_R_PACK_FAILED;
	} else {
		r = BATCH_R_THRESHOLD_MET;
		ch = BATCH_SEASON;
	}
	if (reason != NULL)
		*reason = r;
	return ch;
}

const char *
batch_season_choice_name(enum batch_season_choice c)
{
	switch (c) {
	case BATCH_NOTHING: return "nothing";
	case BATCH_EPISODES: return "episodes";
	case BATCH_SEASON: return "season";
	case BATCH_WAIT: return "wait";
	}
	return "unknown";
}

const char *
batch_season_reason_name(enum batch_season_reason r)
{
	switch (r) {
	case BATCH_R_NOTHING_MISSING: return "nothing_missing";
	case BATCH_R_PACK_DISABLED: return "season_pack_disabled";
	case BATCH_R_PACK_COOLDOWN: return "season_pack_cooldown";
	case BATCH_R_AIRING: return "currently_airing";
	case BATCH_R_NOT_FULLY_AIRED: return "not_fully_aired";
	case BATCH_R_TOO_FEW_MISSING: return "too_few_missing";
	case BATCH_R_BELOW_THRESHOLD: return "below_threshold";
	case BATCH_R_PACK_FAILED: return "season_pack_failed";
	case BATCH_R_THRESHOLD_MET: return "threshold_met";
	}
	return "unknown";
}

const char *
batch_command_name(enum batch_command c)
{
	switch (c) {
	case BATCH_CMD_EPISODE_SEARCH: return "EpisodeSearch";
	case BATCH_CMD_SEASON_SEARCH: return "SeasonSearch";
	case BATCH_CMD_MOVIES_SEARCH: return "MoviesSearch";
	}
	return "unknown";
}

struct ref {
	const struct batch_item *it;
	size_t idx;
	enum batch_command cmd;
};

static int
cmp64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static enum batch_command
item_command(const struct batch_item *it)
{
	if (it->kind == BATCH_KIND_MOVIE)
		return BATCH_CMD_MOVIES_SEARCH;
	return it->season_pack ? BATCH_CMD_SEASON_SEARCH :
		BATCH_CMD_EPISODE_SEARCH;
}

/* identity first, best copy first: the canonical item leads its run */
static int
cmp_identity(const void *pa, const void *pb)
{
	const struct ref *a = pa, *b = pb;
	int c;

	if ((c = cmp64(a->it->connector_id, b->it->connector_id)) ||
	    (c = cmp64(a->it->kind, b->it->kind)) ||
	    (c = cmp64(a->it->arr_id, b->it->arr_id)) ||
	    (c = cmp64(b->it->priority, a->it->priority)) ||
	    (c = cmp64(b->it->season_pack, a->it->season_pack)))
		return c;
	return cmp64((int64_t)a->idx, (int64_t)b->idx);
}

/* the command group, then the order items fill it */
static int
cmp_group(const void *pa, const void *pb)
{
	const struct ref *a = pa, *b = pb;
	int c;

	if ((c = cmp64(a->it->connector_id, b->it->connector_id)) ||
	    (c = cmp64(a->cmd, b->cmd)))
		return c;
	if (a->cmd != BATCH_CMD_MOVIES_SEARCH &&
	    (c = cmp64(a->it->series_id, b->it->series_id)))
		return c;
	if (a->cmd == BATCH_CMD_SEASON_SEARCH &&
	    (c = cmp64(a->it->season_number, b->it->season_number)))
		return c;
	if ((c = cmp64(b->it->priority, a->it->priority)) ||
	    (c = cmp64(a->it->arr_id, b->it->arr_id)))
		return c;
	return cmp64((int64_t)a->idx, (int64_t)b->idx);
}

static int
same_group(const struct ref *a, const struct ref *b)
{
	if (a->it->connector_id != b->it->connector_id || a->cmd != b->cmd)
		return 0;
	if (a->cmd != BATCH_CMD_MOVIES_SEARCH &&
	    a->it->series_id != b->it->series_id)
		return 0;
	if (a->cmd == BATCH_CMD_SEASON_SEARCH &&
	    a->it->season_number != b->it->season_number)
		return 0;
	return 1;
}

struct slot {
	struct batch_cmd cmd;
	size_t old;
};

static int
cmp_cmd(const void *pa, const void *pb)
{
	const struct batch_cmd *a = &((const struct slot *)pa)->cmd;
	const struct batch_cmd *b = &((const struct slot *)pb)->cmd;
	int c;

	if ((c = cmp64(b->priority, a->priority)) ||
	    (c = cmp64(a->connector_id, b->connector_id)) ||
	    (c = cmp64(a->command, b->command)) ||
	    (c = cmp64(a->series_id, b->series_id)) ||
	    (c = cmp64(a->season_number, b->season_number)))
		return c;
	return cmp64(a->nids ? a->ids[0] : 0, b->nids ? b->ids[0] : 0);
}

static int
cmp_id(const void *pa, const void *pb)
{
	return cmp64(*(const int64_t *)pa, *(const int64_t *)pb);
}

int
batch_form(const struct batch_item *items, size_t nitems, int max_ids,
	   struct batch_plan *plan, struct err *e)
{
	struct ref *refs = NULL;
	size_t *canon = NULL, *perm = NULL, nref = 0, ncmd = 0;
	struct slot *slots = NULL;
	int ret = -1;

	memset(plan, 0, sizeof(*plan));
	if (max_ids < 1 || max_ids > BATCH_MAX_IDS) {
		err_set(e, ERR_USAGE,
			"batch size %d is out of range; use 1 to %d ids per command",
			max_ids, BATCH_MAX_IDS);
		goto out;
	}
	if (nitems == 0) {
		ret = 0;
		goto out;
	}
	refs = calloc(nitems, sizeof(*refs));
	canon = calloc(nitems, sizeof(*canon));
	slots = calloc(nitems, sizeof(*slots));
	perm = calloc(nitems, sizeof(*perm));
	plan->item_cmd = calloc(nitems, sizeof(*plan->item_cmd));
	if (refs == NULL || canon == NULL || slots == NULL || perm == NULL ||
	    plan->item_cmd == NULL) {
		err_set(e, ERR_NOMEM, "out of memory batching %zu items",
			nitems);
		goto out;
	}
	for (size_t i = 0; i < nitems; i++) {
		refs[i].it = &items[i];
		refs[i].idx = i;
		refs[i].cmd = item_command(&items[i]);
	}

	/* duplicates point at the canonical copy and are not batched */
	qsort(refs, nitems, sizeof(*refs), cmp_identity);
	for (size_t i = 0; i < nitems; i++) {
		if (i > 0 &&
		    refs[i].it->connector_id == refs[i - 1].it->connector_id &&
		    refs[i].it->kind == refs[i - 1].it->kind &&
		    refs[i].it->arr_id == refs[i - 1].it->arr_id) {
			canon[refs[i].idx] = canon[refs[i - 1].idx];
			continue;
		}
		canon[refs[i].idx] = refs[i].idx;
		refs[nref++] = refs[i];
	}

	qsort(refs, nref, sizeof(*refs), cmp_group);
	for (size_t i = 0; i < nref; i++) {
		struct batch_cmd *c = ncmd ? &slots[ncmd - 1].cmd : NULL;
		int fresh = c == NULL || !same_group(&refs[i - 1], &refs[i]) ||
			(refs[i].cmd != BATCH_CMD_SEASON_SEARCH &&
			 c->nids == max_ids);

		if (fresh) {
			c = &slots[ncmd].cmd;
			slots[ncmd].old = ncmd;
			ncmd++;
			c->command = refs[i].cmd;
			c->connector_id = refs[i].it->connector_id;
			c->series_id = refs[i].cmd == BATCH_CMD_MOVIES_SEARCH ?
				0 : refs[i].it->series_id;
			c->season_number = refs[i].cmd == BATCH_CMD_SEASON_SEARCH ?
				refs[i].it->season_number : -1;
			c->priority = refs[i].it->priority;	/* sorted: max */
			c->expected_queries = refs[i].cmd == BATCH_CMD_SEASON_SEARCH;
		}
		if (refs[i].cmd != BATCH_CMD_SEASON_SEARCH) {
			c->ids[c->nids++] = refs[i].it->arr_id;
			c->expected_queries = c->nids;
		}
		plan->item_cmd[refs[i].idx] = ncmd - 1;
	}
	for (size_t k = 0; k < ncmd; k++)
		qsort(slots[k].cmd.ids, (size_t)slots[k].cmd.nids,
		      sizeof(int64_t), cmp_id);
	qsort(slots, ncmd, sizeof(*slots), cmp_cmd);

	plan->cmds = calloc(ncmd, sizeof(*plan->cmds));
	if (plan->cmds == NULL) {
		err_set(e, ERR_NOMEM, "out of memory batching %zu items",
			nitems);
		goto out;
	}
	for (size_t k = 0; k < ncmd; k++) {
		plan->cmds[k] = slots[k].cmd;
		perm[slots[k].old] = k;
	}
	/* canonical items first, then every duplicate follows its copy */
	for (size_t i = 0; i < nitems; i++)
		if (canon[i] == i)
			plan->item_cmd[i] = perm[plan->item_cmd[i]];
	for (size_t i = 0; i < nitems; i++)
		if (canon[i] != i)
			plan->item_cmd[i] = plan->item_cmd[canon[i]];
	plan->ncmds = ncmd;
	plan->nitems = nitems;
	ret = 0;
out:
	if (ret < 0)
		batch_plan_release(plan);
	free(refs);
	free(canon);
	free(slots);
	free(perm);
	return ret;
}

void
batch_plan_release(struct batch_plan *plan)
{
	free(plan->cmds);
	free(plan->item_cmd);
	memset(plan, 0, sizeof(*plan));
}

size_t
batch_eligible(const struct batch_cmd *cmds, size_t ncmds,
	       const struct batch_running *running, size_t nrunning,
	       int max_per_series, int *eligible)
{
	size_t marked = 0;

	for (size_t i = 0; i < ncmds; i++) {
		size_t busy = 0;

		eligible[i] = 0;
		if (cmds[i].command == BATCH_CMD_MOVIES_SEARCH) {
			eligible[i] = 1;
			marked++;
			continue;
		}
		for (size_t r = 0; r < nrunning; r++)
			busy += running[r].connector_id == cmds[i].connector_id &&
				running[r].series_id == cmds[i].series_id;
		for (size_t j = 0; j < i; j++)
			busy += eligible[j] &&
				cmds[j].command != BATCH_CMD_MOVIES_SEARCH &&
				cmds[j].connector_id == cmds[i].connector_id &&
				cmds[j].series_id == cmds[i].series_id;
		if (max_per_series > 0 && busy < (size_t)max_per_series) {
			eligible[i] = 1;
			marked++;
		}
	}
	return marked;
}
