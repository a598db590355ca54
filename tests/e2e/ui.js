/*
 * ui.js - the web UI's browser suite (run by tests/e2e/run.sh, which sets
 * E2E_* and starts the server, the fakes and the database).
 *
 * Each check prints "ok NAME" or "FAIL NAME: why"; the last line is
 * "e2e: N passed, N failed" (tests/run.sh counts it).  A failed check does
 * not stop the others; the script exits 1 when any failed.
 */
"use strict";
const path = require("path");
const fs = require("fs");
const { execFileSync, spawn } = require("child_process");

const env = process.env;
const { chromium } = require(path.join(env.E2E_NPM, "playwright-core"));
const base = env.E2E_BASE;
const shots = env.E2E_SHOTS;
const axePath = path.join(env.E2E_NPM, "axe-core", "axe.min.js");
const haveAxe = fs.existsSync(axePath);

let passed = 0, failed = 0;
function ok(name) { passed++; console.log("ok " + name); }
function bad(name, why) { failed++; console.log("FAIL " + name + ": " + why); }
async function check(name, fn) {
	try {
		await fn();
		ok(name);
	} catch (e) {
		let where = "";
		if (current) {
			where = " (at " + current.url() + ")";
			await current.screenshot({ path: path.join(shots, "FAILED-" + (failed + 1) + ".png") }).catch(() => {});
		}
		bad(name, (e && e.message ? e.message : String(e)).split("\n")[0] + where);
	}
}
let current = null;	/* the main page, for a failure's screenshot */
function expect(cond, what) { if (!cond) throw new Error(what); }
function sql(q) {
	return execFileSync("psql", ["-XAtq", "-d", env.E2E_DB, "-c", q], { encoding: "utf8" }).trim();
}
function cli(args, input) {
	return execFileSync(args[0], args.slice(1), { encoding: "utf8", input: input || "", stdio: ["pipe", "pipe", "pipe"] });
}

const pages = [
	["dashboard", ""], ["connectors", "connectors"], ["connector", "connectors/tv"],
	["connector-edit", "connectors/tv/edit"], ["connector-new", "connectors/new"],
	["content", "content"], ["content-missing", "content?state=missing"], ["queue", "queue"],
	["analytics", "analytics"], ["settings", "settings"], ["account", "account"],
];

/*
 * Schedules (Req 19) and the dashboard's sweeps: a schedule built with the
 * cron builder, its preview as you type and without JavaScript, saved,
 * listed with its next run, drawn on the week's timeline with an overlap,
 * run now; the page's screenshots (both themes, phone) and axe checks.
 */
