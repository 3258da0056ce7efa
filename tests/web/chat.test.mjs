/*
 * chat.test.mjs - the web chat (web/) in headless Debian chromium driven
 * by playwright-core; nothing here downloads a browser.
 *
 * Two server kinds run the same cases: "mock" (tests/web/mock-server.mjs,
 * always available, follows schemas/openapi.json) and "real"
 * ($AA_BIN server -- $AA_BUILD/tests/fake-agent e2e/basic.json), skipped
 * with the reason while "$AA_BIN server --help" does not work.  The real
 * cases also validate every response and SSE event they see against
 * schemas/*.json.  Every page runs with route interception that refuses
 * requests to any other origin, and with console errors collected.
 * Screenshots go to $AA_BUILD/web-screenshots/.
 *
 * Usage: node tests/web/chat.test.mjs [filter]
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run, assert, assertEq, skip } from './harness.mjs';
import { startMock, GREETING } from './mock-server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TOP = process.env.AA_TOP || path.resolve(HERE, '../..');
const BUILD = process.env.AA_BUILD || path.join(TOP, 'build');
const BIN = process.env.AA_BIN || path.join(TOP, 'agentapi-c');
const CHROMIUM = process.env.AA_CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(BUILD, 'web-screenshots');
const SCRIPT = path.join(TOP, '..', 'shared', 'conformance', 'agentapi',
    'e2e', 'basic.json');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'];
const REAL_GREETING = "Hello! I'm ready to help you.";

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
		whyNoReal = `"${BIN} server --help" does not work yet ` +
		    '(the server is not built)';
	else if (!fs.existsSync(path.join(BUILD, 'tests', 'fake-agent')))
		whyNoReal = `${BUILD}/tests/fake-agent missing`;
	else if (!fs.existsSync(SCRIPT))
		whyNoReal = `${SCRIPT} missing`;
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

/* Starts the real server with the fake agent; {url, close}. */
async function startReal(opts = {}) {
	const port = opts.port || await freePort();
	const args = ['server', '--port', String(port)];
	if (opts.token)
		args.push('--auth-token', opts.token);
	args.push('--', path.join(BUILD, 'tests', 'fake-agent'), SCRIPT);
	const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	let log = '';
	child.stdout.on('data', (d) => { log += d; });
	child.stderr.on('data', (d) => { log += d; });
	const url = `http://127.0.0.1:${port}`;
	const exited = new Promise((r) => child.on('exit', r));
	try {
		await until(async () => (await fetch(`${url}/status`,
		    opts.token ? { headers: { Authorization:
		    `Bearer ${opts.token}` } } : {})).ok, 10000,
		    'the server to answer /status');
	} catch (e) {
		child.kill('SIGKILL');
		throw new Error(`${e.message}; server log:\n${log}`);
	}
	return {
		url, port, real: true,
		close: async () => {
			child.kill('SIGTERM');
			const t = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(t);
		},
	};
}

/* Starts a server of the given kind. */
function start(kind, opts = {}) {
	if (kind === 'real') {
		if (whyNoReal)
			skip(whyNoReal);
		return startReal(opts);
	}
	return startMock(TOP, opts);
}

/* Opens a page confined to the server's origin; collects console
 * errors and refused requests, and POST /message bodies. */
async function open(srv, { width = 1024, height = 720, scheme = 'light',
    path: p = '/chat/' } = {}) {
	if (whyNoBrowser)
		skip(whyNoBrowser);
	const origin = new URL(srv.url).origin;
	const ctx = await browser.newContext({ viewport: { width, height },
	    colorScheme: scheme });
	const page = await ctx.newPage();
	const info = { errors: [], foreign: [], posts: [], ctx, page };
	await ctx.route('**/*', (route) => {
		const u = route.request().url();
		if (u.startsWith(origin + '/') || u.startsWith('data:'))
			return route.continue();
		info.foreign.push(u);
		return route.abort();
	});
	page.on('console', (m) => {
		if (m.type() === 'error')
			info.errors.push(m.text());
	});
	page.on('pageerror', (e) => info.errors.push(String(e)));
	page.on('request', (r) => {
		if (r.method() === 'POST' && r.url().endsWith('/message'))
			info.posts.push(JSON.parse(r.postData()));
	});
	await page.goto(srv.url + p);
	return info;
}

