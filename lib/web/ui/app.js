/*
 * app.js - progressive enhancement for the server-rendered pages.  Every
 * page and form works without it; with it:
 *   - the theme toggle switches and remembers dark/light;
 *   - the Menu button opens the sidebar drawer on small screens;
 *   - elements marked data-live refresh themselves when the outbox
 *     (api/events) reports a change, and data-feed lists grow with each
 *     event;
 *   - search boxes marked data-autosearch update the results as you type;
 *   - forms marked data-confirm ask first; "select all" boxes select rows;
 *   - the cron builder writes its expression into the cron field.
 * No inline script anywhere: the Content-Security-Policy forbids it.
 */
(function () {
	"use strict";
	var doc = document, root = doc.documentElement;

	function $(sel, el) { return (el || doc).querySelector(sel); }
	function $$(sel, el) { return Array.prototype.slice.call((el || doc).querySelectorAll(sel)); }

	/* ---------------------------------------------------------- theme */
	function effectiveTheme() {
		var t = root.getAttribute("data-theme");
		if (t) return t;
		return window.matchMedia && window.matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
	}
	function showTheme(btn) {
		var t = effectiveTheme();
		btn.setAttribute("aria-pressed", t === "dark" ? "true" : "false");
		btn.title = t === "dark" ? "Switch to the light theme" : "Switch to the dark theme";
		var label = $(".theme-label", btn);
		if (label) label.textContent = t === "dark" ? "Dark" : "Light";
	}
	/* with no choice saved, the page follows the system's theme as it
	 * changes: the button's label follows it too */
	if (window.matchMedia) {
		var mq = window.matchMedia("(prefers-color-scheme: light)");
		var follow = function () { $$("[data-theme-toggle]").forEach(showTheme); };
		if (mq.addEventListener) mq.addEventListener("change", follow);
		else if (mq.addListener) mq.addListener(follow);
	}
	$$("[data-theme-toggle]").forEach(function (btn) {
		btn.hidden = false;
		showTheme(btn);
		btn.addEventListener("click", function () {
			var next = effectiveTheme() === "dark" ? "light" : "dark";
			root.setAttribute("data-theme", next);
			try { window.localStorage.setItem("comradarr-theme", next); } catch (e) { /* not saved */ }
			showTheme(btn);
		});
	});

	/* ---------------------------------------------------------- drawer */
	var side = $("#nav"), menu = $(".menu-btn");
	if (side && menu) {
		var setOpen = function (open) {
			side.classList.toggle("open", open);
			menu.setAttribute("aria-expanded", open ? "true" : "false");
			if (open) { var a = $("a", side); if (a) a.focus(); }
		};
		menu.setAttribute("role", "button");
		menu.setAttribute("aria-controls", "nav");
		menu.setAttribute("aria-expanded", "false");
		menu.addEventListener("click", function (ev) {
			ev.preventDefault();
			setOpen(!side.classList.contains("open"));
		});
		doc.addEventListener("keydown", function (ev) {
			if (ev.key === "Escape" && side.classList.contains("open")) { setOpen(false); menu.focus(); }
		});
		doc.addEventListener("click", function (ev) {
			if (side.classList.contains("open") && !side.contains(ev.target) && ev.target !== menu && !menu.contains(ev.target))
				setOpen(false);
		});
	}

	/* ---------------------------------------------------------- confirm */
	$$("form[data-confirm]").forEach(function (f) {
		f.addEventListener("submit", function (ev) {
			if (!window.confirm(f.getAttribute("data-confirm"))) ev.preventDefault();
		});
	});

	/* ---------------------------------------------------------- select all */
	$$("input[data-select-all]").forEach(function (box) {
		var name = box.getAttribute("data-select-all");
		box.addEventListener("change", function () {
			$$("input[type=checkbox][name='" + name + "']").forEach(function (b) { b.checked = box.checked; });
		});
	});

	/* ---------------------------------------------------------- swapping */
	/* Fetch url and replace each element of ids with the fetched page's
	 * element of the same id: the server renders, the browser only swaps. */
	function swap(url, ids) {
		return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
			.then(function (r) {
				if (r.redirected && /\/login/.test(r.url)) { window.location = r.url; throw new Error("login"); }
				if (!r.ok) throw new Error("HTTP " + r.status);
				return r.text();
			})
			.then(function (html) {
				var fresh = new DOMParser().parseFromString(html, "text/html");
				ids.forEach(function (id) {
					var now = doc.getElementById(id), next = fresh.getElementById(id);
					if (now && next) now.replaceWith(doc.importNode(next, true));
				});
			});
	}

	/* ---------------------------------------------------------- search */
	$$("input[data-autosearch]").forEach(function (input) {
		var form = input.form, target = input.getAttribute("data-autosearch"), timer = null, seq = 0;
		if (!form) return;
		input.addEventListener("input", function () {
			window.clearTimeout(timer);
			timer = window.setTimeout(function () {
				var q = new URLSearchParams(new FormData(form));
				q.delete("after");
				var url = (form.getAttribute("action") || window.location.pathname) + "?" + q.toString();
				var mine = ++seq;
				swap(url, [target]).then(function () {
					if (mine === seq) window.history.replaceState(null, "", url);
				}).catch(function () { /* the submit button still works */ });
			}, 250);
		});
	});

	/* ---------------------------------------------------------- live */
	/* The outbox (api/events) is read from the last event the page was
	 * rendered with (data-events-after): as a server-sent event stream
	 * (EventSource; it resumes by itself with Last-Event-ID), else, or when
	 * the server refuses a stream, by asking every few seconds. */
	var live = $$("[data-live]"), feed = $("[data-feed]"), status = $("[data-live-status]");
	var evurl = root.getAttribute("data-events");
	if (evurl && (live.length || feed)) {
		var last = parseInt(root.getAttribute("data-events-after") || "0", 10) || 0;
		var pending = null;
		var setStatus = function (on, text) {
			if (!status) return;
			status.classList.toggle("on", on);
			status.lastChild.textContent = " " + text;
		};
		var refresh = function () {
			if (pending) return;
			pending = window.setTimeout(function () {
				pending = null;
				swap(window.location.href, live.map(function (el) { return el.id; })).then(function () {
					live = $$("[data-live]");
				}).catch(function () { /* the next event tries again */ });
			}, 300);
		};
		var describe = function (d) {
			var text = (d.kind || "event").replace(/_/g, " ");
			var p = d.payload || {};
			text = text.charAt(0).toUpperCase() + text.slice(1);
			if (p.command) text += " · " + p.command;
			if (p.outcome) text += " · " + p.outcome;
			if (p.health) text += " · " + p.health;
			if (d.connector) text += " · " + d.connector;
			return text;
		};
		var add = function (d) {
			if (!feed) return;
			var li = doc.createElement("li"), t = doc.createElement("time"), w = doc.createElement("span");
			var when = d.at ? new Date(typeof d.at === "number" ? d.at * 1000 : d.at) : new Date();
			t.dateTime = when.toISOString();
			t.textContent = "just now";
			w.className = "what";
			w.textContent = describe(d);
			li.appendChild(t);
			li.appendChild(w);
			feed.insertBefore(li, feed.firstChild);
			var empty = $(".empty", feed.parentNode);
			if (empty) empty.remove();
			while (feed.children.length > 30) feed.removeChild(feed.lastChild);
		};
		/* polled pages come in id order; the stream in commit order, each
		 * event once, so an id below the last one is still news there */
		var seen = function (d, streamed) {
			if (!d || typeof d.id !== "number" || (!streamed && d.id <= last)) return;
			if (d.id > last) last = d.id;
			add(d);
			refresh();
		};
		var sse = function () {
			/* event=message: every event unnamed, so onmessage sees them all */
			var es = new EventSource(evurl + "?event=message&after=" + last);
			es.onmessage = function (ev) { try { seen(JSON.parse(ev.data), true); } catch (e) { /* not ours */ } };
			es.onopen = function () { setStatus(true, "live"); };
			es.onerror = function () {
				setStatus(false, "reconnecting");
				/* refused (logged out, too many streams): ask instead */
				if (es.readyState === EventSource.CLOSED) window.setTimeout(poll, 3000);
			};
			window.addEventListener("pagehide", function () { es.close(); });
		};
		var poll = function () {
			fetch(evurl + "?after=" + last + "&limit=50", { credentials: "same-origin", headers: { Accept: "application/json" } })
				.then(function (r) {
					if (!r.ok) throw new Error("HTTP " + r.status);
					return r.json();
				})
				.then(function (j) {
					(j.items || []).forEach(function (d) { seen(d, false); });
					setStatus(true, "live");
					window.setTimeout(poll, j.next ? 200 : 3000);
				})
				.catch(function () {
					setStatus(false, "reconnecting");
					window.setTimeout(poll, 6000);
				});
		};
		if (window.EventSource) sse(); else poll();
	}

	/* ---------------------------------------------------------- cron builder */
	/* The schedule editor's builder (data-cron-builder="schedules/preview"):
	 * the server builds the expression and the preview (one place for the
	 * presets: lib/policy/cron_preset.c); this only asks as you change a
	 * field and swaps the answer in.  A change in the builder replaces the
	 * expression field too; typing in the expression makes the preset
	 * "custom" and replaces only the preview, so the field keeps its focus. */
	var builder = $("[data-cron-builder]");
	if (builder) {
		var purl = builder.getAttribute("data-cron-builder"), form = builder.form, ptimer = null, pseq = 0;
		var ask = function (ids) {
			var q = new URLSearchParams(), fd = new FormData(form), days = [];
			["name", "connector", "sweep", "preset", "every_hours", "hour", "minute", "cron", "zone", "max_items"]
				.forEach(function (k) { if (fd.get(k) !== null) q.set(k, fd.get(k)); });
			fd.getAll("day").forEach(function (d) { days.push(d); });
			q.set("days", days.join(","));
			var mine = ++pseq;
			window.clearTimeout(ptimer);
			ptimer = window.setTimeout(function () {
				if (mine !== pseq) return;
				swap(purl + "?" + q.toString(), ids).catch(function () { /* the Preview button still works */ });
			}, 250);
		};
		/* only the fields the chosen preset uses are shown (all are, without script) */
		var showFields = function () {
			var sel = $("#preset", builder), kind = sel ? sel.value : "";
			$$("[data-for]", builder).forEach(function (el) {
				el.hidden = el.getAttribute("data-for").split(" ").indexOf(kind) < 0;
			});
		};
		showFields();
		$("#preset", builder).addEventListener("change", showFields);
		$$("select, input", builder).forEach(function (el) {
			el.addEventListener(el.tagName === "SELECT" || el.type === "checkbox" ? "change" : "input", function () {
				ask(["cron-field", "cron-preview"]);
			});
		});
		form.addEventListener("input", function (ev) {
			var t = ev.target;
			if (t.id === "cron") {
				var sel = $("#preset", builder);
				if (sel) sel.value = "custom";
				showFields();
				ask(["cron-preview"]);
			} else if (t.id === "zone") {
				ask(["cron-preview"]);
			}
		});
	}

	/* ---------------------------------------------------------- autosubmit */
	/* a choice that decides the rest of the form (a channel's type) loads
	 * it at once; without JavaScript its button does */
	$$("select[data-autosubmit]").forEach(function (s) {
		s.addEventListener("change", function () { s.form.submit(); });
	});
}());
