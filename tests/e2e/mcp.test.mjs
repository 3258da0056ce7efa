/*
 * mcp.test.mjs - the host's MCP server through real clients (issue 15):
 * the official MCP TypeScript SDK's client drives every tool, the
 * transcripts as resources and a streamed wait_for with progress over
 * both transports, streamable HTTP (the host's /mcp on TCP with the
 * token) and stdio (`agentapi-c mcp --socket ...`, spawned by the SDK's
 * StdioClientTransport); `agentapi-c mcp` starts a host when none
 * answers; its stdout carries JSON-RPC only, bad and oversized lines get
 * JSON-RPC errors; notifications/cancelled and a client that goes away
 * end a streamed wait; the protocol version is negotiated.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { assert, assertEq, skip } from '../web/harness.mjs';
import {
	BIN, DEMO, SLOW, deadline, delay, freePort, runAll, tmpdir, until,
} from './lib.mjs';

const cases = [];
const add = (name, fn, timeout = 120000) =>
	cases.push({ name, fn, timeout: timeout * SLOW });

const TOKEN = 'mcp-e2e-token';
const INIT = { protocolVersion: '2025-06-18', capabilities: {},
	clientInfo: { name: 'e2e', version: '1' } };

/* The SDK's pieces, or a skip when tests/node_modules lacks them. */
async function sdk() {
	try {
		const { Client } = await import(
		    '@modelcontextprotocol/sdk/client/index.js');
		const { StreamableHTTPClientTransport } = await import(
		    '@modelcontextprotocol/sdk/client/streamableHttp.js');
		const { StdioClientTransport } = await import(
		    '@modelcontextprotocol/sdk/client/stdio.js');
		return { Client, StreamableHTTPClientTransport,
		    StdioClientTransport };
	} catch (e) {
		skip(`@modelcontextprotocol/sdk missing (run tests/web/setup.sh): ${e.message}`);
	}
	return null;
}

/* A request over the unix socket, answered whole or streamed. */
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
				let json;
				try {
					json = JSON.parse(text);
				} catch {
					json = undefined;
				}
				res({ status: resp.statusCode, headers:
				    resp.headers, body: text, json });
			});
		});
		req.setTimeout(20000 * SLOW, () => req.destroy(
		    new Error(`${method} ${p}: no answer`)));
		req.on('error', rej);
		req.end(body === undefined ? undefined : JSON.stringify(body));
	});
}

/* A host on dir/run/h.sock (and TCP with the token when port is set). */
class Host {
	static async start(dir, port) {
		const h = new Host();
		h.sock = path.join(dir, 'run', 'h.sock');
		h.port = port;
		h.proc = spawn(BIN, ['host', '--socket', h.sock, '--state-dir',
		    path.join(dir, 'state'), '--stop-timeout', '2000',
		    ...(port ? ['--port', String(port), '--auth-token', TOKEN] :
		    [])], { stdio: ['ignore', 'ignore', 'pipe'] });
		h.stderr = '';
		h.proc.stderr.on('data', (c) => { h.stderr += c; });
		h.exited = new Promise((res) => h.proc.on('exit', res));
		await until(async () => (await ureq(h.sock, 'GET', '/sessions')
		    .catch(() => ({}))).status === 200, 'the host to answer',
		    10000, 25);
		return h;
	}

	async kill() {
		this.proc.kill('SIGKILL');
		await deadline(this.exited, 10000, 'the host to exit');
		const m = /.*(runtime error|Sanitizer).*/.exec(this.stderr);
		assert(!m, `host stderr: ${m?.[0]}`);
	}
}

/* The pid of the host serving sock (one we started), from /proc. */
function hostPid(sock) {
	for (const d of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(d))
			continue;
		let cmd;
		try {
			cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8')
			    .split('\0');
		} catch {
			continue;
		}
		if (cmd[1] === 'host' && cmd.includes(sock))
			return Number(d);
	}
	return 0;
}

/* A connected SDK client over one of the two transports. */
async function connect(kind, h, extra = {}) {
	const s = await sdk();
	const client = new s.Client({ name: 'agentapi-c-e2e', version: '1.0.0' });
	let transport;
	if (kind === 'http') {
		transport = new s.StreamableHTTPClientTransport(new URL(
		    `http://127.0.0.1:${h.port}/mcp`), { requestInit: {
		    headers: { Authorization: `Bearer ${TOKEN}` } } });
	} else {
		transport = new s.StdioClientTransport({ command: BIN,
		    args: ['mcp', '--socket', h.sock], env: { ...process.env,
		    ...(extra.env || {}) }, stderr: 'pipe' });
		client.stderr = '';
		transport.stderr?.on('data', (c) => { client.stderr += c; });
	}
	await client.connect(transport);
	return client;
}

