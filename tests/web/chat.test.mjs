/*
 * chat.test.mjs - the web chat (web/) in headless Debian chromium driven
 * by playwright-core; nothing here downloads a browser.
 *
 * Every feature is checked against the real server running the built-in
 * demo agent ($AA_BIN server --port P -- $AA_BIN demo-agent), whose
 * "show me some code" reply has a list and a fenced code block and whose
 * "ask for permission" turn waits for a y/n key.  The mock server
 * (tests/web/mock-server.mjs) is kept only for what the demo cannot
 * produce: an agent_error event, ordered lists, and the issue-13 cases
 * (waiting prompt, interrupt, queue, ?url=, an old server) on demand.
 * The real-server issue-13 cases skip, saying so, while the server's GET
 * status has no "state" field.  A tiny reverse proxy
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
	    String(opts.think ?? 300), '--word-ms',
	    String(opts.wordMs ?? 150));
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
 * so SSE passes through), as Coder's path-based app proxy does.  With
 * log (an array) it records "METHOD /url" and answers CORS (any origin),
 * as an API named by the chat's ?url= on another origin must. */
function startProxy(prefix, target, log = null) {
	const t = new URL(target);
	return startHttp((req, res) => {
		if (log) {
			res.setHeader('Access-Control-Allow-Origin', '*');
			if (req.method === 'OPTIONS') {
				res.writeHead(204, {
				    'Access-Control-Allow-Methods':
				    'GET, POST, DELETE, OPTIONS',
				    'Access-Control-Allow-Headers':
				    'Authorization, Content-Type' });
				res.end();
				return;
			}
			log.push(`${req.method} ${req.url}`);
		}
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
	const info = { errors: [], foreign: [], posts: [], urls: [], calls: [],
	    ctx, page };
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
		if (r.method() === 'POST' || r.method() === 'DELETE')
			info.calls.push({ method: r.method(), path:
			    new URL(r.url()).pathname, body: jsonOr(r.postData())
			    });
	});
	await page.goto(url);
	return info;
}

