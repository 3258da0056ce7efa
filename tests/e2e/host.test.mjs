/*
 * host.test.mjs - `agentapi-c host` as a black box (issue 15): sessions
 * made, talked to, listed and deleted over the unix socket; the host
 * killed (-9) and stopped cleanly, and every session back with its
 * messages (exited, the demo agent having no resume flag, until POST
 * .../restart); each door closed without the token on TCP; the socket's
 * refusals; bad session specs and the session limit; one agent crashing
 * and one flooding while the others keep answering.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { assert, assertEq, skip } from '../web/harness.mjs';
import {
	BIN, DEMO, SLOW, deadline, freePort, request, runAll, tmpdir, until,
} from './lib.mjs';

const cases = [];
const add = (name, fn, timeout = 90000) =>
	cases.push({ name, fn, timeout });

/* One request over the unix socket: {status, headers, body, json}. */
function ureq(sock, method, p, body, headers = {}) {
	return new Promise((res, rej) => {
		const h = { Host: 'localhost', ...headers };
		if (body !== undefined)
			h['Content-Type'] = 'application/json';
		const req = http.request({ socketPath: sock, method, path: p,
		    headers: h, agent: false }, (resp) => {
			const chunks = [];
			resp.on('data', (c) => chunks.push(c));
			resp.on('end', () => {
				const text = Buffer.concat(chunks).toString();
				const r = { status: resp.statusCode,
				    headers: resp.headers, body: text };
				try {
					r.json = JSON.parse(text);
				} catch {
					r.json = undefined;
				}
				res(r);
			});
		});
		req.setTimeout(10000 * SLOW, () => req.destroy(
		    new Error(`${method} ${p}: no answer`)));
		req.on('error', rej);
		req.end(body === undefined ? undefined : JSON.stringify(body));
	});
}

/* A running host on dir/run/h.sock with its state in dir/state. */
class Host {
	static async start(dir, args = [], o = {}) {
		const h = new Host();
		h.dir = dir;
		h.sock = path.join(dir, 'run', 'h.sock');
		h.state = path.join(dir, 'state');
		h.proc = spawn(BIN, ['host', '--socket', h.sock, '--state-dir',
		    h.state, '--stop-timeout', '2000', ...args], { stdio:
		    ['ignore', 'pipe', 'pipe'], env: { ...process.env,
		    ...(o.env || {}) } });
		h.stderr = '';
		h.proc.stderr.on('data', (c) => { h.stderr += c; });
		h.proc.stdout.on('data', () => {});
		h.exited = new Promise((res) => h.proc.on('exit', (code,
		    signal) => {
			h.code = code;
			h.signal = signal;
			res({ code, signal });
		}));
		if (o.ready === false)
			return h;
		await until(async () => {
			if (h.code !== undefined || h.signal)
				throw new Error(`host exited ${h.code}: ` +
				    h.stderr);
			return (await ureq(h.sock, 'GET', '/sessions'))
			    .status === 200;
		}, 'the host to answer', 10000, 25);
		return h;
	}

	req(method, p, body, headers) {
		return ureq(this.sock, method, p, body, headers);
	}

	async create(spec) {
		const r = await this.req('POST', '/sessions', spec);
		assertEq(r.status, 201, `POST /sessions: ${r.body}`);
		assert(/^[0-9a-f]{16}$/.test(r.json.id), `id ${r.body}`);
		return r.json.id;
	}

	async list() {
		const r = await this.req('GET', '/sessions');
		assertEq(r.status, 200, r.body);
		return r.json.sessions;
	}

	async waitState(id, state, ms = 15000) {
		await until(async () => {
			const r = await this.req('GET', `/sessions/${id}/status`);
			return r.status === 200 && r.json.state === state;
		}, `session ${id} ${state}`, ms);
	}