/* Calls a tool that must succeed; returns its structured content. */
async function ok(client, name, args) {
	const r = await client.callTool({ name, arguments: args });
	assert(!r.isError, `${name}: ${JSON.stringify(r)}`);
	assertEq(JSON.parse(r.content[0].text), r.structuredContent,
	    `${name}: text = structured`);
	return r.structuredContent;
}

/* Calls a tool that must fail with a tool error naming msg. */
async function err(client, name, args, msg) {
	const r = await client.callTool({ name, arguments: args });
	assert(r.isError === true, `${name} error: ${JSON.stringify(r)}`);
	assert(r.content[0].text.includes(msg),
	    `${name}: "${msg}" in "${r.content[0].text}"`);
}

/* Every tool, the resources and the bad arguments, over one client. */
async function driveEverything(client, label) {
	const caps = client.getServerCapabilities();
	assert(caps.tools && caps.resources, `${label}: capabilities ` +
	    JSON.stringify(caps));
	assertEq(client.getServerVersion().name, 'agentapi-c');
	const { tools } = await client.listTools();
	assertEq(tools.map((t) => t.name).sort(), ['answer_prompt',
	    'get_screen', 'list_agents', 'read_messages', 'send_message',
	    'start_agent', 'stop_agent', 'wait_for'], label);
	assertEq((await ok(client, 'list_agents', {})).agents, [], label);
	await err(client, 'list_agents', { x: 1 }, 'takes no arguments');
	await err(client, 'start_agent', { argv: [] }, 'argv');
	await err(client, 'start_agent', { argv: ['sh'], bogus: 1 },
	    'unknown member');
	const { id } = await ok(client, 'start_agent', { argv: [...DEMO,
	    '--think-ms', '50'], name: `w-${label}` });
	assertEq((await ok(client, 'list_agents', {})).agents.map((a) =>
	    a.id), [id], label);
	await err(client, 'send_message', { content: 'x' }, 'id must be');
	await err(client, 'send_message', { id: 'nope', content: 'x' },
	    'no such session');
	await err(client, 'send_message', { id, content: '' }, 'non-empty');
	await err(client, 'send_message', { id, content: 'x', mode: 'now' },
	    'mode must be');
	await err(client, 'wait_for', { id, state: 'asleep' }, 'state must');
	await err(client, 'wait_for', { id, state: 'idle',
	    timeout_ms: 700000 }, 'timeout_ms');
	await err(client, 'read_messages', { id, since: 'x' },
	    'since must be');
	await err(client, 'get_screen', { id, extra: 1 }, 'unknown argument');
	await err(client, 'stop_agent', {}, 'id must be');
	await assertRejects(client.callTool({ name: 'no_such_tool',
	    arguments: {} }), -32602, 'unknown tool');
	assertEq((await ok(client, 'wait_for', { id, state: 'idle',
	    timeout_ms: 15000 * SLOW })).timed_out, false, label);
	await err(client, 'answer_prompt', { id, option: '1' },
	    'not waiting');
	const before = (await ok(client, 'read_messages', { id })).messages;
	const last = before[before.length - 1].id;
	assertEq((await ok(client, 'send_message', { id,
	    content: `hello ${label}` })).sent, true);
	assertEq((await ok(client, 'wait_for', { id, state: 'idle',
	    timeout_ms: 15000 * SLOW })).timed_out, false);
	await until(async () => (await ok(client, 'read_messages', { id,
	    since: last })).messages.some((x) => x.role === 'agent' &&
	    x.content.includes(`You asked: "hello ${label}"`)),
	    'the reply', 15000);
	assert((await ok(client, 'get_screen', { id })).screen
	    .includes('You asked'), 'screen');

	/* The transcript as resources, JSON and Markdown. */
	const { resources } = await client.listResources();
	const uri = `agentapi://sessions/${id}/transcript`;
	assertEq(resources.map((r) => [r.uri, r.mimeType]), [[uri,
	    'application/json'], [`${uri}.md`, 'text/markdown']], label);
	assert(resources[0].name.includes(`w-${label}`), resources[0].name);
	const { resourceTemplates } = await client.listResourceTemplates();
	assertEq(resourceTemplates.map((t) => t.uriTemplate),
	    ['agentapi://sessions/{id}/transcript',
	    'agentapi://sessions/{id}/transcript.md']);
	let r = await client.readResource({ uri });
	assertEq(r.contents.length, 1);
	assertEq(r.contents[0].mimeType, 'application/json');
	const doc = JSON.parse(r.contents[0].text);
	assertEq([doc.id, doc.name, doc.state], [id, `w-${label}`, 'idle']);
	assertEq(doc.messages, (await ok(client, 'read_messages', { id }))
	    .messages, 'transcript = read_messages');
	r = await client.readResource({ uri: `${uri}.md` });
	assertEq(r.contents[0].mimeType, 'text/markdown');
	assert(r.contents[0].text.startsWith(`# Transcript of w-${label}`),
	    r.contents[0].text.slice(0, 80));
	assert(r.contents[0].text.includes(`## user (message ${last + 1}`) &&
	    r.contents[0].text.includes(`hello ${label}`), 'markdown body');
	await assertRejects(client.readResource({ uri:
	    'agentapi://sessions/0123456789abcdef/transcript' }), -32002,
	    'not found');
	await assertRejects(client.readResource({ uri: 'file:///etc/passwd' }),
	    -32602, 'uri must be');

	/* A question, answered through the tools. */
	await ok(client, 'send_message', { id, content: 'ask for permission',
	    mode: 'interrupt' });
	assertEq(await ok(client, 'wait_for', { id, state: 'waiting',
	    timeout_ms: 15000 * SLOW }), { state: 'waiting', timed_out: false });
	await err(client, 'answer_prompt', { id, option: 'zzz' },
	    'the options are');
	await err(client, 'answer_prompt', { id, option: 99 }, 'out of range');
	assertEq(await ok(client, 'answer_prompt', { id, option: 'Yes' }),
	    { ok: true });
	assertEq((await ok(client, 'wait_for', { id, state: 'idle',
	    timeout_ms: 15000 * SLOW })).timed_out, false);
	assertEq(await ok(client, 'wait_for', { id, state: 'exited',
	    timeout_ms: 100 }), { state: 'idle', timed_out: true });
	assertEq(await ok(client, 'stop_agent', { id }), { ok: true });
	assertEq((await ok(client, 'list_agents', {})).agents, []);
	await err(client, 'stop_agent', { id }, 'no such session');
	assertEq((await client.listResources()).resources, []);
}

