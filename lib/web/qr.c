/*
 * qr.c - QR code encoder (see qr.h), written from ISO/IEC 18004:2015:
 * section 7.4 (data), 7.5 (Reed-Solomon over GF(256), polynomial 0x11d),
 * 7.6 (interleaving), 7.7 (placement), 7.8 (masks and their penalty),
 * 7.9 and 7.10 (format and version information, BCH codes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/qr.h"
#include "core/banned.h"

/* Level M: error correction codewords per block and blocks, by version. */
static const unsigned char ecc_per_block[QR_MAX_VERSION + 1] = {
	0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
	26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28
};
static const unsigned char blocks[QR_MAX_VERSION + 1] = {
	0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
	17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49
};

#define FORMAT_M	0	/* the level's two bits in the format information */

/* Modules left for data and error correction once every pattern is placed. */
static int
raw_modules(int ver)
{
	int n = (16 * ver + 128) * ver + 64;

	if (ver >= 2) {
		int align = ver / 7 + 2;

		n -= (25 * align - 10) * align - 55;
		if (ver >= 7)
			n -= 36;	/* the two version information blocks */
	}
	return n;
}

static int
data_codewords(int ver)
{
	return raw_modules(ver) / 8 - ecc_per_block[ver] * blocks[ver];
}

/* The centres of the alignment patterns of a version (row and column alike). */
static int
align_positions(int ver, int pos[7])
{
	int n, step, size = 17 + 4 * ver;

	if (ver == 1)
		return 0;
	n = ver / 7 + 2;
	step = ver == 32 ? 26 : (ver * 4 + n * 2 + 1) / (n * 2 - 2) * 2;
	pos[0] = 6;
	for (int i = n - 1, p = size - 7; i >= 1; i--, p -= step)
		pos[i] = p;
	return n;
}

/* ---------------------------------------------------------------- GF(256) */

static uint8_t
gf_mul(uint8_t x, uint8_t y)
{
	unsigned z = 0;

	for (int i = 7; i >= 0; i--) {
		z = (z << 1) ^ ((z >> 7) * 0x11d);
		z ^= ((y >> i) & 1u) * x;
	}
	return (uint8_t)z;
}

/* The generator polynomial of degree n (its coefficients but the leading 1). */
static void
rs_divisor(int n, uint8_t *g)
{
	uint8_t root = 1;

	memset(g, 0, (size_t)n);
	g[n - 1] = 1;
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < n; j++) {
			g[j] = gf_mul(g[j], root);
			if (j + 1 < n)
				g[j] ^= g[j + 1];
		}
		root = gf_mul(root, 2);
	}
}

static void
rs_remainder(const uint8_t *data, int len, const uint8_t *g, int n, uint8_t *rem)
{
	memset(rem, 0, (size_t)n);
	for (int i = 0; i < len; i++) {
		uint8_t f = data[i] ^ rem[0];

		memmove(rem, rem + 1, (size_t)n - 1);
		rem[n - 1] = 0;
		for (int j = 0; j < n; j++)
			rem[j] ^= gf_mul(g[j], f);
	}
}

/* ---------------------------------------------------------------- drawing */

struct grid {
	struct qr *q;
	unsigned char fn[QR_MAX_SIZE][QR_MAX_SIZE];	/* 1: a function module */
};

static void
set_fn(struct grid *g, int x, int y, int dark)
{
	g->q->dark[y][x] = (unsigned char)(dark != 0);
	g->fn[y][x] = 1;
}

static void
finder(struct grid *g, int cx, int cy)
{
	for (int dy = -4; dy <= 4; dy++)
		for (int dx = -4; dx <= 4; dx++) {
			int d = abs(dx) > abs(dy) ? abs(dx) : abs(dy), x = cx + dx, y = cy + dy;

			if (x >= 0 && x < g->q->size && y >= 0 && y < g->q->size)
				set_fn(g, x, y, d != 2 && d != 4);
		}
}

static void
format_bits(struct grid *g, int mask)
{
	int data = FORMAT_M << 3 | mask, rem = data, bits, size = g->q->size;

	for (int i = 0; i < 10; i++)
		rem = (rem << 1) ^ ((rem >> 9) * 0x537);
	bits = (data << 10 | rem) ^ 0x5412;
	for (int i = 0; i <= 5; i++)
		set_fn(g, 8, i, (bits >> i) & 1);
	set_fn(g, 8, 7, (bits >> 6) & 1);
	set_fn(g, 8, 8, (bits >> 7) & 1);
	set_fn(g, 7, 8, (bits >> 8) & 1);
	for (int i = 9; i < 15; i++)
		set_fn(g, 14 - i, 8, (bits >> i) & 1);
	for (int i = 0; i < 8; i++)
		set_fn(g, size - 1 - i, 8, (bits >> i) & 1);
	for (int i = 8; i < 15; i++)
		set_fn(g, 8, size - 15 + i, (bits >> i) & 1);
	set_fn(g, 8, size - 8, 1);	/* the dark module */
}