	/* Sends text to a session and waits for the demo agent's answer. */
	async talk(id, text) {
		await this.waitState(id, 'idle');
		const r = await this.req('POST', `/sessions/${id}/message`,
		    { content: text, type: 'user' });
		assertEq(r.status, 200, `message to ${id}: ${r.body}`);
		return until(async () => {
			const m = (await this.req('GET',
			    `/sessions/${id}/messages`)).json.messages;
			return m.some((x) => x.role === 'agent' &&
			    x.content.includes(`You asked: "${text}"`)) && m;
		}, `the reply to ${text}`, 15000);
	}

	wait(ms = 10000) {
		return deadline(this.exited, ms, 'the host to exit');
	}

	async kill(sig = 'SIGKILL') {
		if (this.code === undefined && !this.signal)
			this.proc.kill(sig);
		await this.wait();
		/* Under the sanitizers a report fails the case. */
		const m = /.*(runtime error|Sanitizer).*/.exec(this.stderr);
		assert(!m, `host stderr: ${m?.[0]}`);
	}
}

/* Non-zero when pid is alive. */
function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

const demo = (name) => ({ argv: [...DEMO, '--think-ms', '50'], name });

add('sessions_talk_list_delete_and_come_back', async () => {
	const dir = tmpdir();
	const work = fs.mkdtempSync(path.join(dir, 'cwd-'));
	let h = await Host.start(dir);
	try {
		/* The socket is ours alone. */
		assertEq(fs.statSync(h.sock).mode & 0o777, 0o600, 'socket');
		assertEq(fs.statSync(path.dirname(h.sock)).mode & 0o777,
		    0o700, 'socket dir');
		const ids = [];
		for (const n of ['one', 'two', 'three'])
			ids.push(await h.create({ ...demo(n), cwd: work,
			    env: ['AA_HOST_TEST=1'], term_width: 100,
			    term_height: 200 }));
		assertEq(new Set(ids).size, 3, 'distinct ids');
		await Promise.all(ids.map((id, i) => h.talk(id, `hi ${i}`)));
		await Promise.all(ids.map((id) => h.waitState(id, 'idle')));
		const ls = await h.list();
		assertEq(ls.map((s) => s.id), ids, 'list order');
		assertEq(ls.map((s) => s.name), ['one', 'two', 'three']);
		for (const s of ls) {
			assertEq([s.state, s.status, s.term_width, s.cwd],
			    ['idle', 'stable', 100, work], `${s.id}`);
			assert(alive(s.pid), `agent ${s.pid} alive`);
		}
		/* The agent runs in its cwd with its env. */
		const env = fs.readFileSync(`/proc/${ls[0].pid}/environ`,
		    'utf8').split('\0');
		assert(env.includes('AA_HOST_TEST=1'), 'env entry');
		assertEq(fs.readlinkSync(`/proc/${ls[0].pid}/cwd`), work, 'cwd');

		/* DELETE stops the agent and forgets the session. */
		const gone = ls[1];
		const d = await h.req('DELETE', `/sessions/${gone.id}`);
		assertEq(d.status, 200, d.body);
		assertEq(d.json.ok, true);
		await until(() => !alive(gone.pid), 'the agent to end', 5000);
		assertEq((await h.list()).map((s) => s.id), [ids[0], ids[2]]);
		assertEq((await h.req('GET', `/sessions/${gone.id}/status`))
		    .status, 404, 'deleted session');
		assertEq((await h.req('DELETE', `/sessions/${gone.id}`))
		    .status, 404, 'deleted twice');
		assert(!fs.existsSync(gone.state_file), 'state file removed');

		/* kill -9: the sessions come back with their messages; the
		 * demo agent (custom) has no resume flag, so they come back
		 * exited rather than under a fresh agent. */
		const before = {};
		for (const id of [ids[0], ids[2]])
			before[id] = (await h.req('GET',
			    `/sessions/${id}/messages`)).json.messages;
		await h.kill('SIGKILL');
		h = await Host.start(dir);
		let back = await h.list();
		assertEq(back.map((s) => s.id), [ids[0], ids[2]], 'back');
		assertEq(back.map((s) => s.name), ['one', 'three']);
		for (const s of back) {
			assertEq([s.state, s.pid], ['exited', 0], s.id);
			const m = (await h.req('GET',
			    `/sessions/${s.id}/messages`)).json.messages;
			const want = before[s.id].filter((x) =>
			    x.role === 'user').map((x) => x.content);
			for (const w of want)
				assert(m.some((x) => x.role === 'user' &&
				    x.content === w), `${s.id} kept ${w}`);
		}
		/* ...and, restarted on purpose, the agents answer. */
		const rs = await h.req('POST', `/sessions/${ids[2]}/restart`);
		assertEq(rs.status, 200, rs.body);
		await h.talk(ids[2], 'after the crash');

		/* A clean stop keeps them too. */
		await h.kill('SIGTERM');
		assertEq(h.code, 0, `clean exit: ${h.stderr.slice(-400)}`);
		assert(!fs.existsSync(h.sock), 'socket removed at exit');
		h = await Host.start(dir);
		back = await h.list();
		assertEq(back.map((s) => s.id), [ids[0], ids[2]], 'back again');
		assertEq((await h.req('POST', `/sessions/${ids[2]}/restart`))
		    .status, 200);
		const m = await h.talk(ids[2], 'and again');
		assert(m.some((x) => x.content === 'after the crash'),
		    'history across two restarts');
	} finally {
		await h.kill();
	}
});

