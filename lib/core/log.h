/*
 * log.h - structured logging to stderr (Req 31).
 *
 * Each record is one JSON object on one line:
 *   {"ts":"2026-11-23T14:00:00.123Z","level":"info","tool":"comradarr-sync",
 *    "module":"sync","msg":"...","correlation_id":"...", ...fields}
 * or, when stderr is a terminal (and LOG_FORMAT is not json), a short human
 * line.  Levels: error, warn, info, debug, trace.  The level may be changed
 * at any time (log_set_level), e.g. by -serve when the setting changes.
 *
 * Redaction happens here, not in callers: any string registered with
 * log_secret_add() is replaced by "[REDACTED]" wherever it appears, field
 * names that look secret (apikey, api_key, password, token, secret,
 * authorization, cookie) have their values replaced, and the patterns
 * "apikey=...", "X-Api-Key: ...", "Bearer ..." and "password=..." are masked
 * inside any text.  So a decrypted API key registered once cannot reach a
 * log line even through a curl error or a response body at trace level.
 *
 * The logger keeps its state in one static struct: the level and format are
 * configuration read once at start (DESIGN.md allows exactly this).  It is
 * safe to call from several threads.
 */
#ifndef COMRADARR_CORE_LOG_H
#define COMRADARR_CORE_LOG_H

#include <jansson.h>
#include <stdio.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_TRACE
};

enum log_format {
	LOG_FORMAT_AUTO = 0,	/* human on a terminal, JSON otherwise */
	LOG_FORMAT_JSON,
	LOG_FORMAT_HUMAN
};

/* tool: "comradarr-sync" etc.; kept by pointer (use a string literal). */
void log_init(const char *tool, enum log_level level, enum log_format format);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
int log_enabled(enum log_level level);
/* Where records go; stderr by default.  For tests. */
void log_set_stream(FILE *stream);

/* "error" .. "trace" -> level; returns -1 for anything else. */
int log_level_parse(const char *name, enum log_level *out);
const char *log_level_name(enum log_level level);

/* The correlation id put on every record from now on (copied; NULL clears). */
void log_set_correlation_id(const char *id);
const char *log_get_correlation_id(void);
/* A fresh random id (16 hex chars) into buf (at least 17 bytes). */
void log_new_correlation_id(char *buf, size_t size);

/*
 * Register a secret to be masked in every later record (copied; strings
 * shorter than 4 characters are ignored: masking them would eat ordinary
 * text).  log_secret_clear() forgets them all and wipes the copies.
 */
void log_secret_add(const char *secret);
void log_secret_clear(void);

/*
 * Write one record.  fields (may be NULL) is a JSON object whose members are
 * added to the record; it is stolen (decref'd here).
 */
void log_write(enum log_level level, const char *module, json_t *fields,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_error(module, ...) log_write(LOG_LEVEL_ERROR, module, NULL, __VA_ARGS__)
#define log_warn(module, ...)  log_write(LOG_LEVEL_WARN, module, NULL, __VA_ARGS__)
#define log_info(module, ...)  log_write(LOG_LEVEL_INFO, module, NULL, __VA_ARGS__)
#define log_debug(module, ...) log_write(LOG_LEVEL_DEBUG, module, NULL, __VA_ARGS__)
#define log_trace(module, ...) log_write(LOG_LEVEL_TRACE, module, NULL, __VA_ARGS__)

/*
 * Mask secrets in text: registered secrets and the patterns above.  Returns
 * a malloc'd string the caller frees (NULL only on allocation failure).
 * Used by the logger and by anything else that must show foreign text (an
 * *arr error body) to a user.
 */
char *log_redact(const char *text);

/*
 * Redact a JSON value in place: members with secret names (log_field_is_secret)
 * become "[REDACTED]", and every string, in objects and arrays at any depth,
 * goes through log_redact().  Used for log fields and JSON lines alike.
 */
void log_redact_json(json_t *v);

/* Would a JSON member of this name hold a secret? */
int log_field_is_secret(const char *name);

#endif