static void
function_patterns(struct grid *g)
{
	int size = g->q->size, ver = g->q->version, pos[7], n;

	for (int i = 0; i < size; i++) {
		set_fn(g, 6, i, i % 2 == 0);
		set_fn(g, i, 6, i % 2 == 0);
	}
	finder(g, 3, 3);
	finder(g, size - 4, 3);
	finder(g, 3, size - 4);
	n = align_positions(ver, pos);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			if ((i == 0 && j == 0) || (i == 0 && j == n - 1) || (i == n - 1 && j == 0))
				continue;	/* where the finders are */
			for (int dy = -2; dy <= 2; dy++)
				for (int dx = -2; dx <= 2; dx++)
					set_fn(g, pos[i] + dx, pos[j] + dy,
					       (abs(dx) > abs(dy) ? abs(dx) : abs(dy)) != 1);
		}
	format_bits(g, 0);	/* reserves the area; drawn again with the mask */
	if (ver >= 7) {
		int rem = ver;
		long bits;

		for (int i = 0; i < 12; i++)
			rem = (rem << 1) ^ ((rem >> 11) * 0x1f25);
		bits = (long)ver << 12 | rem;
		for (int i = 0; i < 18; i++) {
			int bit = (int)((bits >> i) & 1), a = size - 11 + i % 3, b = i / 3;

			set_fn(g, a, b, bit);
			set_fn(g, b, a, bit);
		}
	}
}

/* The codewords in the zigzag of two-module columns, right to left. */
static void
place(struct grid *g, const uint8_t *cw, int n)
{
	int size = g->q->size;
	long i = 0;

	for (int right = size - 1; right >= 1; right -= 2) {
		if (right == 6)
			right = 5;	/* the vertical timing pattern */
		for (int v = 0; v < size; v++)
			for (int j = 0; j < 2; j++) {
				int x = right - j, up = ((right + 1) & 2) == 0;
				int y = up ? size - 1 - v : v;

				if (!g->fn[y][x] && i < (long)n * 8) {
					g->q->dark[y][x] = (cw[i >> 3] >> (7 - (i & 7))) & 1;
					i++;
				}
				/* remainder bits stay light (0) */
			}
	}
}

static int
mask_bit(int m, int x, int y)
{
	switch (m) {
	case 0: return (x + y) % 2 == 0;
	case 1: return y % 2 == 0;
	case 2: return x % 3 == 0;
	case 3: return (x + y) % 3 == 0;
	case 4: return (x / 3 + y / 2) % 2 == 0;
	case 5: return x * y % 2 + x * y % 3 == 0;
	case 6: return (x * y % 2 + x * y % 3) % 2 == 0;
	default: return ((x + y) % 2 + x * y % 3) % 2 == 0;
	}
}

static void
apply_mask(struct grid *g, int m)
{
	for (int y = 0; y < g->q->size; y++)
		for (int x = 0; x < g->q->size; x++)
			if (!g->fn[y][x] && mask_bit(m, x, y))
				g->q->dark[y][x] ^= 1;
}

/* Module (x, y) along a row (col 0) or a column (col 1); outside is light. */
static int
at(const struct qr *q, int line, int k, int col)
{
	if (k < 0 || k >= q->size)
		return 0;
	return col ? q->dark[k][line] : q->dark[line][k];
}

/* The standard's penalty: runs, 2x2 blocks, finder look-alikes, balance. */
static long
penalty(const struct qr *q)
{
	static const int finder_like[2][11] = {
		{ 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0 },
		{ 0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1 },
	};
	int size = q->size;
	long p = 0, darks = 0;

	for (int col = 0; col < 2; col++)
		for (int line = 0; line < size; line++) {
			int run = 1;

			for (int k = 1; k <= size; k++) {
				if (k < size && at(q, line, k, col) == at(q, line, k - 1, col)) {
					run++;
					continue;
				}
				if (run >= 5)
					p += 3 + (run - 5);
				run = 1;
			}
			for (int k = -4; k < size; k++)
				for (int f = 0; f < 2; f++) {
					int i;

					for (i = 0; i < 11 && at(q, line, k + i, col) == finder_like[f][i]; i++)
						;
					if (i == 11)
						p += 40;
				}
		}
	for (int y = 0; y + 1 < size; y++)
		for (int x = 0; x + 1 < size; x++) {
			int c = q->dark[y][x];

			if (q->dark[y][x + 1] == c && q->dark[y + 1][x] == c && q->dark[y + 1][x + 1] == c)
				p += 3;
		}
	for (int y = 0; y < size; y++)
		for (int x = 0; x < size; x++)
			darks += q->dark[y][x];
	{
		long total = (long)size * size;
		long k = (labs(darks * 20 - total * 10) + total - 1) / total - 1;

		p += k * 10;
	}
	return p;
}

