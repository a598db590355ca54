#include <stdio.h>
#include <string.h>

#include "arr/jsplit.h"
#include "core/banned.h"

enum {
	S_START = 0,	/* before '[' */
	S_VALUE,	/* inside the array, before an element or ']' */
	S_ELEM,		/* inside an object, array or string element */
	S_BARE,		/* inside a number or literal element */
	S_AFTER,	/* after an element: ',' or ']' */
	S_DONE,		/* after the closing ']' */
	S_ERROR
};

#define DEFAULT_MAX_ELEMENT ((size_t)16 << 20)

void
jsplit_init(struct jsplit *s, size_t max_element, jsplit_element_fn fn, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->max_element = max_element ? max_element : DEFAULT_MAX_ELEMENT;
	buf_init(&s->element, s->max_element);
	s->fn = fn;
	s->arg = arg;
}

void
jsplit_release(struct jsplit *s)
{
	buf_release(&s->element);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
is_bare(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.';
}

static int
fail(struct jsplit *s, struct err *e, uint64_t at, const char *what)
{
	s->state = S_ERROR;
	return err_set(e, ERR_PARSE,
		       "malformed JSON list at byte %llu: %s; the server did not "
		       "send a JSON array (check the URL and the app's logs)",
		       (unsigned long long)at, what);
}

static int
append(struct jsplit *s, const char *p, size_t n, struct err *e)
{
	if (n == 0)
		return 0;
	if (buf_append(&s->element, p, n) < 0) {
		s->state = S_ERROR;
		return err_set(e, ERR_PARSE,
			       "list element %llu is over %zu bytes; refusing it "
			       "(raise the element size cap if this is legitimate)",
			       (unsigned long long)s->count + 1, s->max_element);
	}
	return 0;
}

static int
emit(struct jsplit *s, struct err *e)
{
	int rc = 0;

	if (s->fn != NULL)
		rc = s->fn(s->element.data, s->element.len, s->arg, e);
	s->count++;
	buf_reset(&s->element);
	if (rc < 0) {
		s->state = S_ERROR;
		if (e != NULL && e->kind == ERR_NONE)
			err_set(e, ERR_INTERNAL, "list element %llu was refused",
				(unsigned long long)s->count);
		return -1;
	}
	s->state = S_AFTER;
	return 0;
}

static int
push(struct jsplit *s, char c)
{
	int d = s->depth;

	if (d >= JSPLIT_MAX_DEPTH)
		return -1;
	if (c == '{')
		s->kinds[d / 64] |= (uint64_t)1 << (d % 64);
	else
		s->kinds[d / 64] &= ~((uint64_t)1 << (d % 64));
	s->depth++;
	return 0;
}

static int
pop(struct jsplit *s, char c)
{
	int d = s->depth - 1;
	int is_obj;

	if (d < 0)
		return -1;
	is_obj = (s->kinds[d / 64] >> (d % 64)) & 1;
	if (is_obj != (c == '}'))
		return -1;
	s->depth--;
	return 0;
}

/*
 * Scan an object/array/string element from data[*pos]; append what belongs
 * to it and deliver it when it closes.
 */
static int
scan_element(struct jsplit *s, const char *data, size_t len, size_t *pos,
	     struct err *e)
{
	size_t i = *pos, start = *pos;
	int closed = 0;

	for (; i < len && !closed; i++) {
		char c = data[i];

		if (s->in_string) {
			if (s->escaped)
				s->escaped = 0;
			else if (c == '\\')
				s->escaped = 1;
			else if (c == '"') {
				s->in_string = 0;
				closed = s->depth == 0;
			}
			continue;
		}
		if (c == '"') {
			s->in_string = 1;
		} else if (c == '{' || c == '[') {
			if (push(s, c) < 0) {
				*pos = i;
				return fail(s, e, s->offset + i, "nesting too deep");
			}
		} else if (c == '}' || c == ']') {
			if (pop(s, c) < 0) {
				*pos = i;
				return fail(s, e, s->offset + i, "mismatched bracket");
			}
			closed = s->depth == 0;
		}
	}
	*pos = i;
	if (append(s, data + start, i - start, e) < 0)
		return -1;
	return closed ? emit(s, e) : 0;
}

static int
scan_bare(struct jsplit *s, const char *data, size_t len, size_t *pos,
	  struct err *e)
{
	size_t i = *pos, start = *pos;

	while (i < len && is_bare(data[i]))
		i++;
	*pos = i;
	if (append(s, data + start, i - start, e) < 0)
		return -1;
	if (i == len)
		return 0;	/* the scalar may go on in the next chunk */
	return emit(s, e);
}

static int
start_element(struct jsplit *s, char c, uint64_t at, struct err *e)
{
	s->need_value = 0;
	if (c == '{' || c == '[') {
		s->state = S_ELEM;
		return 0;	/* scan_element pushes the bracket */
	}
	if (c == '"') {
		s->state = S_ELEM;
		return 0;
	}
	if (is_bare(c)) {
		s->state = S_BARE;
		return 0;
	}
	return fail(s, e, at, "expected a value");
}

int
jsplit_feed(struct jsplit *s, const char *data, size_t len, struct err *e)
{
	size_t i = 0;

	if (s->state == S_ERROR)
		return err_set(e, ERR_PARSE, "JSON list reader used after an error");
	while (i < len) {
		char c = data[i];

		switch (s->state) {
		case S_START:
			if (is_space(c)) {
				i++;
			} else if (c == '[') {
				s->state = S_VALUE;
				i++;
			} else {
				return fail(s, e, s->offset + i, "expected '['");
			}
			break;
		case S_VALUE:
			if (is_space(c)) {
				i++;
			} else if (c == ']' && !s->need_value && s->count == 0) {
				s->state = S_DONE;
				i++;
			} else if (start_element(s, c, s->offset + i, e) < 0) {
				return -1;
			}
			break;
		case S_ELEM:
			if (scan_element(s, data, len, &i, e) < 0)
				return -1;
			break;
		case S_BARE:
			if (scan_bare(s, data, len, &i, e) < 0)
				return -1;
			break;
		case S_AFTER:
			if (is_space(c)) {
				i++;
			} else if (c == ',') {
				s->state = S_VALUE;
				s->need_value = 1;
				i++;
			} else if (c == ']') {
				s->state = S_DONE;
				i++;
			} else {
				return fail(s, e, s->offset + i, "expected ',' or ']'");
			}
			break;
		case S_DONE:
			if (!is_space(c))
				return fail(s, e, s->offset + i, "data after the closing ']'");
			i++;
			break;
		default:
			return err_set(e, ERR_PARSE, "JSON list reader used after an error");
		}
	}
	s->offset += len;
	return 0;
}

int
jsplit_finish(struct jsplit *s, struct err *e)
{
	if (s->state == S_DONE)
		return 0;
	if (s->state == S_ERROR)
		return err_set(e, ERR_PARSE, "JSON list reader used after an error");
	return fail(s, e, s->offset, "the answer ended before the closing ']' "
		    "(truncated)");
}