/* Closes the page's context and checks it stayed clean. */
async function done(info, allowErrors = false) {
	await info.ctx.close();
	assertEq(info.foreign, [], 'requests outside the server');
	if (!allowErrors)
		assertEq(info.errors, [], 'console errors');
}

/* Waits for the greeting and the stable status. */
async function ready(page, srv) {
	await page.locator('.msg.agent', { hasText: srv.real ?
	    REAL_GREETING : GREETING }).first().waitFor({ timeout: 10000 });
	await page.locator('#status[data-status="stable"]')
	    .waitFor({ timeout: 15000 });
}

/* Runs fn with a fresh server of kind; always stops it. */
async function withServer(kind, opts, fn) {
	const srv = await start(kind, opts);
	try {
		await fn(srv);
	} finally {
		await srv.close();
	}
}

async function shot(page, name) {
	fs.mkdirSync(SHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/* ---- the cases, each run against both server kinds ------------------ */

const both = {
	async loads_greeting_and_status(kind) {
		await withServer(kind, {}, async (srv) => {
			const t = await open(srv);
			await ready(t.page, srv);
			const label = await t.page.locator('#status .label')
			    .textContent();
			assertEq(label, 'Ready', 'status label');
			assert(await t.page.locator('#send').isDisabled(),
			    'send disabled while the box is empty');
			await done(t);
		});
	},
	async send_with_enter_shows_reply(kind) {
		await withServer(kind, {}, async (srv) => {
			const t = await open(srv);
			await ready(t.page, srv);
			await t.page.fill('#input', 'This is a test message.');
			assert(!await t.page.locator('#send').isDisabled(),
			    'send enabled when stable');
			await t.page.press('#input', 'Enter');
			await t.page.locator('#status[data-status="running"]')
			    .waitFor({ timeout: 5000 });
			assert(await t.page.locator('#send').isDisabled() ||
			    (await t.page.inputValue('#input')) === '',
			    'send box not usable while running');
			await t.page.locator('.msg.user:not(.pending)', {
			    hasText: 'This is a test message.' }).waitFor();
			await t.page.locator('.msg.agent', { hasText:
			    'Echo: This is a test message.' }).waitFor(
			    { timeout: 15000 });
			await t.page.locator('#status[data-status="stable"]')
			    .waitFor({ timeout: 15000 });
			assertEq(t.posts, [{ content: 'This is a test message.',
			    type: 'user' }], 'POST /message bodies');
			await done(t);
		});
	},
	async shift_enter_adds_newline(kind) {
		await withServer(kind, {}, async (srv) => {
			const t = await open(srv);
			await ready(t.page, srv);
			await t.page.click('#input');
			await t.page.keyboard.type('one');
			await t.page.keyboard.press('Shift+Enter');
			await t.page.keyboard.type('two');
			assertEq(await t.page.inputValue('#input'), 'one\ntwo',
			    'text box');
			assertEq(t.posts, [], 'nothing sent');
			await done(t);
		});
	},
	async control_mode_sends_raw(kind) {
		await withServer(kind, {}, async (srv) => {
			const t = await open(srv);
			await ready(t.page, srv);
			await t.page.click('#mode');
			assert(await t.page.locator('#keys').isVisible(),
			    'key pad shown');
			for (const k of ['esc', 'ctrl-c', 'up', 'down', 'left',
			    'right', 'enter', 'tab', 'backspace', 'y', 'n']) {
				const r = t.page.waitForResponse((x) =>
				    x.url().endsWith('/message'));
				await t.page.click(`#keys [data-key="${k}"]`);
				assertEq((await r).status(), 200, `raw ${k}`);
			}
			await t.page.focus('#input');
			const r = t.page.waitForResponse((x) =>
			    x.url().endsWith('/message'));
			await t.page.keyboard.press('q');
			await r;
			assertEq(t.posts.map((p) => p.type),
			    Array(12).fill('raw'), 'types');
			assertEq(t.posts.map((p) => p.content), ['\u001b',
			    '\u0003', '\u001b[A', '\u001b[B', '\u001b[D',
			    '\u001b[C', '\r', '\t', '\u007f', 'y', 'n', 'q'],
			    'raw bytes');
			if (srv.state)
				assertEq(srv.state.raws.length, 12,
				    'raws the server got');
			await done(t);
		});
	},
	async upload_by_picker_inserts_path(kind) {
		await withServer(kind, {}, async (srv) => {
			const t = await open(srv);
			await ready(t.page, srv);
			await t.page.fill('#input', 'Look at');
			const r = t.page.waitForResponse((x) =>
			    x.url().endsWith('/upload'));
			await t.page.setInputFiles('#file', { name: 'notes.txt',
			    mimeType: 'text/plain',
			    buffer: Buffer.from('hello upload\n') });
			const body = await (await r).json();
			if (srv.real)
				checkSchema('UploadResponseBody', body);
			assert(body.filePath.endsWith('/notes.txt'),
			    'filePath names the file');
			await until(async () => (await t.page.inputValue(
			    '#input')).includes('@"'), 5000, 'inserted path');
			assertEq(await t.page.inputValue('#input'),
			    `Look at @"${body.filePath}"`, 'message box');
			if (srv.real)
				assertEq(fs.readFileSync(body.filePath, 'utf8'),
				    'hello upload\n', 'uploaded bytes');
			await done(t);
		});
	},
	async drag_and_drop_uploads(kind) {
		await withServer(kind, {}, async (srv) => {
			const t = await open(srv);
			await ready(t.page, srv);
			const r = t.page.waitForResponse((x) =>
			    x.url().endsWith('/upload'));
			await t.page.evaluate(() => {
				const dt = new DataTransfer();
				dt.items.add(new File(['x'], 'dropped.bin'));
				for (const type of ['dragenter', 'dragover',
				    'drop'])
					document.getElementById('log')
					    .dispatchEvent(new DragEvent(type,
					    { dataTransfer: dt, bubbles: true,
					    cancelable: true }));
			});
			const body = await (await r).json();
			await until(async () => (await t.page.inputValue(
			    '#input')) === `@"${body.filePath}"`, 5000,
			    'inserted path');
			assert(await t.page.locator('#drop').isHidden(),
			    'drop overlay gone');
			await done(t);
		});
	},
	async terminal_view_shows_screen(kind) {
		await withServer(kind, {}, async (srv) => {
			const t = await open(srv);
			await ready(t.page, srv);
			await t.page.click('#term-toggle');
			await t.page.locator('#screen', { hasText: srv.real ?
			    REAL_GREETING : GREETING }).waitFor();
			assertEq(await t.page.getAttribute('#term-toggle',
			    'aria-pressed'), 'true', 'toggle state');
			await shot(t.page, `${kind}-desktop-terminal`);
			await done(t);
		});
	},
	async screenshots_narrow_and_dark(kind) {
		await withServer(kind, {}, async (srv) => {
			for (const scheme of ['light', 'dark']) {
				for (const width of [400, 1280]) {
					const t = await open(srv, { width,
					    scheme, path: width === 400 ?
					    '/chat/embed' : '/chat/' });
					await ready(t.page, srv);
					const bg = await t.page.evaluate(() =>
					    getComputedStyle(document.body)
					    .backgroundColor);
					assertEq(bg, scheme === 'dark' ?
					    'rgb(15, 19, 24)' :
					    'rgb(255, 255, 255)', 'background');
					const overflow = await t.page.evaluate(
					    () => document.documentElement
					    .scrollWidth > innerWidth);
					assert(!overflow, `no horizontal ` +
					    `scroll at ${width}px`);
					await shot(t.page, `${kind}-${width}-` +
					    scheme);
					await done(t);
				}
			}
		});
	},
	async embed_under_prefix_in_cross_origin_iframe(kind) {
		/* The mock mounts everything under a prefix as Coder's
		 * path-based proxy would; the real server is framed at its
		 * root from another origin. */
		const prefix = kind === 'mock' ? '/@me/ws.main/apps/ccw' : '';
		await withServer(kind, { prefix }, async (srv) => {
			const parent = await startMock(TOP, {});
			try {
				const t = await open(parent, { path:
				    '/__none' });
				await t.ctx.unroute('**/*');
				const html = `<iframe title="chat" src="${srv.url
				    }/chat/embed" style="width:400px;` +
				    'height:600px"></iframe>';
				await t.page.setContent(html);
				const f = t.page.frameLocator('iframe');
				await f.locator('.msg.agent').first().waitFor(
				    { timeout: 10000 });
				await f.locator('#status[data-status="stable"]')
				    .waitFor({ timeout: 15000 });
				assert(await f.locator('#app.embed').count() ===
				    1, 'embed mode');
				await t.ctx.close();
			} finally {
				await parent.close();
			}
		});
	},
	async reconnects_after_server_restart(kind) {
		const port = await freePort();
		let srv = await start(kind, { port });
		try {
			const t = await open(srv);
			await ready(t.page, srv);
			await srv.close();
			await t.page.locator('#conn[data-conn="reconnecting"],' +
			    '#conn[data-conn="offline"]').waitFor(
			    { timeout: 10000 });
			srv = await start(kind, { port });
			await t.page.locator('#conn[data-conn="live"]')
			    .waitFor({ state: 'attached', timeout: 15000 });
			await ready(t.page, srv);
			assertEq(await t.page.locator('.msg:not(.empty-msg)')
			    .count(), 1, 'one conversation, no duplicates');
			await done(t, true); /* failed loads are expected */
		} finally {
			await srv.close();
		}
	},
	async docs_page_renders_reference(kind) {
		await withServer(kind, {}, async (srv) => {
			const t = await open(srv, { path: '/docs' });
			await t.page.locator('details#subscribeEvents')
			    .waitFor();
			for (const id of ['get-status', 'get-messages',
			    'post-message', 'post-upload'])
				assertEq(await t.page.locator(`details#${id}`)
				    .count(), 1, id);
			assert(await t.page.locator('#schema-StatusResponseBody')
			    .count() === 1, 'schemas listed');
			await done(t);
		});
	},
};

/* Cases that need the mock's hooks. */
const mockOnly = {
	async agent_text_cannot_inject_html() {
		await withServer('mock', {}, async (srv) => {
			const t = await open(srv);
			await ready(t.page, srv);
			await fetch(`${srv.url}/__mock/set`, { method: 'POST',
			    body: JSON.stringify({ agentText: '<img src=x ' +
			    'onerror="window.pwned=1"><b>bold</b> see ' +
			    'https://example.com/a_b.' }) });
			const m = t.page.locator('.msg.agent', { hasText:
			    '<img src=x' });
			await m.waitFor();
			assertEq(await m.locator('img, b').count(), 0,
			    'no elements from agent text');
			const a = m.locator('a');
			assertEq(await a.getAttribute('href'),
			    'https://example.com/a_b', 'link');
			assertEq(await a.getAttribute('target'), '_blank',
			    'new tab');
			assert(!await t.page.evaluate(() => window.pwned),
			    'no script ran');
			await done(t);
		});
	},
	async fenced_code_and_lists() {
		await withServer('mock', {}, async (srv) => {
			const t = await open(srv);
			await ready(t.page, srv);
			await fetch(`${srv.url}/__mock/set`, { method: 'POST',
			    body: JSON.stringify({ agentText: 'Code:\n```sh\n' +
			    'ls -l\n```\n- one\n- two\n1. a\n2. b' }) });
			const m = t.page.locator('.msg.agent', { hasText:
			    'Code:' });
			await m.waitFor();
			assertEq(await m.locator('pre.code').textContent(),
			    'ls -l', 'code block');
			assertEq(await m.locator('ul > li').allTextContents(),
			    ['one', 'two'], 'bullets');
			assertEq(await m.locator('ol > li').allTextContents(),
			    ['a', 'b'], 'numbers');
			await done(t);
		});
	},
	async autoscroll_stops_when_scrolled_up() {
		await withServer('mock', {}, async (srv) => {
			const t = await open(srv, { width: 400, height: 500 });
			await ready(t.page, srv);
			const add = (text) => fetch(`${srv.url}/__mock/set`, {
			    method: 'POST', body: JSON.stringify(
			    { agentText: text }) });
			const atBottom = () => t.page.evaluate(() => {
				const l = document.getElementById('log');
				return l.scrollTop + l.clientHeight >=
				    l.scrollHeight - 4;
			});
			for (let i = 0; i < 12; i++)
				await add(`line ${i}\n`.repeat(6));
			await t.page.locator('.msg', { hasText: 'line 11' })
			    .first().waitFor();
			await until(atBottom, 3000, 'following output');
			await t.page.evaluate(() => {
				document.getElementById('log').scrollTop = 0;
			});
			await t.page.locator('#jump').waitFor();
			await add('newest message');
			await t.page.locator('.msg', { hasText:
			    'newest message' }).waitFor();
			assert(!await atBottom(), 'stayed where the user was');
			await t.page.click('#jump');
			await until(atBottom, 3000, 'jump to latest');
			assert(await t.page.locator('#jump').isHidden(),
			    'jump button hidden at the bottom');
			await done(t);
		});
	},
	async agent_error_shows_toast() {
		await withServer('mock', {}, async (srv) => {
			const t = await open(srv);
			await ready(t.page, srv);
			await fetch(`${srv.url}/__mock/set`, { method: 'POST',
			    body: JSON.stringify({ agentError:
			    'Failed to restore previous session: boom' }) });
			await t.page.locator('.toast.warning', { hasText:
			    'Failed to restore previous session' }).waitFor();
			await done(t);
		});
	},
	async polling_fallback_when_sse_blocked() {
		await withServer('mock', { sse: false }, async (srv) => {
			const t = await open(srv);
			await t.page.locator('#conn[data-conn="polling"]')
			    .waitFor({ timeout: 12000 });
			await ready(t.page, srv);
			await t.page.fill('#input', 'via polling');
			await t.page.press('#input', 'Enter');
			await t.page.locator('.msg.agent', { hasText:
			    'Echo: via polling' }).waitFor({ timeout: 10000 });
			await done(t);
		});
	},
	async token_from_url_and_prompt() {
		await withServer('mock', { token: 's3cret' }, async (srv) => {
			let t = await open(srv, { path: '/chat/?token=s3cret' });
			await ready(t.page, srv);
			assert(!t.page.url().includes('s3cret'),
			    'token removed from the address bar');
			await done(t);
			t = await open(srv);
			await t.page.locator('#auth[open]').waitFor(
			    { timeout: 12000 });
			await t.page.fill('#auth-token', 's3cret');
			await t.page.press('#auth-token', 'Enter');
			await ready(t.page, srv);
			await done(t, true); /* the 401s are logged */
		});
	},
};

/* Builds the case list: every shared case for mock and real. */
function cases() {
	const list = [];
	for (const kind of ['mock', 'real'])
		for (const [name, fn] of Object.entries(both))
			list.push({ name: `chat_${kind}_${name}`,
			    fn: () => fn(kind), timeout: 60000 });
	for (const [name, fn] of Object.entries(mockOnly))
		list.push({ name: `chat_mock_${name}`, fn, timeout: 60000 });
	list.push({ name: 'chat_real_responses_match_schemas', fn:
	    realSchemas, timeout: 60000 });
	return list;
}

/* Validates real /status, /messages and /events against schemas/. */
async function realSchemas() {
	await withServer('real', {}, async (srv) => {
		const { EventSource } = await import('eventsource');
		checkSchema('StatusResponseBody', await (await fetch(
		    `${srv.url}/status`)).json());
		checkSchema('MessagesResponseBody', await (await fetch(
		    `${srv.url}/messages`)).json());
		const es = new EventSource(`${srv.url}/events`);
		const seen = [];
		try {
			await new Promise((resolve, reject) => {
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
			});
		} finally {
			es.close();
		}
		assertEq(seen.slice(0, 1), ['message_update'], 'replay');
	});
}

await probe();
if (!whyNoBrowser)
	browser = await chromium.launch({ executablePath: CHROMIUM,
	    args: ARGS });
const failed = await run('chat', cases(), process.argv[2] || '');
if (browser)
	await browser.close();
process.exit(failed ? 1 : 0);
