/*
 * hostchat.test.mjs - the host's chat page (issue 15: "one page to watch
 * and steer every agent") over TCP with a token, in headless Debian
 * chromium driven by playwright-core, and its login at the HTTP level.
 *
 * HTTP: every page route refuses a request without the token (401); a
 * wrong ?token= sets no cookie; the right one answers a redirect to the
 * bare /chat with an HttpOnly, SameSite=Strict, Path=/ session cookie
 * that is not the token; the cookie opens the page, the list, the
 * stream and the sessions' own routes, a wrong or renamed one does not,
 * a foreign Origin is still refused with it, and the single-agent
 * server with the same token takes no cookie at all.
 *
 * Browser: two demo sessions; the page without the token is a 401; with
 * ?token= it loads and the token is gone from the URL (and unreadable to
 * scripts); the list shows both sessions and follows them live; a session
 * that asks for permission stands out with its question; a message typed
 * into a session's chat gets its reply; a session started from the page
 * appears; one stopped from the page is gone, its agent too.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, assert, assertEq, skip } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TOP = process.env.AA_TOP || path.resolve(HERE, '../..');
const BIN = process.env.AA_BIN || path.join(TOP, 'agentapi-c');
const CHROMIUM = process.env.AA_CHROMIUM || '/usr/bin/chromium';
const SLOW = process.env.AA_SAN === '1' ? 3 : 1;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'];
const SHOTS = path.join(process.env.AA_BUILD || path.join(TOP, 'build'),
    'web-screenshots');
const TOKEN = 'hostchat-token-0123456789';
const QUESTION = 'Do you want to allow this?';

let chromium = null, browser = null, whyNoBrowser = null, whyNoBin = null;

async function probe() {
	if (!fs.existsSync(CHROMIUM))
		whyNoBrowser = `${CHROMIUM} missing (run tests/web/setup.sh)`;
	try {
		({ chromium } = await import('playwright-core'));
	} catch {
		whyNoBrowser = 'node modules missing (npm ci --prefix tests)';
	}
	const help = fs.existsSync(BIN) ? spawnSync(BIN, ['host', '--help'],
	    { timeout: 5000 }) : null;
	if (!help || help.status !== 0)
		whyNoBin = `"${BIN} host --help" does not work (not built)`;
}

const tmpdirs = [];
function tmpdir() {
	const d = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-hostchat-'));
	tmpdirs.push(d);
	return d;
}
process.on('exit', () => {
	for (const d of tmpdirs)
		fs.rmSync(d, { recursive: true, force: true });
});

function freePort() {
	return new Promise((resolve) => {
		const s = net.createServer().listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

/* Polls fn (async, truthy = done) until the deadline. */
async function until(fn, what, ms = 15000, every = 50) {
	const end = Date.now() + ms * SLOW;
	let last;
	for (;;) {
		try {
			last = await fn();
			if (last)
				return last;
		} catch (e) {
			last = e;
		}
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what} ` +
			    `(last: ${last?.message ?? JSON.stringify(last)})`);
		await new Promise((r) => setTimeout(r, every));
	}
}

/* One request: o {port | socketPath, headers, body}; {status, headers,
 * body, json}. */
function req(o, method, p, extra = {}) {
	return new Promise((res, rej) => {
		const headers = { Host: o.port ? `127.0.0.1:${o.port}` :
		    'localhost', ...(extra.headers || {}) };
		const body = extra.body === undefined ? undefined :
		    JSON.stringify(extra.body);
		if (body !== undefined)
			headers['Content-Type'] = 'application/json';
		const q = http.request({ host: '127.0.0.1', port: o.port,
		    socketPath: o.socketPath, method, path: p, headers,
		    agent: false }, (r) => {
			const chunks = [];
			r.on('data', (c) => chunks.push(c));
			r.on('end', () => {
				const text = Buffer.concat(chunks).toString();
				let json;
				try {
					json = JSON.parse(text);
				} catch {
					json = undefined;
				}
				res({ status: r.statusCode, headers: r.headers,
				    body: text, json });
			});
		});
		q.setTimeout(10000 * SLOW, () => q.destroy(new Error(
		    `${method} ${p}: no answer`)));
		q.on('error', rej);
		q.end(body);
	});
}

/* The first frame of an SSE stream: resolves {status, text}. */
function firstEvent(port, p, headers) {
	return new Promise((res, rej) => {
		const q = http.get({ host: '127.0.0.1', port, path: p, headers:
		    { Host: `127.0.0.1:${port}`, ...headers } }, (r) => {
			let text = '';
			if (r.statusCode !== 200) {
				res({ status: r.statusCode, text });
				q.destroy();
				return;
			}
			r.on('data', (c) => {
				text += c;
				if (text.includes('\n\n')) {
					res({ status: 200, text });
					q.destroy();
				}
			});
		});
		q.setTimeout(10000 * SLOW, () => q.destroy(new Error(
		    `${p}: no event`)));
		q.on('error', rej);
	});
}

/* Opens GET /events with the cookie and keeps it: {status, req}. */
function openStream(port, cookie) {
	return new Promise((res, rej) => {
		const q = http.get({ host: '127.0.0.1', port, path: '/events',
		    agent: false, headers: { Host: `127.0.0.1:${port}`,
		    Cookie: cookie } }, (r) => {
			r.resume();
			res({ status: r.statusCode, req: q });
		});
		q.on('error', (e) => {
			if (e.code !== 'ECONNRESET')
				rej(e);
		});
	});
}

const alive = (pid) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

/* A host on loopback TCP with the token, and its unix socket. */
class Host {
	static async start() {
		const h = new Host();
		const dir = tmpdir();
		h.port = await freePort();
		h.sock = path.join(dir, 'run', 'h.sock');
		h.proc = spawn(BIN, ['host', '--socket', h.sock, '--state-dir',
		    path.join(dir, 'state'), '--port', String(h.port),
		    '--auth-token', TOKEN, '--stop-timeout', '2000'],
		    { stdio: ['ignore', 'ignore', 'pipe'] });
		h.stderr = '';
		h.proc.stderr.on('data', (c) => { h.stderr += c; });
		h.exited = new Promise((r) => h.proc.on('close', () => {
			h.gone = true;
			r();
		}));
		await until(async () => {
			if (h.gone)
				throw new Error(`host exited: ${h.stderr}`);
			return (await h.api('GET', '/sessions')).status === 200;
		}, 'the host to answer', 10000);
		return h;
	}

	/* A request over TCP with the bearer token. */
	api(method, p, body) {
		return req({ port: this.port }, method, p, { body,
		    headers: { Authorization: `Bearer ${TOKEN}` } });
	}

	async create(name) {
		const r = await this.api('POST', '/sessions', { name,
		    argv: [BIN, 'demo-agent', '--think-ms', '50'] });
		assertEq(r.status, 201, `POST /sessions: ${r.body}`);
		return r.json.id;
	}

	async list() {
		return (await this.api('GET', '/sessions')).json.sessions;
	}

	async waitState(id, state) {
		await until(async () => (await this.list()).some((s) =>
		    s.id === id && s.state === state), `${id} ${state}`);
	}

	async stop() {
		if (!this.gone)
			this.proc.kill('SIGTERM');
		await Promise.race([this.exited, new Promise((r) =>
		    setTimeout(r, 10000 * SLOW))]);
		if (!this.gone)
			this.proc.kill('SIGKILL');
		const m = /.*(runtime error|Sanitizer).*/.exec(this.stderr);
		assert(!m, `host stderr: ${m?.[0]}`);
	}
}

/* The login's Set-Cookie, parsed: {name, value, attrs: Set, raw}. */
function parseSetCookie(v) {
	assert(v !== undefined, 'a Set-Cookie header');
	const raw = Array.isArray(v) ? v[0] : v;
	const [pair, ...attrs] = raw.split(';').map((s) => s.trim());
	const eq = pair.indexOf('=');
	return { name: pair.slice(0, eq), value: pair.slice(eq + 1),
	    attrs: new Set(attrs.map((a) => a.toLowerCase())), raw };
}

async function httpLogin() {
	if (whyNoBin)
		skip(whyNoBin);
	const h = await Host.start();
	const srvPort = await freePort();
	let srv = null;
	try {
		const id = await h.create('one');
		const tcp = { port: h.port };
		const pages = ['/', '/chat', '/chat/host.js', '/chat/host.css',
		    '/events', '/sessions', `/sessions/${id}/chat/embed`];

		/* No token, a wrong one: every door closed, no cookie. */
		for (const p of pages) {
			const r = await req(tcp, 'GET', p);
			assertEq(r.status, 401, `GET ${p} without a token`);
			assertEq(r.headers['set-cookie'], undefined, p);
		}
		/* A browser is told where the way in is; others get the
		 * problem+json as on every route. */
		const html = await req(tcp, 'GET', '/chat', { headers:
		    { Accept: 'text/html,application/xhtml+xml' } });
		assertEq(html.status, 401, 'html 401');
		assert(/^text\/html/.test(html.headers['content-type']),
		    html.headers['content-type']);
		assert(html.body.includes('host.token'), html.body);
		assertEq(html.headers['www-authenticate'], 'Bearer');
		const js = await req(tcp, 'GET', '/chat');
		assert(/problem\+json/.test(js.headers['content-type']),
		    js.headers['content-type']);
		for (const t of ['wrong', `${TOKEN}x`, '']) {
			const r = await req(tcp, 'GET', `/chat?token=${t}`);
			assertEq(r.status, 401, `?token=${t}`);
			assertEq(r.headers['set-cookie'], undefined, t);
		}
		/* ?token= logs in on /chat only, as before elsewhere. */
		assertEq((await req(tcp, 'GET', `/sessions?token=${TOKEN}`))
		    .status, 401, '/sessions?token=');
		assertEq((await req(tcp, 'GET', `/?token=${TOKEN}`)).status,
		    401, '/?token=');

		const login = await req(tcp, 'GET',
		    `/chat?token=${encodeURIComponent(TOKEN)}`);
		assertEq(login.status, 302, 'login');
		assertEq(login.headers.location, '/chat', 'token dropped');
		assertEq(login.headers['cache-control'], 'no-store');
		assertEq(login.headers['referrer-policy'], 'no-referrer');
		const c = parseSetCookie(login.headers['set-cookie']);
		assert(c.attrs.has('httponly'), `HttpOnly: ${c.raw}`);
		assert(c.attrs.has('samesite=strict'), `SameSite: ${c.raw}`);
		assert(c.attrs.has('path=/'), `Path=/: ${c.raw}`);
		assert(![...c.attrs].some((a) => a.startsWith('max-age') ||
		    a.startsWith('expires') || a.startsWith('domain')),
		    `a host-only session cookie: ${c.raw}`);
		assert(!c.raw.includes(TOKEN), 'the cookie is not the token');
		assert(/^[0-9a-f]{64}$/.test(c.value), `secret ${c.value}`);
		const good = `${c.name}=${c.value}`;

		/* The cookie opens what the page needs. */
		const page = await req(tcp, 'GET', '/chat',
		    { headers: { Cookie: good } });
		assertEq(page.status, 200, 'page with the cookie');
		assert(/text\/html/.test(page.headers['content-type']), 'html');
		assert(page.body.includes('id="list"'), 'the host page');
		assertEq(page.headers['x-frame-options'], 'DENY');
		for (const p of ['/chat/host.js', '/chat/host.css', '/sessions',
		    `/sessions/${id}/status`, `/sessions/${id}/chat/embed`]) {
			const r = await req(tcp, 'GET', p, { headers:
			    { Cookie: `theme=dark; ${good}; x=1` } });
			assertEq(r.status, 200, `GET ${p} with the cookie`);
		}
		assertEq((await req(tcp, 'GET', '/chat/index.html',
		    { headers: { Cookie: good } })).status, 404, 'only ours');
		for (const p of ['/', '/chat/']) {
			const r = await req(tcp, 'GET', p, { headers:
			    { Cookie: good } });
			assertEq([r.status, r.headers.location],
			    [302, '/chat'], p);
		}
		const ev = await firstEvent(h.port, '/events',
		    { Cookie: good });
		assertEq(ev.status, 200, 'events with the cookie');
		assert(/^event: sessions\ndata: /m.test(ev.text), ev.text);
		const data = JSON.parse(/^data: (.*)$/m.exec(ev.text)[1]);
		assertEq(data.sessions.map((s) => s.name), ['one'], 'event');

		/* The list's streams are bounded. */
		const held = [];
		try {
			for (let i = 0; i < 64; i++)
				held.push(await openStream(h.port, good));
			assert(held.every((x) => x.status === 200), 'held');
			const over = await openStream(h.port, good);
			over.req.destroy();
			assertEq(over.status, 503, 'the 65th stream');
		} finally {
			for (const x of held)
				x.req.destroy();
		}

		/* A wrong cookie, or the right value under another name. */
		const flip = c.value.slice(0, -1) +
		    (c.value.endsWith('0') ? '1' : '0');
		for (const bad of [`${c.name}=${flip}`, `${c.name}=`,
		    `${c.name}=${TOKEN}`, `agentapi_c=${c.value}`,
		    `${c.name}x=${c.value}`, `x${c.name}=${c.value}`,
		    `${c.name}=${c.value}0`, `Authorization=${TOKEN}`]) {
			for (const p of ['/chat', '/sessions',
			    `/sessions/${id}/status`]) {
				const r = await req(tcp, 'GET', p,
				    { headers: { Cookie: bad } });
				assertEq(r.status, 401, `${p} with ${bad}`);
			}
		}
		/* The Origin check stays in front of the cookie. */
		const evil = { Cookie: good, Origin: 'https://evil.example' };
		assertEq((await req(tcp, 'POST', '/sessions', { headers: evil,
		    body: { argv: [BIN, 'demo-agent'] } })).status, 403,
		    'POST with a foreign Origin');
		assertEq((await req(tcp, 'DELETE', `/sessions/${id}`,
		    { headers: evil })).status, 403, 'DELETE, foreign Origin');
		assertEq((await req(tcp, 'GET', '/chat', { headers:
		    { Cookie: good, Host: 'evil.example' } })).status, 400,
		    'Host check');
		assertEq((await h.list()).length, 1, 'nothing made or gone');

		/* The unix socket needs nothing; no cookie is made there. */
		const u = await req({ socketPath: h.sock }, 'GET', '/chat');
		assertEq(u.status, 200, 'unix: the page');
		assertEq(u.headers['set-cookie'], undefined, 'unix: no cookie');

		/* The single-agent server with the same token takes no
		 * cookie: its token rules are as they were. */
		srv = spawn(BIN, ['server', '--port', String(srvPort),
		    '--auth-token', TOKEN, '--', BIN, 'demo-agent'],
		    { stdio: 'ignore' });
		const auth = { Authorization: `Bearer ${TOKEN}` };
		await until(async () => (await req({ port: srvPort }, 'GET',
		    '/status', { headers: auth })).status === 200,
		    'the server');
		assertEq((await req({ port: srvPort }, 'GET', '/status',
		    { headers: { Cookie: good } })).status, 401,
		    'server: the cookie');
		assertEq((await req({ port: srvPort }, 'GET', '/chat/',
		    { headers: { Cookie: good } })).status, 200,
		    'server: its chat page stays public');
	} finally {
		if (srv)
			srv.kill('SIGTERM');
		await h.stop();
	}
}

/* The state label of session id in the page's list ('' if absent). */
function entryOf(page, id) {
	return page.locator(`#list li.sess[data-id="${id}"]`);
}

