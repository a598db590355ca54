/*
 * webhook.h - the payloads Sonarr, Radarr and Whisparr POST to a
 * "Webhook" connection (Settings > Connect), parsed into what Comradarr acts
 * on (../shared/arr-openapi/API-NOTES.md).
 *
 *   Grab               series + episodes[] / movie       -> entries awaiting import
 *   Download           the same (+ isUpgrade)             -> file gained, entries resolved
 *   EpisodeFileDelete, MovieFileDelete                    -> file lost (a gap again)
 *   SeriesDelete, MovieDelete                             -> gone from the mirror
 *   Health, HealthRestored  level, message, type          -> an event
 *   Test and anything else                                -> nothing (the next sync)
 *
 * Pure: no I/O.  A payload that is not JSON, lacks eventType, or lacks the
 * ids its event needs is refused (ERR_PARSE saying what is missing), so a
 * malformed call changes nothing.  Unknown fields are ignored (the apps add
 * some in every version).
 */
#ifndef COMRADARR_ARR_WEBHOOK_H
#define COMRADARR_ARR_WEBHOOK_H

#include <stddef.h>

#include "core/err.h"

#define ARR_WEBHOOK_MAX_IDS	1000	/* episodes in one payload (a season pack: dozens) */
#define ARR_WEBHOOK_MAX_BODY	(1024 * 1024)

enum arr_webhook_kind {
	ARR_HOOK_OTHER = 0,	/* Test, Rename, SeriesAdd, ApplicationUpdate, ... */
	ARR_HOOK_GRAB,
	ARR_HOOK_DOWNLOAD,
	ARR_HOOK_FILE_DELETE,
	ARR_HOOK_ITEM_DELETE,
	ARR_HOOK_HEALTH,
	ARR_HOOK_HEALTH_RESTORED
};

struct arr_webhook {
	enum arr_webhook_kind kind;
	char event_type[48];	/* as sent: "Grab", "MovieFileDelete" */
	int movie;		/* 1: the ids are movies' (Radarr, Whisparr v3) */
	int series_arr_id;	/* episodes' series; 0 for movies */
	int ids[ARR_WEBHOOK_MAX_IDS];	/* episode or movie ids of the *arr */
	int nids;
	int is_upgrade;		/* Download */
	char level[16];		/* Health: error | warning | ok ... */
	char message[512];
};

int arr_webhook_parse(const char *body, size_t len, struct arr_webhook *w, struct err *e);

/* "grab", "download", "file_delete", "item_delete", "health", "health_restored", "other" */
const char *arr_webhook_kind_name(enum arr_webhook_kind k);

#endif