/* Awaits a promise that must fail with a JSON-RPC error code. */
async function assertRejects(p, code, text) {
	let e;
	try {
		await p;
	} catch (x) {
		e = x;
	}
	assert(e, `expected JSON-RPC error ${code}`);
	assertEq(e.code, code, e.message);
	assert(e.message.includes(text), `"${text}" in "${e.message}"`);
}

add('mcp_sdk_drives_every_tool_over_both_transports', async () => {
	await sdk();
	const dir = tmpdir();
	const h = await Host.start(dir, await freePort());
	const clients = [];
	try {
		for (const kind of ['http', 'stdio']) {
			const c = await connect(kind, h);
			clients.push(c);
			await driveEverything(c, kind);
		}
		/* The stdio relay says nothing on stdout but JSON-RPC (the
		 * SDK would have failed on anything else) and logs nothing
		 * without -v. */
		assertEq(clients[1].stderr, '', 'relay stderr');
	} finally {
		for (const c of clients)
			await c.close().catch(() => {});
		await h.kill();
	}
});

/* A streamed wait_for: progress while the agent works, then the result. */
add('mcp_streamed_wait_for_with_progress_over_both_transports', async () => {
	await sdk();
	const h = await Host.start(tmpdir(), await freePort());
	const clients = [];
	try {
		for (const kind of ['http', 'stdio']) {
			const c = await connect(kind, h);
			clients.push(c);
			const { id } = await ok(c, 'start_agent', { argv: [...DEMO,
			    '--think-ms', String(3000)] });
			await ok(c, 'wait_for', { id, state: 'idle',
			    timeout_ms: 15000 * SLOW });
			assertEq((await ok(c, 'send_message', { id,
			    content: 'take your time' })).sent, true);
			const prog = [];
			const r = await c.callTool({ name: 'wait_for', arguments:
			    { id, state: 'idle', timeout_ms: 30000 * SLOW } },
			    undefined, { onprogress: (p) => prog.push(p),
			    timeout: 60000 * SLOW });
			assert(!r.isError, JSON.stringify(r));
			assertEq(r.structuredContent, { state: 'idle',
			    timed_out: false }, kind);
			assert(prog.length >= 2, `${kind}: progress ` +
			    JSON.stringify(prog));
			for (let i = 0; i < prog.length; i++) {
				assertEq(prog[i].total, 30000 * SLOW);
				assert(/waiting for idle/.test(prog[i].message),
				    prog[i].message);
				assert(i === 0 || prog[i].progress >
				    prog[i - 1].progress, 'rising progress');
			}
			assert(prog.some((p) => /is working/.test(p.message)),
			    JSON.stringify(prog));
			const ms = (await ok(c, 'read_messages', { id })).messages;
			assert(ms.some((x) => x.role === 'agent' && x.content
			    .includes('You asked: "take your time"')), 'reply');
			await ok(c, 'stop_agent', { id });
		}
	} finally {
		for (const c of clients)
			await c.close().catch(() => {});
		await h.kill();
	}
});