/* Parses a request body as JSON; other bodies as they are. */
function jsonOr(text) {
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
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

/* True when the server's GET status has the issue-13 "state" field. */
async function hasState(srv) {
	const s = await (await fetch(`${srv.url}/status`, srv.auth)).json();
	return typeof s.state === 'string';
}

/* Skips the case on a server without "state" (the C side of issue 13
 * not merged into this build yet). */
async function needState(srv) {
	if (!await hasState(srv))
		skip('the server\'s GET /status has no "state" field (issue 13 ' +
		    'server side not in this build)');
}

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
		/* Enter while the agent works: an old server cannot queue,
		 * so the text stays and the page says why; a server with the
		 * issue-13 queue takes it and sends it after the turn. */
		const ext = await hasState(srv);
		await p.fill('#input', 'too early');
		if (!ext) {
			assert(await p.locator('#send').isDisabled(),
			    'send disabled while running');
			await p.press('#input', 'Enter');
			assertEq(await p.textContent('#hint'), 'Not sent: the ' +
			    'agent is working and this server cannot queue ' +
			    'messages; send again when it is ready.',
			    'Enter while running says why');
			assert(await p.locator('#hint.refused').count() === 1,
			    'the reason stands out');
		} else {
			assertEq(await p.textContent('#send'), 'Queue',
			    'send queues while running');
			await p.press('#input', 'Enter');
			await p.locator('#queue .queued', { hasText:
			    'too early' }).waitFor(T);
		}
		const reply = p.locator('.msg.agent', { hasText: PLAN_REPLY })
		    .first();
		await reply.waitFor(T);
		await p.locator('#status[data-status="stable"]').waitFor(T);
		if (!ext) {
			assertEq(await p.inputValue('#input'), 'too early',
			    'Enter while running kept the text');
			assertEq(await p.textContent('#hint'), '',
			    'the reason goes when the agent is ready');
			assertEq(t.posts, [{ content: 'show me some code',
			    type: 'user' }], 'POST /message bodies');
			assertEq(await p.locator('.msg').evaluateAll((l) =>
			    l.map((e) => e.classList.contains('user') ? 'user' :
			    'agent')), ['agent', 'user', 'agent'],
			    'message roles in order');
		} else {
			await p.locator('.msg.user:not(.pending)', { hasText:
			    'too early' }).waitFor(T);
			await until(async () => await p.locator('.msg:not(' +
			    '.empty-msg):not(.pending)').count() === 5 &&
			    await p.locator('#queue').isHidden(), 20000,
			    'the queued message delivered and answered');
			await p.locator('#status[data-status="stable"]')
			    .waitFor(T);
			assertEq(t.posts, [{ content: 'show me some code',
			    type: 'user' }, { content: 'too early', type: 'user',
			    queue: true }], 'POST /message bodies');
			await p.fill('#input', 'later');
		}
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

/* ?url= through the real /chat/embed/ redirect: the query survives it and
 * every API request goes to the named root (a CORS proxy on another
 * origin in front of the same server). */
async function urlParam() {
	await withReal({}, async (srv) => {
		const log = [];
		const proxy = await startProxy('/api', srv.url, log);
		try {
			const apiRoot = `${proxy.url}/api`;
			const t = await open(`${srv.url}/chat/embed/?url=` +
			    encodeURIComponent(apiRoot), { origins: [srv.url,
			    proxy.url] });
			const p = t.page;
			await ready(p);
			const u = new URL(p.url());
			assertEq([u.pathname, u.searchParams.get('url')],
			    ['/chat/embed', apiRoot], 'redirected, query kept');
			await say(p, 'make a plan');
			for (const want of ['GET /api/events?extended=1',
			    'POST /api/message'])
				assert(log.includes(want), `the proxy saw ${want}`);
			const direct = t.urls.filter((x) => x.startsWith(
			    srv.url) && !new URL(x).pathname.startsWith('/chat/'));
			assertEq(direct, [], 'API requests that bypassed ?url=');
			await done(t);
		} finally {
			await proxy.close();
		}
	});
}

/* ---- issue 13 on the real server: skip while /status has no state ---- */

/* The demo's y/n question shows as "Waiting for you" with buttons; the
 * yes button answers it and the turn completes. */
async function realWaiting() {
	await withReal({}, async (srv) => {
		await needState(srv);
		const t = await open(`${srv.url}/chat/`);
		const p = t.page;
		await ready(p);
		await p.fill('#input', 'ask for permission');
		await p.press('#input', 'Enter');
		await p.locator('#prompt').waitFor(T);
		assertEq(await p.locator('#status .label').textContent(),
		    'Waiting for you', 'status label');
		assert((await p.locator('#prompt-question').textContent())
		    .includes('Do you want to allow this?'), 'question');
		const btns = p.locator('#prompt-options button');
		const opts = await btns.evaluateAll((l) => l.map((b) =>
		    ({ key: b.dataset.key, label: b.lastChild.textContent })));
		assert(opts.length >= 2, `options: ${JSON.stringify(opts)}`);
		const yes = opts.findIndex((o) => o.key.toLowerCase() === 'y' ||
		    /^yes\b/i.test(o.label));
		assert(yes >= 0, `a yes option: ${JSON.stringify(opts)}`);
		assert(await p.locator('#interrupt').isHidden(),
		    'no interrupt while waiting');
		await shot(p, 'real-waiting-1024');
		await btns.nth(yes).click();
		await p.locator('.msg.agent', { hasText:
		    'Thanks! I ran `make clean`' }).waitFor(T);
		await p.locator('#prompt').waitFor({ state: 'hidden', ...T });
		await p.locator('#status[data-state="idle"]').waitFor(T);
		assertEq(t.calls.filter((c) => c.path === '/answer')
		    .map((c) => c.body), [{ option: opts[yes].key }],
		    'POST /answer body');
		const r = await fetch(`${srv.url}/answer`, { method: 'POST',
		    headers: { 'Content-Type': 'application/json' },
		    body: JSON.stringify({ option: opts[yes].key }) });
		assertEq([r.status, r.headers.get('content-type')], [409,
		    'application/problem+json'], 'nothing waiting');
		await done(t);
	});
}

/* A slow reply: the Interrupt button shows while the agent works and
 * stops it; the partial reply stays, marked by the demo. */
async function realInterrupt() {
	await withReal({}, async (srv) => {
		await needState(srv);
		const t = await open(`${srv.url}/chat/`);
		const p = t.page;
		await ready(p);
		assert(await p.locator('#interrupt').isHidden(),
		    'hidden while idle');
		await p.fill('#input', 'tell me a slow story');
		await p.press('#input', 'Enter');
		await p.locator('#interrupt').waitFor(T);
		await p.locator('#status[data-state="working"]').waitFor(T);
		/* Part of the reply is there: interrupt mid-stream. */
		await p.locator('.msg.agent:not(.empty-msg)').nth(1).waitFor(T);
		await shot(p, 'real-working-1024');
		await p.click('#interrupt');
		await p.locator('.msg.agent', { hasText: '[interrupted]' })
		    .waitFor(T);
		await p.locator('#status[data-state="idle"]').waitFor(T);
		await p.locator('#interrupt').waitFor({ state: 'hidden', ...T });
		assertEq(t.calls.filter((c) => c.path === '/interrupt'),
		    [{ method: 'POST', path: '/interrupt', body: {} }],
		    'POST /interrupt');
		await say(p, 'make a plan');
		await done(t);
	});
}

/* Enter while the agent works queues (202); the queued message shows,
 * one is removed, the other is delivered after the turn and leaves the
 * list. */
async function realQueue() {
	/* Slow words (~12 s of streaming): on a loaded machine the two
	 * messages must still arrive while the agent works. */
	await withReal({ wordMs: 300 }, async (srv) => {
		await needState(srv);
		const t = await open(`${srv.url}/chat/`);
		const p = t.page;
		await ready(p);
		await p.fill('#input', 'a slow answer please');
		await p.press('#input', 'Enter');
		await p.locator('#status[data-state="working"]').waitFor(T);
		for (const text of ['queued one', 'queued two']) {
			const r = p.waitForResponse((x) => x.url().endsWith(
			    '/message'));
			await p.fill('#input', text);
			assertEq(await p.textContent('#send'), 'Queue', 'label');
			await p.press('#input', 'Enter');
			const res = await r;
			assertEq(res.status(), 202, `POST /message ${text}`);
			const body = await res.json();
			assert(body.queued === true &&
			    Number.isSafeInteger(body.id), 'queued answer');
			await p.locator('#queue .queued', { hasText: text })
			    .waitFor(T);
		}
		await shot(p, 'real-queue-1024');
		const r = p.waitForResponse((x) => x.request().method() ===
		    'DELETE');
		await p.locator('#queue .queued', { hasText: 'queued two' })
		    .locator('button').click();
		assertEq((await r).status(), 200, 'DELETE /queue/{id}');
		await p.locator('#queue .queued', { hasText: 'queued two' })
		    .waitFor({ state: 'detached', ...T });
		await p.locator('.msg.user:not(.pending)', { hasText:
		    'queued one' }).waitFor({ timeout: 40000 });
		await p.locator('#queue').waitFor({ state: 'hidden', ...T });
		await p.locator('#status[data-state="idle"]').waitFor(
		    { timeout: 40000 });
		assertEq(await p.locator('.msg.user .body').allTextContents(),
		    ['a slow answer please', 'queued one'],
		    'delivered in order, the removed one never');
		assertEq(t.posts.map((x) => [x.content, x.queue === true]),
		    [['a slow answer please', false], ['queued one', true],
		    ['queued two', true]], 'POST /message bodies');
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

/* Runs fn with a mock server (opts: legacy); always stops it. */
async function withMock(fn, opts = {}) {
	const srv = await startMock(TOP, opts);
	try {
		const t = await open(`${srv.url}/chat/`);
		await ready(t.page, MOCK_GREETING);
		await fn(srv, t);
	} finally {
		await srv.close();
	}
}

/* POSTs a test hook of the mock. */
async function mockSet(srv, body) {
	const r = await fetch(`${srv.url}/__mock/set`, { method: 'POST',
	    body: JSON.stringify(body) });
	assertEq(r.status, 200, '/__mock/set');
}

async function mockLog(srv) {
	return (await fetch(`${srv.url}/__mock/log`)).json();
}

const PROMPT = {
	kind: 'permission',
	question: 'Do you want to run this command?\n  rm -rf build/',
	options: [{ key: '1', label: 'Yes' },
	    { key: '2', label: "Yes, and don't ask again this session" },
	    { key: '3', label: 'No, and tell Claude what to do differently' }],
	since: '2026-12-02T07:20:00.123456789Z',
};

/* "Waiting for you": the question and one button per option; a click
 * POSTs answer with the option's key; 409 and 422 show in the prompt. */
async function mockWaiting() {
	await withMock(async (srv, t) => {
		const p = t.page;
		assert(await p.locator('#prompt').isHidden(),
		    'no prompt while idle');
		await mockSet(srv, { state: 'waiting', prompt: PROMPT });
		await p.locator('#prompt').waitFor();
		assertEq(await p.locator('#status .label').textContent(),
		    'Waiting for you', 'status label');
		assertEq([await p.getAttribute('#status', 'data-state'),
		    await p.getAttribute('#status', 'data-status')],
		    ['waiting', 'stable'], 'pill state and status');
		assertEq(await p.locator('#prompt-title').textContent(),
		    'Waiting for you', 'prompt title');
		assertEq(await p.locator('#prompt-question').textContent(),
		    PROMPT.question, 'question, line breaks kept');
		const opts = p.locator('#prompt-options button');
		assertEq(await opts.evaluateAll((l) => l.map((b) =>
		    [b.dataset.key, b.lastChild.textContent])),
		    PROMPT.options.map((o) => [o.key, o.label]), 'buttons');
		assert(await p.locator('#interrupt').isHidden(),
		    'no interrupt while waiting');
		assertEq(await p.title(), 'Waiting for you · AgentAPI chat',
		    'tab title');
		assert(await p.locator('#prompt-none').isHidden(),
		    'no "answer in the terminal" with options');
		await checkFits(p, 'prompt layout');
		await shot(p, 'mock-waiting-1024');

		/* The answer is sent by key; the agent goes on. */
		const r = p.waitForResponse((x) => x.url().endsWith('/answer'));
		await opts.nth(2).click();
		assertEq((await r).status(), 200, 'POST /answer');
		assertEq(t.calls.filter((c) => c.path === '/answer'),
		    [{ method: 'POST', path: '/answer', body: { option: '3' } }],
		    'POST /answer body');
		await p.locator('.msg.agent', { hasText: 'You chose: No, and ' +
		    'tell Claude' }).waitFor();
		await p.locator('#prompt').waitFor({ state: 'hidden' });
		await p.locator('#status[data-state="idle"]').waitFor();
		assertEq(await p.locator('#status .label').textContent(),
		    'Ready', 'ready again');
		assertEq(await p.title(), 'AgentAPI chat', 'tab title again');

		/* A question without options: the terminal, in control mode. */
		await mockSet(srv, { state: 'waiting', prompt: { kind: 'text',
		    question: 'Paste your API key:', options: [],
		    since: '2026-12-02T07:22:00Z' } });
		await p.locator('#prompt-none').waitFor();
		assertEq(await opts.count(), 0, 'no buttons');
		await p.click('#prompt-control');
		assertEq(await p.getAttribute('#mode', 'aria-pressed'), 'true',
		    'control mode on');
		await p.click('#mode');
		await mockSet(srv, { state: 'idle' });
		await p.locator('#prompt').waitFor({ state: 'hidden' });

		/* Nothing waiting any more (changed behind the page): 409. */
		await mockSet(srv, { state: 'waiting', prompt: PROMPT });
		await p.locator('#prompt').waitFor();
		await mockSet(srv, { state: 'idle', silent: true });
		await opts.first().click();
		await p.locator('#prompt-error', { hasText: 'Nothing is ' +
		    'waiting for an answer any more: the agent is not ' +
		    'waiting for an answer' }).waitFor();
		assert(await opts.first().isEnabled(), 'buttons usable again');

		/* Options changed behind the page: 422 names the valid ones. */
		const yn = { ...PROMPT, kind: 'confirm', question: 'Proceed?',
		    options: [{ key: 'y', label: 'Yes' },
		    { key: 'n', label: 'No' }] };
		/* A new dialog (new since) clears the old error. */
		await mockSet(srv, { state: 'waiting', prompt: { ...PROMPT,
		    since: '2026-12-02T07:21:00Z' } });
		await p.locator('#prompt-error').waitFor({ state: 'hidden' });
		await mockSet(srv, { state: 'waiting', prompt: yn,
		    silent: true });
		await opts.nth(1).click();
		const err = p.locator('#prompt-error');
		await err.waitFor();
		assertEq(await err.textContent(), 'Answer "Yes, and don\'t ' +
		    'ask again this session" not accepted: unknown option ' +
		    '"2": valid options: y (Yes), n (No)', '422 text');
		assertEq(await err.getAttribute('role'), 'alert',
		    'announced');
		await shot(p, 'mock-waiting-error-1024');
		assertEq((await mockLog(srv)).answers, [{ option: '3' },
		    { option: '1' }, { option: '2' }], 'answers received');
		await done(t, true); /* the 409 and 422 are logged */
	});
}

/* The Interrupt button shows only while the agent works; a click POSTs
 * interrupt and the partial reply stays, marked. */
async function mockInterrupt() {
	await withMock(async (srv, t) => {
		const p = t.page;
		const btn = p.locator('#interrupt');
		assert(await btn.isHidden(), 'hidden while idle');
		await mockSet(srv, { state: 'working', reply: 'Partial answer' });
		await btn.waitFor();
		assertEq(await p.locator('#status .label').textContent(),
		    'Working…', 'label');
		await mockSet(srv, { state: 'waiting', prompt: PROMPT });
		await btn.waitFor({ state: 'hidden' });
		await mockSet(srv, { state: 'working' });
		await btn.waitFor();
		await shot(p, 'mock-working-1024');
		await btn.click();
		await p.locator('.msg.agent', { hasText: '[interrupted]' })
		    .waitFor();
		assertEq(await p.locator('.msg.agent', { hasText:
		    '[interrupted]' }).locator('.body').textContent(),
		    'Partial answer\n[interrupted]', 'partial reply kept');
		await btn.waitFor({ state: 'hidden' });
		assertEq(t.calls.filter((c) => c.path === '/interrupt'),
		    [{ method: 'POST', path: '/interrupt', body: {} }],
		    'POST /interrupt');
		assertEq((await mockLog(srv)).interrupts, 1, 'one interrupt');
		await done(t);
	});
}

/* Parser health: while the server says degraded, one discreet line
 * "parser degraded: <reason>" shows (from state_change, and from a
 * polled status too); ok hides it; the default stream never carries it. */
async function mockHealth() {
	await withMock(async (srv, t) => {
		const p = t.page;
		const el = p.locator('#health');
		assert(await el.isHidden(), 'hidden while ok');
		await mockSet(srv, { reasons: [{ code: 'ready_marker_missing',
		    message: "the agent's ready marker has not been seen in " +
		    'the 30 s since start' }] });
		await el.waitFor();
		assertEq(await el.textContent(), 'parser degraded: the ' +
		    "agent's ready marker has not been seen in the 30 s " +
		    'since start', 'notice');
		assertEq(await el.getAttribute('data-codes'),
		    'ready_marker_missing', 'codes');
		await shot(p, 'mock-health-degraded-1024');
		await mockSet(srv, { reasons: [{ code: 'echo_missing',
		    message: 'echo <b>lost</b>' }, { code: 'state_save_failed',
		    message: 'saving state to /x: is a directory' }] });
		await p.locator('#health', { hasText: 'is a directory' })
		    .waitFor();
		assertEq(await el.textContent(), 'parser degraded: echo ' +
		    '<b>lost</b>; saving state to /x: is a directory',
		    'two reasons, as text');
		assertEq(await p.locator('#health b').count(), 0, 'no markup');
		await mockSet(srv, { reasons: [] });
		await el.waitFor({ state: 'hidden' });
		await done(t);
	});
}

/* Typing while the agent works queues (Enter and the Queue button);
 * queued messages show, can be removed, and leave the list in order as
 * they are delivered. */
async function mockQueue() {
	await withMock(async (srv, t) => {
		const p = t.page;
		await mockSet(srv, { state: 'working' });
		await p.locator('#status[data-state="working"]').waitFor();
		await p.fill('#input', 'first queued');
		assertEq(await p.textContent('#send'), 'Queue', 'send label');
		assert(await p.locator('#send').isEnabled(), 'can queue');
		await p.press('#input', 'Enter');
		await p.locator('#queue .queued', { hasText: 'first queued' })
		    .waitFor();
		assertEq(await p.inputValue('#input'), '', 'box cleared');
		await p.fill('#input', 'second queued');
		await p.press('#input', 'Enter');
		await p.fill('#input', 'third queued');
		await p.click('#send');
		const items = p.locator('#queue .queued .qtext');
		await until(async () => await items.count() === 3, 5000,
		    'three queued');
		assertEq(await items.allTextContents(), ['first queued',
		    'second queued', 'third queued'], 'queue order');
		assertEq(await p.locator('#queue .qtag').first().textContent(),
		    'Queued', 'tag');
		assertEq(t.posts, ['first', 'second', 'third'].map((w) =>
		    ({ content: `${w} queued`, type: 'user', queue: true })),
		    'POST /message bodies');
		assertEq(await p.locator('.msg.user').count(), 0,
		    'nothing in the conversation yet');
		await checkFits(p, 'queue layout');
		await shot(p, 'mock-queue-1024');

		const rm = p.locator('#queue .queued', { hasText:
		    'second queued' }).locator('button');
		assertEq(await rm.getAttribute('aria-label'),
		    'Remove queued message: second queued', 'remove name');
		const r = p.waitForResponse((x) => x.request().method() ===
		    'DELETE');
		await rm.click();
		assertEq([(await r).status(), new URL((await r).url()).pathname],
		    [200, '/queue/2'], 'DELETE /queue/{id}');
		await until(async () => await items.count() === 2, 5000,
		    'removed');
		assertEq((await mockLog(srv)).queue.map((q) => q.content),
		    ['first queued', 'third queued'], 'server queue');

		/* Waiting: still queued, never delivered into the dialog. */
		await mockSet(srv, { state: 'waiting', prompt: PROMPT });
		await p.locator('#prompt').waitFor();
		await p.fill('#input', 'while waiting');
		await p.press('#input', 'Enter');
		await until(async () => await items.count() === 3, 5000,
		    'queued while waiting');
		assert((await p.textContent('#hint')).startsWith(
		    'The agent is waiting for your answer'), 'hint');
		await mockSet(srv, { state: 'idle' });
		await p.locator('#queue').waitFor({ state: 'hidden',
		    timeout: 15000 });
		await p.locator('.msg.agent', { hasText: 'Echo: while waiting' })
		    .waitFor({ timeout: 15000 });
		assertEq(await p.locator('.msg.user .body').allTextContents(),
		    ['first queued', 'third queued', 'while waiting'],
		    'delivered in order, the removed one never');
		await done(t);
	});
}

/* ?url= names the API root: the page from one server talks to another. */
async function mockUrlParam() {
	const api = await startMock(TOP, {});
	const pages = await startMock(TOP, {});
	try {
		{
			const t = await open(`${pages.url}/chat/embed?url=` +
			    encodeURIComponent(api.url), { origins:
			    [pages.url, api.url] });
			const p = t.page;
			await ready(p, MOCK_GREETING);
			await mockSet(api, { agentText: 'only on the API server' });
			await p.locator('.msg.agent', { hasText:
			    'only on the API server' }).waitFor();
			await p.fill('#input', 'via url');
			await p.press('#input', 'Enter');
			await p.locator('.msg.agent', { hasText: 'Echo: via url' })
			    .waitFor();
			assert(new URL(p.url()).searchParams.get('url') ===
			    api.url, 'url kept in the address bar');
			const reqs = (await mockLog(api)).requests;
			for (const want of ['GET /events?extended=1',
			    'POST /message'])
				assert(reqs.includes(want), `API got ${want}`);
			assertEq((await mockLog(pages)).requests, [],
			    'the page server got no API calls');
			await done(t);

			/* Not http(s): ignored, with a warning. */
			const bad = await open(`${pages.url}/chat/?url=` +
			    'javascript:alert(1)');
			await ready(bad.page, MOCK_GREETING);
			await bad.page.locator('.toast.warning', { hasText:
			    'Ignored ?url=' }).waitFor();
			await done(bad);
		}
	} finally {
		await api.close();
		await pages.close();
	}
}

/* Events blocked by a proxy: the polled GET status brings the state and
 * the prompt, GET queue the queue. */
async function mockPolling() {
	const srv = await startMock(TOP, {});
	try {
		const t = await open(`${srv.url}/chat/`, { before: (ctx) =>
		    ctx.route(/\/events(\?|$)/, () => {}) });
		const p = t.page;
		await p.locator('#conn[data-conn="polling"]').waitFor(
		    { timeout: 20000 });
		await ready(p, MOCK_GREETING);
		await mockSet(srv, { state: 'waiting', prompt: PROMPT });
		await p.locator('#prompt').waitFor();
		assertEq(await p.locator('#prompt-options button').count(), 3,
		    'buttons');
		await mockSet(srv, { reasons: [{ code: 'generic_fallback',
		    message: 'formatted generically' }] });
		await p.locator('#health', { hasText: 'parser degraded: ' +
		    'formatted generically' }).waitFor();
		await mockSet(srv, { reasons: [] });
		await p.locator('#health').waitFor({ state: 'hidden' });
		await p.fill('#input', 'polled queue');
		await p.press('#input', 'Enter');
		await p.locator('#queue .queued', { hasText: 'polled queue' })
		    .waitFor();
		await p.locator('#prompt-options button').first().click();
		await p.locator('.msg.agent', { hasText: 'You chose: Yes' })
		    .waitFor();
		await p.locator('.msg.agent', { hasText: 'Echo: polled queue' })
		    .waitFor({ timeout: 15000 });
		await p.locator('#queue').waitFor({ state: 'hidden' });
		assert(t.urls.some((u) => u.endsWith('/queue')),
		    'GET /queue polled');
		await done(t);
	} finally {
		await srv.close();
	}
}

/* The prompt and the queue in the 400 px embed frame, light and dark:
 * everything fits and nothing scrolls sideways. */
async function mockNarrow() {
	for (const scheme of ['light', 'dark']) {
		const srv = await startMock(TOP, {});
		try {
			const t = await open(`${srv.url}/chat/embed`, { width: 400,
			    height: 760, scheme });
			const p = t.page;
			await ready(p, MOCK_GREETING);
			await mockSet(srv, { state: 'waiting', prompt: PROMPT });
			await p.locator('#prompt').waitFor();
			await checkFits(p, `prompt at 400 px ${scheme}`);
			await shot(p, `mock-waiting-400-${scheme}`);
			await mockSet(srv, { state: 'working', reply: 'Working ' +
			    'on it: reading the files involved…' });
			await p.locator('#interrupt').waitFor();
			for (const x of ['a queued message that is long enough ' +
			    'to be cut at the end of its line', 'short one']) {
				await p.fill('#input', x);
				await p.press('#input', 'Enter');
				await p.locator('#queue .queued', { hasText:
				    x.slice(0, 20) }).waitFor();
			}
			await checkFits(p, `queue at 400 px ${scheme}`);
			const cut = await p.locator('#queue .qtext').first()
			    .evaluate((e) => e.scrollWidth > e.clientWidth);
			assert(cut, 'a long queued message is cut, not wrapped');
			await shot(p, `mock-queue-400-${scheme}`);
			await done(t);
		} finally {
			await srv.close();
		}
	}
}

/* An old server (no "state" in status): no queue, no interrupt; Enter
 * while it works says why and sends nothing. */
async function mockOldServer() {
	await withMock(async (srv, t) => {
		const p = t.page;
		await mockSet(srv, { state: 'working' });
		await p.locator('#status[data-status="running"]').waitFor();
		assertEq(await p.getAttribute('#status', 'data-state'), null,
		    'no state');
		await p.fill('#input', 'hello');
		assertEq(await p.textContent('#send'), 'Send', 'label');
		assert(await p.locator('#send').isDisabled(), 'send disabled');
		assert(await p.locator('#interrupt').isHidden(), 'no interrupt');
		await p.press('#input', 'Enter');
		assertEq(await p.textContent('#hint'), 'Not sent: the agent ' +
		    'is working and this server cannot queue messages; send ' +
		    'again when it is ready.', 'reason shown');
		await shot(p, 'mock-old-server-refused-1024');
		assertEq(t.posts, [], 'nothing sent');
		assertEq(await p.inputValue('#input'), 'hello', 'text kept');
		await mockSet(srv, { state: 'idle' });
		await p.locator('#status[data-status="stable"]').waitFor();
		assertEq(await p.textContent('#hint'), '', 'reason gone');
		await p.press('#input', 'Enter');
		await p.locator('.msg.agent', { hasText: 'Echo: hello' })
		    .waitFor();
		assertEq(t.posts, [{ content: 'hello', type: 'user' }],
		    'plain POST /message');
		assert(!(await mockLog(srv)).requests.some((x) =>
		    /queue|answer|interrupt/.test(x)), 'no new endpoints used');
		await done(t);
	}, { legacy: true });
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
	url_parameter_through_embed_redirect: urlParam,
	waiting_prompt_answered_by_button: realWaiting,
	interrupt_stops_slow_reply: realInterrupt,
	queue_while_working_delivered_after: realQueue,
};
const MOCK_CASES = {
	agent_error_shows_toast: mockAgentError,
	ordered_lists_and_tilde_fences: mockOrderedLists,
	waiting_prompt_buttons_post_answer: mockWaiting,
	interrupt_button_only_while_working: mockInterrupt,
	health_notice_while_degraded: mockHealth,
	queue_add_remove_enter_while_busy: mockQueue,
	url_parameter_names_the_api: mockUrlParam,
	old_server_without_state: mockOldServer,
	prompt_and_queue_fit_400px_light_dark: mockNarrow,
	polling_fallback_state_and_queue: mockPolling,
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