async function schedulesChecks(browser, ctx, page) {
	await check("schedules: the builder writes the expression and the preview follows as you type", async () => {
		await page.goto(base + "schedules/new");
		await page.evaluate(() => { window.__notReloaded = true; });
		await page.selectOption("#preset", "weekly");
		await page.check("input[name=day][value='1']");
		await page.check("input[name=day][value='3']");
		await page.fill("#hour", "5");
		await page.fill("#minute", "15");
		await page.waitForFunction(() => document.getElementById("cron").value === "15 5 * * 1,3", null, { timeout: 8000 });
		await page.waitForFunction(() => /Monday and Wednesday/.test(document.getElementById("cron-preview").textContent),
			null, { timeout: 8000 });
		const runs = await page.$$eval("#cron-preview li", (l) => l.map((x) => x.textContent));
		expect(runs.length === 6 && runs.every((r) => / 05:15 /.test(r)), "runs: " + runs.join(" | "));
		// a raw expression typed in makes the preset custom; an error shows in the preview
		await page.fill("#cron", "0 25 * * *");
		await page.waitForFunction(() => /hour 25/.test(document.getElementById("cron-preview").textContent),
			null, { timeout: 8000 });
		expect(await page.inputValue("#preset") === "custom", "preset " + await page.inputValue("#preset"));
		await page.fill("#cron", "15 5 * * 1,3");
		await page.waitForFunction(() => /Monday and Wednesday/.test(document.getElementById("cron-preview").textContent),
			null, { timeout: 8000 });
		expect(await page.evaluate(() => window.__notReloaded === true), "the page reloaded");
	});

	await check("schedules: saving lists it with its next run, and the timeline shows it", async () => {
		await page.fill("#name", "e2e-weekly");
		await page.selectOption("#connector", "tv");
		await page.selectOption("#sweep", "gaps");
		await Promise.all([page.waitForNavigation(), page.click("button[value=save]")]);
		expect(new URL(page.url()).pathname === "/schedules", "url " + page.url());
		expect(/schedule was added/.test(await page.textContent("[role=status]")), "no confirmation");
		const row = await page.textContent("#sched-list tr:has-text('e2e-weekly')");
		expect(/at 05:15 on Monday and Wednesday/.test(row) && /in \d+ (min|h|d)/.test(row), "row: " + row);
		expect(sql("SELECT cron || '|' || sweep FROM schedules WHERE name = 'e2e-weekly'") === "15 5 * * 1,3|gaps",
			"stored " + sql("SELECT cron FROM schedules WHERE name = 'e2e-weekly'"));
		const lanes = await page.$$eval("svg.timeline text.lane-label", (t) => t.map((x) => x.textContent));
		expect(lanes.includes("e2e-weekly"), "lanes: " + lanes.join(", "));
		const marks = await page.$$eval("svg.timeline rect.tick", (r) => r.length);
		expect(marks >= 2, marks + " marks");
	});

	await check("schedules: two sweeps of one connector close together are shown as an overlap", async () => {
		cli(["comradarr", "schedule", "add", "e2e-close", "--connector", "tv", "--cron", "20 5 * * 1,3", "--zone", "UTC"]);
		await page.goto(base + "schedules");
		const clashes = await page.$$eval("svg.timeline rect.tick.clash", (r) => r.length);
		expect(clashes >= 4, clashes + " overlapping marks");
		const cell = await page.textContent("table:has(caption) tr:has-text('e2e-close') td:nth-child(4)");
		expect(/[1-9]/.test(cell), "overlaps in the table: " + cell);
	});

	await check("schedules: without JavaScript the Preview button re-renders the form with the runs", async () => {
		const c = await browser.newContext({ javaScriptEnabled: false, storageState: await ctx.storageState() });
		const p = await c.newPage();
		await p.goto(base + "schedules/e2e-weekly/edit");
		expect(await p.inputValue("#preset") === "weekly", "preset " + await p.inputValue("#preset"));
		await p.selectOption("#preset", "hours");
		await p.fill("#every_hours", "8");
		await Promise.all([p.waitForNavigation(), p.click("button[value=preview]")]);
		expect(await p.inputValue("#cron") === "15 */8 * * *", "cron " + await p.inputValue("#cron"));
		const txt = await p.textContent("#cron-preview");
		expect(/every 8 hours/.test(txt) || /8 hours/.test(txt), "preview " + txt);
		expect(sql("SELECT cron FROM schedules WHERE name = 'e2e-weekly'") === "15 5 * * 1,3", "a preview saved");
		await c.close();
	});

	await check("schedules: run now runs the sweep and shows its outcome", async () => {
		await page.goto(base + "schedules");
		await Promise.all([page.waitForNavigation(),
			page.click("#sched-list tr:has-text('e2e-weekly') button:has-text('Run now')")]);
		expect(/sweep ran/.test(await page.textContent("[role=status]")), "no confirmation");
		const row = await page.textContent("#sched-list tr:has-text('e2e-weekly')");
		expect(/done/.test(row), "row: " + row);
		expect(sql("SELECT status FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id WHERE s.name = 'e2e-weekly'") === "done",
			"not recorded");
	});

	await check("dashboard: the next sweeps are listed", async () => {
		await page.goto(base);
		const next = await page.textContent("#dash-sweeps");
		expect(/Next sweeps/.test(next) && /in \d+ (min|h)/.test(next), "panel: " + next);
		expect(/No sweep is running/.test(next), "panel: " + next);
	});

	const mine = [["schedules", "schedules"], ["schedule-edit", "schedules/e2e-weekly/edit"]];
	await check("schedules: screenshots in both themes and on a phone, each page under 100 KB", async () => {
		const state = await ctx.storageState();
		for (const scheme of ["dark", "light"]) {
			const c = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme, storageState: state });
			const p = await c.newPage();
			for (const [name, url] of mine) {
				let bytes = 0;
				const onResp = async (resp) => { try { bytes += (await resp.body()).length; } catch (e) { /* none */ } };
				p.on("response", onResp);
				await p.goto(base + url);
				await p.waitForLoadState("networkidle").catch(() => {});
				p.off("response", onResp);
				expect(bytes < 100 * 1024, name + ": " + bytes + " bytes");
				await p.screenshot({ path: path.join(shots, name + "-" + scheme + ".png"), fullPage: true });
			}
			await p.goto(base);
			await p.screenshot({ path: path.join(shots, "dashboard-sweeps-" + scheme + ".png"), fullPage: true });
			await c.close();
		}
		const c = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
			colorScheme: "dark", storageState: state });
		const p = await c.newPage();
		for (const [name, url] of mine) {
			await p.goto(base + url);
			await p.screenshot({ path: path.join(shots, "phone-" + name + ".png"), fullPage: true });
		}
		await c.close();
	});

	if (haveAxe) {
		await axePages(browser, ctx, mine);
	}
}

async function login(page) {
	await page.goto(base + "login");
	await page.fill("#user", env.E2E_USER);
	await page.fill("#password", env.E2E_PASS);
	await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
}

/*
 * Settings sections (notification channels, backups, the log level): a
 * webhook channel added through its form and a test message to a real
 * local receiver (tests/notify/receiver.py, started and stopped here), a
 * backup made and downloaded, the log level changed; screenshots of the
 * new pages in both themes and on a phone, and the axe check on them.
 */