int
qr_encode(const unsigned char *data, size_t len, struct qr *q)
{
	uint8_t *dcw = NULL, *all = NULL, g_poly[30], ecc[30];
	struct grid *g = NULL;
	int ver, cap = 0, nd, nb, ne, raw, short_len, short_blocks, bits = 0, ret = -1;
	long best = -1;

	for (ver = 1; ver <= QR_MAX_VERSION; ver++) {
		int count_bits = ver < 10 ? 8 : 16;

		cap = data_codewords(ver);
		if ((long)len * 8 + 4 + count_bits <= (long)cap * 8)
			break;
	}
	if (ver > QR_MAX_VERSION)
		return -1;
	dcw = calloc((size_t)cap, 1);
	all = calloc((size_t)raw_modules(ver) / 8, 1);
	g = calloc(1, sizeof(*g));
	if (dcw == NULL || all == NULL || g == NULL)
		goto out;
	/* mode 0100 (bytes), the count, the bytes; then a terminator, padding */
#define PUT(v, n) do { for (int b_ = (n) - 1; b_ >= 0; b_--, bits++) \
		if (((v) >> b_) & 1) dcw[bits >> 3] |= (uint8_t)(0x80 >> (bits & 7)); } while (0)
	PUT(4u, 4);
	PUT((unsigned)len, ver < 10 ? 8 : 16);
	for (size_t i = 0; i < len; i++)
		PUT(data[i], 8);
#undef PUT
	bits += cap * 8 - bits < 4 ? cap * 8 - bits : 4;
	bits = (bits + 7) / 8 * 8;
	for (int i = bits / 8, pad = 0xec; i < cap; i++, pad ^= 0xec ^ 0x11)
		dcw[i] = (uint8_t)pad;
	/* split into blocks, add each block's error correction, interleave */
	nb = blocks[ver];
	ne = ecc_per_block[ver];
	raw = raw_modules(ver) / 8;
	short_blocks = nb - raw % nb;
	short_len = raw / nb;
	rs_divisor(ne, g_poly);
	{
		int off = 0, out_i = 0;
		int dlen_max = short_len - ne + 1;

		for (int i = 0; i < dlen_max; i++)
			for (int b = 0, o = 0; b < nb; b++) {
				int dl = short_len - ne + (b < short_blocks ? 0 : 1);

				if (i < dl)
					all[out_i++] = dcw[o + i];
				o += dl;
			}
		for (int b = 0; b < nb; b++) {
			int dl = short_len - ne + (b < short_blocks ? 0 : 1);

			rs_remainder(dcw + off, dl, g_poly, ne, ecc);
			for (int i = 0; i < ne; i++)
				all[out_i + i * nb + b] = ecc[i];
			off += dl;
		}
		nd = out_i + ne * nb;
	}
	q->version = ver;
	q->size = 17 + 4 * ver;
	g->q = q;
	memset(q->dark, 0, sizeof(q->dark));
	function_patterns(g);
	place(g, all, nd);
	/* each mask in turn, kept when its penalty is the lowest so far */
	for (int m = 0; m < 8; m++) {
		long p;

		apply_mask(g, m);
		format_bits(g, m);
		p = penalty(q);
		if (best < 0 || p < best) {
			best = p;
			q->mask = m;
		}
		apply_mask(g, m);	/* XOR again: undone */
	}
	apply_mask(g, q->mask);
	format_bits(g, q->mask);
	ret = 0;
out:
	free(dcw);
	free(all);
	free(g);
	return ret;
}

int
qr_svg(struct buf *out, const char *text, const char *title)
{
	struct qr *q = malloc(sizeof(*q));
	int n, ret = -1;

	if (q == NULL || qr_encode((const unsigned char *)text, strlen(text), q) < 0)
		goto out;
	n = q->size + 2 * QR_QUIET;
	if (buf_appendf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
			"width=\"%d\" height=\"%d\" role=\"img\" shape-rendering=\"crispEdges\" "
			"class=\"qr-code\" data-version=\"%d\"><title>", n, n, n * 4, n * 4,
			q->version) < 0)
		goto out;
	for (const char *s = title; *s != '\0'; s++) {
		int rc = *s == '<' ? buf_append_str(out, "&lt;") : *s == '&' ?
			buf_append_str(out, "&amp;") : *s == '>' ? buf_append_str(out, "&gt;") :
			buf_putc(out, *s);

		if (rc < 0)
			goto out;
	}
	/* white always, whatever the theme: scanners want dark on light */
	if (buf_appendf(out, "</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
			"<path fill=\"#000\" d=\"", n, n) < 0)
		goto out;
	for (int y = 0; y < q->size; y++)
		for (int x = 0; x < q->size; x++) {
			int run = 0;

			while (x + run < q->size && q->dark[y][x + run])
				run++;
			if (run > 0 && buf_appendf(out, "M%d %dh%dv1h-%dz", x + QR_QUIET, y + QR_QUIET,
						   run, run) < 0)
				goto out;
			x += run;
		}
	if (buf_append_str(out, "\"/></svg>") < 0)
		goto out;
	ret = 0;
out:
	if (q != NULL)
		memset(q, 0, sizeof(*q));	/* it drew the secret */
	free(q);
	return ret;
}