/* Subscriptions: resources/updated when a subscribed transcript
 * changes, list_changed when a session comes or goes, over the GET
 * stream (streamable HTTP) and through the relay (stdio). */
add('mcp_resource_subscriptions_over_both_transports', async () => {
	await sdk();
	const { ResourceUpdatedNotificationSchema,
	    ResourceListChangedNotificationSchema } = await import(
	    '@modelcontextprotocol/sdk/types.js');
	const h = await Host.start(tmpdir(), await freePort());
	const clients = [];
	try {
		for (const kind of ['http', 'stdio']) {
			const c = await connect(kind, h);
			clients.push(c);
			const caps = c.getServerCapabilities().resources;
			assertEq([caps.subscribe, caps.listChanged], [true, true]);
			const updates = [], lists = [];
			c.setNotificationHandler(ResourceUpdatedNotificationSchema,
			    (n) => updates.push(n.params.uri));
			c.setNotificationHandler(
			    ResourceListChangedNotificationSchema,
			    () => lists.push(1));
			const { id } = await ok(c, 'start_agent', { argv: [...DEMO,
			    '--think-ms', '50'] });
			await until(() => lists.length > 0, `${kind}: list_changed`,
			    10000 * SLOW);
			await ok(c, 'wait_for', { id, state: 'idle',
			    timeout_ms: 15000 * SLOW });
			const uri = `agentapi://sessions/${id}/transcript`;
			await c.subscribeResource({ uri });
			await c.subscribeResource({ uri }); /* twice: once */
			await assertRejects(c.subscribeResource({ uri:
			    'agentapi://sessions/0123456789abcdef/transcript' }),
			    -32002, 'not found');
			await assertRejects(c.subscribeResource({ uri: 'x:y' }),
			    -32602, 'uri must be');
			await ok(c, 'send_message', { id, content: 'tell me' });
			await until(() => updates.includes(uri),
			    `${kind}: resources/updated`, 10000 * SLOW);
			await ok(c, 'wait_for', { id, state: 'idle',
			    timeout_ms: 15000 * SLOW });
			/* Coalesced: a few notifications per turn, not one per
			 * screen change. */
			assert(updates.length <= 20, `${updates.length} updates`);
			await c.unsubscribeResource({ uri });
			await delay(500);
			updates.length = 0;
			await ok(c, 'send_message', { id, content: 'not told' });
			await ok(c, 'wait_for', { id, state: 'idle',
			    timeout_ms: 15000 * SLOW });
			await delay(600);
			assertEq(updates, [], `${kind}: unsubscribed`);
			const n = lists.length;
			await ok(c, 'stop_agent', { id });
			await until(() => lists.length > n,
			    `${kind}: list_changed on stop`, 10000 * SLOW);
		}
	} finally {
		for (const c of clients)
			await c.close().catch(() => {});
		await h.kill();
	}
});

