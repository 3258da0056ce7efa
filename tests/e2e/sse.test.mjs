/*
 * sse.test.mjs - the event streams of the real agentapi-c binary (spec
 * http.md §4): headers, the replay on connect, id: lines, Last-Event-ID
 * resume after the connection drops (read by the npm `eventsource` client
 * through a TCP proxy the test cuts, and by a raw client), /internal/screen,
 * the heartbeat, and reads that never wait for a send in progress.
 */
import net from 'node:net';
import { EventSource } from 'eventsource';
import { assert, assertEq } from '../web/harness.mjs';
import {
	DEMO, SLOW, Server, Sse, deadline, messages, postMessage,
	request, runAll, status, until, validate, withServer,
} from './lib.mjs';

const demo = [...DEMO, '--think-ms', '300'];
const NAMES = ['message_update', 'status_change', 'agent_error'];
const cases = [];
const add = (name, fn, timeout = 60000) =>
	cases.push({ name, fn, timeout });

/* Sends a user message once stable; resolves when stable again. */
async function turn(s, text) {
	const ev = await s.events();
	try {
		await ev.waitStatus('stable', 20000);
		const from = ev.frames.length;
		const r = await postMessage(s.port, text);
		assertEq(r.status, 200, r.body);
		const run = await ev.waitStatus('running', 5000, from);
		await ev.waitStatus('stable', 20000, ev.frames.indexOf(run));
	} finally {
		ev.close();
	}
}

/* The replay a subscriber gets on connect: every message, then status. */
function checkReplay(frames, ms) {
	const n = ms.length;
	assertEq(frames.slice(0, n + 1).map((f) => f.event), [...Array(n)
	    .fill('message_update'), 'status_change'], 'replay order');
	assertEq(frames.slice(0, n).map((f) => [f.data.id, f.data.role,
	    f.data.message, f.data.time]), ms.map((m) => [m.id, m.role,
	    m.content, m.time]), 'replay = /messages');
}

add('sse_headers', () => withServer({ agent: demo }, async (s) => {
	for (const p of ['/events', '/internal/screen']) {
		const e = await s.events(p, { Origin: 'http://localhost:3000',
		    Connection: 'keep-alive' });
		try {
			const h = e.headers;
			assertEq(e.status, 200, p);
			assertEq([h['content-type'], h['cache-control'], h.pragma,
			    h.expires, h['x-accel-buffering'],
			    h['x-proxy-buffering'], h.connection, h.vary,
			    h['transfer-encoding'],
			    h['access-control-allow-origin']],
			    ['text/event-stream', 'no-cache, no-store, ' +
			    'must-revalidate', 'no-cache', '0', 'no', 'no',
			    'keep-alive', 'Origin', 'chunked',
			    'http://localhost:3000'], `${p} headers`);
			await e.wait(() => true, 5000, 0, `${p} first event`);
			e.checkValid();
		} finally {
			e.close();
		}
	}
}));

add('sse_replay_then_live_with_ids', () => withServer({ agent: demo },
    async (s) => {
	await turn(s, 'hello');
	const ms = await messages(s.port);
	assertEq(ms.length, 3, 'three messages');
	const e = await s.events();
	try {
		await e.wait((f) => f.event === 'status_change', 5000);
		checkReplay(e.frames, ms);
		assertEq(e.frames[ms.length].data, { status: 'stable',
		    agent_type: 'custom' }, 'status');
		const from = e.frames.length;
		await turn(s, 'make a plan');
		await e.waitStatus('stable', 20000, from);
		const all = e.frames;
		assert(all.every((f) => NAMES.includes(f.event)), 'only ' +
		    'the event names of openapi.json');
		assert(all.every((f) => /^[0-9]+$/.test(f.id)), 'id: on ' +
		    'every frame');
		const live = all.slice(from).map((f) => BigInt(f.id));
		assert(live.every((x, i) => i === 0 || x > live[i - 1]),
		    `live ids increase: ${live}`);
		assert(live[0] >= BigInt(all[0].id), 'live after replay');
		/* Live updates end where /messages is. */
		const last = {};
		for (const f of all)
			if (f.event === 'message_update')
				last[f.data.id] = f.data.message;
		assertEq(Object.values(last), (await messages(s.port)).map(
		    (m) => m.content), 'stream = /messages');
		e.checkValid();
	} finally {
		e.close();
	}
}), 90000);

