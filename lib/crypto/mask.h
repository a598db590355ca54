/*
 * mask.h - show a secret without showing it (Req 36.2).
 */
#ifndef COMRADARR_CRYPTO_MASK_H
#define COMRADARR_CRYPTO_MASK_H

/*
 * A copy of s with every character but the last 4 replaced by '*':
 * "0123456789abcdef" -> "************cdef".  A string of 4 or fewer
 * characters is masked completely ("abcd" -> "****"), since showing all of
 * it would show the secret.  Characters are UTF-8 code points, so a
 * multi-byte character becomes one '*' and the kept tail is never cut in
 * the middle of one.  Returns a malloc'd string the caller frees, or NULL
 * when s is NULL or memory ran out.
 */
char *secret_mask(const char *s);

#endif