async function settingsSections(browser, ctx, page) {
	const root = path.resolve(__dirname, "..", "..");
	const hookSecret = "e2e-hook-path-" + process.pid + "-secret";
	const hmac = "e2e-hmac-" + process.pid + "-0123456789";
	const recvLog = path.join(env.E2E_TMP, "recv.log");
	const recv = spawn("python3", [path.join(root, "tests/notify/receiver.py"), recvLog, hmac],
		{ stdio: ["ignore", "pipe", "inherit"] });
	try {
		const port = await new Promise((resolve, reject) => {
			let out = "";
			recv.stdout.on("data", (d) => {
				out += d;
				const m = /^(\d+)\n/.exec(out);
				if (m) resolve(m[1]);
			});
			recv.on("exit", () => reject(new Error("the receiver stopped")));
			setTimeout(() => reject(new Error("the receiver did not start")), 10000);
		});
		const received = () => (fs.existsSync(recvLog) ? fs.readFileSync(recvLog, "utf8") : "")
			.split("\n").filter((l) => l).map((l) => JSON.parse(l));

		await check("channels: a webhook added through its form, its secrets never shown again", async () => {
			await page.goto(base + "settings");
			await Promise.all([page.waitForNavigation(), page.click("a[href='settings/channels']")]);
			await Promise.all([page.waitForNavigation(), page.click("text=Add channel")]);
			/* the type decides the fields (app.js loads them on change) */
			await Promise.all([page.waitForNavigation(), page.selectOption("#type", "webhook")]);
			expect(await page.getAttribute("#s_url", "type") === "password", "the URL is not a password input");
			await page.fill("#name", "e2e-hook");
			await page.fill("#s_url", "http://127.0.0.1:" + port + "/webhook/in/" + hookSecret);
			await page.fill("#s_hmac_secret", hmac);
			await page.check("input[name=events_mode][value=all]");
			await page.fill("#batch_window_s", "0");
			await page.check("input[name=conn][value=films]");
			await page.fill("#templates", "search_outcome: {content_title} was found");
			await Promise.all([page.waitForNavigation(), page.click("button:has-text('Save')")]);
			expect(/channel was added/.test(await page.textContent("[role=status]")), "no confirmation");
			const html = await page.content();
			expect(!html.includes(hookSecret) && !html.includes(hmac), "a secret is on the list page");
			expect(sql("SELECT type || '/' || (secret_enc IS NOT NULL) FROM notify_channels WHERE name = 'e2e-hook'") ===
				"webhook/true", "not stored sealed");
			expect(sql("SELECT array_length(connector_ids, 1) || '/' || (templates ->> 'search_outcome') " +
				"FROM notify_channels WHERE name = 'e2e-hook'") === "1/{content_title} was found",
				"the connector filter or the template was not stored");
			await page.goto(base + "settings/channels/e2e-hook/edit");
			const edit = await page.content();
			expect(!edit.includes(hookSecret) && !edit.includes(hmac), "a secret is in the edit form");
			expect(await page.inputValue("#s_url") === "", "the credential field is filled in");
		});

		await check("channels: send test reaches the local receiver, signed", async () => {
			await page.goto(base + "settings/channels");
			await Promise.all([page.waitForNavigation(),
				page.click("form[action='settings/channels/e2e-hook/test'] button")]);
			const res = await page.textContent("#test-result");
			expect(/accepted/.test(res) && /200/.test(res), "result: " + res);
			const hits = received().filter((r) => r.service === "webhook" && r.path.includes(hookSecret));
			expect(hits.length === 1, hits.length + " requests at the receiver");
			expect(hits[0].problems.length === 0, "the receiver found: " + hits[0].problems.join(", "));
			expect(!(await page.content()).includes(hookSecret), "a secret is in the result");
		});

		await check("backups: created from the page, downloaded, verified", async () => {
			await page.goto(base + "settings/backups");
			await Promise.all([page.waitForNavigation(), page.click("button:has-text('Create backup')")]);
			for (let i = 0; i < 50 && !(await page.$("#backup-list")); i++) {
				await new Promise((r) => setTimeout(r, 200));
				await page.goto(base + "settings/backups");
			}
			const name = (await page.textContent("#backup-list tbody tr td")).trim().split(/\s/)[0];
			expect(/^comradarr-\d{8}T\d{6}Z\.tar$/.test(name), "file " + name);
			const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#backup-list a[download]")]);
			expect(dl.suggestedFilename() === name, "downloaded as " + dl.suggestedFilename());
			const saved = path.join(env.E2E_TMP, "dl.tar");
			await dl.saveAs(saved);
			const onDisk = path.join(env.COMRADARR_HOME, "backups", name);
			expect(fs.readFileSync(saved).equals(fs.readFileSync(onDisk)), "the download differs from the file");
			/* the archive is what comradarr-backup verifies */
			cli(["comradarr-backup", "verify", saved, "--json"]);
			await Promise.all([page.waitForNavigation(), page.click("#backup-list button:has-text('Verify')")]);
			expect(/intact/.test(await page.textContent("#verify-result")), "not reported intact");
		});

		await check("the log level is changed from the settings page and applied at once", async () => {
			await page.goto(base + "settings");
			await page.selectOption("#log_level", "debug");
			await Promise.all([page.waitForNavigation(), page.click("button:has-text('Apply')")]);
			expect(/log level was changed/.test(await page.textContent("[role=status]")), "no confirmation");
			expect(sql("SELECT value #>> '{}' FROM settings WHERE key = 'log.level'") === "debug", "not stored");
			expect((await page.textContent("#log-level-now")).trim() === "debug", "the server did not apply it");
			expect(sql("SELECT count(*) FROM audit_log WHERE action = 'setting.set' AND target = 'log.level'") === "1",
				"not audited");
			await page.selectOption("#log_level", "");
			await Promise.all([page.waitForNavigation(), page.click("button:has-text('Apply')")]);
			expect(sql("SELECT count(*) FROM settings WHERE key = 'log.level'") === "0", "not reset");
		});

		const newPages = [["settings-channels", "settings/channels"], ["channel-new", "settings/channels/new?type=email"],
			["channel-edit", "settings/channels/e2e-hook/edit"], ["settings-backups", "settings/backups"]];
		await check("screenshots of the settings sections in both themes and on a phone", async () => {
			const state = await ctx.storageState();
			for (const scheme of ["dark", "light"]) {
				const c = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme, storageState: state });
				const p = await c.newPage();
				for (const [name, url] of newPages.concat([["settings", "settings"]])) {
					await p.goto(base + url);
					await p.screenshot({ path: path.join(shots, name + "-" + scheme + ".png"), fullPage: true });
				}
				await c.close();
			}
			const c = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
				colorScheme: "dark", storageState: state });
			const p = await c.newPage();
			for (const [name, url] of newPages) {
				await p.goto(base + url);
				await p.screenshot({ path: path.join(shots, "phone-" + name + ".png"), fullPage: true });
			}
			await c.close();
		});
		if (haveAxe) {
			await axePages(browser, ctx, newPages);
		}
	} finally {
		recv.kill("SIGTERM");
		await new Promise((r) => (recv.exitCode !== null ? r() : recv.on("exit", r)));
	}
}

/*
 * The live parts over server-sent events: the queue page and the dashboard
 * open one EventSource on api/events (no polling), a batch changes state on
 * the queue page while comradarr-dispatch runs in the background, and the
 * dashboard's activity feed grows, neither page reloading.
 */