/* A TCP proxy to port whose connections the test can cut. */
async function proxy(port) {
	const socks = new Set();
	const srv = net.createServer((c) => {
		const u = net.connect(port, '127.0.0.1');
		socks.add(c);
		socks.add(u);
		c.pipe(u);
		u.pipe(c);
		const gone = () => {
			c.destroy();
			u.destroy();
			socks.delete(c);
			socks.delete(u);
		};
		c.on('error', gone).on('close', gone);
		u.on('error', gone).on('close', gone);
	});
	await new Promise((r) => srv.listen(0, '127.0.0.1', r));
	return { port: srv.address().port, cut: () => {
		for (const x of socks)
			x.destroy();
	}, close: () => {
		for (const x of socks)
			x.destroy();
		srv.close();
	} };
}

add('sse_eventsource_resumes_with_last_event_id', () => withServer({
    agent: demo, args: ['-a', '*'] }, async (s) => {
	await s.waitStable(20000);
	const px = await proxy(s.port);
	const conns = [];
	const got = [];
	let wake = () => {};
	const es = new EventSource(`http://127.0.0.1:${px.port}/events`, {
	    fetch: (url, init) => {
		conns.push(init.headers['Last-Event-ID'] ?? null);
		return fetch(url, init);
	    } });
	try {
		for (const n of NAMES)
			es.addEventListener(n, (ev) => {
				const data = JSON.parse(ev.data);
				validate(`event-${n}`, data);
				got.push({ conn: conns.length, event: n, data,
				    id: ev.lastEventId });
				wake();
			});
		const waitGot = (pred, ms, what) => deadline(new Promise((r) => {
			wake = () => {
				if (got.some(pred))
					r();
			};
			wake();
		}), ms, what);
		await waitGot((g) => g.event === 'status_change', 5000,
		    'the replay');
		assertEq(got.map((g) => g.event), ['message_update',
		    'status_change'], 'first replay');
		const lastId = got.at(-1).id;
		/* The connection drops; a turn happens meanwhile. */
		px.cut();
		await turn(s, 'show me some code');
		await waitGot((g) => g.conn === 2 && g.event ===
		    'status_change' && g.data.status === 'stable', 20000,
		    'the resumed stream to reach stable');
		assertEq(conns, [null, lastId], 'Last-Event-ID sent on ' +
		    'reconnect');
		const second = got.filter((g) => g.conn === 2);
		assert(!second.some((g) => g.event === 'message_update' &&
		    g.data.id === 0), 'no replay of message 0: ' +
		    JSON.stringify(second.map((g) => [g.event, g.data.id])));
		assert(second.every((g) => BigInt(g.id) > BigInt(lastId)),
		    'only newer events');
		const last = {};
		for (const g of got)
			if (g.event === 'message_update')
				last[g.data.id] = g.data.message;
		assertEq(Object.values(last), (await messages(s.port)).map(
		    (m) => m.content), 'nothing missed');
	} finally {
		es.close();
		px.close();
	}
}), 60000);

add('sse_raw_last_event_id', () => withServer({ agent: demo },
    async (s) => {
	await s.waitStable(20000);
	const a = await s.events();
	await a.waitStatus('stable');
	const id = a.frames.at(-1).id;
	a.close();
	/* Up to date: nothing is replayed, live events still come. */
	const b = await s.events('/events', { 'Last-Event-ID': id });
	const c = await s.events('/events', { 'Last-Event-ID': '1' });
	const d = await s.events('/events', { 'Last-Event-ID': 'junk' });
	try {
		for (const x of [c, d]) {
			await x.waitStatus('stable', 5000);
			assertEq(x.frames.map((f) => f.event), ['message_update',
			    'status_change'], 'old or bad id: full replay');
		}
		const r = await postMessage(s.port, 'hello');
		assertEq(r.status, 200, r.body);
		const first = await b.wait(() => true, 5000, 0, 'a live event');
		assert(BigInt(first.id) > BigInt(id), 'newer than the id');
		assert(!(first.event === 'message_update' && first.data.id ===
		    0), 'no replay');
	} finally {
		b.close();
		c.close();
		d.close();
	}
}));

add('sse_fan_out', () => withServer({ agent: demo }, async (s) => {
	await s.waitStable(20000);
	const subs = await Promise.all(Array.from({ length: 8 }, () =>
	    s.events()));
	try {
		await Promise.all(subs.map((x) => x.waitStatus('stable')));
		const from = subs.map((x) => x.frames.length);
		await turn(s, 'hello');
		await Promise.all(subs.map((x, i) => x.waitStatus('stable',
		    10000, from[i] + 1)));
		const seen = subs.map((x, i) => x.frames.slice(from[i]).map(
		    (f) => `${f.id} ${f.event} ${JSON.stringify(f.data)}`)
		    .join('\n'));
		assert(seen.every((x) => x === seen[0]) && seen[0] !== '',
		    'every subscriber saw the same events');
	} finally {
		subs.forEach((x) => x.close());
	}
}));