/* The relay spawned by hand: its stdout as parsed lines. */
class Relay {
	constructor(sock, env = {}) {
		this.proc = spawn(BIN, ['mcp', '--socket', sock], { stdio:
		    ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
		this.lines = [];
		this.raw = '';
		this.stderr = '';
		this.proc.stdout.on('data', (c) => {
			this.raw += c;
			let nl;
			while ((nl = this.raw.indexOf('\n')) >= 0) {
				const line = this.raw.slice(0, nl);
				this.raw = this.raw.slice(nl + 1);
				this.lines.push(JSON.parse(line));
			}
		});
		this.proc.stderr.on('data', (c) => { this.stderr += c; });
		this.exited = new Promise((res) => this.proc.on('exit',
		    (code, signal) => res({ code, signal })));
	}

	send(...msgs) {
		for (const m of msgs)
			this.proc.stdin.write((typeof m === 'string' ? m :
			    JSON.stringify(m)) + '\n');
	}

	/* The first line (after from) that pred accepts. */
	async next(pred, what, from = 0) {
		return until(() => this.lines.slice(from).find(pred), what,
		    20000 * SLOW, 20);
	}

	async answer(id) {
		return this.next((l) => l.id === id && !l.method,
		    `the answer to ${id}`);
	}
}

add('mcp_stdio_bad_lines_get_jsonrpc_errors', async () => {
	const h = await Host.start(tmpdir());
	const r = new Relay(h.sock);
	try {
		/* Before initialize the host refuses: a clear error. */
		r.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
		let a = await r.answer(1);
		assertEq(a.error.code, -32600, JSON.stringify(a));
		assert(/HTTP 400.*Mcp-Session-Id/.test(a.error.message),
		    a.error.message);
		r.send({ jsonrpc: '2.0', id: 2, method: 'initialize',
		    params: INIT }, { jsonrpc: '2.0', method:
		    'notifications/initialized' });
		assertEq((await r.answer(2)).result.protocolVersion,
		    '2025-06-18');
		const n = r.lines.length;
		r.send('not json', '', '   ', '[{"jsonrpc":"2.0","id":3,' +
		    '"method":"ping"}]', '{"jsonrpc":"1.0","id":4,' +
		    '"method":"ping"}', '{"jsonrpc":"2.0","id":5}',
		    '{"jsonrpc":"2.0","id":6,"method":"ping"} trailing');
		/* An oversized line: dropped to its newline, answered once. */
		r.send(`{"jsonrpc":"2.0","id":7,"method":"ping","params":` +
		    `{"pad":"${'x'.repeat(4 * 1024 * 1024)}"}}`);
		r.send({ jsonrpc: '2.0', id: 8, method: 'ping' });
		assertEq((await r.answer(8)).result, {});
		const errs = r.lines.slice(n).filter((l) => l.error);
		assertEq(errs.map((l) => [l.id, l.error.code]), [[null, -32700],
		    [null, -32600], [4, -32600], [5, -32600], [null, -32700],
		    [null, -32600]], JSON.stringify(errs));
		assert(/batches/.test(errs[1].error.message), errs[1].error.message);
		assert(/4194304/.test(errs[5].error.message),
		    errs[5].error.message);
		/* A method the host does not know: its own error, relayed. */
		r.send({ jsonrpc: '2.0', id: 9, method: 'no/such' });
		assertEq((await r.answer(9)).error.code, -32601);
		/* String ids come back as they went. */
		r.send({ jsonrpc: '2.0', id: 'ten', method: 'ping' });
		assertEq((await r.answer('ten')).result, {});
		r.proc.stdin.end();
		assertEq(await deadline(r.exited, 10000 * SLOW, 'relay exit'),
		    { code: 0, signal: null });
		assertEq(r.raw, '', 'stdout ends with a whole line');
		assert(!/runtime error|Sanitizer/.test(r.stderr), r.stderr);
	} finally {
		r.proc.kill('SIGKILL');
		await h.kill();
	}
});

/* notifications/cancelled ends a streamed wait at once: no answer for
 * it, and the relay, whose input then ends, exits without waiting out
 * the wait's minute. */
add('mcp_stdio_cancelled_wait_ends', async () => {
	const h = await Host.start(tmpdir());
	const r = new Relay(h.sock);
	try {
		r.send({ jsonrpc: '2.0', id: 1, method: 'initialize',
		    params: INIT }, { jsonrpc: '2.0', method:
		    'notifications/initialized' });
		await r.answer(1);
		r.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: {
		    name: 'start_agent', arguments: { argv: DEMO } } });
		const id = (await r.answer(2)).result.structuredContent.id;
		r.send({ jsonrpc: '2.0', id: 'w', method: 'tools/call', params: {
		    name: 'wait_for', arguments: { id, state: 'exited',
		    timeout_ms: 60000 }, _meta: { progressToken: 'tok' } } });
		const p = await r.next((l) => l.method ===
		    'notifications/progress', 'progress');
		assertEq(p.params.progressToken, 'tok');
		/* Meanwhile other calls are answered. */
		r.send({ jsonrpc: '2.0', id: 3, method: 'ping' });
		await r.answer(3);
		r.send({ jsonrpc: '2.0', method: 'notifications/cancelled',
		    params: { requestId: 'w', reason: 'test' } });
		r.proc.stdin.end();
		const t0 = Date.now();
		assertEq(await deadline(r.exited, 10000 * SLOW, 'relay exit'),
		    { code: 0, signal: null });
		assert(Date.now() - t0 < 10000 * SLOW, 'exited early');
		assert(!r.lines.some((l) => l.id === 'w'), 'no answer to w');
		/* The host is well and the session still there. */
		const s = await ureq(h.sock, 'GET', '/sessions');
		assertEq(s.json.sessions.map((x) => x.id), [id]);
	} finally {
		r.proc.kill('SIGKILL');
		await h.kill();
	}
});

