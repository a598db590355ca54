/*
 * uiact.h - what the web UI changes that no other tool does yet: a
 * batch's priority or removal, bulk actions on content, and the reads its
 * connector page needs.  Each change runs in one transaction with its
 * outbox event (README: "every state change and its event are written in
 * one transaction"), so the activity feed and notifications see it.
 */
#ifndef COMRADARR_DB_UIACT_H
#define COMRADARR_DB_UIACT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"

/* The latest limit health checks of a connector: [{at, status, detail}]. */
int db_ui_health_history(PGconn *db, int64_t connector_id, int limit, json_t **out, struct err *e);

/*
 * Set a waiting batch's priority (the dispatcher takes the highest first).
 * A batch already claimed or sent, or gone: ERR_CONFLICT / ERR_NOTFOUND.
 * Event "queue_batch_changed".
 */
int db_ui_batch_priority(PGconn *db, int64_t batch_id, int priority, struct err *e);

/*
 * Remove a waiting batch; its entries go back to "pending" (the next
 * enqueue may queue them again).  Event "queue_batch_removed".
 */
int db_ui_batch_remove(PGconn *db, int64_t batch_id, struct err *e);

enum ui_bulk_action {
	UI_BULK_QUEUE,		/* top priority and eligible now: searched next */
	UI_BULK_PRIORITY,	/* set the entries' priority */
	UI_BULK_IGNORE,		/* exhausted: never searched until cleared */
	UI_BULK_RESET		/* pending, 0 attempts, eligible now */
};

/* The priority UI_BULK_QUEUE gives: above anything the scorer makes. */
#define UI_BULK_TOP_PRIORITY	100000

/* "queue" "priority" "ignore" "reset" -> the action; -1 when unknown. */
int ui_bulk_action_parse(const char *s, enum ui_bulk_action *out);

/*
 * Apply action to the registry entries of the listed items ("s<series
 * id>": every entry of its episodes; "m<movie id>"), leaving alone the
 * entries in a batch or being searched (a batch owns them until it ends).
 * *changed gets how many entries changed.  Event "content_bulk_action".
 */
int db_ui_bulk(PGconn *db, enum ui_bulk_action action, int priority, const char *const *keys,
	       size_t nkeys, long *changed, struct err *e);

#endif
