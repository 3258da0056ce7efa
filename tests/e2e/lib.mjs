/*
 * lib.mjs - what the black-box end-to-end tests share: starting the real
 * agentapi-c binary ($AA_BIN) on a free loopback port and stopping it,
 * plain HTTP requests with any Host/Origin header, a raw SSE reader that
 * keeps every frame (id, event, data) with event-driven waits, JSON Schema
 * validation of every response and event against schemas/*.json (ajv), and
 * a bounded pool that runs cases in parallel while tests/web/harness.mjs
 * reports them in order and prints the tally line.
 *
 * Every wait has a deadline; nothing sleeps to "let things settle".
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, assert } from '../web/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const TOP = process.env.AA_TOP || path.resolve(HERE, '../..');
export const BUILD = process.env.AA_BUILD || path.join(TOP, 'build');
export const BIN = process.env.AA_BIN || path.join(TOP, 'agentapi-c');
export const FAKE = path.join(BUILD, 'tests', 'fake-agent');
export const SCRIPTS = path.join(TOP, '..', 'shared', 'conformance',
    'agentapi', 'e2e');
export const SAN = process.env.AA_SAN === '1';
/* Deadlines stretch under the sanitizers and on a busy machine. */
export const SLOW = SAN ? 3 : 1;
export const DEMO = [BIN, 'demo-agent'];
/* AA_E2E_HOST=1: Server.start runs the agent as a session of an
 * `agentapi-c host` instead, and every request and stream to its port
 * goes to /sessions/{id} with the host's token (tests/e2e/host.test.sh
 * runs a subset of the API and SSE suites so). */
export const HOST_MODE = process.env.AA_E2E_HOST === '1';
/* port -> {base, token}: where a port's server is mounted. */
export const mounts = new Map();

/* The path and headers of a request to port, mounted or not. */
function mounted(port, p, headers) {
	const m = mounts.get(port);
	if (!m)
		return p;
	if (!Object.keys(headers).some((h) =>
	    h.toLowerCase() === 'authorization'))
		headers.Authorization = `Bearer ${m.token}`;
	return m.base + p;
}

export function script(name) {
	return path.join(SCRIPTS, `${name}.json`);
}

/* A fresh private directory, removed when the process exits. */
const tmpdirs = [];
export function tmpdir() {
	const d = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-e2e-'));
	tmpdirs.push(d);
	return d;
}
process.on('exit', () => {
	for (const d of tmpdirs)
		fs.rmSync(d, { recursive: true, force: true });
});

/* Resolves after ms; only used for polling intervals, never to settle. */
export function delay(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

/* Polls fn (async, truthy = done) every `every` ms until the deadline. */
export async function until(fn, what, ms = 10000, every = 50) {
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
			throw new Error(`timed out waiting for ${what}` +
			    (last instanceof Error ? `: ${last.message}` : ''));
		await delay(every);
	}
}

/* Rejects after ms with a message naming what was awaited. */
export function deadline(p, ms, what) {
	let t;
	return Promise.race([p, new Promise((_, rej) => {
		t = setTimeout(() => rej(new Error(
		    `timed out after ${ms * SLOW} ms waiting for ${what}`)),
		    ms * SLOW);
	})]).finally(() => clearTimeout(t));
}

/* A port nobody listens on right now (bound and released). */
export function freePort() {
	return new Promise((res, rej) => {
		const s = net.createServer();
		s.on('error', rej);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => res(port));
		});
	});
}

/* ---- schema validation --------------------------------------------- */

const Ajv = (await import('ajv')).default;
const addFormats = (await import('ajv-formats')).default;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addFormat('int64', { type: 'number', validate: Number.isSafeInteger });
const validators = {};

/* Throws unless obj matches schemas/<name>.json. */
export function validate(name, obj) {
	if (!validators[name])
		validators[name] = ajv.compile(JSON.parse(fs.readFileSync(
		    path.join(TOP, 'schemas', `${name}.json`), 'utf8')));
	const v = validators[name];
	if (!v(obj))
		throw new Error(`${name} schema: ${ajv.errorsText(v.errors)} ` +
		    `in ${JSON.stringify(obj).slice(0, 300)}`);
	return obj;
}