/* Over HTTP itself: the SSE stream of a wait, its cancellation, and a
 * client that goes away mid-wait. */
add('mcp_http_sse_wait_cancel_and_disconnect', async () => {
	const h = await Host.start(tmpdir());
	try {
		let r = await ureq(h.sock, 'POST', '/mcp', { jsonrpc: '2.0', id: 1,
		    method: 'initialize', params: INIT });
		const sid = r.headers['mcp-session-id'];
		const hdr = { 'Mcp-Session-Id': sid, Accept:
		    'application/json, text/event-stream' };
		const call = (id, name, args, meta) => ureq(h.sock, 'POST',
		    '/mcp', { jsonrpc: '2.0', id, method: 'tools/call', params: {
		    name, arguments: args, ...(meta ? { _meta: meta } : {}) } },
		    hdr);
		const agent = (await call(2, 'start_agent', { argv: DEMO })).json
		    .result.structuredContent.id;
		/* Already in the state: a JSON answer, no stream. */
		await call(3, 'wait_for', { id: agent, state: 'idle',
		    timeout_ms: 15000 * SLOW });
		r = await call(4, 'wait_for', { id: agent, state: 'idle' });
		assertEq(r.headers['content-type'], 'application/json');
		/* A wait that times out: the stream ends with the result. */
		r = await call(5, 'wait_for', { id: agent, state: 'waiting',
		    timeout_ms: 1500 }, { progressToken: 9 });
		assertEq(r.headers['content-type'], 'text/event-stream');
		const evs = r.body.split('\n\n').filter((e) => e).map((e) =>
		    JSON.parse(e.split('\n').find((l) => l.startsWith('data: '))
		    .slice(6)));
		assert(evs.length >= 2, r.body);
		assertEq(evs.at(-1).id, 5);
		assertEq(evs.at(-1).result.structuredContent, { state: 'idle',
		    timed_out: true });
		assert(evs.slice(0, -1).every((e) => e.method ===
		    'notifications/progress' && e.params.progressToken === 9),
		    r.body);
		/* Cancelled: the stream ends without an answer. */
		const pending = call(6, 'wait_for', { id: agent, state: 'exited',
		    timeout_ms: 60000 }, { progressToken: 'c' }).catch((e) =>
		    ({ body: `failed: ${e.message}` }));
		await delay(300);
		r = await ureq(h.sock, 'POST', '/mcp', { jsonrpc: '2.0', method:
		    'notifications/cancelled', params: { requestId: 6 } }, hdr);
		assertEq(r.status, 202);
		r = await deadline(pending, 5000 * SLOW, 'the cancelled stream');
		assertEq(r.status, 200, r.body);
		assert(r.body.includes('notifications/progress') &&
		    !r.body.includes('"id":6'), r.body);
		/* Cancelled without a stream (the client took JSON only):
		 * the connection closes, no answer. */
		/* (Its failure is taken at once: it may come before the
		 * await below.) */
		const plainWait = ureq(h.sock, 'POST', '/mcp', { jsonrpc: '2.0',
		    id: 66, method: 'tools/call', params: { name: 'wait_for',
		    arguments: { id: agent, state: 'exited', timeout_ms: 60000 } } },
		    { 'Mcp-Session-Id': sid, Accept: 'application/json' })
		    .then((x) => new Error(`answered: ${x.body}`), (e) => e);
		await delay(300);
		await ureq(h.sock, 'POST', '/mcp', { jsonrpc: '2.0', method:
		    'notifications/cancelled', params: { requestId: 66 } }, hdr);
		const closed = await deadline(plainWait, 5000 * SLOW,
		    'the closed wait');
		assert(/socket hang up|ECONNRESET/.test(closed.message),
		    `closed: ${closed.message}`);
		/* A client that goes away: the host carries on. */
		await new Promise((res) => {
			const req = http.request({ socketPath: h.sock, method:
			    'POST', path: '/mcp', headers: { Host: 'localhost',
			    'Content-Type': 'application/json', ...hdr },
			    agent: false }, (resp) => {
				resp.once('data', () => {
					req.destroy();
					res();
				});
			});
			req.on('error', () => {});
			req.end(JSON.stringify({ jsonrpc: '2.0', id: 7, method:
			    'tools/call', params: { name: 'wait_for', arguments: {
			    id: agent, state: 'exited', timeout_ms: 60000 },
			    _meta: { progressToken: 1 } } }));
		});
		r = await call(8, 'list_agents', {});
		assertEq(r.json.result.structuredContent.agents.length, 1);
		/* DELETE of the MCP session ends its waits too. */
		const last = call(9, 'wait_for', { id: agent, state: 'exited',
		    timeout_ms: 60000 }).catch((e) => ({ body:
		    `failed: ${e.message}` }));
		await delay(300);
		assertEq((await ureq(h.sock, 'DELETE', '/mcp', undefined,
		    { 'Mcp-Session-Id': sid })).status, 200);
		r = await deadline(last, 5000 * SLOW, 'the ended stream');
		assertEq(r.status, 200, r.body);
		assert(!r.body.includes('"id":9'), r.body);
	} finally {
		await h.kill();
	}
});

