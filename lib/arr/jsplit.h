/*
 * jsplit.h - cut a JSON array into its top-level elements as bytes arrive.
 *
 * An *arr list endpoint answers with one big array (a 50,000-movie Radarr
 * sends ~250 MB).  Parsing that as one document costs hundreds of MB, so the
 * HTTP write callback feeds the bytes here in whatever chunks the network
 * delivers; the splitter tracks strings, escapes and nesting depth and hands
 * each complete element (an object, array, string, number or literal) to a
 * callback, one at a time.  Memory is one element, never the whole answer
 * (Req 37.1).
 *
 * The splitter only finds element boundaries; it does not validate what is
 * inside an element (json_loadb on the element does).  It does reject what
 * cannot be an array of elements: a document not starting with '[', bytes
 * between elements other than whitespace and one ',', mismatched brackets,
 * trailing data after ']', and input that ends early (jsplit_finish).
 *
 * Pure: no I/O, no curl, no allocation beyond the element buffer.
 */
#ifndef COMRADARR_ARR_JSPLIT_H
#define COMRADARR_ARR_JSPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* Deepest nesting accepted inside one element (jansson's own limit is 2048). */
#define JSPLIT_MAX_DEPTH 512

/*
 * Called once per element with its bytes (not NUL-terminated for the
 * callback's purposes, though data[len] is '\0'); the bytes are valid only
 * during the call.  Return 0 to go on, -1 (with e filled) to stop: the
 * feed that delivered the element then returns -1 with that error.
 */
typedef int (*jsplit_element_fn)(const char *data, size_t len, void *arg,
				 struct err *e);

struct jsplit {
	int state;
	int depth;
	int in_string;
	int escaped;
	int need_value;		/* after ',' an element must follow */
	uint64_t kinds[JSPLIT_MAX_DEPTH / 64];	/* 1 bit per level: 1 = '{' */
	size_t max_element;
	uint64_t offset;	/* bytes consumed, for error messages */
	uint64_t count;		/* elements delivered */
	struct buf element;
	jsplit_element_fn fn;
	void *arg;
};

/* max_element: the largest element accepted, in bytes (0 = 16 MiB). */
void jsplit_init(struct jsplit *s, size_t max_element, jsplit_element_fn fn,
		 void *arg);
/* Free the element buffer; s may be initialised again. */
void jsplit_release(struct jsplit *s);

/*
 * Feed the next len bytes.  Returns 0, or -1 with ERR_PARSE (bad input or an
 * element over the cap) or the callback's error.  After an error every
 * later feed fails the same way.
 */
int jsplit_feed(struct jsplit *s, const char *data, size_t len, struct err *e);

/* The input has ended: 0 when a whole array was seen, else -1 ERR_PARSE. */
int jsplit_finish(struct jsplit *s, struct err *e);

#endif