/* The schema each JSON response is checked against, by its Link header. */
function validateResponse(r) {
	const ct = r.headers['content-type'] || '';
	if (!/^application\/(problem\+)?json/.test(ct))
		return;
	/* Invalid UTF-8 would be replaced silently by r.body: check raw. */
	new TextDecoder('utf-8', { fatal: true }).decode(r.raw);
	r.json = JSON.parse(r.body);
	const m = /<\/schemas\/(\w+)\.json>/.exec(r.headers.link || '');
	if (m)
		validate(m[1], r.json);
	if (ct.startsWith('application/problem+json')) {
		validate('ErrorModel', r.json);
		assert(r.json.status === r.status, `problem status ${r.json
		    .status} = HTTP ${r.status}`);
	}
}

/* ---- HTTP ------------------------------------------------------------ */

/*
 * One request over a fresh connection: opts {headers, body (string or
 * Buffer), host (connect address), timeout}.  Resolves {status, headers,
 * body (utf8), raw (Buffer), json (parsed and schema-checked when the
 * response is JSON)}.
 */
export function request(port, method, p, opts = {}) {
	return new Promise((res, rej) => {
		const headers = { ...(opts.headers || {}) };
		if (!Object.keys(headers).some((h) =>
		    h.toLowerCase() === 'host'))
			headers.Host = `localhost:${port}`;
		p = mounted(port, p, headers);
		const req = http.request({ host: opts.host || '127.0.0.1',
		    port, method, path: p, headers, agent: false,
		    setHost: false }, (resp) => {
			const chunks = [];
			resp.on('data', (c) => chunks.push(c));
			resp.on('end', () => {
				const raw = Buffer.concat(chunks);
				const r = { status: resp.statusCode,
				    headers: resp.headers, raw,
				    body: raw.toString('utf8') };
				try {
					validateResponse(r);
				} catch (e) {
					rej(e);
					return;
				}
				res(r);
			});
			resp.on('error', rej);
		});
		req.setTimeout((opts.timeout ?? 10000) * SLOW, () =>
		    req.destroy(new Error(`${method} ${p}: no answer`)));
		req.on('error', rej);
		if (opts.body !== undefined)
			req.end(opts.body);
		else
			req.end();
	});
}

/* POST /message with a JSON body. */
export function postMessage(port, content, type = 'user', opts = {}) {
	return request(port, 'POST', '/message', { ...opts,
	    headers: { 'Content-Type': 'application/json',
	    ...(opts.headers || {}) },
	    body: JSON.stringify({ content, type }) });
}

export async function getJSON(port, p, opts) {
	const r = await request(port, 'GET', p, opts);
	assert(r.status === 200, `GET ${p}: ${r.status} ${r.body}`);
	return r.json;
}

export async function messages(port) {
	return (await getJSON(port, '/messages')).messages;
}

export async function status(port) {
	return (await getJSON(port, '/status')).status;
}

/* ---- SSE --------------------------------------------------------------- */

/*
 * A raw SSE reader: connects, checks nothing, records every frame as
 * {id, event, data (parsed), raw}.  Event data is validated against
 * schemas/event-<name>.json.  wait(pred, ms) resolves with the first
 * recorded frame (from index `from`) matching pred.
 */
export class Sse {
	constructor(port, p = '/events', headers = {}) {
		this.frames = [];
		this.comments = [];
		this.waiters = [];
		this.ended = false;
		this.errors = [];
		headers = { Host: `localhost:${port}`,
		    Accept: 'text/event-stream', ...headers };
		p = mounted(port, p, headers);
		this.ready = new Promise((res, rej) => {
			this.req = http.get({ host: '127.0.0.1', port, path: p,
			    agent: false, headers },
			    (resp) => {
				this.resp = resp;
				this.status = resp.statusCode;
				this.headers = resp.headers;
				resp.setEncoding('utf8');
				let buf = '';
				resp.on('data', (c) => {
					buf += c;
					let i;
					while ((i = buf.indexOf('\n\n')) >= 0) {
						this.frame(buf.slice(0, i));
						buf = buf.slice(i + 2);
					}
				});
				resp.on('end', () => this.end());
				resp.on('error', () => this.end());
				res(this);
			});
			this.req.on('error', (e) => {
				this.end();
				rej(e);
			});
		});
	}

	frame(text) {
		const f = { raw: text, comments: [] };
		const data = [];
		for (const line of text.split('\n')) {
			const m = /^([^:]*)(?::(?: ?)(.*))?$/.exec(line);
			if (line.startsWith(':'))
				f.comments.push(line);
			else if (m[1] === 'data')
				data.push(m[2] ?? '');
			else
				f[m[1]] = m[2] ?? '';
		}
		if (data.length === 0 && f.comments.length) {
			this.comments.push(...f.comments);
			this.wake();
			return;
		}
		try {
			f.data = JSON.parse(data.join('\n'));
			validate(`event-${f.event}`, f.data);
		} catch (e) {
			this.errors.push(`${e.message} in frame ${text}`);
		}
		this.frames.push(f);
		this.wake();
	}