add('mcp_protocol_version_negotiation', async () => {
	const h = await Host.start(tmpdir());
	try {
		const init = async (v) => (await ureq(h.sock, 'POST', '/mcp', {
		    jsonrpc: '2.0', id: 1, method: 'initialize', params: {
		    ...INIT, protocolVersion: v } })).json.result;
		assertEq((await init('2025-03-26')).protocolVersion,
		    '2025-03-26');
		assertEq((await init('2025-06-18')).protocolVersion,
		    '2025-06-18');
		/* One we do not speak: our latest, for the client to judge. */
		assertEq((await init('2025-11-25')).protocolVersion,
		    '2025-06-18');
		assertEq((await init('1999-01-01')).protocolVersion,
		    '2025-06-18');
		const r = await ureq(h.sock, 'POST', '/mcp', { jsonrpc: '2.0',
		    id: 1, method: 'initialize', params: INIT });
		const sid = r.headers['mcp-session-id'];
		for (const [v, st] of [['2025-06-18', 200], ['2025-03-26', 200],
		    ['2024-01-01', 400]])
			assertEq((await ureq(h.sock, 'POST', '/mcp', { jsonrpc:
			    '2.0', id: 2, method: 'ping' }, { 'Mcp-Session-Id': sid,
			    'MCP-Protocol-Version': v })).status, st, v);
	} finally {
		await h.kill();
	}
});

/* The host restarts (kill -9, then again on the same state) under a
 * stdio client: the relay initializes again on its own, the client's
 * calls go on and find the session the host brought back; the host
 * gone for good: the relay starts one. */
add('mcp_stdio_survives_a_host_restart', async () => {
	await sdk();
	const dir = tmpdir();
	let h = await Host.start(dir);
	const env = { XDG_STATE_HOME: path.join(dir, 'xdg-state') };
	const client = await connect('stdio', h, { env });
	let pid = 0;
	try {
		const { id } = await ok(client, 'start_agent', { argv: [...DEMO,
		    '--think-ms', '50'], name: 'durable' });
		await ok(client, 'wait_for', { id, state: 'idle',
		    timeout_ms: 15000 * SLOW });
		await h.kill();
		h = await Host.start(dir);
		assertEq((await ok(client, 'list_agents', {})).agents.map((a) =>
		    [a.id, a.name]), [[id, 'durable']], 'after the restart');
		await ok(client, 'wait_for', { id, state: 'idle',
		    timeout_ms: 15000 * SLOW });
		const r = await client.readResource({ uri:
		    `agentapi://sessions/${id}/transcript` });
		assertEq(JSON.parse(r.contents[0].text).name, 'durable');
		await until(() => /initializing again/.test(client.stderr),
		    'the relay to say so');
		/* Gone for good: the relay starts a host of its own. */
		await h.kill();
		h = null;
		assertEq((await ok(client, 'list_agents', {})).agents, [],
		    'a new host');
		pid = hostPid(path.join(dir, 'run', 'h.sock'));
		assert(pid > 0, 'the relay started a host');
	} finally {
		await client.close().catch(() => {});
		if (h)
			await h.kill();
		if (pid > 0) {
			process.kill(pid, 'SIGTERM');
			await until(() => !fs.existsSync(`/proc/${pid}/cmdline`) ||
			    hostPid(path.join(dir, 'run', 'h.sock')) === 0,
			    'the host to stop', 15000 * SLOW);
		}
	}
});

