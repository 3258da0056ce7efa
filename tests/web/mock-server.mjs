/*
 * mock-server.mjs - a small stand-in for "agentapi-c server": it serves
 * web/ and schemas/ from the source tree like the real routes (so the chat
 * can be worked on without rebuilding the binary: node mock-server.mjs
 * [PORT]) and fakes the API of schemas/openapi.json with a scripted echo
 * agent.  The browser tests use it only for what the real server with the
 * demo agent cannot produce, through test hooks under /__mock/: set (force
 * a status, add an agent_error or an agent message) and raw (raw messages
 * received).  Binds 127.0.0.1 only.
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json',
};

export const GREETING = "Hello! I'm ready to help you. Please send me a " +
    'message to echo back.';

/* Starts the mock; resolves to {url, close, state}. */
export function startMock(top, opts = {}) {
	const st = {
		messages: [{ id: 0, role: 'agent', content: GREETING,
		    time: new Date().toISOString() }],
		status: 'running',
		raws: [],
		uploads: [],
		subs: new Set(),
		screens: new Set(),
		eventId: 0,
		errors: [],
	};
	setTimeout(() => setStatus('stable'), 300);

	function emit(name, data) {
		const id = ++st.eventId;
		for (const res of st.subs)
			res.write(`id: ${id}\nevent: ${name}\n` +
			    `data: ${JSON.stringify(data)}\n\n`);
	}
	function screenText() {
		return st.messages.map((m) => (m.role === 'user' ? '> ' : '') +
		    m.content).join('\n\n') + '\n\n> ';
	}
	function emitScreen() {
		for (const res of st.screens)
			res.write(`event: screen\ndata: ${JSON.stringify(
			    { screen: screenText() })}\n\n`);
	}
	function setStatus(s) {
		if (st.status === s)
			return;
		st.status = s;
		emit('status_change', { status: s, agent_type: 'custom' });
	}
	function addMessage(role, content) {
		const m = { id: st.messages.length, role, content,
		    time: new Date().toISOString() };
		st.messages.push(m);
		emit('message_update', { id: m.id, role, message: content,
		    time: m.time });
		emitScreen();
	}
	function json(res, code, body, type = 'application/json') {
		res.writeHead(code, { 'Content-Type': type });
		res.end(JSON.stringify(body) + '\n');
	}
	function problem(res, code, title, detail, errors) {
		json(res, code, { title, status: code, detail, errors },
		    'application/problem+json');
	}
	function sseHead(res) {
		res.writeHead(200, { 'Content-Type': 'text/event-stream',
		    'Cache-Control': 'no-cache, no-store, must-revalidate',
		    'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
	}
	function serveFile(res, rel) {
		const p = path.join(top, rel);
		if (!fs.existsSync(p) || !fs.statSync(p).isFile())
			return problem(res, 404, 'Not Found', 'no such file');
		res.writeHead(200, { 'Content-Type':
		    TYPES[path.extname(p)] || 'application/octet-stream' });
		res.end(fs.readFileSync(p));
	}
	function body(req) {
		return new Promise((resolve) => {
			const parts = [];
			req.on('data', (c) => parts.push(c));
			req.on('end', () => resolve(Buffer.concat(parts)));
		});
	}

	async function handle(req, res) {
		const p = new URL(req.url, 'http://x').pathname;

		if (p === '/') {
			res.writeHead(307, { Location: '/chat/embed' });
			return res.end();
		}
		if (p === '/chat/' || p === '/chat/embed')
			return serveFile(res, 'web/index.html');
		if (p.startsWith('/chat/') && !p.includes('..'))
			return serveFile(res, 'web/' + p.slice(6));
		if (p === '/docs')
			return serveFile(res, 'web/docs.html');
		if (p === '/openapi.json')
			return serveFile(res, 'schemas/openapi.json');
		if (p.startsWith('/__mock/'))
			return mockHook(req, res, p);
		switch (`${req.method} ${p}`) {
		case 'GET /status':
			return json(res, 200, { status: st.status,
			    agent_type: 'custom', transport: 'pty' });
		case 'GET /messages':
			return json(res, 200, { messages: st.messages });
		case 'POST /message':
			return postMessage(req, res);
		case 'POST /upload':
			return postUpload(req, res);
		case 'GET /events':
			sseHead(res);
			for (const m of st.messages)
				res.write(`id: ${++st.eventId}\nevent: ` +
				    `message_update\ndata: ${JSON.stringify({
				    id: m.id, role: m.role, message: m.content,
				    time: m.time })}\n\n`);
			res.write(`id: ${++st.eventId}\nevent: status_change\n` +
			    `data: ${JSON.stringify({ status: st.status,
			    agent_type: 'custom' })}\n\n`);
			st.subs.add(res);
			req.on('close', () => st.subs.delete(res));
			return;
		case 'GET /internal/screen':
			sseHead(res);
			res.write(`event: screen\ndata: ${JSON.stringify(
			    { screen: screenText() })}\n\n`);
			st.screens.add(res);
			req.on('close', () => st.screens.delete(res));
			return;
		}
		problem(res, 404, 'Not Found', 'no such route');
	}

	async function postMessage(req, res) {
		let b;
		try {
			b = JSON.parse((await body(req)).toString('utf8'));
		} catch {
			return problem(res, 400, 'Bad Request',
			    'validation failed');
		}
		if (b.type === 'raw') {
			st.raws.push(b.content);
			return json(res, 200, { ok: true });
		}
		if (b.type !== 'user' || typeof b.content !== 'string')
			return problem(res, 422, 'Unprocessable Entity',
			    'validation failed');
		if (st.status !== 'stable')
			return problem(res, 409, 'Conflict', 'agent is busy',
			    [{ message: 'message can only be sent when the ' +
			    'agent is waiting for user input' }]);
		setStatus('running');
		addMessage('user', b.content.trim());
		addMessage('agent', '');
		setTimeout(() => {
			const m = st.messages.at(-1);
			m.content = `Echo: ${b.content.trim()}`;
			m.time = new Date().toISOString();
			emit('message_update', { id: m.id, role: m.role,
			    message: m.content, time: m.time });
			emitScreen();
		}, 300);
		setTimeout(() => setStatus('stable'), 900);
		return json(res, 200, { ok: true });
	}

	async function postUpload(req, res) {
		const raw = (await body(req)).toString('latin1');
		const m = /filename="([^"]*)"/.exec(raw);
		if (!/multipart\/form-data/.test(req.headers['content-type'] ||
		    '') || !m || !/name="file"/.test(raw))
			return problem(res, 422, 'Unprocessable Entity',
			    'validation failed', [{ message: 'File required',
			    location: 'file' }]);
		const name = path.basename(m[1]);
		st.uploads.push(name);
		json(res, 200, { ok: true, filePath:
		    `/tmp/agentapi-uploads-mock/0123456789abcdef/${name}` });
	}

	async function mockHook(req, res, p) {
		if (p === '/__mock/raw')
			return json(res, 200, st.raws);
		if (p === '/__mock/set') {
			const b = JSON.parse((await body(req)).toString());
			if (b.status)
				setStatus(b.status);
			if (b.agentError)
				emit('agent_error', { message: b.agentError,
				    level: 'warning',
				    time: new Date().toISOString() });
			if (b.agentText)
				addMessage('agent', b.agentText);
			return json(res, 200, { ok: true });
		}
		problem(res, 404, 'Not Found', 'no such hook');
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch((e) => {
			res.writeHead(500);
			res.end(String(e));
		});
	});
	return new Promise((resolve) => {
		server.listen(opts.port || 0, '127.0.0.1', () => {
			const { port } = server.address();
			resolve({
				url: `http://127.0.0.1:${port}`,
				port,
				state: st,
				close: () => new Promise((r) => {
					for (const s of [...st.subs, ...st.screens])
						s.end?.();
					server.closeAllConnections();
					server.close(r);
				}),
			});
		});
	});
}

/* Run directly: node mock-server.mjs [PORT] serves the repo's web/. */
if (import.meta.url === `file://${process.argv[1]}`) {
	const top = path.resolve(path.dirname(process.argv[1]), '../..');
	startMock(top, { port: Number(process.argv[2]) || 0 }).then((m) =>
	    console.log(`mock agentapi at ${m.url}/chat/`));
}