	end() {
		this.ended = true;
		this.wake();
	}

	wake() {
		this.waiters = this.waiters.filter((w) => !w());
	}

	/* The first frame at index >= from that satisfies pred. */
	wait(pred, ms = 10000, from = 0, what = 'an SSE event') {
		return deadline(new Promise((res, rej) => {
			const check = () => {
				for (let i = from; i < this.frames.length; i++)
					if (pred(this.frames[i], i)) {
						res(this.frames[i]);
						return true;
					}
				if (this.ended) {
					rej(new Error(`stream ended before ${what}`));
					return true;
				}
				return false;
			};
			if (!check())
				this.waiters.push(check);
		}), ms, what);
	}

	/* Waits for a status_change to `st` at index >= from. */
	waitStatus(st, ms = 15000, from = 0) {
		return this.wait((f) => f.event === 'status_change' &&
		    f.data.status === st, ms, from, `status ${st}`);
	}

	/* Resolves once the stream has ended (by the server or close()). */
	waitEnd(ms = 10000) {
		return deadline(new Promise((res) => {
			const check = () => {
				if (this.ended)
					res();
				return this.ended;
			};
			if (!check())
				this.waiters.push(check);
		}), ms, 'the end of the stream');
	}

	close() {
		this.req.destroy();
		this.end();
	}

	/* Throws if any frame failed to parse or to validate. */
	checkValid() {
		assert(this.errors.length === 0, this.errors.join('; '));
	}
}

/* ---- the server process ------------------------------------------------ */

/* Servers still running when the tests end are killed. */
const live = new Set();
process.on('exit', () => {
	for (const s of live)
		s.proc.kill('SIGKILL');
});

/*
 * A running agentapi-c: Server.start({args, agent, env, stdin, port,
 * ready}) spawns `$AA_BIN server --port P ARGS -- AGENT...` and, unless
 * ready is false, waits until GET /status answers 200.  stdin: undefined
 * (= /dev/null), a string (piped then closed) or 'open' (a pipe that never
 * closes).
 */
export class Server {
	static async start(o = {}) {
		if (HOST_MODE && !o.hostMode)
			return Server.startInHost(o);
		const s = new Server();
		live.add(s);
		s.port = o.port ?? await freePort();
		s.argv = ['server', '--port', String(s.port),
		    ...(o.args || []), '--', ...(o.agent || DEMO)];
		if (o.raw)
			s.argv = o.raw(s.port);
		const stdin = o.stdin === undefined ? 'ignore' : 'pipe';
		s.proc = spawn(o.bin || BIN, s.argv, {
		    env: { ...process.env, ...(o.env || {}) },
		    stdio: [stdin, 'pipe', 'pipe'], cwd: o.cwd });
		s.stdout = '';
		s.stderr = '';
		s.proc.stdout.on('data', (c) => { s.stdout += c; });
		s.proc.stderr.on('data', (c) => { s.stderr += c; });
		s.exited = new Promise((res) => s.proc.on('exit',
		    (code, signal) => {
			s.code = code;
			s.signal = signal;
			live.delete(s);
			res({ code, signal });
		}));
		if (typeof o.stdin === 'string' && o.stdin !== 'open')
			s.proc.stdin.end(o.stdin);
		if (o.ready !== false)
			await s.ready(o.readyMs ?? 10000);
		return s;
	}