add('session_specs_checked_and_limited', async () => {
	const dir = tmpdir();
	const h = await Host.start(dir, ['--max-sessions', '2']);
	try {
		const bad = [
			[{}, 'argv is required'],
			[{ argv: [] }, 'argv must name a program'],
			[{ argv: 'sh' }, 'argv must be an array'],
			[{ argv: Array(257).fill('x') }, 'more than 256'],
			[{ argv: ['x'.repeat(4097)] }, 'at most 4 KiB'],
			[{ argv: ['a\nb'] }, 'control characters'],
			[{ argv: ['sh'], env: ['NOEQUALS'] }, 'NAME=VALUE'],
			[{ argv: ['sh'], env: ['A B=1'] }, 'NAME=VALUE'],
			[{ argv: ['sh'], env: [1] }, 'env entries'],
			[{ argv: ['sh'], cwd: '/no/such/dir' }, 'existing'],
			[{ argv: ['sh'], cwd: 'relative' }, 'absolute'],
			[{ argv: ['sh'], term_width: 5 }, 'term_width'],
			[{ argv: ['sh'], term_height: 1.5 }, 'term_height'],
			[{ argv: ['sh'], type: 'nope' }, 'unknown agent type'],
			[{ argv: ['sh'], state_file: 'rel.json' }, 'absolute'],
			[{ argv: ['sh'], extra: 1 }, 'unknown member'],
			[{ argv: ['sh'], name: 'x'.repeat(129) }, 'name'],
			[{ argv: ['/no/such/agent'] }, 'not found'],
		];
		for (const [body, msg] of bad) {
			const r = await h.req('POST', '/sessions', body);
			assertEq(r.status, 422, `${JSON.stringify(body)
			    .slice(0, 80)}: ${r.body}`);
			assert(r.body.includes(msg), `${msg} in ${r.body}`);
		}
		const r = await h.req('POST', '/sessions', '{"argv":', {});
		assert(r.status === 400 || r.status === 422, `bad json ${r.status}`);
		assertEq((await h.list()).length, 0, 'nothing started');
		await h.create(demo('a'));
		await h.create(demo('b'));
		const full = await h.req('POST', '/sessions', demo('c'));
		assertEq(full.status, 429, full.body);
		assertEq((await h.list()).length, 2);
	} finally {
		await h.kill();
	}
});