async function liveOverEventStream(page) {
	const streams = [], polls = [];
	const onReq = (r) => {
		if (!/\/api\/events/.test(r.url())) return;
		const h = r.headers();
		if (/text\/event-stream/.test(h.accept || "")) streams.push(r.url());
		else polls.push(r.url());
	};
	page.on("request", onReq);
	try {
		await page.goto(base + "queue");
		await page.waitForFunction(() => {
			const s = document.querySelector("[data-live-status]");
			return s && /live/.test(s.textContent);
		}, null, { timeout: 15000 });
		expect(streams.length === 1, streams.length + " event streams opened");
		await page.evaluate(() => { window.__notReloaded = true; });
		const before = await page.$$eval("#queue-live tbody tr[id^=batch-]",
			(rows) => rows.map((r) => [r.id, r.children[1].textContent.trim()]));
		expect(before.length > 0, "no batch to watch");
		// one batch: the rest stay for the checks that follow
		const bg = spawn("comradarr-dispatch", ["--once", "--max-batches", "1", "--max-wait", "0", "--poll", "200"],
			{ stdio: "ignore", env: process.env });
		fs.writeFileSync(path.join(env.E2E_TMP, "bg.pid"), String(bg.pid));
		const done = new Promise((res) => bg.on("exit", res));
		try {
			await page.waitForFunction((was) => {
				if (window.__notReloaded !== true) return false;
				return was.some(([id, state]) => {
					const row = document.getElementById(id);
					return row === null || row.children[1].textContent.trim() !== state;
				});
			}, before, { timeout: 45000 });
		} finally {
			await done;
		}
		expect(await page.evaluate(() => window.__notReloaded === true), "the queue page reloaded");
		expect(polls.length === 0, "the page polled instead: " + polls[0]);

		// the dashboard's feed: an event written now shows up
		streams.length = 0;
		await page.goto(base);
		await page.waitForFunction(() => /live/.test(document.querySelector("[data-live-status]").textContent),
			null, { timeout: 15000 });
		await page.evaluate(() => { window.__notReloaded = true; });
		const n = await page.$$eval("[data-feed] li", (l) => l.length);
		sql("INSERT INTO events (kind, payload) VALUES ('queue_paused', '{\"by\": \"e2e\"}')");
		await page.waitForFunction((k) => document.querySelectorAll("[data-feed] li").length > k &&
			/Queue paused/.test(document.querySelector("[data-feed] li").textContent) &&
			window.__notReloaded === true, n, { timeout: 20000 });
		expect(streams.length === 1, streams.length + " event streams on the dashboard");
		expect(polls.length === 0, "the dashboard polled instead: " + polls[0]);
	} finally {
		page.off("request", onReq);
	}
}

/*
 * Two-factor authentication (the account page, the login's code step):
 * a user enrols with the key the page shows (codes computed here with
 * node's crypto.createHmac, the QR code read back by jsQR, a real decoder),
 * signs in with a code in a browser without JavaScript, with a recovery
 * code, and an admin resets it.  Screenshots and axe on the new pages.
 */
