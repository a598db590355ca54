#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "proc.h"

const char *
proc_bin(const char *name)
{
	static char path[4096];
	const char *dir = getenv("COMRADARR_BIN_DIR");

	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "build/bin", name);
	return path;
}

int
proc_run(const char *const argv[], const char *input, struct proc_result *r)
{
	int in[2], out[2], err[2];
	struct buf bo = BUF_INIT, be = BUF_INIT;
	size_t inlen = input ? strlen(input) : 0, inoff = 0;
	pid_t pid;
	int st;

	memset(r, 0, sizeof(*r));
	if (pipe(in) < 0 || pipe(out) < 0 || pipe(err) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[1]);
		close(out[0]);
		close(err[0]);
		execv(proc_bin(argv[0]), (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", proc_bin(argv[0]), strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (inlen == 0) {
		close(in[1]);
		in[1] = -1;
	}
	for (;;) {
		struct pollfd p[3] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 },
				       { in[1], POLLOUT, 0 } };
		int n = in[1] >= 0 ? 3 : 2;
		char chunk[8192];
		ssize_t got;

		if (out[0] < 0 && err[0] < 0)
			break;
		if (poll(p, (nfds_t)n, -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			int *fd = i == 0 ? &out[0] : &err[0];

			if (*fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			got = read(*fd, chunk, sizeof(chunk));
			if (got <= 0) {
				close(*fd);
				*fd = -1;
				p[i].fd = -1;
			} else {
				buf_append(i == 0 ? &bo : &be, chunk, (size_t)got);
			}
		}
		if (n == 3 && (p[2].revents & (POLLOUT | POLLERR))) {
			got = write(in[1], input + inoff, inlen - inoff);
			if (got > 0)
				inoff += (size_t)got;
			if (got <= 0 || inoff == inlen) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (out[0] < 0)
			p[0].fd = -1;
		if (err[0] < 0)
			p[1].fd = -1;
	}
	if (in[1] >= 0)
		close(in[1]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out = buf_detach(&bo);
	r->err = buf_detach(&be);
	return 0;
}

void
proc_result_free(struct proc_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}
