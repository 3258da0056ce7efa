/*
 * chat.test.mjs - the web chat (web/) in headless Debian chromium driven
 * by playwright-core; nothing here downloads a browser.
 *
 * Every feature is checked against the real server running the built-in
 * demo agent ($AA_BIN server --port P -- $AA_BIN demo-agent), whose
 * "show me some code" reply has a list and a fenced code block and whose
 * "ask for permission" turn waits for a y/n key.  The mock server
 * (tests/web/mock-server.mjs) is kept only for what the demo cannot
 * produce: an agent_error event and ordered lists.  A tiny reverse proxy
 * (the chat under a path prefix) and a parent page on another origin
 * (the chat in an iframe) are plain node:http servers started here.
 *
 * Pages are confined to the origins a case names (route interception
 * refuses any other request) and their console errors fail the case.
 * Cases own their servers and pages, so a few run at once in one shared
 * browser ($AA_WEB_JOBS, default 4).  Screenshots go to
 * $AA_BUILD/web-screenshots/.
 *
 * Usage: node tests/web/chat.test.mjs [filter]
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run, assert, assertEq, skip } from './harness.mjs';
import { startMock, GREETING as MOCK_GREETING } from './mock-server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TOP = process.env.AA_TOP || path.resolve(HERE, '../..');
const BUILD = process.env.AA_BUILD || path.join(TOP, 'build');
const BIN = process.env.AA_BIN || path.join(TOP, 'agentapi-c');
const CHROMIUM = process.env.AA_CHROMIUM || '/usr/bin/chromium';
const JOBS = Number(process.env.AA_WEB_JOBS) || 4;
const SHOTS = path.join(BUILD, 'web-screenshots');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'];
const GREETING = "Hello! I'm the agentapi-c demo agent.";
const PLAN_REPLY = 'Here is what I would do:';
const PLAN_ITEMS = ['read the files involved',
    'make the smallest change that works', 'run the tests'];
const T = { timeout: 20000 };	/* waits on the agent (slow under ASan) */

let chromium = null, browser = null, Ajv = null, addFormats = null;
let whyNoBrowser = null, whyNoReal = null, validators = null;

/* Finds out what this machine can run; sets the skip reasons. */
async function probe() {
	if (!fs.existsSync(CHROMIUM))
		whyNoBrowser = `${CHROMIUM} missing (run tests/web/setup.sh)`;
	try {
		({ chromium } = await import('playwright-core'));
		Ajv = (await import('ajv')).default;
		addFormats = (await import('ajv-formats')).default;
	} catch {
		whyNoBrowser = 'node modules missing (npm ci --prefix tests)';
	}
	const help = fs.existsSync(BIN) ? spawnSync(BIN, ['server', '--help'],
	    { timeout: 5000 }) : null;
	if (!help || help.status !== 0)
		whyNoReal = `"${BIN} server --help" does not work ` +
		    '(the program is not built)';
}

/* Compiles schemas/*.json once (ajv, formats on). */
function validator(name) {
	if (!validators) {
		const ajv = new Ajv({ allErrors: true, strict: true });
		addFormats(ajv);
		ajv.addFormat('int64', { type: 'number',
		    validate: Number.isSafeInteger });
		validators = { ajv, cache: {} };
	}
	if (!validators.cache[name]) {
		const s = JSON.parse(fs.readFileSync(path.join(TOP, 'schemas',
		    `${name}.json`), 'utf8'));
		validators.cache[name] = validators.ajv.compile(s);
	}
	return validators.cache[name];
}

/* Throws unless value matches schemas/<name>.json. */
function checkSchema(name, value) {
	const v = validator(name);
	if (!v(value))
		throw new Error(`${name} does not match its schema: ` +
		    `${JSON.stringify(v.errors)} in ${JSON.stringify(value)}`);
}

