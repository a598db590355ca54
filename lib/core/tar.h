/*
 * tar.h - the small part of POSIX ustar that a backup archive needs.
 *
 * Why tar: every system can list and unpack one (`tar tvf`), members are
 * written one after another so an archive streams to a pipe, and a reader
 * can skip a member without reading it.  Only regular files are written
 * and only regular files are accepted: a link, a directory, a device or
 * an extended (pax/GNU) header is refused, so no archive can make a reader
 * follow a link or name a path of its choosing.  A member name that is
 * absolute or has a ".." component is refused too (the "Zip Slip" class of
 * bug), although the backup reader never writes a member to a path at all.
 *
 * Every header's checksum is checked; a file that ends before the two zero
 * blocks that close an archive is "truncated".  Sizes are limited to what
 * 11 octal digits hold (8 GiB per member).
 */
#ifndef COMRADARR_CORE_TAR_H
#define COMRADARR_CORE_TAR_H

#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

#define TAR_BLOCK	512
#define TAR_NAME_MAX	99	/* a name fits the header's 100-byte field */

/* Write one member: header, len bytes of data, padding to a block.
 * mtime is seconds since the epoch. */
int tar_write_member(FILE *f, const char *name, const void *data, size_t len, int64_t mtime,
		     struct err *e);

/* Write the two zero blocks that end an archive. */
int tar_write_end(FILE *f, struct err *e);

struct tar_reader {
	FILE *f;
	uint64_t offset;	/* bytes consumed from f */
	uint64_t left;		/* data bytes of the current member not yet read */
	uint64_t pad;		/* padding after them */
	int ended;		/* the end-of-archive blocks were read */
};

struct tar_member {
	char name[TAR_NAME_MAX + 2];
	uint64_t size;
	int64_t mtime;
};

void tar_reader_init(struct tar_reader *r, FILE *f);

/*
 * Move to the next member, skipping what is left of the current one.
 * Returns 1 with *m filled, 0 at the end of the archive, -1 on error (e:
 * truncated, bad header checksum, unsupported member type, unsafe name).
 */
int tar_next(struct tar_reader *r, struct tar_member *m, struct err *e);

/* Read up to len bytes of the current member's data; returns the count
 * (0 at the member's end) or -1 (e: truncated or a read error). */
long tar_read(struct tar_reader *r, void *buf, size_t len, struct err *e);

#endif