	/* The same agent as a session of a fresh host (HOST_MODE): only
	 * the flags a session has (-H, -W, --type) are understood. */
	static async startInHost(o) {
		const spec = { argv: o.agent || DEMO };
		const args = [...(o.args || [])];
		if (o.raw || o.stdin !== undefined || o.bin || o.env)
			throw new Error('not a case for a host session');
		while (args.length) {
			const [f, v] = args.splice(0, 2);
			if (f === '-H' || f === '--term-height')
				spec.term_height = Number(v);
			else if (f === '-W' || f === '--term-width')
				spec.term_width = Number(v);
			else if (f === '--type')
				spec.type = v;
			else
				throw new Error(`flag ${f} has no host form`);
		}
		const dir = tmpdir();
		const token = 'e2e-host-token';
		const s = await Server.start({ ...o, raw: (port) => ['host',
		    '--port', String(port), '--auth-token', token,
		    '--socket', path.join(dir, 'run', 'h.sock'),
		    '--state-dir', path.join(dir, 'state')], ready: false,
		    agent: undefined, args: undefined, hostMode: true });
		await until(async () => {
			if (s.code !== undefined || s.signal)
				throw new Error(`host exited: ${s.stderr}`);
			return (await request(s.port, 'GET', '/sessions', {
			    timeout: 1000, headers: { Authorization:
			    `Bearer ${token}` } })).status === 200;
		}, 'the host to answer', o.readyMs ?? 10000, 25);
		const r = await request(s.port, 'POST', '/sessions', {
		    headers: { Authorization: `Bearer ${token}`,
		    'Content-Type': 'application/json' },
		    body: JSON.stringify(spec) });
		if (r.status !== 201)
			throw new Error(`POST /sessions: ${r.status} ${r.body}`);
		s.base = `/sessions/${r.json.id}`;
		mounts.set(s.port, { base: s.base, token });
		if (o.ready !== false)
			await s.ready(o.readyMs ?? 10000);
		return s;
	}

	/* Waits until GET /status answers at all, as upstream's harness
	 * does (a Host or token check may refuse it); a server that dies
	 * first throws. */
	async ready(ms = 10000) {
		await until(async () => {
			if (this.code !== undefined || this.signal)
				throw new Error(`server exited ${this.code}` +
				    ` ${this.signal}: ${this.stderr}`);
			try {
				await request(this.port, 'GET', '/status',
				    { timeout: 1000 });
				return true;
			} catch (e) {
				if (/exited/.test(e.message))
					throw e;
				return false;
			}
		}, `server on port ${this.port} to answer`, ms, 25);
		return this;
	}

	/* An SSE subscription on this server. */
	async events(p = '/events', headers) {
		const e = new Sse(this.port, p, headers);
		await e.ready;
		return e;
	}

	/* Subscribes to /events and waits for status stable. */
	async waitStable(ms = 15000) {
		const e = await this.events();
		try {
			await e.waitStatus('stable', ms);
		} finally {
			e.close();
		}
	}

	/* Waits for the process to end; ms is the deadline. */
	wait(ms = 10000) {
		return deadline(this.exited, ms, `server ${this.port} to exit` +
		    ` (stderr: ${this.stderr.slice(-500)})`);
	}

	/* Sends sig and waits for the exit; SIGKILL after the deadline. */
	async stop(sig = 'SIGTERM', ms = 10000) {
		if (this.code === undefined && !this.signal)
			this.proc.kill(sig);
		try {
			return await this.wait(ms);
		} catch (e) {
			this.proc.kill('SIGKILL');
			await this.exited;
			throw e;
		}
	}

	/* Kills the server if it still runs (for finally blocks). */
	async kill() {
		if (this.code === undefined && !this.signal) {
			this.proc.kill('SIGKILL');
			await this.exited;
		}
	}
}

/* Runs fn(server) with a server started from o, always stopping it. */
export async function withServer(o, fn) {
	const s = await Server.start(o);
	try {
		return await fn(s);
	} finally {
		await s.kill();
	}
}

/* ---- running cases ------------------------------------------------------ */

/*
 * Runs cases [{name, fn, timeout}] at most `par` at a time, and reports
 * them in order through harness.run (which prints the tally line).  The
 * process exit status is the failure count (capped).
 */
export async function runAll(suite, cases, par = 3) {
	const filter = process.argv[2] || '';
	/* AA_E2E_ONLY: a comma-separated list of exact case names. */
	const only = process.env.AA_E2E_ONLY ?
	    process.env.AA_E2E_ONLY.split(',') : null;
	const todo = cases.filter((c) => (!filter || c.name.includes(filter))
	    && (!only || only.includes(c.name)));
	let active = 0;
	const queue = [];
	const slot = () => new Promise((res) => {
		if (active < par) {
			active++;
			res();
		} else {
			queue.push(res);
		}
	});
	const release = () => {
		const next = queue.shift();
		if (next)
			next();
		else
			active--;
	};
	const started = todo.map((c) => {
		const p = (async () => {
			await slot();
			try {
				return await deadline(Promise.resolve().then(
				    c.fn), c.timeout ?? 60000, c.name);
			} finally {
				release();
			}
		})();
		p.catch(() => {});
		return p;
	});
	const wrapped = todo.map((c, i) => ({ name: c.name,
	    timeout: 600000, fn: () => started[i] }));
	const fails = await run(suite, wrapped);
	process.exit(Math.min(fails, 100));
}