add('tcp_needs_the_token_on_every_route', async () => {
	const dir = tmpdir();
	const port = await freePort();
	const h = await Host.start(dir, ['--port', String(port)]);
	try {
		const tokfile = path.join(path.dirname(h.sock), 'host.token');
		assertEq(fs.statSync(tokfile).mode & 0o777, 0o600, 'token mode');
		const token = fs.readFileSync(tokfile, 'utf8');
		assert(/^[0-9a-f]{64}$/.test(token), 'a generated token');
		const id = await h.create(demo('t'));
		const routes = [['GET', '/sessions'], ['POST', '/sessions'],
		    ['GET', `/sessions/${id}`], ['GET', `/sessions/${id}/`],
		    ['GET', `/sessions/${id}/status`],
		    ['GET', `/sessions/${id}/messages`],
		    ['POST', `/sessions/${id}/message`],
		    ['POST', `/sessions/${id}/upload`],
		    ['GET', `/sessions/${id}/events`],
		    ['GET', `/sessions/${id}/internal/screen`],
		    ['GET', `/sessions/${id}/chat/`],
		    ['GET', `/sessions/${id}/chat/embed`],
		    ['GET', `/sessions/${id}/openapi.json`],
		    ['GET', `/sessions/${id}/queue`],
		    ['POST', `/sessions/${id}/interrupt`],
		    ['DELETE', `/sessions/${id}`],
		    ['GET', '/sessions/0123456789abcdef/status'],
		    ['GET', `/sessions/${id}/no-such-route`],
		    ['POST', '/mcp']];
		for (const [m, p] of routes) {
			for (const auth of [undefined, 'Bearer wrong',
			    `Bearer ${token}x`, token]) {
				const headers = auth ? { Authorization: auth } :
				    {};
				const r = await request(port, m, p, { headers });
				assertEq(r.status, 401, `${m} ${p} ${auth}`);
			}
		}
		/* ?token= only on the EventSource routes. */
		assertEq((await request(port, 'GET',
		    `/sessions/${id}/status?token=${token}`)).status, 401);
		assertEq((await request(port, 'GET', `/sessions?token=${token}`))
		    .status, 401);
		const auth = { Authorization: `Bearer ${token}` };
		assertEq((await request(port, 'GET', '/sessions',
		    { headers: auth })).status, 200);
		assertEq((await request(port, 'GET', `/sessions/${id}/status`,
		    { headers: auth })).status, 200);
		const ev = await new Promise((res, rej) => {
			const q = http.get({ host: '127.0.0.1', port, path:
			    `/sessions/${id}/events?token=${token}`, headers:
			    { Host: `localhost:${port}` } }, (r) => {
				res(r.statusCode);
				q.destroy();
			});
			q.on('error', rej);
		});
		assertEq(ev, 200, 'events with ?token=');
		/* Host and Origin checks as the server's. */
		assertEq((await request(port, 'GET', '/sessions', { headers: {
		    ...auth, Host: 'evil.example' } })).status, 400, 'Host');
		assertEq((await request(port, 'POST', '/sessions', { headers: {
		    ...auth, Origin: 'https://evil.example',
		    'Content-Type': 'application/json' },
		    body: JSON.stringify(demo('x')) })).status, 403, 'Origin');
		assertEq((await h.list()).length, 1, 'nothing made');
	} finally {
		await h.kill();
	}
	/* A given token is used (and written) as is. */
	const h2 = await Host.start(tmpdir(), ['--port', String(port)],
	    { env: { AGENTAPI_AUTH_TOKEN: 'given-token' } });
	try {
		assertEq((await request(port, 'GET', '/sessions', { headers:
		    { Authorization: 'Bearer given-token' } })).status, 200);
		assertEq(fs.readFileSync(path.join(path.dirname(h2.sock),
		    'host.token'), 'utf8'), 'given-token');
	} finally {
		await h2.kill();
	}
});

add('socket_path_refusals', async () => {
	const dir = tmpdir();
	fs.mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
	fs.writeFileSync(path.join(dir, 'run', 'h.sock'), 'not a socket');
	const a = await Host.start(dir, [], { ready: false });
	await a.wait();
	assertEq(a.code, 1, 'refused');
	assert(/not our socket/.test(a.stderr), a.stderr);
	assertEq(fs.readFileSync(path.join(dir, 'run', 'h.sock'), 'utf8'),
	    'not a socket', 'left alone');
	/* An existing directory others can enter is not used (nor
	 * changed). */
	const open = tmpdir();
	fs.mkdirSync(path.join(open, 'run'), { mode: 0o755 });
	fs.chmodSync(path.join(open, 'run'), 0o755);
	const c = await Host.start(open, [], { ready: false });
	await c.wait();
	assertEq(c.code, 1, 'open directory refused');
	assert(/mode 0700/.test(c.stderr), c.stderr);
	assertEq(fs.statSync(path.join(open, 'run')).mode & 0o777, 0o755);
	const dir2 = tmpdir();
	const h = await Host.start(dir2);
	try {
		const b = await Host.start(dir2, [], { ready: false });
		await b.wait();
		assertEq(b.code, 1, 'second host refused');
		assert(/another host/.test(b.stderr), b.stderr);
		assertEq((await h.req('GET', '/sessions')).status, 200,
		    'the first still answers');
	} finally {
		await h.kill();
	}
});

