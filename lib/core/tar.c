#include <errno.h>
#include <string.h>

#include "core/tar.h"
#include "core/banned.h"

#define OCTAL_SIZE_MAX 077777777777ULL	/* 11 octal digits */

static void
put_octal(char *field, size_t width, uint64_t v)
{
	/* width - 1 digits and a NUL, as POSIX writes numeric fields */
	field[width - 1] = '\0';
	for (size_t i = width - 1; i > 0; i--) {
		field[i - 1] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

static unsigned
header_sum(const unsigned char *h)
{
	unsigned sum = 0;

	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum;
}

static int
write_all(FILE *f, const void *p, size_t n, struct err *e)
{
	if (n > 0 && fwrite(p, 1, n, f) != n)
		return err_set(e, ERR_IO, "cannot write the archive: %s", strerror(errno));
	return 0;
}

int
tar_write_member(FILE *f, const char *name, const void *data, size_t len, int64_t mtime,
		 struct err *e)
{
	unsigned char h[TAR_BLOCK];
	static const unsigned char zero[TAR_BLOCK];
	size_t nl = strlen(name);

	if (nl == 0 || nl > TAR_NAME_MAX)
		return err_set(e, ERR_INTERNAL, "archive member name '%s' is too long", name);
	if ((uint64_t)len > OCTAL_SIZE_MAX)
		return err_set(e, ERR_INTERNAL, "archive member '%s' is too big", name);
	memset(h, 0, sizeof(h));
	memcpy(h, name, nl);
	put_octal((char *)h + 100, 8, 0600);
	put_octal((char *)h + 108, 8, 0);
	put_octal((char *)h + 116, 8, 0);
	put_octal((char *)h + 124, 12, (uint64_t)len);
	put_octal((char *)h + 136, 12, mtime > 0 ? (uint64_t)mtime : 0);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "comradarr", 9);
	memcpy(h + 297, "comradarr", 9);
	put_octal((char *)h + 148, 7, header_sum(h));
	h[155] = ' ';
	if (write_all(f, h, sizeof(h), e) < 0 || write_all(f, data, len, e) < 0)
		return -1;
	if (len % TAR_BLOCK != 0)
		return write_all(f, zero, TAR_BLOCK - len % TAR_BLOCK, e);
	return 0;
}

int
tar_write_end(FILE *f, struct err *e)
{
	static const unsigned char zero[2 * TAR_BLOCK];

	return write_all(f, zero, sizeof(zero), e);
}

void
tar_reader_init(struct tar_reader *r, FILE *f)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
}

/* Read exactly n bytes; a short read is a truncated archive. */
static int
read_exact(struct tar_reader *r, void *p, size_t n, struct err *e)
{
	size_t got = fread(p, 1, n, r->f);

	r->offset += got;
	if (got == n)
		return 0;
	if (ferror(r->f))
		return err_set(e, ERR_IO, "cannot read the archive: %s", strerror(errno));
	return err_set(e, ERR_PARSE, "the archive is truncated (it ends at byte %llu, inside "
		       "a member or before its end marker)", (unsigned long long)r->offset);
}

static int
skip(struct tar_reader *r, uint64_t n, struct err *e)
{
	unsigned char tmp[8192];

	/* a file seeks over a member (listing a big archive reads only its
	 * headers); a pipe reads through it.  A seek past the end shows as a
	 * truncated next header. */
	if (n > sizeof(tmp) && n <= INT64_MAX && fseeko(r->f, (off_t)n, SEEK_CUR) == 0) {
		r->offset += n;
		return 0;
	}
	while (n > 0) {
		size_t k = n > sizeof(tmp) ? sizeof(tmp) : (size_t)n;

		if (read_exact(r, tmp, k, e) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

static int
get_octal(const unsigned char *field, size_t width, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < width && field[i] == ' ')
		i++;
	if (i == width || field[i] < '0' || field[i] > '7')
		return -1;
	for (; i < width && field[i] >= '0' && field[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 3))
			return -1;
		v = (v << 3) | (uint64_t)(field[i] - '0');
	}
	for (; i < width; i++)
		if (field[i] != '\0' && field[i] != ' ')
			return -1;
	*out = v;
	return 0;
}

/* Absolute, empty, or with a ".." component: never a name we accept. */
static int
unsafe_name(const char *name)
{
	const char *p = name;

	if (name[0] == '\0' || name[0] == '/')
		return 1;
	while (*p != '\0') {
		const char *s = strchr(p, '/');
		size_t n = s ? (size_t)(s - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		if (s == NULL)
			break;
		p = s + 1;
	}
	return 0;
}

static int
all_zero(const unsigned char *h)
{
	for (size_t i = 0; i < TAR_BLOCK; i++)
		if (h[i] != 0)
			return 0;
	return 1;
}

int
tar_next(struct tar_reader *r, struct tar_member *m, struct err *e)
{
	unsigned char h[TAR_BLOCK];
	uint64_t sum, size, mtime;

	if (r->ended)
		return 0;
	if (skip(r, r->left + r->pad, e) < 0)
		return -1;
	r->left = r->pad = 0;
	if (read_exact(r, h, sizeof(h), e) < 0)
		return -1;
	if (all_zero(h)) {
		/* the end: a second zero block must follow */
		if (read_exact(r, h, sizeof(h), e) < 0)
			return -1;
		if (!all_zero(h))
			return err_set(e, ERR_PARSE, "the archive has data after its end marker "
				       "(at byte %llu)", (unsigned long long)r->offset);
		r->ended = 1;
		return 0;
	}
	if (get_octal(h + 148, 8, &sum) < 0 || sum != header_sum(h))
		return err_set(e, ERR_PARSE, "archive header at byte %llu is corrupt (checksum "
			       "mismatch)", (unsigned long long)(r->offset - TAR_BLOCK));
	if (memcmp(h + 257, "ustar", 5) != 0)
		return err_set(e, ERR_PARSE, "archive header at byte %llu is not a ustar header",
			       (unsigned long long)(r->offset - TAR_BLOCK));
	if (h[345] != '\0')
		return err_set(e, ERR_PARSE, "archive member at byte %llu has a long name, which "
			       "no backup has", (unsigned long long)(r->offset - TAR_BLOCK));
	memcpy(m->name, h, 100);
	m->name[100] = '\0';
	if (unsafe_name(m->name))
		return err_set(e, ERR_PARSE, "archive member '%s' has an unsafe name (absolute or "
			       "with '..'): refused", m->name);
	if (h[156] != '0' && h[156] != '\0')
		return err_set(e, ERR_PARSE, "archive member '%s' is not a regular file (type "
			       "'%c'): refused", m->name, h[156] >= 32 && h[156] < 127 ? h[156] : '?');
	if (get_octal(h + 124, 12, &size) < 0 || get_octal(h + 136, 12, &mtime) < 0)
		return err_set(e, ERR_PARSE, "archive member '%s' has a corrupt header", m->name);
	m->size = size;
	m->mtime = (int64_t)mtime;
	r->left = size;
	r->pad = (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;
	return 1;
}

long
tar_read(struct tar_reader *r, void *buf, size_t len, struct err *e)
{
	size_t n = len;

	if (r->left == 0)
		return 0;
	if ((uint64_t)n > r->left)
		n = (size_t)r->left;
	if (read_exact(r, buf, n, e) < 0)
		return -1;
	r->left -= n;
	return (long)n;
}
