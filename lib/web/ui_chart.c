/*
 * ui_chart.c - SVG line, bar and sparkline charts (see ui_chart.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "web/ui_chart.h"
#include "core/banned.h"

/* margins of the plot inside the viewBox: room for y labels and x labels */
#define M_LEFT		44
#define M_RIGHT		12
#define M_TOP		10
#define M_BOTTOM	24
#define X_LABELS_MAX	8

int
chart_scale(double max, int ticks, int integer, double *step, double *top)
{
	double raw, mag, norm, s;
	int n;

	if (ticks < 1)
		ticks = 4;
	if (!(max > 0) || !isfinite(max)) {
		*step = 1;
		*top = ticks;
		return ticks;
	}
	raw = max / ticks;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	if (norm <= 1)
		s = 1;
	else if (norm <= 2)
		s = 2;
	else if (norm <= 2.5)
		s = 2.5;
	else if (norm <= 5)
		s = 5;
	else
		s = 10;
	s *= mag;
	if (integer && s < 1)
		s = 1;
	/* 2.5 x a power of ten below 10 is not whole: counts get 2 or 5 instead */
	if (integer && s != floor(s))
		s = ceil(s);
	n = (int)ceil(max / s - 1e-9);
	if (n < 1)
		n = 1;
	*step = s;
	*top = s * n;
	return n;
}

void
chart_num(struct html *h, double v, const char *unit)
{
	double a = fabs(v);

	if (a >= 1e6)
		html_fmt(h, "%.*fM", a >= 1e7 ? 0 : 1, v / 1e6);
	else if (a >= 1e4)
		html_fmt(h, "%.0fk", v / 1e3);
	else if (a >= 1e3)
		html_fmt(h, "%.1fk", v / 1e3);
	else if (v == floor(v))
		html_fmt(h, "%.0f", v);
	else
		html_fmt(h, "%.*f", a >= 10 ? 1 : 2, v);
	html_esc(h, unit);
}

static double
val(const struct chart_series *s, size_t i)
{
	double v = s->y[i];

	return (v > 0 && isfinite(v)) ? v : 0;
}

/* The largest value the y axis must reach: the top of the tallest stack
 * for bars, the largest point for lines, and the budget line. */
static double
chart_max(const struct chart *c)
{
	double max = c->budget > 0 ? c->budget : 0;
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		double stack = 0;

		for (k = 0; k < c->nseries; k++) {
			if (c->kind == CHART_BARS)
				stack += val(&c->series[k], i);
			else if (val(&c->series[k], i) > max)
				max = val(&c->series[k], i);
		}
		if (stack > max)
			max = stack;
	}
	return max;
}

/* the title of one point: "Searches, 12-03: 42" */
static void
point_title(struct html *h, const struct chart *c, size_t k, size_t i, double v)
{
	html_raw(h, "<title>");
	html_esc(h, c->series[k].name);
	if (c->x != NULL && c->x[i] != NULL) {
		html_raw(h, ", ");
		html_esc(h, c->x[i]);
	}
	html_raw(h, ": ");
	chart_num(h, v, c->unit);
	html_raw(h, "</title>");
}