function unbase32(s) {
	const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	let acc = 0, bits = 0;
	const out = [];
	for (const ch of s) {
		acc = (acc << 5) | abc.indexOf(ch);
		bits += 5;
		if (bits >= 8) { out.push((acc >> (bits - 8)) & 255); bits -= 8; }
	}
	return Buffer.from(out);
}
function totp(key, delta) {
	const crypto = require("crypto");
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + delta));
	const h = crypto.createHmac("sha1", key).update(msg).digest();
	const o = h[h.length - 1] & 15;
	return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0");
}
/* The server's QR SVG (one path of "Mx yhNv1h-Nz" runs) as pixels for jsQR. */
function readQr(svg) {
	const jsQR = require(path.join(env.E2E_NPM, "jsqr"));
	const n = +/viewBox="0 0 (\d+) /.exec(svg)[1], scale = 5, w = n * scale;
	const px = new Uint8ClampedArray(w * w * 4).fill(255);
	const re = /M(\d+) (\d+)h(\d+)v1h-\d+z/g;
	let m;
	while ((m = re.exec(/<path fill="#000" d="([^"]*)"/.exec(svg)[1]))) {
		for (let x = +m[1]; x < +m[1] + +m[3]; x++)
			for (let dy = 0; dy < scale; dy++)
				for (let dx = 0; dx < scale; dx++) {
					const i = (((+m[2]) * scale + dy) * w + x * scale + dx) * 4;
					px[i] = px[i + 1] = px[i + 2] = 0;
				}
	}
	const r = jsQR(px, w, w);
	return r ? r.data : null;
}
/* axe-core on the page p shows: no serious or critical violation */
async function axeRun(p) {
	await p.addScriptTag({ path: axePath });
	const res = await p.evaluate(async () => await window.axe.run(document, {
		runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "best-practice"] } }));
	const serious = res.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
	expect(serious.length === 0, serious.map((v) => v.id + " (" + v.nodes.length + ": " +
		v.nodes[0].target.join(" ") + ")").join("; "));
}
async function axeCheck(p, name) {
	if (!haveAxe)
		return;
	await check("accessibility (axe-core): " + name, async () => axeRun(p));
}
/* axe on each [name, url] of pages in both themes, signed in as ctx is */
async function axePages(browser, ctx, pages) {
	const c = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true,
		storageState: await ctx.storageState() });
	const p = await c.newPage();
	for (const scheme of ["dark", "light"]) {
		await p.emulateMedia({ colorScheme: scheme });
		for (const [name, url] of pages)
			await check("accessibility (axe-core): " + name + ", " + scheme, async () => {
				await p.goto(base + url);
				await axeRun(p);
			});
	}
	await c.close();
}
async function totpChecks(browser) {
	const user = "tina", pw = "tina's long e2e password";
	let key = null, secret = null, codes = [];
	cli(["comradarr", "user", "add", user, "--role", "user", "--password-file", "-"], pw + "\n");
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "dark" });
	ctx.setDefaultTimeout(10000);
	const p = await ctx.newPage();
	current = p;
	const signIn = async (page) => {
		await page.goto(base + "login");
		await page.fill("#user", user);
		await page.fill("#password", pw);
		await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
	};

	await check("2FA: the account page is reached from settings and starts switched off", async () => {
		await signIn(p);
		await p.goto(base + "settings");
		await Promise.all([p.waitForNavigation(), p.click("text=Two-factor authentication")]);
		expect(p.url().endsWith("/account"), "url " + p.url());
		expect(/Off: your password alone/.test(await p.textContent("main")), "not shown as off");
		await p.screenshot({ path: path.join(shots, "account-off-dark.png"), fullPage: true });
	});

	await check("2FA: set-up shows the key, its otpauth link and a QR code that scans to it", async () => {
		await p.fill("#setup-password", pw);
		await Promise.all([p.waitForNavigation(), p.click("text=Set up")]);
		secret = (await p.textContent("#totp-secret")).replace(/ /g, "");
		expect(/^[A-Z2-7]{32}$/.test(secret), "key " + secret);
		const href = await p.getAttribute("#totp-uri", "href");
		expect(href === "otpauth://totp/Comradarr:" + user + "?secret=" + secret +
			"&issuer=Comradarr&algorithm=SHA1&digits=6&period=30", "link " + href);
		const svg = await p.$eval("figure.qr svg", (e) => e.outerHTML);
		const scanned = readQr(svg);
		expect(scanned === href, "the QR code reads " + scanned);
		const code = await p.$("#code");
		expect(await code.getAttribute("autocomplete") === "one-time-code", "autocomplete");
		expect(await code.getAttribute("inputmode") === "numeric", "inputmode");
		expect(await p.isVisible("label[for=code]"), "no label");
		key = unbase32(secret);
		await p.screenshot({ path: path.join(shots, "account-enrol-dark.png"), fullPage: true });
		await p.emulateMedia({ colorScheme: "light" });
		await p.screenshot({ path: path.join(shots, "account-enrol-light.png"), fullPage: true });
		await p.emulateMedia({ colorScheme: "dark" });
		const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true,
			colorScheme: "dark", storageState: await ctx.storageState() });
		const pp = await phone.newPage();
		await pp.goto(base + "account");
		await pp.screenshot({ path: path.join(shots, "phone-account-enrol.png"), fullPage: true });
		await phone.close();
	});
	if (key === null)
		return;
	{
		const c = await browser.newContext({ bypassCSP: true, storageState: await ctx.storageState() });
		const ap = await c.newPage();
		await ap.goto(base + "account");
		await axeCheck(ap, "account (enrolment)");
		await c.close();
	}

	await check("2FA: a wrong first code is refused, the right one turns it on with ten recovery codes", async () => {
		await p.fill("#code", totp(key, 0) === "000000" ? "111111" : "000000");
		await Promise.all([p.waitForNavigation(), p.click("text=Turn on")]);
		expect(/does not match/.test(await p.textContent("[role=alert]")), "no error");
		expect((await p.textContent("#totp-secret")).replace(/ /g, "") === secret, "the key changed");
		await p.fill("#code", totp(key, 0));
		await Promise.all([p.waitForNavigation(), p.click("text=Turn on")]);
		codes = await p.$$eval("#recovery-codes li", (l) => l.map((e) => e.textContent));
		expect(codes.length === 10 && /^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/.test(codes[0]), "codes " + codes.join(","));
		await p.screenshot({ path: path.join(shots, "account-codes-dark.png"), fullPage: true });
		await p.goto(base + "account");
		const html = await p.content();
		expect(!html.includes(secret) && !html.includes(codes[0]), "the key or a code is shown again");
		expect(/10 recovery codes left/.test(await p.textContent("main")), "no count");
		await p.screenshot({ path: path.join(shots, "account-on-dark.png"), fullPage: true });
	});

	await check("2FA: without JavaScript, signing in asks for the code, refuses a wrong one, takes the right one", async () => {
		const nojs = await browser.newContext({ javaScriptEnabled: false, colorScheme: "dark" });
		const q = await nojs.newPage();
		await signIn(q);
		expect(q.url() === base + "login/totp", "after the password: " + q.url());
		expect(await q.isVisible("#code"), "no code field after the password");
		expect(!(await nojs.cookies()).some((k) => /comradarr_session/.test(k.name)), "a session before the code");
		await q.screenshot({ path: path.join(shots, "login-totp-dark.png") });
		await q.fill("#code", "000000");
		await Promise.all([q.waitForNavigation(), q.click("button[type=submit]")]);
		expect(/wrong or was used/.test(await q.textContent("[role=alert]")), "no error for a wrong code");
		expect(await q.isVisible("#code"), "the code form went away");
		/* the enrolment spent this step's code: the next step's passes */
		await q.fill("#code", totp(key, 1));
		await Promise.all([q.waitForNavigation(), q.click("button[type=submit]")]);
		expect(q.url() === base, "after the code: " + q.url());
		expect((await nojs.cookies()).some((k) => /comradarr_session/.test(k.name)), "no session");
		await nojs.close();
		expect(sql("SELECT count(*) FROM audit_log WHERE action = 'login' AND actor = '" + user +
			"' AND detail->>'second_factor' = 'totp'") === "1", "no audit line");
	});
	{
		const c = await browser.newContext({ bypassCSP: true });
		const lp = await c.newPage();
		await lp.goto(base + "login");
		await lp.fill("#user", user);
		await lp.fill("#password", pw);
		await Promise.all([lp.waitForNavigation(), lp.click("button[type=submit]")]);
		await axeCheck(lp, "login (code step)");
		await c.close();
	}

	await check("2FA: a recovery code signs in once", async () => {
		const c = await browser.newContext();
		const q = await c.newPage();
		await signIn(q);
		await q.fill("#code", codes[4].toUpperCase());
		await Promise.all([q.waitForNavigation(), q.click("button[type=submit]")]);
		expect(q.url() === base, "after the recovery code: " + q.url());
		await c.close();
		const c2 = await browser.newContext();
		const q2 = await c2.newPage();
		await signIn(q2);
		await q2.fill("#code", codes[4]);
		await Promise.all([q2.waitForNavigation(), q2.click("button[type=submit]")]);
		expect(await q2.isVisible("#code"), "a used recovery code worked");
		await c2.close();
	});

	await check("2FA: an admin resets a user's second factor from the account page", async () => {
		const c = await browser.newContext({ colorScheme: "dark" });
		const a = await c.newPage();
		await login(a);
		await a.goto(base + "account");
		await a.screenshot({ path: path.join(shots, "account-admin-dark.png"), fullPage: true });
		a.once("dialog", (d) => d.accept());
		await Promise.all([a.waitForNavigation(), a.click("form[action='account/users/" + user + "/totp-reset'] button")]);
		expect(/was reset/.test(await a.textContent("[role=status]")), "no confirmation");
		expect(sql("SELECT count(*) FROM user_totp") === "0", "still enrolled");
		expect(sql("SELECT count(*) FROM audit_log WHERE action = 'user.totp.reset' AND target = '" + user + "'") === "1",
			"no audit line");
		await c.close();
	});
	await ctx.close();
}