add('a_crashing_or_flooding_agent_harms_no_other', async () => {
	const dir = tmpdir();
	const h = await Host.start(dir);
	try {
		const good = await h.create(demo('good'));
		const crash = await h.create({ name: 'crash', argv: ['/bin/sh',
		    '-c', 'echo "> "; sleep 1; kill -SEGV $$'] });
		const flood = await h.create({ name: 'flood', argv: ['/bin/sh',
		    '-c', 'while :; do echo flooding flooding flooding; done'] });
		await h.talk(good, 'first');
		await until(async () => (await h.list()).find((s) =>
		    s.id === crash).state === 'exited', 'the crash', 10000);
		/* The crashed session stays readable. */
		const r = await h.req('GET', `/sessions/${crash}/messages`);
		assertEq(r.status, 200, r.body);
		const st = await h.req('GET', `/sessions/${crash}/status`);
		assertEq(st.json.state, 'exited');
		/* While the flood goes on, the others answer promptly. */
		for (let i = 0; i < 5; i++) {
			const t0 = Date.now();
			assertEq((await h.req('GET', `/sessions/${good}/status`))
			    .status, 200);
			assert(Date.now() - t0 < 2000 * SLOW,
			    `status took ${Date.now() - t0} ms`);
		}
		await h.talk(good, 'during the flood');
		const ls = await h.list();
		assertEq(ls.length, 3, 'all listed');
		assert(ls.find((s) => s.id === flood).pid > 0, 'flood runs');
		const d = await h.req('DELETE', `/sessions/${flood}`);
		assertEq(d.status, 200, d.body);
		await h.talk(good, 'after');
	} finally {
		await h.kill();
	}
});

/* ---- MCP (/mcp) ---------------------------------------------------- */

/* An MCP client over the unix socket: plain JSON-RPC. */
class Mcp {
	constructor(h) {
		this.h = h;
		this.n = 0;
	}

	async rpc(method, params, headers = {}) {
		const r = await this.h.req('POST', '/mcp', { jsonrpc: '2.0',
		    id: ++this.n, method, params }, { Accept:
		    'application/json, text/event-stream', ...(this.sid ?
		    { 'Mcp-Session-Id': this.sid } : {}), ...headers });
		/* A long wait_for answers on an SSE stream: its last event. */
		if (/^text\/event-stream/.test(r.headers['content-type']))
			r.json = JSON.parse(r.body.trim().split('\n').at(-1)
			    .replace(/^data: /, ''));
		return r;
	}

	async init() {
		const r = await this.rpc('initialize', { protocolVersion:
		    '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e',
		    version: '1' } });
		assertEq(r.status, 200, r.body);
		this.sid = r.headers['mcp-session-id'];
		assert(/^[0-9a-f]{32}$/.test(this.sid), `session id ${this.sid}`);
		return r.json.result;
	}

	/* Calls a tool; returns the result ({structuredContent, isError}). */
	async call(name, args) {
		const r = await this.rpc('tools/call', { name, arguments: args });
		assertEq(r.status, 200, r.body);
		assert(r.json.result, `${name}: ${r.body}`);
		return r.json.result;
	}

	async ok(name, args) {
		const res = await this.call(name, args);
		assert(!res.isError, `${name}: ${JSON.stringify(res)}`);
		assertEq(JSON.parse(res.content[0].text), res.structuredContent,
		    'text = structured');
		const v = this.out?.[name];
		if (v && !v(res.structuredContent))
			throw new Error(`${name} output schema: ` +
			    JSON.stringify(v.errors));
		return res.structuredContent;
	}

	async err(name, args, msg) {
		const res = await this.call(name, args);
		assert(res.isError === true, `${name} error: ${JSON.stringify(res)}`);
		assert(res.content[0].text.includes(msg),
		    `${msg} in ${res.content[0].text}`);
	}
}

