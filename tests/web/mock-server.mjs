/*
 * mock-server.mjs - a small stand-in for "agentapi-c server": it serves
 * web/ and schemas/ from the source tree like the real routes (so the chat
 * can be worked on without rebuilding the binary: node mock-server.mjs
 * [PORT]) and fakes the API of schemas/openapi.json with a scripted echo
 * agent.  The browser tests use it only for what the real server with the
 * demo agent cannot produce, through test hooks under /__mock/: set (force
 * a status or a state with its prompt, add an agent_error or an agent
 * message), raw (raw messages received) and log (answers, interrupts and
 * API requests received).
 *
 * It speaks the issue-13 additions too (notes/contract-13.md): "state",
 * "prompt", "queue", "health" and "reasons" in GET status, state_change
 * (also sent on a health change, hook set {reasons}) and queue_change on
 * GET events?extended=1 only, POST answer, POST interrupt, POST message
 * with "queue": true (202 while busy), GET queue and DELETE queue/{id};
 * queued messages go out one at a time whenever the agent is idle.  With
 * {legacy: true} it is an old server: none of that, and an unknown field
 * in POST message is refused as upstream does.  Every answer carries
 * Access-Control-Allow-Origin (so a page elsewhere can use ?url=).
 * Binds 127.0.0.1 only.
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
		state: 'starting',
		prompt: null,
		queue: [],
		nextQueueId: 1,
		extSubs: new Set(),
		timers: [],
		answers: [],
		interrupts: 0,
		requests: [],
		legacy: !!opts.legacy,
		health: 'ok',
		reasons: [],
	};
	setTimeout(() => go('idle'), 300);

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
	/* Sends an opt-in event to the extended subscribers only. */
	function emitExt(name, data) {
		const id = ++st.eventId;
		for (const res of st.extSubs)
			res.write(`id: ${id}\nevent: ${name}\n` +
			    `data: ${JSON.stringify(data)}\n\n`);
	}
	function stateBody() {
		const b = { state: st.state };
		if (st.state === 'waiting' && st.prompt)
			b.prompt = st.prompt;
		b.queue = st.queue.length;
		b.health = st.health;
		b.reasons = st.reasons.map((r) => ({ ...r }));
		return b;
	}
	function queueBody() {
		return { items: st.queue.map((q) => ({ ...q })) };
	}
	/* Moves to an extended state; upstream's status follows it (a
	 * dialog is a stable screen, as with a real agent). */
	function go(state, prompt = null) {
		st.state = state;
		st.prompt = state === 'waiting' ? prompt : null;
		setStatus(state === 'working' || state === 'starting' ?
		    'running' : 'stable');
		emitExt('state_change', stateBody());
		if (state === 'idle')
			setTimeout(deliverNext, 50);
	}
	function later(fn, ms) {
		st.timers.push(setTimeout(fn, ms));
	}
	/* One echo turn: the user message, then the reply, then idle. */
	function turn(content) {
		go('working');
		addMessage('user', content);
		addMessage('agent', '');
		later(() => {
			const m = st.messages.at(-1);
			m.content = `Echo: ${content}`;
			m.time = new Date().toISOString();
			emit('message_update', { id: m.id, role: m.role,
			    message: m.content, time: m.time });
			emitScreen();
		}, 300);
		later(() => go('idle'), 900);
	}
	/* Delivers the oldest queued message if the agent is idle. */
	function deliverNext() {
		if (st.state !== 'idle' || st.queue.length === 0)
			return;
		const q = st.queue.shift();
		emitExt('queue_change', queueBody());
		turn(q.content);
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
		const ext = !st.legacy && new URL(req.url, 'http://x')
		    .searchParams.get('extended') === '1';

		if (req.headers.origin) {
			res.setHeader('Access-Control-Allow-Origin', '*');
			if (req.method === 'OPTIONS') {
				res.writeHead(204, {
				    'Access-Control-Allow-Methods':
				    'GET, POST, DELETE, OPTIONS',
				    'Access-Control-Allow-Headers':
				    'Authorization, Content-Type' });
				return res.end();
			}
		}
		if (!p.startsWith('/__mock/') && !p.startsWith('/chat/'))
			st.requests.push(`${req.method} ${req.url}`);

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
			    agent_type: 'custom', transport: 'pty',
			    ...(st.legacy ? {} : stateBody()) });
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
			if (ext) {
				res.write(`id: ${++st.eventId}\nevent: ` +
				    `state_change\ndata: ${JSON.stringify(
				    stateBody())}\n\n`);
				res.write(`id: ${++st.eventId}\nevent: ` +
				    `queue_change\ndata: ${JSON.stringify(
				    queueBody())}\n\n`);
				st.extSubs.add(res);
			}
			req.on('close', () => {
				st.subs.delete(res);
				st.extSubs.delete(res);
			});
			return;
		case 'GET /internal/screen':
			sseHead(res);
			res.write(`event: screen\ndata: ${JSON.stringify(
			    { screen: screenText() })}\n\n`);
			st.screens.add(res);
			req.on('close', () => st.screens.delete(res));
			return;
		}
		if (!st.legacy) {
			switch (`${req.method} ${p}`) {
			case 'POST /answer':
				return postAnswer(req, res);
			case 'POST /interrupt':
				return postInterrupt(req, res);
			case 'GET /queue':
				return json(res, 200, queueBody());
			}
			const m = /^\/queue\/(\d+)$/.exec(p);
			if (m && req.method === 'DELETE') {
				const n = st.queue.length;
				st.queue = st.queue.filter((q) =>
				    q.id !== Number(m[1]));
				if (st.queue.length === n)
					return problem(res, 404, 'Not Found',
					    `no queued message ${m[1]}`);
				emitExt('queue_change', queueBody());
				return json(res, 200, { ok: true });
			}
		}
		problem(res, 404, 'Not Found', 'no such route');
	}

	/* Finds the option a POST answer names: key, label (case-insensitive,
	 * unique prefix) or 0-based index; null when none. */
	function findOption(opts, v) {
		if (Number.isInteger(v))
			return opts[v] || null;
		if (typeof v !== 'string' || v === '')
			return null;
		const k = opts.find((o) => o.key === v);
		if (k)
			return k;
		const lv = v.toLowerCase();
		const exact = opts.filter((o) => o.label.toLowerCase() === lv);
		if (exact.length === 1)
			return exact[0];
		const pre = opts.filter((o) =>
		    o.label.toLowerCase().startsWith(lv));
		return pre.length === 1 ? pre[0] : null;
	}

	async function postAnswer(req, res) {
		let b;
		try {
			b = JSON.parse((await body(req)).toString('utf8'));
		} catch {
			return problem(res, 400, 'Bad Request',
			    'validation failed');
		}
		st.answers.push(b);
		if (st.state !== 'waiting')
			return problem(res, 409, 'Conflict',
			    'the agent is not waiting for an answer');
		const opts = st.prompt ? st.prompt.options : [];
		const o = findOption(opts, b && b.option);
		if (!o)
			return problem(res, 422, 'Unprocessable Entity',
			    `unknown option ${JSON.stringify(b && b.option)}`,
			    [{ message: 'valid options: ' + opts.map((x) =>
			    `${x.key} (${x.label})`).join(', '),
			    location: 'body.option', value: b && b.option }]);
		go('working');
		later(() => addMessage('agent', `You chose: ${o.label}`), 200);
		later(() => go('idle'), 500);
		return json(res, 200, { ok: true });
	}

	async function postInterrupt(req, res) {
		await body(req);
		st.interrupts++;
		if (st.state === 'exited')
			return problem(res, 503, 'Service Unavailable',
			    'the agent has exited');
		if (st.state === 'working') {
			for (const t of st.timers)
				clearTimeout(t);
			st.timers = [];
			const m = st.messages.at(-1);
			if (m && m.role === 'agent') {
				m.content += (m.content ? '\n' : '') +
				    '[interrupted]';
				emit('message_update', { id: m.id,
				    role: m.role, message: m.content,
				    time: m.time });
			}
			go('idle');
		}
		return json(res, 200, { ok: true });
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
		if (b.type !== 'user' || typeof b.content !== 'string' ||
		    (st.legacy && 'queue' in b) || ('queue' in b &&
		    typeof b.queue !== 'boolean'))
			return problem(res, 422, 'Unprocessable Entity',
			    'validation failed');
		const busy = st.state !== 'idle' || st.status !== 'stable';
		if (busy && b.queue === true && st.state !== 'exited') {
			if (st.queue.length >= 64)
				return problem(res, 429, 'Too Many Requests',
				    'the queue is full');
			const q = { id: st.nextQueueId++,
			    content: b.content.trim(),
			    time: new Date().toISOString() };
			st.queue.push(q);
			emitExt('queue_change', queueBody());
			return json(res, 202, { ok: true, queued: true,
			    id: q.id, position: st.queue.length });
		}
		if (st.status !== 'stable' || (busy && !st.legacy &&
		    st.state !== 'waiting'))
			return problem(res, 409, 'Conflict', 'agent is busy',
			    [{ message: 'message can only be sent when the ' +
			    'agent is waiting for user input' }]);
		turn(b.content.trim());
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
		if (p === '/__mock/log')
			return json(res, 200, { answers: st.answers,
			    interrupts: st.interrupts, queue: st.queue,
			    requests: st.requests });
		if (p === '/__mock/set') {
			const b = JSON.parse((await body(req)).toString());
			if (b.status)
				setStatus(b.status);
			if (b.state && b.silent) {
				/* Changed behind the page's back (a race). */
				st.state = b.state;
				st.prompt = b.prompt || null;
			} else if (b.state) {
				go(b.state, b.prompt || null);
			}
			if (b.reasons) {	/* parser health: [] is ok */
				st.reasons = b.reasons;
				st.health = b.reasons.length ? 'degraded' :
				    'ok';
				emitExt('state_change', stateBody());
			}
			if (b.reply)	/* a "working" turn with a partial reply */
				addMessage('agent', b.reply);
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
