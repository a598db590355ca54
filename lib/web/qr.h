/*
 * qr.h - QR codes (ISO/IEC 18004) for the two-factor enrolment page: the
 * otpauth:// URI as a code the authenticator app scans, drawn as inline SVG
 * by the server.  No script, no image request, no third party: the secret
 * never leaves the page that shows it.
 *
 * Only what that needs: byte mode, error correction level M (15% of the
 * symbol may be lost), the smallest version (1-40) that holds the text, the
 * mask with the lowest penalty score (the standard's four rules).
 */
#ifndef COMRADARR_WEB_QR_H
#define COMRADARR_WEB_QR_H

#include <stddef.h>

#include "core/buf.h"

#define QR_MAX_VERSION	40
#define QR_MAX_SIZE	(17 + 4 * QR_MAX_VERSION)
#define QR_QUIET	4	/* light modules around the symbol */

struct qr {
	int version;			/* 1-40 */
	int size;			/* 17 + 4 * version modules a side */
	int mask;			/* 0-7 */
	unsigned char dark[QR_MAX_SIZE][QR_MAX_SIZE];	/* [row][column], 1 dark */
};

/*
 * Encode len bytes of data into q (about 31 KB: allocate it).  0, or -1
 * when it does not fit version 40 at level M (2331 bytes).
 */
int qr_encode(const unsigned char *data, size_t len, struct qr *q);

/*
 * Append the code of text as an <svg> element to out: a white square with
 * the quiet zone, one <path> of dark modules, role="img" and title as its
 * accessible name (escaped here).  0, or -1 (too long, out of memory).
 */
int qr_svg(struct buf *out, const char *text, const char *title);

#endif