add('mcp_transport_and_tool_list', async () => {
	const dir = tmpdir();
	const h = await Host.start(dir);
	try {
		const m = new Mcp(h);
		let r = await m.rpc('tools/list');
		assertEq(r.status, 400, `no session: ${r.body}`);
		const init = await m.init();
		assertEq(init.protocolVersion, '2025-06-18');
		assert(init.capabilities.tools, 'tools capability');
		assertEq(init.serverInfo.name, 'agentapi-c');
		r = await m.rpc('tools/list');
		const tools = r.json.result.tools;
		assertEq(tools.map((t) => t.name).sort(), ['answer_prompt',
		    'get_screen', 'list_agents', 'read_messages',
		    'send_message', 'start_agent', 'stop_agent', 'wait_for']);
		const Ajv = (await import('ajv')).default;
		const ajv = new Ajv({ strict: false });
		for (const t of tools) {
			assert(t.description.length > 10, `${t.name} described`);
			ajv.compile(t.inputSchema);
			ajv.compile(t.outputSchema);
		}
		r = await m.rpc('no/such');
		assertEq(r.json.error.code, -32601, r.body);
		r = await m.rpc('tools/call', { name: 'nope', arguments: {} });
		assertEq(r.json.error.code, -32602, r.body);
		r = await m.rpc('ping');
		assertEq(r.json.result, {});
		r = await h.req('POST', '/mcp', undefined, { 'Mcp-Session-Id':
		    m.sid, 'Content-Type': 'application/json' });
		assertEq(r.json.error.code, -32700, r.body);
		r = await h.req('POST', '/mcp', { jsonrpc: '2.0', method:
		    'notifications/initialized' }, { 'Mcp-Session-Id': m.sid });
		assertEq(r.status, 202, 'notification');
		/* GET is the notification stream of an MCP session. */
		assertEq((await h.req('GET', '/mcp')).status, 400, 'GET');
		r = await m.rpc('ping', undefined, { 'MCP-Protocol-Version':
		    '1999-01-01' });
		assertEq(r.status, 400, 'bad protocol version');
		assertEq((await h.req('DELETE', '/mcp', undefined,
		    { 'Mcp-Session-Id': m.sid })).status, 200, 'DELETE');
		assertEq((await m.rpc('ping')).status, 404, 'ended session');
	} finally {
		await h.kill();
	}
});

