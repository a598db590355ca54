/*
 * proc.h - run one of our binaries from a test, as a user would: argv,
 * optional standard input, captured stdout and stderr, exit status.
 * The binary is looked up in $COMRADARR_BIN_DIR (tests/run.sh sets it to the
 * build's bin directory), else build/bin.
 */
#ifndef COMRADARR_TESTS_PROC_H
#define COMRADARR_TESTS_PROC_H

struct proc_result {
	int status;	/* exit status, or 128 + signal */
	char *out;	/* NUL-terminated, malloc'd */
	char *err;
};

/* argv[0] is a program name like "comradarr"; argv is NULL-terminated. */
int proc_run(const char *const argv[], const char *input, struct proc_result *r);
void proc_result_free(struct proc_result *r);

/* The full path of one of our binaries (static buffer). */
const char *proc_bin(const char *name);

#endif