function freePort() {
	return new Promise((resolve) => {
		const s = net.createServer().listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

/* Polls fn until it returns truthy or the deadline passes. */
async function until(fn, ms, what) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn().catch(() => null);
		if (v)
			return v;
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

/* Resolves p, or throws what after ms. */
function within(p, ms, what) {
	let timer;
	return Promise.race([p, new Promise((_, rej) => {
		timer = setTimeout(() => rej(new Error(
		    `timed out waiting for ${what}`)), ms);
	})]).finally(() => clearTimeout(timer));
}

/*
 * Starts the real server with the demo agent; {url, port, exited, close}.
 * opts: port, token, think (the demo's thinking time in ms).
 */
async function startReal(opts = {}) {
	if (whyNoReal)
		skip(whyNoReal);
	const port = opts.port || await freePort();
	const args = ['server', '--port', String(port)];
	if (opts.token)
		args.push('--auth-token', opts.token);
	args.push('--', BIN, 'demo-agent', '--think-ms',
	    String(opts.think ?? 300));
	const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	let log = '';
	child.stdout.on('data', (d) => { log += d; });
	child.stderr.on('data', (d) => { log += d; });
	const url = `http://127.0.0.1:${port}`;
	const exited = new Promise((r) => child.on('exit', (code, sig) =>
	    r(sig || code)));
	const auth = opts.token ? { headers: { Authorization:
	    `Bearer ${opts.token}` } } : {};
	try {
		await until(async () => (await fetch(`${url}/status`, auth))
		    .ok, 10000, 'the server to answer /status');
	} catch (e) {
		child.kill('SIGKILL');
		throw new Error(`${e.message}; server log:\n${log}`);
	}
	return {
		url, port, exited, auth,
		log: () => log,
		close: async () => {
			if (child.exitCode !== null || child.signalCode)
				return;
			child.kill('SIGTERM');
			const t = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(t);
		},
	};
}

/* Runs fn with a fresh real server; always stops it. */
async function withReal(opts, fn) {
	const srv = await startReal(opts);
	try {
		await fn(srv);
	} finally {
		await srv.close();
	}
}

/* Starts a node:http server on 127.0.0.1 with handler; {url, close}. */
async function startHttp(handler) {
	const s = http.createServer(handler);
	await new Promise((r) => s.listen(0, '127.0.0.1', r));
	return {
		url: `http://127.0.0.1:${s.address().port}`,
		close: () => new Promise((r) => {
			s.closeAllConnections();
			s.close(r);
		}),
	};
}

/* A reverse proxy that strips prefix and forwards to target (streaming,
 * so SSE passes through), as Coder's path-based app proxy does. */
function startProxy(prefix, target) {
	const t = new URL(target);
	return startHttp((req, res) => {
		if (req.url !== prefix && !req.url.startsWith(prefix + '/')) {
			res.writeHead(404).end('outside the prefix\n');
			return;
		}
		const up = http.request({ host: t.hostname, port: t.port,
		    method: req.method, path: req.url.slice(prefix.length) ||
		    '/', headers: { ...req.headers, host: t.host } }, (ur) => {
			res.writeHead(ur.statusCode, ur.headers);
			ur.pipe(res);
		});
		up.on('error', () => res.destroy());
		res.on('close', () => up.destroy());
		req.pipe(up);
	});
}

/*
 * Opens a page at url confined to origins (default: url's); collects
 * console errors, refused requests, every request URL and POST /message
 * bodies.  opts: width, height, scheme, origins, before(ctx) (routes to
 * install before the page loads).
 */
async function open(url, { width = 1024, height = 720, scheme = 'light',
    origins = null, before = null } = {}) {
	if (whyNoBrowser)
		skip(whyNoBrowser);
	const allowed = origins || [new URL(url).origin];
	const ctx = await browser.newContext({ viewport: { width, height },
	    colorScheme: scheme });
	const page = await ctx.newPage();
	const info = { errors: [], foreign: [], posts: [], urls: [], ctx,
	    page };
	await ctx.route('**/*', (route) => {
		const u = route.request().url();
		if (allowed.some((o) => u.startsWith(o + '/')) ||
		    u.startsWith('data:'))
			return route.fallback();
		info.foreign.push(u);
		return route.abort();
	});
	if (before)
		await before(ctx);
	page.on('console', (m) => {
		if (m.type() === 'error')
			info.errors.push(m.text());
	});
	page.on('pageerror', (e) => info.errors.push(String(e)));
	ctx.on('request', (r) => {
		info.urls.push(r.url());
		if (r.method() === 'POST' && r.url().endsWith('/message'))
			info.posts.push(JSON.parse(r.postData()));
	});
	await page.goto(url);
	return info;
}

/* Closes the page's context and checks it stayed clean. */
async function done(info, allowErrors = false) {
	await info.ctx.close();
	assertEq(info.foreign, [], 'requests outside the allowed origins');
	if (!allowErrors)
		assertEq(info.errors, [], 'console errors');
}

/* Waits for the greeting and the stable status (root: page or frame). */
async function ready(root, greeting = GREETING) {
	await root.locator('.msg.agent', { hasText: greeting }).first()
	    .waitFor(T);
	await root.locator('#status[data-status="stable"]').waitFor(T);
}

/* Types text, sends it with Enter and waits for a reply containing
 * expect and the stable status again; returns the reply's locator. */
async function say(root, text, expect = PLAN_REPLY) {
	await root.locator('#input').fill(text);
	await root.locator('#input').press('Enter');
	await root.locator('.msg.user:not(.pending)', { hasText: text })
	    .waitFor(T);
	const reply = root.locator('.msg.agent', { hasText: expect }).last();
	await reply.waitFor(T);
	await root.locator('#status[data-status="stable"]').waitFor(T);
	return reply;
}

async function shot(page, name) {
	fs.mkdirSync(SHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/* Throws unless the page (or frame) has no horizontal scrolling and the
 * whole composer is inside the viewport. */
async function checkFits(root, what) {
	const r = await root.locator('body').evaluate(() => {
		const c = document.getElementById('composer')
		    .getBoundingClientRect();
		return { over: document.documentElement.scrollWidth >
		    innerWidth, inside: c.left >= 0 && c.right <= innerWidth &&
		    c.bottom <= innerHeight, send: document.getElementById(
		    'send').getBoundingClientRect().right <= innerWidth };
	});
	assertEq(r, { over: false, inside: true, send: true }, what);
}

/* ---- the cases (real server + demo agent) ----------------------------- */

/* Page load, status, send gating, Enter / Shift+Enter, and the demo's
 * code reply rendered as a list and a fenced code block. */
async function conversation() {
	await withReal({ think: 1500 }, async (srv) => {
		const t = await open(`${srv.url}/chat/`);
		const p = t.page;
		await ready(p);
		assertEq(await p.locator('#status .label').textContent(),
		    'Ready', 'status label');
		assertEq(await p.getAttribute('#conn', 'data-conn'), 'live',
		    'connection');
		assert(await p.locator('#send').isDisabled(),
		    'send disabled while the box is empty');
		await p.click('#input');
		await p.keyboard.type('one');
		await p.keyboard.press('Shift+Enter');
		await p.keyboard.type('two');
		assertEq(await p.inputValue('#input'), 'one\ntwo', 'text box');
		assertEq(t.posts, [], 'Shift+Enter sent nothing');

		await p.fill('#input', 'show me some code');
		assert(!await p.locator('#send').isDisabled(),
		    'send enabled when stable');
		await p.press('#input', 'Enter');
		await p.locator('#status[data-status="running"]').waitFor(T);
		assertEq(await p.locator('#status .label').textContent(),
		    'Working…', 'status label while running');
		await p.fill('#input', 'too early');
		assert(await p.locator('#send').isDisabled(),
		    'send disabled while running');
		await p.press('#input', 'Enter');
		const reply = p.locator('.msg.agent', { hasText: PLAN_REPLY });
		await reply.waitFor(T);
		await p.locator('#status[data-status="stable"]').waitFor(T);
		assertEq(await p.inputValue('#input'), 'too early',
		    'Enter while running kept the text');
		assertEq(t.posts, [{ content: 'show me some code',
		    type: 'user' }], 'POST /message bodies');
		assertEq(await p.locator('.msg').evaluateAll((l) => l.map(
		    (e) => e.classList.contains('user') ? 'user' : 'agent')),
		    ['agent', 'user', 'agent'], 'message roles in order');
		assertEq(await reply.locator('ul > li').allTextContents(),
		    PLAN_ITEMS, 'list items');
		assertEq(await reply.locator('pre.code code')
		    .getAttribute('data-lang'), 'c', 'code language');
		const code = await reply.locator('pre.code code')
		    .textContent();
		assert(code.startsWith('#include <stdio.h>') &&
		    code.includes('    puts("hello, world");') &&
		    !code.includes('```'), `code block: ${code}`);
		assertEq(await reply.locator('pre.code').evaluate((e) =>
		    getComputedStyle(e).whiteSpace), 'pre', 'code spacing');
		assert(!await p.locator('#send').isDisabled(),
		    'send enabled again when stable');
		await done(t);
	});
}

/* Agent text (the demo echoes the question) cannot inject HTML; URLs
 * become new-tab links. */
async function noInjection() {
	await withReal({}, async (srv) => {
		const t = await open(`${srv.url}/chat/`);
		await ready(t.page);
		const q = '<b>hi</b><img src=x onerror=pwned=1> ' +
		    'https://example.com/a_b.';
		const reply = await say(t.page, q, '<img src=x');
		const user = t.page.locator('.msg.user', { hasText: q });
		for (const m of [reply, user]) {
			assertEq(await m.locator('img, b').count(), 0,
			    'no elements from message text');
			const a = m.locator('a');
			assertEq(await a.getAttribute('href'),
			    'https://example.com/a_b', 'link');
			assertEq(await a.getAttribute('target'), '_blank',
			    'new tab');
			assertEq(await a.getAttribute('rel'),
			    'noopener noreferrer', 'rel');
		}
		assert(!await t.page.evaluate(() => window.pwned),
		    'no script ran');
		await done(t);
	});
}

/* Control mode: every key of the pad and a typed key reach the agent (it
 * answers the permission question); Ctrl-C ends the demo, so the server
 * exits with status 0. */
async function controlKeys() {
	await withReal({}, async (srv) => {
		const t = await open(`${srv.url}/chat/`);
		const p = t.page;
		await ready(p);
		await say(p, 'ask for permission', '(y/n)');
		await p.click('#mode');
		assertEq(await p.getAttribute('#mode', 'aria-pressed'),
		    'true', 'mode button state');
		assert(await p.locator('#keys').isVisible(), 'key pad shown');
		assert(await p.locator('#send').isHidden(), 'no send button');
		const press = async (k) => {
			const r = p.waitForResponse((x) =>
			    x.url().endsWith('/message'));
			if (k.length === 1 && k !== 'y' && k !== 'n')
				await p.press('#input', k);
			else
				await p.click(`#keys [data-key="${k}"]`);
			assertEq((await r).status(), 200, `raw ${k}`);
		};
		/* The demo reads a line; escape sequences, Tab and DEL are
		 * dropped from it, so it sees "ynq" and takes the yes. */
		for (const k of ['y', 'esc', 'up', 'down', 'left', 'right',
		    'tab', 'backspace', 'n', 'q', 'enter'])
			await press(k);
		await p.locator('.msg.agent', { hasText:
		    'Thanks! I ran `make clean`' }).waitFor(T);
		const raws = t.posts.slice(1);
		assertEq(raws.map((x) => x.type), Array(11).fill('raw'),
		    'types');
		assertEq(raws.map((x) => x.content), ['y', '\u001b',
		    '\u001b[A', '\u001b[B', '\u001b[D', '\u001b[C', '\t',
		    '\u007f', 'n', 'q', '\r'], 'raw bytes');
		assertEq(await p.locator('.msg.user').count(), 1,
		    'raw keys add no user messages');
		const r = p.waitForRequest((x) => x.url().endsWith('/message'));
		await p.click('#keys [data-key="ctrl-c"]');
		assertEq((await r).postData(), JSON.stringify({
		    content: '\u0003', type: 'raw' }), 'Ctrl-C bytes');
		assertEq(await within(srv.exited, 10000, 'the server to exit'),
		    0, 'exit status after Ctrl-C ended the demo');
		await p.locator('#conn[data-conn="offline"],' +
		    '#conn[data-conn="reconnecting"]').waitFor(T);
		await done(t, true); /* the lost server logs failed loads */
	});
}

/* Upload by the file picker and by drag and drop: the file lands on the
 * server and @"<path>" is inserted at the caret. */
async function uploads() {
	await withReal({}, async (srv) => {
		const t = await open(`${srv.url}/chat/`);
		const p = t.page;
		await ready(p);
		await p.fill('#input', 'Look at');
		let r = p.waitForResponse((x) => x.url().endsWith('/upload'));
		await p.setInputFiles('#file', { name: 'notes.txt',
		    mimeType: 'text/plain',
		    buffer: Buffer.from('hello upload\n') });
		let body = await (await r).json();
		checkSchema('UploadResponseBody', body);
		assert(body.filePath.endsWith('/notes.txt'),
		    'filePath names the file');
		await until(async () => (await p.inputValue('#input'))
		    .includes('@"'), 5000, 'inserted path');
		assertEq(await p.inputValue('#input'),
		    `Look at @"${body.filePath}"`, 'message box');
		assertEq(fs.readFileSync(body.filePath, 'utf8'),
		    'hello upload\n', 'uploaded bytes');

		await p.fill('#input', '');
		r = p.waitForResponse((x) => x.url().endsWith('/upload'));
		const dt = await p.evaluateHandle(() => {
			const d = new DataTransfer();
			d.items.add(new File(['dropped\n'], 'dropped.txt'));
			return d;
		});
		await p.dispatchEvent('#log', 'dragenter', { dataTransfer: dt });
		assert(await p.locator('#drop').isVisible(),
		    'drop overlay while dragging');
		await p.dispatchEvent('#log', 'dragover', { dataTransfer: dt });
		await p.dispatchEvent('#log', 'drop', { dataTransfer: dt });
		body = await (await r).json();
		await until(async () => (await p.inputValue('#input')) ===
		    `@"${body.filePath}"`, 5000, 'inserted path');
		assertEq(fs.readFileSync(body.filePath, 'utf8'), 'dropped\n',
		    'dropped bytes');
		assert(await p.locator('#drop').isHidden(),
		    'drop overlay gone');
		await done(t);
	});
}

/* The terminal view streams /internal/screen and follows the agent. */
async function terminal() {
	await withReal({}, async (srv) => {
		const t = await open(`${srv.url}/chat/`);
		const p = t.page;
		await ready(p);
		await p.click('#term-toggle');
		assertEq(await p.getAttribute('#term-toggle', 'aria-pressed'),
		    'true', 'toggle state');
		await p.locator('#screen', { hasText: 'Ctrl-C quits.' })
		    .waitFor(T);
		assert(await p.locator('#log').isVisible(),
		    'chat beside the terminal on a wide page');
		await say(p, 'make a plan');
		await p.locator('#screen', { hasText: '> make a plan' })
		    .waitFor(T);
		await p.click('#term-toggle');
		assert(await p.locator('#term').isHidden(), 'terminal hidden');
		await done(t);
	});
}

/* Autoscroll follows output, stops when the user scrolls up, and the
 * jump button brings the newest message back. */
async function autoscroll() {
	await withReal({}, async (srv) => {
		const t = await open(`${srv.url}/chat/embed`, { width: 400,
		    height: 500 });
		const p = t.page;
		await ready(p);
		const atBottom = () => p.evaluate(() => {
			const l = document.getElementById('log');
			return l.scrollTop + l.clientHeight >=
			    l.scrollHeight - 4;
		});
		for (let i = 0; i < 2; i++)
			await say(p, `show me some code ${i}`);
		assert(await p.evaluate(() => {
			const l = document.getElementById('log');
			return l.scrollHeight > 2 * l.clientHeight;
		}), 'the log overflows');
		await until(atBottom, 5000, 'following output');
		assert(await p.locator('#jump').isHidden(), 'no jump button');
		await p.locator('#log').evaluate((l) => { l.scrollTop = 0; });
		await p.locator('#jump').waitFor();
		/* Output arriving while scrolled up (sent from elsewhere). */
		const r = await fetch(`${srv.url}/message`, { method: 'POST',
		    headers: { 'Content-Type': 'application/json' },
		    body: JSON.stringify({ content: 'newest question',
		    type: 'user' }) });
		assertEq(r.status, 200, 'POST /message from elsewhere');
		await p.locator('.msg.agent', { hasText:
		    'You asked: "newest question"' }).waitFor(T);
		assertEq(await p.locator('#log').evaluate((l) => l.scrollTop),
		    0, 'stayed where the user was');
		await p.click('#jump');
		await until(atBottom, 5000, 'jump to latest');
		assert(await p.locator('#jump').isHidden(),
		    'jump button hidden at the bottom');
		await done(t);
	});
}

/* Killing the server and starting a new one on the same port: the page
 * reconnects by itself and shows the new conversation only. */
async function reconnect() {
	const port = await freePort();
	let srv = await startReal({ port });
	try {
		const t = await open(`${srv.url}/chat/`);
		const p = t.page;
		await ready(p);
		await say(p, 'make a plan');
		await srv.close();
		await p.locator('#conn[data-conn="reconnecting"],' +
		    '#conn[data-conn="offline"]').waitFor(T);
		assert(await p.locator('#send').isDisabled(),
		    'cannot send while disconnected');
		srv = await startReal({ port });
		await p.locator('#conn[data-conn="live"]').waitFor(
		    { state: 'attached', timeout: 20000 });
		await ready(p);
		await until(async () => await p.locator('.msg.user')
		    .count() === 0, 5000, 'the old conversation to go');
		assertEq(await p.locator('.msg').count(), 1,
		    'only the new greeting');
		await say(p, 'make a plan');
		await done(t, true); /* failed loads are expected */
	} finally {
		await srv.close();
	}
}

/* /events held by a "buffering proxy": the page polls /messages and
 * /status, shows that, and still converses. */
async function polling() {
	await withReal({}, async (srv) => {
		const held = [];
		const t = await open(`${srv.url}/chat/`, { before: (ctx) =>
		    ctx.route(/\/events(\?|$)/, (route) => {
			held.push(route); /* never answered */
		    }) });
		const p = t.page;
		await p.locator('#conn[data-conn="polling"]').waitFor(
		    { timeout: 20000 });
		assert(held.length >= 1, 'the page asked for /events');
		assertEq(await p.locator('#conn').textContent(),
		    'Polling (live updates blocked)', 'visible state');
		await ready(p);
		await say(p, 'make a plan');
		await done(t);
	});
}

/* --auth-token: token in the page URL (then removed from it), and the
 * prompt after a 401; SSE streams carry it too. */
async function authToken() {
	await withReal({ token: 's3cret' }, async (srv) => {
		let t = await open(`${srv.url}/chat/?token=s3cret`);
		await ready(t.page);
		assert(!t.page.url().includes('s3cret'),
		    'token removed from the address bar');
		await say(t.page, 'make a plan');
		await t.page.click('#term-toggle');
		await t.page.locator('#screen', { hasText: '> make a plan' })
		    .waitFor(T);
		await done(t);

		t = await open(`${srv.url}/chat/`);
		await t.page.locator('#auth[open]').waitFor(T);
		assertEq(await t.page.getAttribute('#conn', 'data-conn'),
		    'auth', 'connection state');
		await t.page.fill('#auth-token', 's3cret');
		await t.page.press('#auth-token', 'Enter');
		await ready(t.page);
		await say(t.page, 'make a plan');
		const errs = t.errors.filter((e) => !/\b401\b/.test(e));
		assertEq(errs, [], 'console errors other than the 401s');
		await done(t, true);
	});
}

/* Behind a proxy that strips /prefix: the page at /prefix/chat/embed
 * keeps every request under /prefix and everything works. */
async function prefix() {
	await withReal({}, async (srv) => {
		const proxy = await startProxy('/prefix', srv.url);
		try {
			const t = await open(`${proxy.url}/prefix/chat/embed`,
			    { width: 400 });
			const p = t.page;
			await ready(p);
			assertEq(await p.locator('#app.embed').count(), 1,
			    'embed mode');
			await say(p, 'show me some code');
			let r = p.waitForResponse((x) =>
			    x.url().endsWith('/upload'));
			await p.setInputFiles('#file', { name: 'p.txt',
			    mimeType: 'text/plain', buffer: Buffer.from('p') });
			const body = await (await r).json();
			await until(async () => (await p.inputValue('#input'))
			    === `@"${body.filePath}"`, 5000, 'inserted path');
			await p.click('#term-toggle');
			await p.locator('#screen', { hasText:
			    '> show me some code' }).waitFor(T);
			await p.click('#mode');
			r = p.waitForResponse((x) =>
			    x.url().endsWith('/message'));
			await p.click('#keys [data-key="tab"]');
			assertEq((await r).status(), 200, 'raw key');
			const out = t.urls.filter((u) => !u.startsWith(
			    `${proxy.url}/prefix/`));
			assertEq(out, [], 'requests outside the prefix');
			for (const api of ['/prefix/events', '/prefix/message',
			    '/prefix/upload', '/prefix/internal/screen'])
				assert(t.urls.some((u) => new URL(u).pathname ===
				    api), `asked ${api}`);
			await done(t);
		} finally {
			await proxy.close();
		}
	});
}

/* /chat/embed framed by a page on another origin (another host name and
 * port): it loads, converses and fits the 400 px frame. */
async function iframe() {
	await withReal({}, async (srv) => {
		const chat = `http://localhost:${srv.port}/chat/embed`;
		const parent = await startHttp((req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/html' });
			res.end('<!doctype html><title>workspace</title>' +
			    `<iframe title="chat" src="${chat}" style="` +
			    'width:400px;height:600px;border:0"></iframe>');
		});
		try {
			const t = await open(`${parent.url}/`, { origins:
			    [parent.url, `http://localhost:${srv.port}`] });
			const f = t.page.frameLocator('iframe');
			await ready(f);
			assertEq(await f.locator('#app.embed').count(), 1,
			    'embed mode');
			await say(f, 'make a plan');
			await checkFits(f, 'frame layout');
			await f.locator('#term-toggle').click();
			await f.locator('#screen', { hasText: '> make a plan' })
			    .waitFor(T);
			await done(t);
		} finally {
			await parent.close();
		}
	});
}

/* Keyboard only: every control is reachable by Tab, named, shows focus,
 * and works with Enter / Space. */
async function keyboard() {
	await withReal({}, async (srv) => {
		const t = await open(`${srv.url}/chat/`);
		const p = t.page;
		await ready(p);
		await p.fill('#input', 'x'); /* so Send is enabled */
		let seen = [];
		for (let i = 0; i < 16; i++) {
			await p.keyboard.press('Tab');
			const el = await p.evaluate(() => {
				const e = document.activeElement;
				const s = getComputedStyle(e.matches(
				    '#file') ? e.parentElement : e);
				return { id: e.id, name: e.getAttribute(
				    'aria-label') || (e.labels && e.labels[0] &&
				    e.labels[0].textContent.trim()) ||
				    e.textContent.trim(), ring: s.outlineStyle
				    !== 'none' };
			});
			if (seen.some((x) => x.id === el.id))
				break;
			seen.push(el);
		}
		/* One round from the input on, through the browser's own UI
		 * (no id); read it from the top of the page. */
		seen = seen.filter((x) => x.id);
		const top = seen.findIndex((x) => x.id === 'term-toggle');
		seen = [...seen.slice(top), ...seen.slice(0, top)];
		assertEq(seen.map((x) => x.id), ['term-toggle', 'log',
		    'input', 'file', 'mode', 'send'], 'tab order');
		for (const x of seen) {
			assert(x.name, `${x.id} has a name`);
			assert(x.ring, `${x.id} shows focus`);
		}
		/* Terminal by keyboard, then a message, then a control key. */
		await p.focus('#term-toggle');
		await p.keyboard.press('Enter');
		await p.locator('#screen', { hasText: 'Ctrl-C quits.' })
		    .waitFor(T);
		await p.focus('#input');
		await p.keyboard.press('Control+A');
		await p.keyboard.type('make a plan');
		await p.keyboard.press('Enter');
		await p.locator('.msg.agent', { hasText: PLAN_REPLY })
		    .waitFor(T);
		await p.locator('#status[data-status="stable"]').waitFor(T);
		await p.focus('#mode');
		await p.keyboard.press('Space');
		assertEq(await p.getAttribute('#mode', 'aria-pressed'),
		    'true', 'control mode by Space');
		await p.focus('#keys [data-key="tab"]');
		const r = p.waitForResponse((x) => x.url().endsWith('/message'));
		await p.keyboard.press('Enter');
		assertEq((await r).status(), 200, 'key by keyboard');
		assertEq(t.posts.at(-1), { content: '\t', type: 'raw' },
		    'Tab key sent');
		await done(t);
	});
}

/* Screenshots: the demo's code reply at 400 and 1280 px, light and dark,
 * the terminal view and the control key pad; checks colours and that
 * nothing overflows. */
async function screenshots() {
	await withReal({}, async (srv) => {
		const first = await open(`${srv.url}/chat/`);
		await ready(first.page);
		await say(first.page, 'show me some code');
		await done(first);
		const one = async (width, scheme, extra = '') => {
			const t = await open(`${srv.url}/chat/` +
			    (width === 400 ? 'embed' : ''), { width, scheme,
			    height: width === 400 ? 760 : 720 });
			const p = t.page;
			await p.locator('.msg.agent', { hasText: PLAN_REPLY })
			    .waitFor(T);
			await p.locator('#status[data-status="stable"]')
			    .waitFor(T);
			assertEq(await p.evaluate(() => getComputedStyle(
			    document.body).backgroundColor), scheme === 'dark' ?
			    'rgb(15, 19, 24)' : 'rgb(255, 255, 255)',
			    'background');
			await checkFits(p, `layout at ${width} px`);
			let name = `real-${width}-${scheme}`;
			if (extra === 'terminal') {
				await p.click('#term-toggle');
				await p.locator('#screen', { hasText:
				    '> show me some code' }).waitFor(T);
			} else if (extra === 'control') {
				await p.click('#mode');
				await checkFits(p, 'key pad layout');
			}
			if (extra)
				name += `-${extra}`;
			/* A settled frame: fonts loaded, log at the end. */
			await p.evaluate(() => document.fonts.ready);
			await shot(p, name);
			await done(t);
		};
		await Promise.all([one(400, 'light'), one(400, 'dark'),
		    one(1280, 'light'), one(1280, 'dark')]);
		await Promise.all([one(1280, 'light', 'terminal'),
		    one(400, 'dark', 'terminal'), one(400, 'light', 'control')]);
	});
}

/* Routes around the chat: / redirects to the embed page, unknown chat
 * paths 404, and /docs renders the reference. */
async function routesAndDocs() {
	await withReal({}, async (srv) => {
		let r = await fetch(`${srv.url}/`, { redirect: 'manual' });
		assertEq([r.status, r.headers.get('location')],
		    [307, '/chat/embed'], 'GET /');
		r = await fetch(`${srv.url}/chat/no-such-file.js`);
		assertEq(r.status, 404, 'unknown chat path');
		r = await fetch(`${srv.url}/chat/chat.js`);
		assert(/javascript/.test(r.headers.get('content-type')),
		    'chat.js type');
		const t = await open(`${srv.url}/docs`);
		await t.page.locator('details#subscribeEvents').waitFor();
		for (const id of ['get-status', 'get-messages',
		    'post-message', 'post-upload'])
			assertEq(await t.page.locator(`details#${id}`)
			    .count(), 1, id);
		assert(await t.page.locator('#schema-StatusResponseBody')
		    .count() === 1, 'schemas listed');
		await done(t);
	});
}

/* Validates real /status, /messages and /events against schemas/. */
async function realSchemas() {
	await withReal({}, async (srv) => {
		const { EventSource } = await import('eventsource');
		checkSchema('StatusResponseBody', await (await fetch(
		    `${srv.url}/status`)).json());
		checkSchema('MessagesResponseBody', await (await fetch(
		    `${srv.url}/messages`)).json());
		const es = new EventSource(`${srv.url}/events`);
		const seen = [];
		try {
			await within(new Promise((resolve, reject) => {
				const on = (name, schema) => es.addEventListener(
				    name, (e) => {
					try {
						checkSchema(schema,
						    JSON.parse(e.data));
						seen.push(name);
						if (name === 'status_change')
							resolve();
					} catch (err) {
						reject(err);
					}
				});
				on('message_update', 'event-message_update');
				on('status_change', 'event-status_change');
				on('agent_error', 'event-agent_error');
				es.onerror = () => reject(new Error('SSE error'));
			}), 10000, 'the replayed status');
		} finally {
			es.close();
		}
		assertEq(seen.slice(0, 1), ['message_update'], 'replay');
	});
}

/* ---- mock-only cases: what the demo agent cannot produce ------------- */

/* Runs fn with a mock server; always stops it. */
async function withMock(fn) {
	const srv = await startMock(TOP, {});
	try {
		const t = await open(`${srv.url}/chat/`);
		await ready(t.page, MOCK_GREETING);
		await fn(srv, t);
	} finally {
		await srv.close();
	}
}

/* An agent_error event shows as a toast. */
async function mockAgentError() {
	await withMock(async (srv, t) => {
		await fetch(`${srv.url}/__mock/set`, { method: 'POST',
		    body: JSON.stringify({ agentError:
		    'Failed to restore previous session: boom' }) });
		await t.page.locator('.toast.warning', { hasText:
		    'Failed to restore previous session' }).waitFor();
		await done(t);
	});
}

/* Ordered lists and ~~~ fences (the demo only prints bullets and ```). */
async function mockOrderedLists() {
	await withMock(async (srv, t) => {
		await fetch(`${srv.url}/__mock/set`, { method: 'POST',
		    body: JSON.stringify({ agentText: 'Steps:\n~~~\nls -l\n' +
		    '~~~\n3. a\n4. b\n   more b' }) });
		const m = t.page.locator('.msg.agent', { hasText: 'Steps:' });
		await m.waitFor();
		assertEq(await m.locator('pre.code').textContent(), 'ls -l',
		    'code block');
		assertEq(await m.locator('ol > li').allTextContents(),
		    ['a', 'b\nmore b'], 'items');
		assertEq(await m.locator('ol').getAttribute('start'), '3',
		    'start number');
		await done(t);
	});
}

const CASES = {
	screenshots_light_dark_narrow_wide: screenshots,
	conversation_renders_code_list_and_gates_send: conversation,
	reconnects_after_server_restart: reconnect,
	polling_fallback_when_events_blocked: polling,
	auth_token_from_url_and_prompt: authToken,
	control_mode_keys_reach_agent: controlKeys,
	autoscroll_and_jump_to_latest: autoscroll,
	works_under_path_prefix_proxy: prefix,
	embed_in_cross_origin_iframe: iframe,
	keyboard_only: keyboard,
	terminal_view_follows_screen: terminal,
	agent_text_cannot_inject_html: noInjection,
	upload_by_picker_and_drop: uploads,
	routes_and_docs_page: routesAndDocs,
	responses_match_schemas: realSchemas,
};
const MOCK_CASES = {
	agent_error_shows_toast: mockAgentError,
	ordered_lists_and_tilde_fences: mockOrderedLists,
};

/* Builds the case list; the slow ones first so the pool stays busy. */
function cases() {
	const list = [];
	for (const [name, fn] of Object.entries(CASES))
		list.push({ name: `chat_real_${name}`, fn, timeout: 90000 });
	for (const [name, fn] of Object.entries(MOCK_CASES))
		list.push({ name: `chat_mock_${name}`, fn, timeout: 60000 });
	return list;
}

await probe();
if (!whyNoBrowser)
	browser = await chromium.launch({ executablePath: CHROMIUM,
	    args: ARGS });
const failed = await run('chat', cases(), process.argv[2] || '', JOBS);
if (browser)
	await browser.close();
process.exit(failed ? 1 : 0);
