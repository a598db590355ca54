/*
 * err.h - the error a lib/ function fills in for its caller.
 *
 * lib/ never exits and never prints to stdout: a function that can fail
 * returns 0 on success and -1 on failure, having filled a struct err with
 * a kind and a message a user can act on.  cmd/ decides what to print and
 * which exit code to use (see exitcode.h).
 *
 *	int ret = -1;
 *	if (thing_open(&t, path, e) < 0)
 *		goto out;
 *	...
 *	ret = 0;
 * out:
 *	thing_release(&t);
 *	return ret;
 *
 * Messages follow git's guidelines: lowercase, no trailing period, the
 * subject quoted, and what to do next when the user can act.  They never
 * contain a secret (an API key, a password, a token).
 */
#ifndef COMRADARR_CORE_ERR_H
#define COMRADARR_CORE_ERR_H

#include <stdarg.h>

enum err_kind {
	ERR_NONE = 0,
	ERR_USAGE,	/* the caller asked for something impossible */
	ERR_CONFIG,	/* bad environment variable or setting */
	ERR_DB,		/* PostgreSQL refused or is unreachable */
	ERR_IO,		/* file system */
	ERR_NOMEM,
	ERR_CRYPTO,	/* wrong key, tampered ciphertext, no AES-NI */
	ERR_CONFLICT,	/* duplicate name, already running, lock held */
	ERR_NOTFOUND,	/* a named thing does not exist (ours or the *arr's) */
	/* the *arr client's kinds (lib/arr) */
	ERR_NET_REFUSED,	/* connection refused */
	ERR_NET_DNS,		/* host name did not resolve */
	ERR_NET_TIMEOUT,	/* no answer in time */
	ERR_NET_TLS,		/* certificate or handshake failure */
	ERR_NET,		/* any other transport failure */
	ERR_AUTH,		/* 401/403: wrong or missing API key */
	ERR_RATELIMIT,		/* 429 */
	ERR_STARTING,		/* 503 while the app starts */
	ERR_SERVER,		/* other 5xx */
	ERR_HTTP,		/* other unexpected status */
	ERR_PARSE,		/* malformed or oversized response */
	ERR_INTERNAL,
	ERR_KIND_MAX
};

struct err {
	enum err_kind kind;
	int http_status;	/* when the error came from an HTTP answer */
	long retry_after_ms;	/* 429: the server's Retry-After, clamped; else -1 */
	char msg[512];
};

#define ERR_INIT { ERR_NONE, 0, -1, "" }

/* Fill e (which may be NULL) and return -1, so `return err_set(...)` works. */
int err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_setv(struct err *e, enum err_kind kind, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Prefix e->msg with "context: ", keeping the kind.  Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void err_clear(struct err *e);

/* A short stable name for a kind ("auth", "net_timeout"), for JSON lines. */
const char *err_kind_name(enum err_kind kind);

/* Is an operation that failed this way worth retrying later? */
int err_kind_retryable(enum err_kind kind);

#endif
