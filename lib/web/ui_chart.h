/*
 * ui_chart.h - charts drawn by the server as inline SVG (Req 15.4, 20.1):
 * no chart library, no script, nothing for the Content-Security-Policy to
 * allow.  Pure functions of their input, so a test can pin the output.
 *
 * Colours are CSS classes (s0..s4 per series, grid, axis, budget) that
 * app.css defines for both themes; the SVG carries no style attribute (the
 * policy forbids inline style).  Each chart has role="img", a <title> and
 * an aria-label naming what it shows, and every point or bar its own
 * <title> with the exact value, so a screen reader or a hover reads numbers
 * rather than shapes.
 */
#ifndef COMRADARR_WEB_UI_CHART_H
#define COMRADARR_WEB_UI_CHART_H

#include <stddef.h>

#include "web/ui_html.h"

#define CHART_MAX_SERIES	5

enum chart_kind {
	CHART_LINE,	/* one line (with a faint area) per series */
	CHART_BARS,	/* stacked bars, series 0 at the bottom */
};

struct chart_series {
	const char *name;	/* legend and point titles */
	const double *y;	/* n values; negative values are drawn as 0 */
};

struct chart {
	enum chart_kind kind;
	const char *title;	/* what the chart shows, for <title> and aria-label */
	const char *const *x;	/* n labels for the x axis (NULL: none) */
	size_t n;		/* points per series */
	const struct chart_series *series;
	size_t nseries;		/* 1..CHART_MAX_SERIES */
	double budget;		/* > 0: a dashed line at this value (e.g. a daily budget) */
	const char *unit;	/* appended to y labels and titles ("%"), or NULL */
	int integer;		/* y values are counts: ticks are whole numbers */
	int width, height;	/* the viewBox; 0 picks 640 x 220 */
};

/*
 * A y axis from 0 to *top in steps of *step, with about ticks steps, both
 * "nice" (1, 2, 2.5 or 5 times a power of ten) and top >= max.  When
 * integer is set a step is never below 1.  max <= 0 gives step 1 and top
 * ticks (an empty chart still has an axis).  Returns the number of steps.
 */
int chart_scale(double max, int ticks, int integer, double *step, double *top);

/* A number for an axis: 950, 1.5k, 12k, 3.4M; unit appended. */
void chart_num(struct html *h, double v, const char *unit);

/*
 * Write the chart.  Returns 0, or -1 (nothing written) when c is not
 * drawable: no series, too many, or n == 0.  An all-zero series is
 * drawable: the chart shows a flat line, which is the truth.
 */
int chart_svg(struct html *h, const struct chart *c);

/* A legend (one swatch per series, same classes) under a chart. */
void chart_legend(struct html *h, const struct chart *c);

/*
 * A sparkline: n values as a small line with a faint area, scaled to its
 * own maximum, labelled label (e.g. "completion over 14 days: 82% to
 * 85%").  n < 2 writes a flat line.
 */
void chart_spark(struct html *h, const double *y, size_t n, const char *label);

#endif