add('mcp_tools_drive_an_agent', async () => {
	const dir = tmpdir();
	const h = await Host.start(dir);
	try {
		const m = new Mcp(h);
		await m.init();
		const tools = (await m.rpc('tools/list')).json.result.tools;
		const Ajv = (await import('ajv')).default;
		const ajv = new Ajv({ strict: false });
		m.out = Object.fromEntries(tools.map((t) => [t.name,
		    ajv.compile(t.outputSchema)]));
		assertEq((await m.ok('list_agents', {})).agents, []);
		await m.err('start_agent', { argv: [] }, 'argv');
		await m.err('start_agent', { argv: ['sh'], bogus: 1 },
		    'unknown member');
		const { id } = await m.ok('start_agent', { argv: [...DEMO,
		    '--think-ms', '50'], name: 'worker' });
		await m.err('send_message', { content: 'x' }, 'id must be');
		await m.err('send_message', { id: 'nope', content: 'x' },
		    'no such session');
		await m.err('send_message', { id, content: 'x', mode: 'now' },
		    'mode must be');
		await m.err('wait_for', { id, state: 'asleep' }, 'state must');
		await m.err('wait_for', { id, state: 'idle', timeout_ms: -1 },
		    'timeout_ms');
		let w = await m.ok('wait_for', { id, state: 'idle',
		    timeout_ms: 15000 });
		assertEq(w, { state: 'idle', timed_out: false });
		const before = (await m.ok('read_messages', { id })).messages;
		const last = before[before.length - 1].id;
		assertEq((await m.ok('send_message', { id,
		    content: 'hello from mcp' })).sent, true);
		/* While it works, a second message is queued. */
		const q = await m.ok('send_message', { id, content: 'second' });
		assertEq([q.sent, q.queued], [false, true], 'queued');
		w = await m.ok('wait_for', { id, state: 'idle',
		    timeout_ms: 20000 });
		assertEq(w.timed_out, false);
		await until(async () => (await m.ok('read_messages', { id,
		    since: last })).messages.some((x) => x.role === 'agent' &&
		    x.content.includes('You asked: "second"')),
		    'the queued message answered', 20000);
		const since = (await m.ok('read_messages', { id, since: last }))
		    .messages;
		assert(since.every((x) => x.id > last), 'since');
		assertEq(since.filter((x) => x.role === 'user')
		    .map((x) => x.content), ['hello from mcp', 'second']);
		assert((await m.ok('get_screen', { id })).screen
		    .includes('You asked'), 'screen');
		/* A question: answered by the tools. */
		await m.ok('wait_for', { id, state: 'idle', timeout_ms: 15000 });
		await m.err('answer_prompt', { id, option: '1' },
		    'not waiting');
		await m.ok('send_message', { id, content: 'ask for permission' });
		w = await m.ok('wait_for', { id, state: 'waiting',
		    timeout_ms: 15000 });
		assertEq(w, { state: 'waiting', timed_out: false });
		await m.err('answer_prompt', { id, option: 'zzz' },
		    'the options are');
		await m.err('answer_prompt', { id, option: 99 }, 'out of range');
		assertEq(await m.ok('answer_prompt', { id, option: 0 }),
		    { ok: true });
		w = await m.ok('wait_for', { id, state: 'idle',
		    timeout_ms: 15000 });
		assertEq(w.timed_out, false);
		/* A wait times out, then one ends when the agent stops. */
		w = await m.ok('wait_for', { id, state: 'exited',
		    timeout_ms: 200 });
		assertEq(w, { state: 'idle', timed_out: true });
		const pending = m.call('wait_for', { id, state: 'waiting',
		    timeout_ms: 30000 });
		await m.ok('stop_agent', { id });
		const ended = await pending;
		assert(ended.isError && /stopped/.test(ended.content[0].text),
		    JSON.stringify(ended));
		assertEq((await m.ok('list_agents', {})).agents, []);
		await m.err('stop_agent', { id }, 'no such session');
	} finally {
		await h.kill();
	}
});