static void
axes(struct html *h, const struct chart *c, int w, int ht, double step, double top, int nsteps)
{
	double ph = ht - M_TOP - M_BOTTOM;
	size_t i, every;
	int k;

	html_raw(h, "<g class=\"grid\">");
	for (k = 0; k <= nsteps; k++) {
		double y = M_TOP + ph - ph * (k * step) / top;

		html_fmt(h, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>", M_LEFT, w - M_RIGHT, y, y);
	}
	html_raw(h, "</g>");
	for (k = 0; k <= nsteps; k++) {
		double y = M_TOP + ph - ph * (k * step) / top;

		html_fmt(h, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", M_LEFT - 6, y + 4);
		chart_num(h, k * step, c->unit);
		html_raw(h, "</text>");
	}
	if (c->x == NULL || c->n == 0)
		return;
	every = (c->n + X_LABELS_MAX - 1) / X_LABELS_MAX;
	if (every < 1)
		every = 1;
	for (i = 0; i < c->n; i += every) {
		double pw = w - M_LEFT - M_RIGHT, x;

		if (c->kind == CHART_BARS)
			x = M_LEFT + pw * (i + 0.5) / c->n;
		else
			x = M_LEFT + (c->n > 1 ? pw * i / (c->n - 1) : pw / 2);
		html_fmt(h, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">", x, ht - 6,
			 c->kind == CHART_LINE && i == 0 ? "start" : "middle");
		html_esc(h, c->x[i]);
		html_raw(h, "</text>");
	}
}

static void
lines(struct html *h, const struct chart *c, int w, int ht, double top)
{
	double pw = w - M_LEFT - M_RIGHT, ph = ht - M_TOP - M_BOTTOM;
	size_t i, k;

	for (k = 0; k < c->nseries; k++) {
		/* the area under the line, then the line, then a dot per point
		 * carrying its value (few points: the dots are visible) */
		html_fmt(h, "<path class=\"area s%zu\" d=\"M%d %.1f", k, M_LEFT, M_TOP + ph);
		for (i = 0; i < c->n; i++) {
			double x = M_LEFT + (c->n > 1 ? pw * i / (c->n - 1) : pw / 2);
			double y = M_TOP + ph - ph * val(&c->series[k], i) / top;

			html_fmt(h, " L%.1f %.1f", x, y);
		}
		html_fmt(h, " L%.1f %.1f Z\"/>", M_LEFT + (c->n > 1 ? pw : pw / 2), M_TOP + ph);
		html_fmt(h, "<polyline class=\"line s%zu\" points=\"", k);
		for (i = 0; i < c->n; i++) {
			double x = M_LEFT + (c->n > 1 ? pw * i / (c->n - 1) : pw / 2);
			double y = M_TOP + ph - ph * val(&c->series[k], i) / top;

			html_fmt(h, "%s%.1f,%.1f", i ? " " : "", x, y);
		}
		html_raw(h, "\"/>");
		for (i = 0; i < c->n; i++) {
			double x = M_LEFT + (c->n > 1 ? pw * i / (c->n - 1) : pw / 2);
			double y = M_TOP + ph - ph * val(&c->series[k], i) / top;

			html_fmt(h, "<circle class=\"s%zu\" cx=\"%.1f\" cy=\"%.1f\" r=\"%s\">", k, x, y,
				 c->n <= 40 ? "2.5" : "0");
			point_title(h, c, k, i, c->series[k].y[i]);
			html_raw(h, "</circle>");
		}
	}
}

static void
bars(struct html *h, const struct chart *c, int w, int ht, double top)
{
	double pw = w - M_LEFT - M_RIGHT, ph = ht - M_TOP - M_BOTTOM;
	double band = pw / c->n, bw = band * 0.72;
	size_t i, k;

	if (bw < 1)
		bw = band;
	for (i = 0; i < c->n; i++) {
		double base = M_TOP + ph, x = M_LEFT + band * i + (band - bw) / 2;

		for (k = 0; k < c->nseries; k++) {
			double v = val(&c->series[k], i), bh = ph * v / top;

			if (bh <= 0)
				continue;
			base -= bh;
			html_fmt(h, "<rect class=\"bar s%zu\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">",
				 k, x, base, bw, bh);
			point_title(h, c, k, i, c->series[k].y[i]);
			html_raw(h, "</rect>");
		}
	}
}

int
chart_svg(struct html *h, const struct chart *c)
{
	int w = c->width > 0 ? c->width : 640, ht = c->height > 0 ? c->height : 220;
	double step, top;
	int nsteps;

	if (c->n == 0 || c->nseries == 0 || c->nseries > CHART_MAX_SERIES || c->series == NULL)
		return -1;
	nsteps = chart_scale(chart_max(c), 4, c->integer, &step, &top);
	html_fmt(h, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", w, ht);
	html_esc(h, c->title);
	html_raw(h, "\" xmlns=\"http://www.w3.org/2000/svg\"><title>");
	html_esc(h, c->title);
	html_raw(h, "</title>");
	axes(h, c, w, ht, step, top, nsteps);
	if (c->kind == CHART_BARS)
		bars(h, c, w, ht, top);
	else
		lines(h, c, w, ht, top);
	if (c->budget > 0) {
		double y = M_TOP + (ht - M_TOP - M_BOTTOM) * (1 - c->budget / top);

		html_fmt(h, "<line class=\"budget\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"><title>budget: ",
			 M_LEFT, w - M_RIGHT, y, y);
		chart_num(h, c->budget, c->unit);
		html_raw(h, "</title></line>");
	}
	html_raw(h, "</svg>");
	return 0;
}

void
chart_legend(struct html *h, const struct chart *c)
{
	size_t k;

	html_raw(h, "<div class=\"legend\">");
	for (k = 0; k < c->nseries && k < CHART_MAX_SERIES; k++) {
		html_fmt(h, "<span class=\"s%zu\">", k);
		html_esc(h, c->series[k].name);
		html_raw(h, "</span>");
	}
	if (c->budget > 0)
		html_raw(h, "<span class=\"s4\">budget</span>");
	html_raw(h, "</div>");
}

void
chart_spark(struct html *h, const double *y, size_t n, const char *label)
{
	const double w = 110, ht = 28, pad = 2;
	double max = 0, min = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double v = isfinite(y[i]) ? y[i] : 0;

		if (i == 0 || v > max)
			max = v;
		if (i == 0 || v < min)
			min = v;
	}
	html_raw(h, "<svg class=\"spark\" viewBox=\"0 0 110 28\" role=\"img\" aria-label=\"");
	html_esc(h, label);
	html_raw(h, "\" xmlns=\"http://www.w3.org/2000/svg\"><title>");
	html_esc(h, label);
	html_raw(h, "</title>");
	if (n < 2) {
		html_fmt(h, "<polyline class=\"line\" points=\"%.1f,%.1f %.1f,%.1f\"/></svg>",
			 pad, ht / 2, w - pad, ht / 2);
		return;
	}
	/* a sparkline shows the shape: scale to the series' own range, with
	 * a flat series drawn in the middle rather than at an edge */
	html_fmt(h, "<path class=\"area\" d=\"M%.1f %.1f", pad, ht - pad);
	for (i = 0; i < n; i++) {
		double v = isfinite(y[i]) ? y[i] : 0;
		double yy = max > min ? (ht - pad) - (ht - 2 * pad) * (v - min) / (max - min) : ht / 2;

		html_fmt(h, " L%.1f %.1f", pad + (w - 2 * pad) * i / (n - 1), yy);
	}
	html_fmt(h, " L%.1f %.1f Z\"/><polyline class=\"line\" points=\"", w - pad, ht - pad);
	for (i = 0; i < n; i++) {
		double v = isfinite(y[i]) ? y[i] : 0;
		double yy = max > min ? (ht - pad) - (ht - 2 * pad) * (v - min) / (max - min) : ht / 2;

		html_fmt(h, "%s%.1f,%.1f", i ? " " : "", pad + (w - 2 * pad) * i / (n - 1), yy);
	}
	html_raw(h, "\"/></svg>");
}
