/*
 * ui_form.h - reading an application/x-www-form-urlencoded body (what a
 * plain HTML form posts): "a=1&b=two+words&id=3&id=4".  Values are
 * percent-decoded with web_query_decode() ('+' is a space); a value that
 * does not decode (a bad escape, a NUL) counts as absent, never as
 * something else.
 */
#ifndef COMRADARR_WEB_UI_FORM_H
#define COMRADARR_WEB_UI_FORM_H

#include <stddef.h>

/*
 * The first value of field name in body (len bytes), decoded into out
 * (size bytes).  Returns out, or NULL when the field is absent, does not
 * decode or does not fit.
 */
const char *ui_form_get(const char *body, size_t len, const char *name, char *out, size_t size);

/*
 * Call fn(value, arg) for every value of field name, in order (checkbox
 * lists: "id=3&id=4").  Stops when fn returns non-zero and returns that;
 * else 0.  Undecodable values are skipped.
 */
int ui_form_each(const char *body, size_t len, const char *name,
		 int (*fn)(const char *value, void *arg), void *arg);

/* Is the Content-Type header value a urlencoded form (parameters allowed)? */
int ui_form_is_urlencoded(const char *content_type);

#endif