add('mcp_needs_the_token_on_tcp', async () => {
	const port = await freePort();
	const h = await Host.start(tmpdir(), ['--port', String(port),
	    '--auth-token', 'mcp-token']);
	try {
		const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method:
		    'initialize', params: { protocolVersion: '2025-06-18',
		    capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
		const headers = { 'Content-Type': 'application/json' };
		assertEq((await request(port, 'POST', '/mcp', { headers, body }))
		    .status, 401, 'no token');
		assertEq((await request(port, 'POST', '/mcp?token=mcp-token',
		    { headers, body })).status, 401, '?token=');
		assertEq((await request(port, 'POST', '/mcp', { headers: {
		    ...headers, Authorization: 'Bearer mcp-token' }, body }))
		    .status, 200, 'token');
		assertEq((await request(port, 'POST', '/mcp', { headers: {
		    ...headers, Authorization: 'Bearer mcp-token',
		    Origin: 'https://evil.example' }, body })).status, 403,
		    'foreign Origin');
	} finally {
		await h.kill();
	}
});

/* The official MCP TypeScript SDK's client, over TCP with the token:
 * every tool, the SDK checking each result against its output schema. */
add('mcp_official_sdk_client_drives_every_tool', async () => {
	let Client, Transport;
	try {
		({ Client } = await import(
		    '@modelcontextprotocol/sdk/client/index.js'));
		({ StreamableHTTPClientTransport: Transport } = await import(
		    '@modelcontextprotocol/sdk/client/streamableHttp.js'));
	} catch (e) {
		skip(`@modelcontextprotocol/sdk missing (run tests/web/setup.sh): ${e.message}`);
	}
	const port = await freePort();
	const h = await Host.start(tmpdir(), ['--port', String(port),
	    '--auth-token', 'sdk-token']);
	const client = new Client({ name: 'agentapi-c-e2e', version: '1.0.0' });
	try {
		await client.connect(new Transport(new URL(
		    `http://127.0.0.1:${port}/mcp`), { requestInit: { headers: {
		    Authorization: 'Bearer sdk-token' } } }));
		const { tools } = await client.listTools();
		assertEq(tools.length, 8, 'eight tools');
		const call = async (name, args) => {
			const r = await client.callTool({ name, arguments: args });
			assert(!r.isError, `${name}: ${JSON.stringify(r)}`);
			return r.structuredContent;
		};
		const { id } = await call('start_agent', { argv: [...DEMO,
		    '--think-ms', '50'], name: 'sdk' });
		assertEq((await call('list_agents', {})).agents.map((a) => a.id),
		    [id]);
		assertEq((await call('wait_for', { id, state: 'idle',
		    timeout_ms: 15000 })).timed_out, false);
		assertEq((await call('send_message', { id,
		    content: 'hello sdk' })).sent, true);
		assertEq((await call('wait_for', { id, state: 'idle',
		    timeout_ms: 15000 })).timed_out, false);
		const ms = (await call('read_messages', { id, since: 0 }))
		    .messages;
		assert(ms.some((x) => x.role === 'agent' &&
		    x.content.includes('You asked: "hello sdk"')), 'reply');
		assert((await call('get_screen', { id })).screen.length > 0);
		await call('send_message', { id, content: 'ask for permission',
		    mode: 'interrupt' });
		await call('wait_for', { id, state: 'waiting', timeout_ms: 15000 });
		assertEq(await call('answer_prompt', { id, option: 'Yes' }),
		    { ok: true });
		const bad = await client.callTool({ name: 'send_message',
		    arguments: { id: 'nope', content: 'x' } });
		assert(bad.isError, 'a tool error for a bad id');
		assertEq(await call('stop_agent', { id }), { ok: true });
		assertEq((await call('list_agents', {})).agents, []);
	} finally {
		await client.close().catch(() => {});
		await h.kill();
	}
});

/* A session holds a descriptor: started under a soft limit of 256, the
 * host runs with its hard limit (at most 2^20), as a thousand sessions
 * need. */
add('host_raises_descriptor_soft_limit', async () => {
	const hard = /^Max open files\s+\S+\s+(\S+)/m.exec(
	    fs.readFileSync('/proc/self/limits', 'utf8'))[1];
	const want = hard === 'unlimited' || Number(hard) > 2 ** 20 ?
	    2 ** 20 : Number(hard);
	if (want <= 256)
		skip(`the hard descriptor limit is ${hard}`);
	const dir = tmpdir();
	const sock = path.join(dir, 'run', 'h.sock');
	const proc = spawn('sh', ['-c', 'ulimit -S -n 256 && exec "$0" "$@"',
	    BIN, 'host', '--socket', sock, '--state-dir',
	    path.join(dir, 'state')], { stdio: 'ignore' });
	const exited = new Promise((res) => proc.on('exit', res));
	try {
		await until(async () => (await ureq(sock, 'GET', '/sessions')
		    .catch(() => ({}))).status === 200, 'the host', 10000, 25);
		const soft = /^Max open files\s+(\S+)/m.exec(fs.readFileSync(
		    `/proc/${proc.pid}/limits`, 'utf8'))[1];
		assertEq(Number(soft), want, 'the host\'s soft limit');
	} finally {
		proc.kill('SIGINT');
		await deadline(exited, 10000, 'the host to exit');
	}
});

await runAll('e2e-host', cases, 2);
