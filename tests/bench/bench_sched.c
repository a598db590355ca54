/*
 * bench_sched.c - what the schedules page and the dashboard's sweeps panel
 * cost in CPU (make bench; not a test): sweep_plan (the week's timeline)
 * and sweep_upcoming (the next runs) over N schedules spread over a few
 * zones: cold (a fresh zone pool per call, what a request paid before the
 * server kept its zones warm, lib/web/zones.h) and warm (one pool kept
 * across calls, as comradarr-serve does).  Prints the CPU time per call,
 * best of ROUNDS.
 *
 *   bench_sched [SCHEDULES [ROUNDS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "stage/sweep.h"

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	static const char *const zones[] = { "UTC", "Europe/Berlin", "America/New_York" };
	static const char *const crons[] = { "0 * * * *", "30 3 * * *", "15 */6 * * *",
					     "0 4 * * 1,3,5", "*/30 * * * *" };
	int n = argc > 1 ? atoi(argv[1]) : 50, rounds = argc > 2 ? atoi(argv[2]) : 20;
	struct schedule *list = calloc((size_t)(n > 0 ? n : 1), sizeof(*list));
	double best_plan[2] = { 1e9, 1e9 }, best_next[2] = { 1e9, 1e9 };
	struct sweep_zones *warm = calloc(1, sizeof(*warm));
	int64_t now = (int64_t)time(NULL);
	long runs = 0;

	if (list == NULL || warm == NULL || n < 1 || rounds < 1) {
		fprintf(stderr, "usage: bench_sched [SCHEDULES [ROUNDS]]\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		snprintf(list[i].name, sizeof(list[i].name), "s%03d", i);
		list[i].connector_id = 1 + i % 4;
		snprintf(list[i].connector, sizeof(list[i].connector), "c%d", i % 4);
		snprintf(list[i].sweep, sizeof(list[i].sweep), "gaps");
		snprintf(list[i].cron, sizeof(list[i].cron), "%s", crons[i % 5]);
		snprintf(list[i].zone, sizeof(list[i].zone), "%s", zones[i % 3]);
		list[i].enabled = 1;
	}
	for (int r = 0; r < 2 * rounds; r++) {
		int k = r % 2;	/* 0 cold, 1 warm */
		struct sweep_zones *pool = k ? warm : NULL;
		double t0 = cpu_ms(), t1;
		json_t *plan = sweep_plan(list, (size_t)n, now, now + 7 * 86400, pool);
		json_t *next;

		t1 = cpu_ms();
		if (t1 - t0 < best_plan[k])
			best_plan[k] = t1 - t0;
		runs = 0;
		for (size_t i = 0; i < json_array_size(json_object_get(plan, "lanes")); i++)
			runs += (long)json_array_size(json_object_get(json_array_get(
				json_object_get(plan, "lanes"), i), "runs"));
		json_decref(plan);
		t0 = cpu_ms();
		next = sweep_upcoming(list, (size_t)n, now, 86400, 6, pool);
		t1 = cpu_ms();
		if (t1 - t0 < best_next[k])
			best_next[k] = t1 - t0;
		json_decref(next);
	}
	printf("schedules %d in 3 zones, %ld runs in the week, CPU per call (best of %d):\n"
	       "  week plan  cold %.2f ms  warm %.2f ms\n  next runs  cold %.2f ms  warm %.2f ms\n",
	       n, runs, rounds, best_plan[0], best_plan[1], best_next[0], best_next[1]);
	free(warm);
	free(list);
	return 0;
}