add('sse_internal_screen', () => withServer({ agent: demo,
    args: ['-W', '40', '-H', '12'] }, async (s) => {
	await s.waitStable(20000);
	const e = await s.events('/internal/screen');
	try {
		const first = await e.wait(() => true, 5000);
		assertEq(first.event, 'screen', 'event name');
		assert(first.data.screen.includes('demo agent'), 'the screen');
		const rows = first.data.screen.split('\n');
		assert(rows.length <= 12 && rows.every((r) => [...r].length <=
		    40), 'term size respected');
		assert(first.data.screen === first.data.screen.trimEnd(),
		    'trailing white space trimmed');
		await postMessage(s.port, 'abc', 'raw');
		await e.wait((f) => /abc$/.test(f.data.screen), 5000, 1,
		    'the new screen');
		e.checkValid();
	} finally {
		e.close();
	}
}));

/* An agent that shows a prompt and never reads: a send to it lasts until
 * the 15 s processing deadline (run beside the heartbeat case). */
add('reads_never_wait_for_a_send', () => withServer({ agent: ['/bin/sh',
    '-c', 'printf "> "; exec sleep 1000'] }, async (s) => {
	await s.waitStable(20000);
	let done = false;
	const send = postMessage(s.port, 'nobody listens', 'user',
	    { timeout: 60000 }).finally(() => { done = true; });
	send.catch(() => {});
	await until(async () => await status(s.port) === 'running',
	    'status running during the send', 5000, 20);
	for (let i = 0; i < 5; i++) {
		for (const p of ['/status', '/messages']) {
			const t0 = Date.now();
			const r = await request(s.port, 'GET', p);
			const ms = Date.now() - t0;
			assertEq(r.status, 200, p);
			assert(ms < 250 * SLOW, `${p} took ${ms} ms`);
		}
		assert(!done, 'the send is still in flight');
	}
	assertEq(await status(s.port), 'running', 'running while sending');
	/* A second user message is refused at once while the first runs. */
	const t0 = Date.now();
	const busy = await postMessage(s.port, 'again');
	assertEq(busy.status, 409, 'busy');
	assert(Date.now() - t0 < 250 * SLOW, 'refused at once');
	assert(!done, 'still in flight');
	/* The agent never reacts to Enter: after ~15 s a 504 (the agent,
	 * not the server, failed; upstream says 500) with upstream's error
	 * text, and the message is recorded, since it was typed into the
	 * agent's input. */
	const r = await deadline(send, 25000, 'the send to time out');
	assertEq([r.status, r.json.detail], [504, 'the agent did not react ' +
	    'to the message'], 'timeout');
	assertEq(r.json.errors[0].message, 'failed to send message: failed ' +
	    'to send message: failed to wait for processing to start: ' +
	    'timeout waiting for condition', 'message');
	assertEq((await messages(s.port)).filter((m) => m.role === 'user')
	    .map((m) => m.content), ['nobody listens'], 'recorded');
}), 60000);

add('sse_streams_end_on_shutdown', async () => {
	const s = await Server.start({ agent: demo });
	try {
		const e = await s.events();
		const sc = await s.events('/internal/screen');
		await e.wait(() => true, 5000);
		s.proc.kill('SIGTERM');
		await Promise.all([e.waitEnd(10000), sc.waitEnd(10000)]);
		assertEq(await s.wait(), { code: 0, signal: null }, 'exit');
	} finally {
		await s.kill();
	}
});

add('sse_heartbeat', () => withServer({ agent: demo }, async (s) => {
	await s.waitStable(20000);
	const e = await s.events();
	try {
		await deadline(new Promise((res) => {
			const check = () => {
				if (e.comments.length)
					res();
				return e.comments.length > 0;
			};
			if (!check())
				e.waiters.push(check);
		}), 17000, 'a heartbeat comment');
		assertEq(e.comments[0], ': ping', 'comment');
	} finally {
		e.close();
	}
}), 40000);

/* The two long waits (heartbeat, send deadline) start first. */
const long = ['sse_heartbeat', 'reads_never_wait_for_a_send'];
await runAll('e2e-sse', [...cases.filter((c) => long.includes(c.name)),
    ...cases.filter((c) => !long.includes(c.name))], 4);
