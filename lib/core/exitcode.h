/*
 * exitcode.h - the exit codes every Comradarr binary uses, and nothing else.
 * Listed in every man page under EXIT STATUS.
 */
#ifndef COMRADARR_CORE_EXITCODE_H
#define COMRADARR_CORE_EXITCODE_H

enum exit_code {
	EXIT_OK = 0,		/* did everything asked */
	EXIT_FAIL = 1,		/* failed; the last JSON line / message says why */
	EXIT_USAGE = 2,		/* bad option or argument; nothing was done */
	EXIT_PARTIAL = 3	/* did part of the work (one connector of three failed);
				   the last JSON line says which parts */
};
/* A database that cannot be reached is an ordinary failure (1): the message
 * says which database and what to do.  A run skipped because another holds
 * the lock is success (0): the work is being done. */

#endif