(async () => {
	const browser = await chromium.launch({ executablePath: env.E2E_CHROMIUM, args: ["--no-sandbox"] });
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "dark" });
	ctx.setDefaultTimeout(10000);
	const page = await ctx.newPage();
	current = page;
	const consoleErrors = [];
	page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
	page.on("pageerror", (e) => consoleErrors.push(String(e)));

	await check("an anonymous visitor is sent to the sign-in page", async () => {
		const r = await page.goto(base + "queue");
		expect(page.url().endsWith("/login"), "landed on " + page.url());
		expect(r.status() === 200, "status " + r.status());
		expect(await page.isVisible("label[for=password]"), "no password field");
	});

	await check("a wrong password is refused with a clear message", async () => {
		await page.fill("#user", env.E2E_USER);
		await page.fill("#password", "not-the-password-1");
		await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
		const alert = await page.textContent("[role=alert]");
		expect(/wrong user name or password/.test(alert), "alert: " + alert);
		expect(page.url().endsWith("/login"), "url " + page.url());
	});

	await check("signing in lands on the dashboard", async () => {
		await login(page);
		expect(new URL(page.url()).pathname === "/", "url " + page.url());
		expect((await page.textContent("h1")).trim() === "Dashboard", "h1");
		const cookies = await ctx.cookies();
		const s = cookies.find((c) => /comradarr_session$/.test(c.name));
		expect(s && s.httpOnly && s.sameSite === "Strict", "session cookie " + JSON.stringify(s));
	});

	await check("adding a connector: the test shows the app before saving, the key never comes back", async () => {
		await page.goto(base + "connectors/new");
		await page.fill("#name", "tv");
		await page.selectOption("#type", "sonarr");
		await page.fill("#url", env.E2E_TV_URL);
		await page.fill("#api_key", env.E2E_TV_KEY);
		await Promise.all([page.waitForNavigation(), page.click("button[value=test]")]);
		const result = await page.textContent("#test-result");
		expect(/healthy/.test(result) && /Sonarr/.test(result), "test result: " + result);
		expect(sql("SELECT count(*) FROM connectors WHERE name = 'tv'") === "0", "saved by a test");
		const html = await page.content();
		expect(!html.includes(env.E2E_TV_KEY), "the key was sent back to the browser");
		expect(await page.inputValue("#api_key") === "", "the key field was filled back");
		await page.fill("#api_key", env.E2E_TV_KEY);
		await Promise.all([page.waitForNavigation(), page.click("button[value=save]")]);
		expect(/connector was added/.test(await page.textContent("[role=status]")), "no confirmation");
		expect(sql("SELECT type FROM connectors WHERE name = 'tv'") === "sonarr", "not in the database");
		cli(["comradarr", "profile", "assign", "tv", "e2e"]);
	});

	await check("a bad URL is refused next to its field", async () => {
		await page.goto(base + "connectors/new");
		await page.fill("#name", "bad");
		await page.fill("#url", "ftp://nowhere");
		await page.fill("#api_key", "0123456789abcdef0123");
		const [r] = await Promise.all([page.waitForNavigation(), page.click("button[value=save]")]);
		expect(r.status() === 422, "status " + r.status());
		expect(await page.getAttribute("#url", "aria-invalid") === "true", "url not marked invalid");
		expect((await page.textContent("#url-error")).length > 5, "no message under the field");
	});

	await check("a sync from the UI changes the dashboard", async () => {
		await page.goto(base);
		const before = await page.textContent("#dash-conn");
		expect(/never/.test(before), "tv was synced before: " + before);
		await page.goto(base + "connectors/tv");
		await Promise.all([page.waitForNavigation(), page.click("text=Sync now")]);
		expect(/library was synced/.test(await page.textContent("[role=status]")), "no confirmation");
		await page.goto(base + "connectors/films");
		await Promise.all([page.waitForNavigation(), page.click("text=Sync now")]);
		await page.goto(base);
		const row = await page.textContent("#dash-conn tr:has(a[href='connectors/tv'])");
		expect(!/never/.test(row) && /healthy/.test(row) && /\d+\.\d%/.test(row), "tv row: " + row);
	});

	// discover | enqueue from the shell, as the timers do: the queue fills
	cli(["sh", "-c", "comradarr-discover | comradarr-enqueue"]);

	await check("the queue lists batches in dispatch order", async () => {
		await page.goto(base + "queue");
		const rows = await page.$$("#queue-live tbody tr[id^=batch-]");
		expect(rows.length > 2, rows.length + " batches shown");
		const prios = await page.$$eval("#queue-live tbody tr[id^=batch-] td:nth-child(5)",
			(tds) => tds.map((t) => parseInt(t.textContent.replace(/,/g, ""), 10)));
		for (let i = 1; i < prios.length; i++)
			expect(prios[i - 1] >= prios[i], "priorities out of order: " + prios.join(" "));
	});

	await check("the queue page and the dashboard are live over server-sent events",
		async () => liveOverEventStream(page));

	await check("a queue entry changes live while comradarr-dispatch runs", async () => {
		await page.goto(base + "queue");
		await page.evaluate(() => { window.__notReloaded = true; });
		const outcomesBefore = await page.$$eval("#h-out ~ ul li", (l) => l.length).catch(() => 0);
		const bg = spawn("comradarr-dispatch", ["--once", "--max-wait", "0", "--poll", "200"],
			{ stdio: "ignore", env: process.env });
		fs.writeFileSync(path.join(env.E2E_TMP, "bg.pid"), String(bg.pid));
		const done = new Promise((res) => bg.on("exit", res));
		try {
			await page.waitForFunction((n) => document.querySelectorAll("#h-out ~ ul li").length > n &&
				window.__notReloaded === true, outcomesBefore, { timeout: 30000 });
		} finally {
			await done;
		}
		expect(await page.evaluate(() => window.__notReloaded === true), "the page reloaded");
	});

	await check("a bulk action marks the selected items", async () => {
		// an item the dispatcher does not hold (queued and in-flight ones stay its own)
		const row = sql("SELECT m.id || '|' || m.title FROM movies m JOIN search_registry r ON r.movie_id = m.id" +
			" WHERE r.state IN ('pending', 'cooldown', 'failed') AND NOT EXISTS" +
			" (SELECT 1 FROM request_queue_items i WHERE i.registry_id = r.id) ORDER BY m.id LIMIT 1");
		expect(row !== "", "no movie to act on");
		const [id, title] = row.split("|");
		await page.goto(base + "content?type=movie&q=" + encodeURIComponent(title));
		await page.check("input[name=item][value=m" + id + "]");
		await page.selectOption("#action", "ignore");
		await Promise.all([page.waitForNavigation(), page.click("text=Apply")]);
		expect(/selected items were updated/.test(await page.textContent("[role=status]")), "no confirmation");
		const n = sql("SELECT count(*) FROM search_registry WHERE state = 'exhausted' AND movie_id = " + id);
		expect(parseInt(n, 10) >= 1, "exhausted entries: " + n);
		await page.goto(base + "content?type=movie&state=exhausted");
		expect(await page.$("input[name=item][value=m" + id + "]") !== null, "not under the exhausted filter");
	});

	await check("the title search updates the results as you type", async () => {
		await page.goto(base + "content");
		await page.evaluate(() => { window.__notReloaded = true; });
		await page.fill("#q", "Movie 11");
		await page.waitForFunction(() => /q=Movie/.test(location.search), null, { timeout: 5000 });
		const titles = await page.$$eval("#results tbody td:nth-child(2) a", (a) => a.map((x) => x.textContent));
		expect(titles.length > 0 && titles.every((t) => t.includes("Movie 11")), "titles: " + titles.join(", "));
		expect(await page.evaluate(() => window.__notReloaded === true), "the page reloaded");
	});

	await check("paging is by keyset: page 2 starts after page 1", async () => {
		await page.goto(base + "content?type=movie");
		const first = await page.$$eval("input[name=item]", (b) => b.map((x) => x.value));
		await Promise.all([page.waitForNavigation(), page.click("a[rel=next]")]);
		expect(/after=m\d+/.test(page.url()), "url " + page.url());
		const second = await page.$$eval("input[name=item]", (b) => b.map((x) => x.value));
		expect(second.length > 0 && !second.some((k) => first.includes(k)), "pages overlap");
	});

	await check("the theme toggle survives a reload", async () => {
		await page.goto(base);
		expect(await page.evaluate(() => document.documentElement.getAttribute("data-theme")) === null, "theme set");
		await page.click("[data-theme-toggle]");
		expect(await page.evaluate(() => document.documentElement.getAttribute("data-theme")) === "light", "not light");
		await page.reload();
		expect(await page.evaluate(() => document.documentElement.getAttribute("data-theme")) === "light",
			"lost on reload");
		const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
		expect(bg === "rgb(244, 246, 249)", "light background is " + bg);
		// back to following the system, for the screenshots below
		await page.evaluate(() => window.localStorage.removeItem("comradarr-theme"));
	});

	await check("CSRF: a change from another origin or without the token is refused", async () => {
		await page.goto(base + "queue");
		const token = await page.getAttribute("input[name=csrf]", "value");
		const evil = await ctx.request.post(base + "queue/pause", {
			headers: { Origin: "http://evil.example" }, form: { csrf: token }, maxRedirects: 0 });
		expect(evil.status() === 403, "foreign origin: " + evil.status());
		const origin = new URL(base).origin;
		const none = await ctx.request.post(base + "queue/pause", {
			headers: { Origin: origin }, form: { x: "1" }, maxRedirects: 0 });
		expect(none.status() === 403, "no token: " + none.status());
		const good = await ctx.request.post(base + "queue/resume", {
			headers: { Origin: origin }, form: { csrf: token }, maxRedirects: 0 });
		expect(good.status() === 303, "same origin with the token: " + good.status());
		expect(sql("SELECT coalesce((SELECT value::text FROM settings WHERE key = 'queue.paused'), 'false')") === "false",
			"the refused requests paused the queue");
	});

	await check("the CSV export parses and matches the database", async () => {
		const today = new Date().toISOString().slice(0, 10);
		const r = await ctx.request.get(base + "analytics/daily.csv?from=" + today + "&to=" + today);
		expect(r.status() === 200 && /text\/csv/.test(r.headers()["content-type"]), "status " + r.status());
		const lines = (await r.text()).trim().split(/\r?\n/).map((l) => l.split(","));
		expect(lines[0].join(",") === "day,searches,grabbed,no_results,failed,queries,items", "header " + lines[0]);
		expect(lines.length === 2 && lines[1][0] === today, "rows " + JSON.stringify(lines));
		const db = sql("SELECT count(*) FROM search_history WHERE started_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'");
		expect(lines[1][1] === db, "searches " + lines[1][1] + " vs " + db);
		expect(parseInt(db, 10) > 0, "no searches were made");
	});

	await check("each page is HTML + CSS + JS under 100 KB, with no console error", async () => {
		consoleErrors.length = 0;	/* the refused login and form above logged their statuses */
		for (const [name, url] of pages) {
			let bytes = 0;
			const onResp = async (resp) => {
				try { bytes += (await resp.body()).length; } catch (e) { /* redirects have none */ }
			};
			page.on("response", onResp);
			await page.goto(base + url);
			await page.waitForLoadState("networkidle").catch(() => {});
			page.off("response", onResp);
			expect(bytes < 100 * 1024, name + ": " + bytes + " bytes");
		}
		const errs = consoleErrors.slice();
		expect(errs.length === 0, "console: " + errs.slice(0, 3).join(" | "));
	});

	// screenshots: every page, both themes, and the phone viewport
	await check("screenshots of every page in both themes", async () => {
		const state = await ctx.storageState();
		for (const scheme of ["dark", "light"]) {
			const c = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme, storageState: state });
			const p = await c.newPage();
			for (const [name, url] of pages) {
				await p.goto(base + url);
				await p.screenshot({ path: path.join(shots, name + "-" + scheme + ".png"), fullPage: true });
			}
			await c.close();
		}
		const lp = await browser.newPage({ colorScheme: "dark" });
		await lp.goto(base + "login");
		await lp.screenshot({ path: path.join(shots, "login-dark.png") });
		await lp.close();
	});

	await check("on a phone the sidebar collapses and the menu opens it", async () => {
		const c = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
			colorScheme: "dark", storageState: await ctx.storageState() });
		const p = await c.newPage();
		await p.goto(base);
		const box = await p.$eval("#nav", (n) => n.getBoundingClientRect().right);
		expect(box <= 1, "the sidebar is on screen: right edge " + box);
		await p.screenshot({ path: path.join(shots, "phone-dashboard.png"), fullPage: true });
		await p.click(".menu-btn");
		await p.waitForFunction(() => document.getElementById("nav").getBoundingClientRect().left >= -1);
		expect(await p.getAttribute(".menu-btn", "aria-expanded") === "true", "aria-expanded");
		await p.screenshot({ path: path.join(shots, "phone-menu.png") });
		for (const [name, url] of [["queue", "queue"], ["content", "content"]]) {
			await p.goto(base + url);
			await p.screenshot({ path: path.join(shots, "phone-" + name + ".png"), fullPage: true });
		}
		await c.close();
	});

	if (haveAxe) {
		await axePages(browser, ctx, pages.concat([["login", "login"]]));
	} else {
		console.log("e2e: axe-core not installed; the accessibility checks did not run");
	}

	await check("settings: an API key is shown once, works, and stops when revoked", async () => {
		await page.goto(base + "settings");
		await page.fill("#description", "e2e script");
		await page.selectOption("#scope", "read");
		await Promise.all([page.waitForNavigation(), page.click("text=Create key")]);
		const key = (await page.textContent("#new-key .mono")).trim();
		expect(key.length >= 32, "key " + key.length + " characters");
		const r = await ctx.request.get(base + "api/queue/status", { headers: { "X-Api-Key": key } });
		expect(r.status() === 200, "the new key: " + r.status());
		await page.goto(base + "settings");
		expect(!(await page.content()).includes(key), "the key is shown again");
		page.once("dialog", (d) => d.accept());
		await Promise.all([page.waitForNavigation(), page.click("form[action$='/revoke'] button")]);
		expect(/key was revoked/.test(await page.textContent("[role=status]")), "no confirmation");
		const after = await ctx.request.get(base + "api/queue/status", { headers: { "X-Api-Key": key } });
		expect(after.status() === 401, "the revoked key: " + after.status());
	});

	await check("settings: a throttle profile is added from the form", async () => {
		await page.goto(base + "settings");
		await page.fill("#pname", "gentle");
		await page.fill("#rpm", "3");
		await page.fill("#batch", "3");
		await page.fill("#budget", "90");
		await Promise.all([page.waitForNavigation(), page.click("text=Add profile")]);
		expect(/profile was added/.test(await page.textContent("[role=status]")), "no confirmation");
		expect(sql("SELECT requests_per_minute || '/' || daily_budget FROM throttle_profiles WHERE name = 'gentle'") === "3/90",
			"not stored");
	});

	await schedulesChecks(browser, ctx, page);

	await settingsSections(browser, ctx, page);

	await check("signing out ends the session", async () => {
		await page.goto(base);
		await Promise.all([page.waitForNavigation(), page.click("text=Sign out")]);
		expect(page.url().endsWith("/login"), "url " + page.url());
		await page.goto(base + "queue");
		expect(page.url().endsWith("/login"), "still signed in");
	});

	await totpChecks(browser);

	await browser.close();
	console.log("e2e: " + passed + " passed, " + failed + " failed");
	process.exit(failed === 0 ? 0 : 1);
})().catch((e) => {
	console.log("FAIL e2e: " + (e && e.stack ? e.stack : e));
	console.log("e2e: " + passed + " passed, " + (failed + 1) + " failed");
	process.exit(1);
});