/* GET /mcp, the notification stream, over TCP: the token, a known MCP
 * session, the Accept header, and no foreign Origin. */
add('mcp_get_stream_doors', async () => {
	const port = await freePort();
	const h = await Host.start(tmpdir(), port);
	/* The status of a GET /mcp (the stream, once open, is dropped). */
	const get = (headers) => new Promise((res, rej) => {
		const req = http.request({ host: '127.0.0.1', port, method: 'GET',
		    path: '/mcp', headers: { Host: `localhost:${port}`,
		    ...headers }, agent: false }, (resp) => {
			res({ status: resp.statusCode, type:
			    resp.headers['content-type'] });
			req.destroy();
		});
		req.on('error', rej);
		req.end();
	});
	try {
		const auth = { Authorization: `Bearer ${TOKEN}` };
		const init = await new Promise((res, rej) => {
			const req = http.request({ host: '127.0.0.1', port, method:
			    'POST', path: '/mcp', headers: { Host:
			    `localhost:${port}`, 'Content-Type': 'application/json',
			    ...auth }, agent: false }, (resp) => {
				resp.resume();
				resp.on('end', () => res(resp.headers));
			});
			req.on('error', rej);
			req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method:
			    'initialize', params: INIT }));
		});
		const sid = init['mcp-session-id'];
		const ok = { ...auth, 'Mcp-Session-Id': sid, Accept:
		    'text/event-stream' };
		assertEq(await get({ 'Mcp-Session-Id': sid, Accept:
		    'text/event-stream' }), { status: 401, type:
		    'application/problem+json' }, 'no token');
		assertEq((await get({ ...ok, Origin: 'https://evil.example' }))
		    .status, 403, 'foreign Origin');
		assertEq((await get({ ...auth, Accept: 'text/event-stream' }))
		    .status, 400, 'no MCP session');
		assertEq((await get({ ...ok, 'Mcp-Session-Id': 'f'.repeat(32) }))
		    .status, 404, 'unknown MCP session');
		assertEq((await get({ ...ok, Accept: 'application/json' }))
		    .status, 406, 'not an event stream');
		assertEq(await get(ok), { status: 200, type:
		    'text/event-stream' }, 'the stream');
	} finally {
		await h.kill();
	}
});

/* No host on the socket: `agentapi-c mcp` starts one, daemonised, that
 * outlives it. */
add('mcp_stdio_starts_a_host', async () => {
	await sdk();
	const dir = tmpdir();
	const sock = path.join(dir, 'run', 'h.sock');
	const env = { XDG_STATE_HOME: path.join(dir, 'xdg-state') };
	let client, pid = 0;
	try {
		client = await connect('stdio', { sock }, { env });
		await until(() => /starting one/.test(client.stderr),
		    'the relay to say it starts a host');
		const { id } = await ok(client, 'start_agent', { argv: DEMO,
		    name: 'kept' });
		await client.close();
		client = undefined;
		pid = hostPid(sock);
		assert(pid > 0, 'the host runs on');
		/* Its state where the host's defaults put it. */
		assert(fs.existsSync(path.join(dir, 'xdg-state', 'agentapi-c',
		    'host', 'sessions.json')), 'state dir');
		assertEq(fs.statSync(path.join(dir, 'run')).mode & 0o777, 0o700);
		const r = await ureq(sock, 'GET', '/sessions');
		assertEq(r.json.sessions.map((s) => [s.id, s.name]),
		    [[id, 'kept']]);
		/* A second relay finds it and starts no other. */
		client = await connect('stdio', { sock }, { env });
		assertEq((await ok(client, 'list_agents', {})).agents.map((a) =>
		    a.id), [id]);
		assert(!/starting one/.test(client.stderr), client.stderr);
		assertEq(hostPid(sock), pid);
	} finally {
		await client?.close().catch(() => {});
		pid = pid || hostPid(sock);
		if (pid > 0) {
			process.kill(pid, 'SIGTERM');
			await until(() => hostPid(sock) === 0, 'the host to stop',
			    15000 * SLOW);
		}
	}
	/* The daemon's log: its start, and no sanitizer report. */
	const log = fs.readFileSync(path.join(dir, 'run', 'host.log'), 'utf8');
	assert(/host listening on/.test(log), log);
	assert(!/runtime error|Sanitizer/.test(log), log);
});

await runAll('e2e-mcp', cases, 2);
