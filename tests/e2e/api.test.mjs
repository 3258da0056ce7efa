/*
 * api.test.mjs - the HTTP surface of the real agentapi-c binary, black-box
 * over loopback (spec http.md §2-§3, §7, §8, §9, §12): every endpoint,
 * status code and error body, uploads, routing, the Host/CORS matrix, the
 * bearer token, the flag spellings of Coder's modules (coder-integration
 * §1.3) as real server starts, and --version.  Every JSON answer is
 * validated against schemas/ (lib.mjs).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { assert, assertEq } from '../web/harness.mjs';
import {
	BIN, DEMO, FAKE, SLOW, Server, delay, freePort, getJSON, messages,
	postMessage, request, runAll, status, tmpdir, until, withServer,
} from './lib.mjs';

const MiB = 1024 * 1024;
const cases = [];
const add = (name, fn, timeout = 60000) =>
	cases.push({ name, fn, timeout });

/* One shared demo server for the read-only and validation cases. */
let shared;
function server() {
	if (!shared)
		shared = Server.start({ agent: DEMO, args: ['-H', '20'] });
	return shared;
}

/* POST /message with a raw body and content type. */
function post(port, body, ct = 'application/json', p = '/message') {
	const headers = ct === null ? {} : { 'Content-Type': ct };
	return request(port, 'POST', p, { headers, body });
}

/* Asserts a problem+json answer: status, detail, and errors[0] fields. */
function problem(r, st, detail, err) {
	assertEq(r.status, st, `status (${r.body})`);
	assert(r.headers['content-type'] === 'application/problem+json',
	    `problem content type: ${r.headers['content-type']}`);
	assertEq(r.headers.link, '</schemas/ErrorModel.json>; ' +
	    'rel="describedBy"', 'Link');
	if (detail !== undefined)
		assertEq(r.json.detail, detail, 'detail');
	if (err !== undefined) {
		const e = r.json.errors?.[0] ?? {};
		for (const [k, v] of Object.entries(err))
			assertEq(e[k], v, `errors[0].${k}`);
	}
	return r.json;
}

/* Runs `agentapi-c ARGS` to completion (start-up errors, --version);
 * killed after the deadline. */
