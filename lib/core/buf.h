/*
 * buf.h - a growable byte buffer with a hard size cap (git's strbuf, curl's
 * dynbuf).  Every buffer filled from outside (HTTP bodies, JSON elements,
 * form posts, files) has a cap so a hostile or broken peer cannot make us
 * eat the machine.  The contents are always NUL-terminated.
 */
#ifndef COMRADARR_CORE_BUF_H
#define COMRADARR_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;	/* NUL-terminated; NULL until the first append */
	size_t len;
	size_t alloc;
	size_t cap;	/* the most len may ever be; 0 = 1 GiB */
};

#define BUF_INIT { NULL, 0, 0, 0 }

void buf_init(struct buf *b, size_t cap);
/* Free the memory; b is then empty and reusable. */
void buf_release(struct buf *b);
/* Free the memory after zeroing it (for buffers that held secrets). */
void buf_release_secret(struct buf *b);
void buf_reset(struct buf *b);

/* Each returns 0, or -1 when the cap would be passed or memory ran out
 * (the buffer is then unchanged). */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_append_str(struct buf *b, const char *s);
int buf_appendf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_appendvf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
int buf_putc(struct buf *b, char c);

/* Take the data out (caller frees; never NULL on success); b becomes empty. */
char *buf_detach(struct buf *b);

#endif