async function browserChat() {
	if (whyNoBin)
		skip(whyNoBin);
	if (whyNoBrowser)
		skip(whyNoBrowser);
	const h = await Host.start();
	const ctx = await browser.newContext({ viewport:
	    { width: 1200, height: 800 } });
	try {
		const a = await h.create('alpha');
		const b = await h.create('beta');
		const page = await ctx.newPage();
		const errors = [];
		page.on('pageerror', (e) => errors.push(e.message));
		const base = `http://127.0.0.1:${h.port}`;

		/* Without the token: refused. */
		const r0 = await page.goto(`${base}/chat`);
		assertEq(r0.status(), 401, 'the page without the token');
		assert((await page.textContent('body')).includes('host.token'),
		    'it says where the way in is');

		/* With it: the page, and the token gone from the URL. */
		const r1 = await page.goto(`${base}/chat?token=${TOKEN}`);
		assertEq(r1.status(), 200, 'the page with ?token=');
		assertEq(page.url(), `${base}/chat`, 'the token dropped');
		assertEq(await page.evaluate(() => document.cookie), '',
		    'the cookie is out of scripts\' reach');
		const ck = await ctx.cookies();
		assertEq(ck.length, 1, 'one cookie');
		assertEq([ck[0].httpOnly, ck[0].sameSite, ck[0].path],
		    [true, 'Strict', '/'], 'cookie attributes');
		assert(ck[0].value !== TOKEN, 'not the token');

		/* Both sessions listed, their states followed live. */
		await until(async () => await entryOf(page, a).count() === 1 &&
		    await entryOf(page, b).count() === 1, 'both listed');
		assertEq(await entryOf(page, a).locator('.name').textContent(),
		    'alpha');
		await h.waitState(a, 'idle');
		await h.waitState(b, 'idle');
		for (const id of [a, b])
			await until(async () => await entryOf(page, id)
			    .getAttribute('data-state') === 'idle',
			    `${id} idle in the page`);
		assertEq(await entryOf(page, b).locator('.state')
		    .textContent(), 'idle');
		assertEq(await page.locator('#conn').textContent(), 'Live');

		/* alpha asks for permission (sent through the API, so the
		 * page learns it from the stream alone) and stands out; the
		 * keyboard focus stays where it was through the redraw. */
		await entryOf(page, b).locator('.pick').focus();
		const m = await h.api('POST', `/sessions/${a}/message`,
		    { content: 'please ask for permission', type: 'user' });
		assertEq(m.status, 200, m.body);
		await until(async () => await entryOf(page, a)
		    .getAttribute('data-state') === 'waiting',
		    'alpha waiting in the page');
		const wa = entryOf(page, a);
		assert(await page.evaluate((id) => document.activeElement
		    ?.closest('li')?.dataset.id === id, b), 'focus kept');
		assert(await wa.evaluate((e) => e.classList.contains('waiting')),
		    'the waiting class');
		assertEq(await wa.locator('.question').textContent(), QUESTION);
		const la = (await h.list()).find((x) => x.id === a);
		assertEq([la.state, la.prompt?.kind, la.prompt?.question,
		    la.health], ['waiting', 'permission', QUESTION, 'ok'],
		    'GET /sessions says it too');
		assertEq(await wa.locator('.state').textContent(),
		    'waiting for you');
		assert(await page.locator('#waiting-count').isVisible(),
		    'the waiting count shows');
		assertEq(await page.locator('#waiting-count').textContent(),
		    '1 session waiting for you');
		assertEq(await entryOf(page, b).locator('.question').count(), 0,
		    'beta asks nothing');
		const look = (loc) => loc.locator('.pick').evaluate((e) => {
			const s = getComputedStyle(e);
			return [s.backgroundColor, s.borderLeftWidth];
		});
		const [wbg, wbw] = await look(wa);
		const [ibg, ibw] = await look(entryOf(page, b));
		assert(wbg !== ibg, `waiting background ${wbg} vs ${ibg}`);
		assert(parseFloat(wbw) > parseFloat(ibw),
		    `waiting border ${wbw} vs ${ibw}`);
		assert((await page.title()).startsWith('(1)'), 'title count');

		/* beta: chosen in the list, talked to in its own chat. */
		await entryOf(page, b).locator('.pick').click();
		assertEq(await page.locator('#view-title').textContent(),
		    'beta');
		const frame = page.frameLocator('#frame');
		assertEq(await page.locator('#frame').getAttribute('src'),
		    `/sessions/${b}/chat/embed`, 'the session\'s chat');
		await frame.locator('#send').waitFor({ state: 'visible' });
		await frame.locator('#input').fill('hello from the list');
		await until(async () => await frame.locator('#send')
		    .isEnabled(), 'send enabled');
		await frame.locator('#input').press('Enter');
		await frame.getByText('You asked: "hello from the list"')
		    .waitFor({ timeout: 20000 * SLOW });
		/* Its turn over, the list says so by itself. */
		await until(async () => await entryOf(page, b)
		    .getAttribute('data-state') === 'idle',
		    'beta idle again in the page');
		const msgs = (await h.api('GET', `/sessions/${b}/messages`))
		    .json.messages;
		assert(msgs.some((x) => x.role === 'user' &&
		    x.content === 'hello from the list'), 'beta got it');
		const am = (await h.api('GET', `/sessions/${a}/messages`))
		    .json.messages;
		assert(!am.some((x) => x.content.includes('from the list')),
		    'alpha did not');

		/* The waiting one answered in its chat: no longer waiting. */
		await wa.locator('.pick').click();
		fs.mkdirSync(SHOTS, { recursive: true });
		await page.screenshot({ path: path.join(SHOTS,
		    'hostchat-waiting.png') });
		assertEq(await page.locator('#frame').getAttribute('src'),
		    `/sessions/${a}/chat/embed`);
		await frame.locator('#prompt-options button').first()
		    .waitFor({ timeout: 15000 * SLOW });
		await frame.locator('#prompt-options button',
		    { hasText: /^y\b|yes/i }).first().click();
		await until(async () => await entryOf(page, a)
		    .getAttribute('data-state') === 'idle',
		    'alpha idle again in the page');
		assertEq(await entryOf(page, a).locator('.question').count(), 0);
		assert(await page.locator('#waiting-count').isHidden(),
		    'no one waits');

		/* A new session from the page. */
		await page.locator('#new summary').click();
		await page.locator('#new-cmd').fill(
		    `'${BIN}' demo-agent --think-ms 50`);
		await page.locator('#new-name').fill('gamma');
		await page.locator('#new-go').click();
		const g = await until(async () => (await h.list()).find((s) =>
		    s.name === 'gamma'), 'gamma made');
		assertEq(g.argv, [BIN, 'demo-agent', '--think-ms', '50']);
		await until(async () => await entryOf(page, g.id).count() === 1,
		    'gamma listed');
		await until(async () => await page.locator('#frame')
		    .getAttribute('src') === `/sessions/${g.id}/chat/embed`,
		    'gamma shown');

		/* Stop alpha from the page: asked twice, then gone. */
		const pid = (await h.list()).find((s) => s.id === a).pid;
		assert(alive(pid), 'alpha runs');
		await entryOf(page, a).locator('.pick').click();
		await page.locator('#stop').click();
		assertEq(await page.locator('#stop').textContent(),
		    'Confirm stop');
		assertEq((await h.list()).length, 3, 'one click stops nothing');
		await page.locator('#stop').click();
		await until(async () => await entryOf(page, a).count() === 0,
		    'alpha gone from the page');
		assertEq((await h.list()).map((s) => s.name).sort(),
		    ['beta', 'gamma'], 'alpha gone from the host');
		await until(() => !alive(pid), 'alpha\'s agent ended');
		assert(await page.locator('#frame').isHidden(),
		    'its chat closed');
		assertEq(errors, [], 'no page errors');
	} finally {
		await ctx.close();
		await h.stop();
	}
}

const cases = [
	{ name: 'hostchat_http_login_cookie', fn: httpLogin, timeout: 60000 },
	{ name: 'hostchat_browser_list_wait_send_stop', fn: browserChat,
	    timeout: 120000 },
];

await probe();
if (!whyNoBrowser && !whyNoBin)
	browser = await chromium.launch({ executablePath: CHROMIUM,
	    args: ARGS });
const failed = await run('hostchat', cases, process.argv[2] || '', 2);
if (browser)
	await browser.close();
process.exit(failed ? 1 : 0);