function cli(args, env = {}) {
	return new Promise((res) => {
		const p = spawn(BIN, args, { env: { ...process.env, ...env },
		    stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '', stderr = '';
		p.stdout.on('data', (c) => { stdout += c; });
		p.stderr.on('data', (c) => { stderr += c; });
		const t = setTimeout(() => p.kill('SIGKILL'), 10000 * SLOW);
		p.on('close', (code, signal) => {
			clearTimeout(t);
			res({ code: code ?? signal, stdout, stderr });
		});
	});
}

/* A server start that must fail at once with exit 1 and msg on stderr. */
async function startFails(args, msg, env = {}) {
	const port = await freePort();
	const r = await cli(['server', '--port', String(port), ...args, '--',
	    ...DEMO], env);
	assertEq(r.code, 1, `exit status for ${args} (${r.stderr})`);
	for (const m of [msg].flat())
		assert(r.stderr.includes(m), `stderr for ${JSON.stringify(
		    args)} has ${JSON.stringify(m)}: ${r.stderr}`);
}

/* ---- the REST endpoints ------------------------------------------- */

add('status_shape', async () => {
	const s = await server();
	const r = await request(s.port, 'GET', '/status');
	assertEq(r.status, 200, 'status');
	assertEq(r.headers['content-type'], 'application/json', 'ct');
	assertEq(r.headers.link, '</schemas/StatusResponseBody.json>; ' +
	    'rel="describedBy"', 'Link');
	assertEq(r.headers.vary, 'Origin', 'Vary');
	assert(r.body.endsWith('}\n'), 'one trailing newline');
	/* Upstream's fields first, in upstream's order; ours after. */
	const keys = Object.keys(r.json);
	assertEq(keys.slice(0, 4), ['$schema', 'status', 'agent_type',
	    'transport'], 'field order');
	for (const k of keys.slice(4))
		assert(['state', 'prompt', 'queue', 'health', 'reasons']
		    .includes(k),
		    `additive field ${k}`);
	assertEq(r.json.$schema, `http://localhost:${s.port}/schemas/` +
	    'StatusResponseBody.json', '$schema');
	assertEq([r.json.agent_type, r.json.transport], ['custom', 'pty'],
	    'type, transport');
});

add('messages_shape', async () => {
	const s = await server();
	const r = await request(s.port, 'GET', '/messages');
	assertEq(r.status, 200, 'status');
	assertEq(Object.keys(r.json), ['$schema', 'messages'], 'keys');
	assert(Array.isArray(r.json.messages), 'array');
	r.json.messages.forEach((m, i) => {
		assertEq(Object.keys(m), ['id', 'content', 'role', 'time'],
		    'message keys');
		assertEq(m.id, i, 'id = index');
	});
});

add('message_400_malformed_json', async () => {
	const s = await server();
	const body = '{"type": "user", "content": ';
	const j = problem(await post(s.port, body), 400, 'validation failed',
	    { location: 'body', value: body });
	assertEq(j.title, 'Bad Request', 'title');
	assert(j.errors[0].message.length > 0, 'parser message');
});

add('message_400_empty_body', async () => {
	const s = await server();
	problem(await post(s.port, ''), 400, 'request body is required');
});

add('message_413_at_exactly_1MiB', async () => {
	const s = await server();
	/* The largest accepted body is 1 MiB - 1: trimmed-empty → 422. */
	const pad = (n) => {
		const head = '{"type":"user","content":"';
		return head + ' '.repeat(n - head.length - 2) + '"}';
	};
	problem(await post(s.port, pad(MiB - 1)), 422, 'validation failed',
	    { message: 'failed to send message: message must not be ' +
	    'empty' });
	problem(await post(s.port, pad(MiB)), 413,
	    'request body is too large limit=1048576 bytes');
	problem(await post(s.port, pad(MiB + 4096)), 413,
	    'request body is too large limit=1048576 bytes');
	/* The server is still fine afterwards. */
	assertEq((await request(s.port, 'GET', '/status')).status, 200, 'ok');
});

add('message_415_content_type', async () => {
	const s = await server();
	const body = '{"type":"raw","content":""}';
	problem(await post(s.port, body, 'text/plain'), 415,
	    'validation failed', { message: 'unknown content type: ' +
	    'text/plain', location: 'body', value: body });
	problem(await post(s.port, body,
	    'application/x-www-form-urlencoded'), 415);
	/* JSON spellings, parameters, and no Content-Type at all are JSON. */
	for (const ct of ['application/json; charset=utf-8',
	    'application/merge-patch+json', 'json', null]) {
		const r = await post(s.port, body, ct);
		assertEq(r.status, 200, `${ct}: ${r.body}`);
	}
});

add('message_422_validation', async () => {
	const s = await server();
	const v = async (obj, err) => problem(await post(s.port,
	    JSON.stringify(obj)), 422, 'validation failed', err);
	await v({ type: 'foo', content: 'x' }, { message: 'expected value ' +
	    'to be one of "user, raw"', location: 'body.type', value: 'foo' });
	await v({ type: 'user' }, { message: 'expected required property ' +
	    'content to be present', location: 'body' });
	await v({ content: 'x' }, { message: 'expected required property ' +
	    'type to be present', location: 'body' });
	await v({ type: 'raw', content: '', foo: 1 }, { message:
	    'unexpected property', location: 'body.foo' });
	await v({ type: 'raw', content: 5 }, { message: 'expected string',
	    location: 'body.content', value: 5 });
	await v({ type: 7, content: '' }, { location: 'body.type' });
	await v([1], { location: 'body' });
	problem(await post(s.port, '"just a string"'), 422);
	/* Case-insensitive names and a $schema property are accepted. */
	for (const b of [{ Type: 'raw', Content: '' }, { $schema:
	    'http://x/schemas/MessageRequestBody.json', type: 'raw',
	    content: '' }]) {
		const r = await post(s.port, JSON.stringify(b));
		assertEq(r.status, 200, `${JSON.stringify(b)}: ${r.body}`);
	}
});

add('message_422_empty_user_message', async () => {
	const s = await server();
	for (const c of ['', '   ', ' \t\n\r\f\v '])
		problem(await postMessage(s.port, c), 422, 'validation failed',
		    { message: 'failed to send message: message must not ' +
		    'be empty' });
});

add('message_409_busy', () => withServer({ agent: ['/bin/sh', '-c',
    'while :; do date +%s%N; sleep 0.05; done'] }, async (s) => {
	assertEq(await status(s.port), 'running', 'busy agent');
	const j = problem(await postMessage(s.port, 'hello'), 409);
	assertEq(j.errors[0].message, 'failed to send message: message can ' +
	    'only be sent when the agent is waiting for user input', 'msg');
	/* Raw input is allowed while running. */
	assertEq((await postMessage(s.port, '\x1b', 'raw')).status, 200,
	    'raw while running');
}));

add('message_503_agent_exited', () => withServer({ agent: ['/bin/sh',
    '-c', 'echo "> "; stty raw -echo; head -c 1 >/dev/null; exit 0'] },
    async (s) => {
	await s.waitStable(20000);
	/* The first typed byte ends the agent while the send is going on. */
	let r;
	try {
		r = await postMessage(s.port, 'hello');
	} catch (e) {
		throw new Error(`no answer to the interrupted send: ${e}`);
	}
	problem(r, 503);
	assert(/^failed to send message: .*the agent has exited$/.test(
	    r.json.errors[0].message), r.json.errors[0].message);
	assertEq(await s.wait(), { code: 0, signal: null }, 'exit');
}));

/* An agent that never reads its terminal: once its 4 MiB input queue is
 * full, raw messages get a 503 at once, and the server still answers. */
add('message_503_agent_not_reading', () => withServer({ agent: ['/bin/sh',
    '-c', 'stty raw -echo; printf "> "; exec sleep 1000'] }, async (s) => {
	await s.waitStable(20000);
	const chunk = 'x'.repeat(900 * 1024);
	let r, n = 0;
	while ((r = await postMessage(s.port, chunk, 'raw')).status === 200)
		assert(++n < 10, `${n} raw messages of 900 KiB accepted`);
	assert(n >= 4, `refused after ${n} raw messages`);
	const j = problem(r, 503);
	assertEq([j.detail, j.errors[0].message], ['the agent is not ' +
	    'reading its input', 'failed to send message: the agent is not ' +
	    'reading its input'], 'raw');
	assertEq(await status(s.port), 'stable', 'status');
	assertEq((await messages(s.port)).length, 1, 'nothing recorded');
}));

/* ---- upload ----------------------------------------------------------- */

/* A multipart/form-data body with the given parts [{name, filename,
 * data}], file names escaped as browsers and Go's writer do. */
function multipart(parts) {
	const b = 'e2eBoundary' + Math.random().toString(16).slice(2);
	const chunks = [];
	for (const p of parts) {
		let h = `--${b}\r\nContent-Disposition: form-data; ` +
		    `name="${p.name}"`;
		if (p.filename !== undefined)
			h += `; filename="${p.filename.replace(/\\/g, '\\\\')
			    .replace(/"/g, '\\"')}"\r\nContent-Type: ` +
			    'application/octet-stream';
		chunks.push(Buffer.from(h + '\r\n\r\n'), Buffer.from(p.data),
		    Buffer.from('\r\n'));
	}
	chunks.push(Buffer.from(`--${b}--\r\n`));
	return { body: Buffer.concat(chunks),
	    ct: `multipart/form-data; boundary=${b}` };
}

function upload(port, parts, ct) {
	const m = multipart(parts);
	return request(port, 'POST', '/upload', { body: m.body,
	    headers: { 'Content-Type': ct ?? m.ct }, timeout: 30000 });
}

add('upload_file_names', async () => {
	const s = await server();
	const bin = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
	const files = [['test.jpeg', 'jpeg-ish', 'test.jpeg'],
	    ['empty.txt', '', 'empty.txt'], ['test.bin', bin, 'test.bin'],
	    ['test file (1).txt', 'spaces', 'test file (1).txt'],
	    ['/tmp/absolute-path-file.txt', 'abs', 'absolute-path-file.txt'],
	    ['../relative-path-file.txt', 'rel', 'relative-path-file.txt'],
	    ['nested/path/file.txt', 'nested', 'file.txt'],
	    ['windows\\style\\path.txt', 'win', 'windows\\style\\path.txt'],
	    ['ünïcödé 文件.txt', 'utf8', 'ünïcödé 文件.txt']];
	const dirs = new Set();
	for (const [name, data, base] of files) {
		const r = await upload(s.port, [{ name: 'note', data: 'x' },
		    { name: 'file', filename: name, data }]);
		assertEq(r.status, 200, `${name}: ${r.body}`);
		assertEq(r.json.ok, true, 'ok');
		const fp = r.json.filePath;
		assert(path.isAbsolute(fp), `absolute ${fp}`);
		assertEq(path.basename(fp), base, `basename of ${name}`);
		assert(/\/agentapi-uploads-[^/]+\/[0-9a-f]{16}$/.test(
		    path.dirname(fp)), `upload dir layout: ${fp}`);
		assert(Buffer.from(data).equals(fs.readFileSync(fp)),
		    `identical bytes for ${name}`);
		assertEq((fs.statSync(fp).mode & 0o777).toString(8), '644',
		    'mode');
		dirs.add(path.dirname(path.dirname(fp)));
	}
	assertEq(dirs.size, 1, 'one upload directory per server');
});

add('upload_size_limit', async () => {
	const s = await server();
	const ten = Buffer.alloc(10 * MiB, 0x61);
	const ok = await upload(s.port, [{ name: 'file', filename: 'ten.bin',
	    data: ten }]);
	assertEq(ok.status, 200, ok.body);
	assertEq(fs.statSync(ok.json.filePath).size, 10 * MiB, 'size');
	const big = await upload(s.port, [{ name: 'file',
	    filename: 'big.bin', data: Buffer.alloc(10 * MiB + 1, 0x62) }]);
	problem(big, 400, 'file size exceeds 10MB limit');
});

add('upload_errors', async () => {
	const s = await server();
	problem(await upload(s.port, [{ name: 'other', filename: 'a.txt',
	    data: 'x' }]), 422, undefined, { message: 'File required',
	    location: 'file' });
	problem(await upload(s.port, [{ name: 'note', data: 'x' }]), 422,
	    undefined, { message: 'File required' });
	problem(await request(s.port, 'POST', '/upload', { headers: {
	    'Content-Type': 'application/json' }, body: '{"file":"x"}' }),
	    422, 'validation failed', { message: 'cannot read multipart ' +
	    'form: request Content-Type isn\'t multipart/form-data',
	    location: 'body' });
	problem(await upload(s.port, [{ name: 'file', filename: 'a',
	    data: 'x' }, { name: 'file', filename: 'b', data: 'y' }]), 422,
	    undefined, { message: 'Multiple files received but only one ' +
	    'was expected' });
	/* A truncated body is an error, not a hang or a crash. */
	const m = multipart([{ name: 'file', filename: 'a', data: 'xyz' }]);
	const r = await request(s.port, 'POST', '/upload', { headers: {
	    'Content-Type': m.ct }, body: m.body.subarray(0, 60) });
	assert(r.status >= 400 && r.status < 500, `truncated: ${r.status}`);
});

/* ---- routing, docs, schemas, chat ------------------------------------ */

add('routing_404_405', async () => {
	const s = await server();
	const nf = await request(s.port, 'GET', '/nope');
	assertEq([nf.status, nf.headers['content-type'], nf.body], [404,
	    'text/plain; charset=utf-8', '404 page not found\n'], '404');
	for (const [m, p, allow] of [['GET', '/message', 'POST'],
	    ['HEAD', '/status', 'GET'], ['OPTIONS', '/status', 'GET'],
	    ['DELETE', '/messages', 'GET'], ['GET', '/upload', 'POST'],
	    ['POST', '/events', 'GET']]) {
		const r = await request(s.port, m, p);
		assertEq([r.status, r.headers.allow, r.body], [405, allow, ''],
		    `${m} ${p}`);
	}
});

add('root_redirects_to_chat', async () => {
	const s = await server();
	for (const m of ['GET', 'POST', 'HEAD']) {
		const r = await request(s.port, m, '/');
		assertEq([r.status, r.headers.location], [307, '/chat/embed'],
		    `${m} /`);
	}
	await withServer({ agent: DEMO, args: ['--chat-base-path',
	    '/custom'] }, async (c) => {
		const r = await request(c.port, 'GET', '/');
		assertEq([r.status, r.headers.location], [307,
		    '/custom/embed'], 'custom base');
		/* The pages are still served at /chat, with the base path
		 * substituted into them. */
		const page = await request(c.port, 'GET', '/chat/embed');
		assertEq(page.status, 200, 'page');
		assert(!page.body.includes('magic-base-path-placeholder'),
		    'placeholder replaced');
	});
});

add('openapi_docs_schemas', async () => {
	const s = await server();
	const o = await request(s.port, 'GET', '/openapi.json');
	assertEq([o.status, o.headers['content-type']], [200,
	    'application/vnd.oai.openapi+json'], 'openapi');
	const doc = JSON.parse(o.body);
	assertEq(doc, JSON.parse(fs.readFileSync(path.join(process.env
	    .AA_TOP || '.', 'schemas', 'openapi.json'), 'utf8')),
	    'served = schemas/openapi.json');
	const d = await request(s.port, 'GET', '/docs');
	assertEq([d.status, d.headers['content-type']], [200,
	    'text/html; charset=utf-8'], 'docs');
	assert(d.body.includes('<title>AgentAPI Reference</title>'), 'title');
	const ext = d.body.match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi);
	assert(ext === null, `no external URLs in /docs: ${ext}`);
	for (const n of ['StatusResponseBody', 'MessagesResponseBody',
	    'MessageResponseBody', 'UploadResponseBody', 'ErrorModel',
	    'MessageRequestBody']) {
		const r = await request(s.port, 'GET', `/schemas/${n}.json`);
		assertEq(r.status, 200, n);
		assert(r.headers['content-type'].startsWith(
		    'application/json'), `${n} content type`);
		assertEq(JSON.parse(r.body).title, n, `${n} title`);
	}
	assertEq((await request(s.port, 'GET', '/schemas/Nope.json')).status,
	    404, 'unknown schema');
	const p = await cli(['server', '--print-openapi', 'x']);
	assertEq(p.code, 0, 'print-openapi');
	assertEq(JSON.parse(p.stdout), doc, '--print-openapi = served');
});

add('chat_pages', async () => {
	const s = await server();
	for (const p of ['/chat/', '/chat/embed', '/chat/index.html']) {
		const r = await request(s.port, 'GET', p);
		assertEq(r.status, 200, `${p}: ${r.status}`);
		assert(r.headers['content-type'].startsWith('text/html'),
		    `${p} html`);
		assert(!('x-frame-options' in r.headers), 'embeddable');
		assert(!/frame-ancestors/.test(r.headers[
		    'content-security-policy'] || ''), 'no frame-ancestors');
	}
	for (const p of ['/chat', '/chat/embed/']) {
		const r = await request(s.port, 'GET', p);
		assert(r.status === 200 || r.status === 301, `${p}: ${r.status}`);
	}
});

/* The embed/ redirect keeps the query: the chat reads ?url= (upstream's
 * API base parameter) and ?token= from its own address. */
add('chat_embed_redirect_keeps_query', async () => {
	const s = await server();
	let r = await request(s.port, 'GET', '/chat/embed/');
	assertEq([r.status, r.headers.location], [301, '../embed'],
	    'no query');
	r = await request(s.port, 'GET', '/chat/embed/?url=' +
	    'http%3A%2F%2Flocalhost%3A3284%2Fx&token=t%20k');
	assertEq([r.status, r.headers.location], [301, '../embed?url=' +
	    'http%3A%2F%2Flocalhost%3A3284%2Fx&token=t%20k'], 'query kept');
	r = await request(s.port, 'GET', '/chat/embed/?');
	assertEq([r.status, r.headers.location], [301, '../embed'],
	    'empty query');
	r = await request(s.port, 'GET', `/chat/embed/?u=${'a'.repeat(5000)}`);
	assertEq([r.status, r.headers.location], [301, '../embed'],
	    'a query too long for the Location is dropped, not cut');
});

add('listens_on_both_loopback_families', async () => {
	const s = await server();
	for (const [host, h] of [['127.0.0.1', '127.0.0.1'],
	    ['::1', '[::1]']]) {
		const r = await request(s.port, 'GET', '/status', { host,
		    headers: { Host: `${h}:${s.port}` } });
		assertEq(r.status, 200, host);
	}
});

add('pipelined_requests_in_order', async () => {
	const s = await server();
	const text = await new Promise((res, rej) => {
		const c = net.connect(s.port, '127.0.0.1');
		let got = '';
		c.on('data', (d) => {
			got += d;
			if ((got.match(/HTTP\/1\.1 /g) || []).length === 3 &&
			    got.endsWith('404 page not found\n'))
				c.end();
		});
		c.on('end', () => res(got));
		c.on('error', rej);
		const h = `Host: localhost\r\n\r\n`;
		c.write(`GET /status HTTP/1.1\r\n${h}GET /messages HTTP/1.1\r\n` +
		    `${h}GET /nope HTTP/1.1\r\n${h}`);
		setTimeout(() => c.destroy(new Error('no answers')), 5000);
	});
	const order = [...text.matchAll(/HTTP\/1\.1 \d+ [^]*?(?:Status|Messages)ResponseBody|404 page/g)]
	    .map((m) => m[0].replace(/^[^]*(StatusR|MessagesR|404)[^]*$/,
	    '$1'));
	assertEq(order, ['StatusR', 'MessagesR', '404'],
	    'three answers in order');
});

add('limits_header_431_and_bad_request_400', async () => {
	const s = await server();
	const r = await request(s.port, 'GET', '/status', { headers: {
	    'X-Big': 'a'.repeat(100 * 1024) } });
	assertEq(r.status, 431, 'huge header');
	const bad = await new Promise((res) => {
		const c = net.connect(s.port, '127.0.0.1');
		let got = '';
		c.on('data', (d) => { got += d; });
		c.on('close', () => res(got));
		c.write('GARBAGE / HTTP/1.1\r\n\r\n');
		setTimeout(() => c.destroy(), 5000);
	});
	assert(/^HTTP\/1\.1 400 /.test(bad), `malformed request: ${bad}`);
	const two = await new Promise((res) => {
		const c = net.connect(s.port, '127.0.0.1');
		let got = '';
		c.on('data', (d) => { got += d; });
		c.on('close', () => res(got));
		c.write('GET /status HTTP/1.1\r\nHost: localhost\r\n' +
		    'Host: evil.com\r\n\r\n');
		setTimeout(() => c.destroy(), 5000);
	});
	assert(/^HTTP\/1\.1 400 /.test(two), `two Host headers: ${two}`);
	assertEq((await request(s.port, 'GET', '/status')).status, 200,
	    'still serving');
});

/* ---- Host header and CORS (http.md §7, §12) -------------------------- */

/* GET /status with the given Host and optional Origin. */
function hostReq(port, host, origin) {
	const headers = { Host: host };
	if (origin)
		headers.Origin = origin;
	return request(port, 'GET', '/status', { headers });
}

async function hostCheck(args, ok, bad, listed, env) {
	await withServer({ agent: DEMO, args, env }, async (s) => {
		for (const h of ok) {
			const r = await hostReq(s.port, h);
			assertEq(r.status, 200, `${args} allows ${h}`);
		}
		for (const h of bad) {
			const r = await hostReq(s.port, h, 'http://localhost:3000');
			assertEq([r.status, r.headers['content-type'],
			    r.headers['x-content-type-options'], r.body], [400,
			    'text/plain; charset=utf-8', 'nosniff',
			    `Invalid host header. Allowed hosts: ${listed}\n`],
			    `${args} rejects ${h}`);
			assert(!('access-control-allow-origin' in r.headers),
			    'no CORS headers on a rejected host');
		}
	});
}

add('hosts_default', () => hostCheck([], ['localhost', 'localhost:1234',
    '127.0.0.1:80', '[::1]:3284', '[::1]', 'LOCALHOST'], ['evil.com',
    'localhost.evil.com', '127.0.0.2', ''], 'localhost, 127.0.0.1, ::1'));
add('hosts_wildcard', () => hostCheck(['-a', '*'], ['example.com',
    'malicious.com', 'x:1'], [], ''));
add('hosts_wildcard_with_junk', () => hostCheck(['-a', '*,exa mple.com',
    '-a', 'http://x'], ['anything.example'], [], ''));
add('hosts_list', () => hostCheck(['--allowed-hosts',
    'localhost,app.example.com'], ['localhost:3000', 'app.example.com'],
    ['malicious.com', 'example.com'], 'localhost, app.example.com'));
add('hosts_ipv6', () => hostCheck(['-a', '[2001:db8::1]'],
    ['[2001:db8::1]:80', '[2001:db8::1]'], ['[2001:db8::2]', 'localhost'],
    '2001:db8::1'));
add('hosts_case_insensitive', () => hostCheck(['-a', 'EXAMPLE.COM'],
    ['example.com:80', 'Example.Com'], [], ''));
add('hosts_trailing_dot', () => hostCheck(['-a', 'example.com.'],
    ['example.com.:80', 'example.com.'], ['example.com'],
    'example.com.'));
add('hosts_env_space_separated', () => hostCheck([], ['example.com',
    'localhost'], ['evil.com'], 'localhost, example.com',
    { AGENTAPI_ALLOWED_HOSTS: 'localhost \texample.com\n' }));
add('hosts_env_star', () => hostCheck([], ['evil.com'], [], '',
    { AGENTAPI_ALLOWED_HOSTS: '*' }));

add('hosts_config_errors', async () => {
	/* Upstream adds "failed to create server: " in front. */
	const pre = 'failed to parse allowed hosts: ';
	const checks = [
	    [['-a', ''], 'the list must not be empty'],
	    [['-a', '2001:db8::1'], 'must not include a port'],
	    [['-a', 'example.com:8080'], 'must not include a port'],
	    [['-a', '[2001:db8::1]:443'], 'must not include a port'],
	    [['-a', 'http://example.com'], '\'http://example.com\' must not ' +
	    'include http:// or https://'],
	    [['-a', 'https://example.com'], 'must not include http:// or ' +
	    'https://'],
	    [['-a', ' example.com'], '\' example.com\' contains whitespace ' +
	    'characters, which are not allowed'],
	    [['-a', 'exa mple.com'], '\'exa mple.com\' contains whitespace ' +
	    'characters'],
	];
	await Promise.all(checks.map(([a, m]) => startFails(a, [pre, m])));
	await startFails([], pre + '\'example.com,malicious.com\' contains ' +
	    'comma characters, which are not allowed',
	    { AGENTAPI_ALLOWED_HOSTS: 'example.com,malicious.com' });
});

add('cors_default_origins', () => withServer({ agent: DEMO },
    async (s) => {
	for (const o of ['http://localhost:3000', 'http://localhost:3284',
	    'HTTP://LOCALHOST:3001']) {
		const r = await hostReq(s.port, 'localhost', o);
		assertEq([r.status, r.headers['access-control-allow-origin'],
		    r.headers['access-control-allow-credentials'],
		    r.headers['access-control-expose-headers']], [200, o,
		    'true', 'Link'], `allowed ${o}`);
		assert(/Origin/.test(r.headers.vary), 'Vary: Origin');
	}
	for (const o of ['http://evil.com', 'http://localhost:9999', null]) {
		const r = await hostReq(s.port, 'localhost', o);
		assertEq([r.status, r.headers['access-control-allow-origin']],
		    [200, undefined], `no ACAO for ${o}`);
		assertEq(r.headers.vary, 'Origin', 'Vary');
	}
}));

add('cors_configured_origins', () => withServer({ agent: DEMO, args: [
    '-o', 'https://example.com/path?x=1#frag,http://[2001:db8::1]:8080',
    '-o', 'https://*.example.org'] }, async (s) => {
	for (const [o, ok] of [['https://example.com', true],
	    ['http://[2001:db8::1]:8080', true], ['https://a.example.org', true],
	    ['https://example.org', false], ['http://example.com', false],
	    ['http://localhost:3000', false]]) {
		const r = await hostReq(s.port, 'localhost', o);
		assertEq(r.headers['access-control-allow-origin'], ok ? o :
		    undefined, `origin ${o}`);
	}
}));

add('cors_trailing_slash_and_star', async () => {
	await withServer({ agent: DEMO, args: ['-o', 'https://example.com/'] },
	    async (s) => {
		const r = await hostReq(s.port, 'localhost',
		    'https://example.com');
		assertEq(r.headers['access-control-allow-origin'],
		    'https://example.com', 'trailing slash dropped');
	});
	await withServer({ agent: DEMO, env: { AGENTAPI_ALLOWED_ORIGINS:
	    '* junk' } }, async (s) => {
		const r = await hostReq(s.port, 'localhost', 'http://any.io');
		assertEq(r.headers['access-control-allow-origin'], '*', 'star');
	});
});

add('cors_preflight', () => withServer({ agent: DEMO }, async (s) => {
	const pre = (origin, host = 'localhost', method = 'POST') =>
	    request(s.port, 'OPTIONS', '/message', { headers: { Host: host,
	    Origin: origin, 'Access-Control-Request-Method': method,
	    'Access-Control-Request-Headers': 'content-type,authorization' } });
	const r = await pre('http://localhost:3000');
	assertEq([r.status, r.body], [200, ''], 'preflight answered');
	assertEq([r.headers['access-control-allow-origin'],
	    r.headers['access-control-allow-methods'],
	    r.headers['access-control-allow-headers'],
	    r.headers['access-control-allow-credentials'],
	    r.headers['access-control-max-age']], ['http://localhost:3000',
	    'POST', 'Content-Type, Authorization', 'true', '300'], 'headers');
	assert(['Origin', 'Access-Control-Request-Method',
	    'Access-Control-Request-Headers'].every((v) =>
	    r.headers.vary.includes(v)), `Vary: ${r.headers.vary}`);
	const bad = await pre('http://evil.com');
	assertEq([bad.status, bad.headers['access-control-allow-origin']],
	    [200, undefined], 'disallowed origin');
	const badm = await pre('http://localhost:3000', 'localhost', 'PATCH');
	assertEq([badm.status, badm.headers['access-control-allow-origin']],
	    [200, undefined], 'disallowed method');
	const h = await pre('http://localhost:3000', 'evil.com');
	assertEq(h.status, 400, 'host check first');
}));

add('cors_config_errors', async () => {
	const pre = 'failed to parse allowed origins: ';
	await startFails(['-o', ''], pre + 'the list must not be empty');
	await startFails(['-o', ' http://a.com'], pre + '\' http://a.com\' ' +
	    'contains whitespace characters, which are not allowed');
	await startFails([], pre + '\'http://a.com,http://b.com\' contains ' +
	    'comma characters, which are not allowed',
	    { AGENTAPI_ALLOWED_ORIGINS: 'http://a.com,http://b.com' });
});

/* ---- the bearer token ----------------------------------------------- */

async function tokenCheck(o) {
	await withServer({ agent: DEMO, ...o }, async (s) => {
		const st = (p, headers) => request(s.port, 'GET', p,
		    { headers }).then((r) => r.status);
		problem(await request(s.port, 'GET', '/status'), 401);
		assertEq(await st('/status', { Authorization: 'Bearer nope' }),
		    401, 'wrong token');
		assertEq(await st('/status', { Authorization: 'Bearer s3cr3t' }),
		    200, 'header');
		/* ?token= is for EventSource only (issue 17). */
		assertEq(await st('/status?token=s3cr3t'), 401, 'query');
		assertEq(await st('/events?token=s3cr3'), 401, 'prefix');
		assertEq(await st('/events?token=s3cr3t%00junk'), 401, 'NUL');
		assertEq(await st('/messages'), 401, 'messages');
		assertEq((await postMessage(s.port, '', 'raw')).status, 401,
		    'POST');
		assertEq(await st('/events'), 401, 'events');
		assertEq(await st('/internal/screen'), 401, 'screen');
		const ev = await s.events('/events?token=s3cr3t');
		try {
			assertEq(ev.status, 200, 'EventSource with ?token=');
			await ev.wait((f) => f.event === 'status_change', 5000);
		} finally {
			ev.close();
		}
		for (const p of ['/chat/embed', '/chat/', '/openapi.json'])
			assertEq(await st(p), 200, `${p} is public`);
		/* A preflight carries no credentials: it must pass. */
		const pf = await request(s.port, 'OPTIONS', '/status', {
		    headers: { Origin: 'http://localhost:3000',
		    'Access-Control-Request-Method': 'GET' } });
		assertEq(pf.status, 200, 'preflight');
	});
}

add('token_flag', () => tokenCheck({ args: ['--auth-token', 's3cr3t'] }));
add('token_env', () => tokenCheck({ env: { AGENTAPI_AUTH_TOKEN:
    's3cr3t' } }));
add('token_off', () => withServer({ agent: DEMO, env: {
    AGENTAPI_AUTH_TOKEN: '' } }, async (s) => {
	assertEq((await request(s.port, 'GET', '/status', { headers: {
	    Authorization: 'Bearer whatever' } })).status, 200, 'no token');
}));

/* ---- command lines of Coder's modules (coder-integration §1.3) ------ */

/* Starts with argv built from the port; /status 200 within 15 s. */
async function startsWith(name, raw, env, check, port) {
	const t0 = Date.now();
	await withServer({ raw, env, port, readyMs: 15000 }, async (s) => {
		/* The module's probe: three answers in a row. */
		for (let i = 0; i < 3; i++)
			assertEq((await request(s.port, 'GET', '/status')).status,
			    200, `${name}: /status`);
		assert(Date.now() - t0 < 15000 * SLOW, `${name} in time`);
		if (check)
			await check(s);
	});
}

const agentType = async (s) => (await getJSON(s.port, '/status'))
    .agent_type;

add('flags_claude_code_module', () => startsWith('claude', (p) => [
    'server', '--port', String(p), '--type', 'claude', '--term-width',
    '67', '--term-height', '1190', '--', ...DEMO], {}, async (s) =>
	assertEq(await agentType(s), 'claude', 'type')));

add('flags_aider_module_I_equals', () => startsWith('aider', (p) => [
    'server', '-I=make a plan', '--type', 'custom', '--term-width=67',
    '--term-height=1190', `--port=${p}`, '--', ...DEMO], {}, async (s) => {
	const m = await until(async () => {
		const x = await messages(s.port);
		return x.length >= 2 && x;
	}, 'the -I= prompt', 20000, 100);
	assertEq(m[1].content, 'make a plan', '-I= value');
}));

add('flags_opencode_module_I_space', () => startsWith('opencode', (p) => [
    'server', '-I', 'prompt "quoted"\nline two ü', '--type', 'opencode',
    '--term-width', '67', '--term-height', '1190', '-p', String(p), '--',
    ...DEMO], {}, async (s) =>
	assertEq(await agentType(s), 'opencode', 'type')));

add('flags_copilot_and_type_forms', async () => {
	for (const [args, want] of [[['--type=codex'], 'codex'],
	    [['-t', 'cursor-agent'], 'cursor'], [['-t', 'q'], 'amazonq'],
	    [['--type', 'copilot', '--term-width', '120', '--term-height',
	    '40'], 'copilot'], [[], 'custom']])
		await startsWith(args.join(' '), (p) => ['server', '-p',
		    String(p), ...args, '--', ...DEMO], {}, async (s) =>
			assertEq(await agentType(s), want, `${args}`));
});

add('flags_type_from_command_basename', async () => {
	const d = tmpdir();
	fs.symlinkSync(BIN, path.join(d, 'claude'));
	await startsWith('basename', (p) => ['server', '-p', String(p), '--',
	    path.join(d, 'claude'), 'demo-agent'], {}, async (s) =>
		assertEq(await agentType(s), 'claude', '/x/claude → claude'));
});

add('flags_env_module_style', async () => {
	const port = await freePort();
	await startsWith('env', () => ['server', '--', ...DEMO], {
	    AGENTAPI_PORT: String(port), AGENTAPI_ALLOWED_HOSTS: '*',
	    AGENTAPI_CHAT_BASE_PATH: '', AGENTAPI_TERM_WIDTH: '67',
	    AGENTAPI_TERM_HEIGHT: '1190', AGENTAPI_TYPE: '' }, async (s) => {
		const r = await request(s.port, 'GET', '/', { headers: {
		    Host: 'evil.example' } });
		assertEq([r.status, r.headers.location], [307, '/chat/embed'],
		    'empty AGENTAPI_CHAT_BASE_PATH = unset; * = any host');
	}, port);
});

add('flags_kiro_chat_base_path_and_agent_before_flags', () =>
    startsWith('kiro', (p) => ['server', BIN, '--chat-base-path',
    '/@owner/ws.1234/apps/kiro-cli/chat', '--port', String(p), '--',
    'demo-agent'], {}, async (s) => {
	const r = await request(s.port, 'GET', '/');
	assertEq(r.headers.location, '/@owner/ws.1234/apps/kiro-cli/chat/' +
	    'embed', 'base path');
}));

add('flags_flag_beats_env', () => startsWith('precedence', (p) => [
    'server', '--port', String(p), '--type', 'goose', '--', ...DEMO],
    { AGENTAPI_PORT: '1', AGENTAPI_TYPE: 'aider' }, async (s) =>
	assertEq(await agentType(s), 'goose', 'flag wins')));

add('flags_start_errors', async () => {
	await Promise.all([
	    startFails(['--term-width', '9'], 'term width must be at least 10'),
	    startFails(['-H', '9'], 'term height must be at least 10'),
	    startFails(['--type', 'nope'], 'failed to parse agent type: ' +
		'invalid agent type: nope'),
	    startFails(['--load-state'], '--load-state requires ' +
		'--state-file to be set'),
	    startFails(['--save-state'], '--save-state requires ' +
		'--state-file to be set'),
	    startFails(['--no-such-flag'], 'no-such-flag'),
	]);
	const r = await cli(['server']);
	assertEq(r.code, 1, 'no agent');
	/* Port in use: a clear one-line error, exit 1. */
	const busy = net.createServer();
	await new Promise((res) => busy.listen(0, '127.0.0.1', res));
	try {
		const port = busy.address().port;
		const b = await cli(['server', '--port', String(port), '--', ...DEMO]);
		assertEq(b.code, 1, `port in use: ${b.stderr}`);
		assert(/address already in use/.test(b.stderr), b.stderr);
	} finally {
		busy.close();
	}
});

add('version_and_help', async () => {
	const v = await cli(['--version']);
	assertEq(v.code, 0, 'exit');
	const lines = v.stdout.trim().split('\n');
	assertEq(lines.length, 1, 'one line');
	const words = lines[0].split(/\s+/);
	assertEq(words.slice(0, 2), ['agentapi-c', 'version'], 'form');
	const ver = words.at(-1);
	assert(/^\d+\.\d+\.\d+$/.test(ver), `numeric: ${ver}`);
	const [a, b] = ver.split('.').map(Number);
	assert(a > 0 || b >= 12, `>= 0.12.0: ${ver}`);
	for (const args of [['--help'], ['server', '--help'],
	    ['attach', '--help']]) {
		const h = await cli(args);
		assertEq(h.code, 0, `${args}`);
		assert(/Usage:/.test(h.stdout), `${args} usage`);
	}
});

await runAll('e2e-api', cases, 4);
