/*
 * control.test.mjs - steering the agent over HTTP (issue 13), black-box
 * against the real binary and the demo agent: the state beside upstream's
 * status, the waiting prompt and POST /answer (approve and deny), POST
 * /interrupt keeping the partial reply, the queue (202, order, removal,
 * bounds), named keys, resize, and the opt-in events that the default
 * /events stream never carries.  Every JSON answer and event is validated
 * against schemas/ (lib.mjs).
 */
import { assert, assertEq } from '../web/harness.mjs';
import {
	DEMO, Server, getJSON, messages, postMessage, request, runAll, until,
	withServer,
} from './lib.mjs';

const cases = [];
const add = (name, fn, timeout = 60000) =>
	cases.push({ name, fn, timeout });
const demo = { agent: [...DEMO, '--think-ms', '200'] };

function post(port, p, body, headers = {}) {
	return request(port, 'POST', p, { headers: { 'Content-Type':
	    'application/json', ...headers }, body: JSON.stringify(body) });
}

const st = (port) => getJSON(port, '/status');

/* Waits until /status says state (and pred, if given, holds). */
function waitState(port, state, pred = () => true, ms = 15000) {
	return until(async () => {
		const s = await st(port);
		return s.state === state && pred(s) ? s : false;
	}, `state ${state}`, ms);
}

async function lastAgent(port) {
	const ms = await messages(port);
	return ms[ms.length - 1];
}

/* Asks the demo for permission and waits for the prompt. */
async function ask(s) {
	await waitState(s.port, 'idle');
	assertEq((await postMessage(s.port, 'ask for permission')).status, 200);
	return waitState(s.port, 'waiting');
}

add('status_has_state_and_queue', () => withServer(demo, async (s) => {
	const first = await st(s.port);
	assert(['starting', 'idle', 'working'].includes(first.state),
	    `first state ${first.state}`);
	const idle = await waitState(s.port, 'idle');
	assertEq(idle.status, 'stable', 'status stays upstream\'s');
	assertEq(idle.queue, 0, 'queue');
	assert(!('prompt' in idle), 'no prompt while idle');
}));

add('waiting_answer_approves', () => withServer(demo, async (s) => {
	const w = await ask(s);
	assertEq(w.prompt.kind, 'permission', 'kind');
	assertEq(w.prompt.question, 'Do you want to allow this?', 'question');
	assertEq(w.prompt.options, [{ key: 'y', label: 'Yes' },
	    { key: 'n', label: 'No' }], 'options');
	assert(!Number.isNaN(Date.parse(w.prompt.since)), 'since');
	let r = await post(s.port, '/answer', { option: 'maybe' });
	assertEq(r.status, 422, r.body);
	assert(r.json.errors[0].message.includes('y (Yes), n (No)'),
	    r.json.errors[0].message);
	r = await post(s.port, '/answer', { option: 0 });
	assertEq(r.status, 200, r.body);
	await waitState(s.port, 'idle');
	assert((await lastAgent(s.port)).content.includes('Thanks! I ran'),
	    'the agent ran it');
	r = await post(s.port, '/answer', { option: 'y' });
	assertEq(r.status, 409, 'nothing waits any more');
}));

add('waiting_answer_denies', () => withServer(demo, async (s) => {
	await ask(s);
	const r = await post(s.port, '/answer', { option: 'No' });
	assertEq(r.status, 200, r.body);
	await waitState(s.port, 'idle');
	assert((await lastAgent(s.port)).content.includes(
	    'OK, I will not run it.'), 'the agent reports the refusal');
}));

add('answer_validation', () => withServer(demo, async (s) => {
	await waitState(s.port, 'idle');
	let r = await post(s.port, '/answer', { option: 'y' });
	assertEq(r.status, 409, r.body);
	r = await post(s.port, '/answer', { choice: 'y' });
	assertEq(r.status, 422, r.body);
	r = await post(s.port, '/answer', { option: true });
	assertEq(r.status, 422, r.body);
	r = await post(s.port, '/answer', [1]);
	assertEq(r.status, 422, r.body);
}));

add('interrupt_keeps_partial_reply', () => withServer(demo, async (s) => {
	await waitState(s.port, 'idle');
	assertEq((await postMessage(s.port, 'answer slow please')).status, 200);
	await until(async () => (await lastAgent(s.port)).content.includes(
	    'step 2,'), 'the stream to start');
	const r = await post(s.port, '/interrupt', {});
	assertEq(r.status, 200, r.body);
	await waitState(s.port, 'idle');
	const m = await lastAgent(s.port);
	assertEq(m.role, 'agent', 'an agent message');
	assert(m.content.includes('[interrupted]'), m.content);
	assert(!m.content.includes('step 30.'), 'cut short');
}));

add('queue_delivers_in_order', () => withServer(demo, async (s) => {
	await waitState(s.port, 'idle');
	assertEq((await postMessage(s.port, 'slow one')).status, 200);
	const ids = [];
	for (const [i, text] of ['queued A', 'queued B', 'queued C']
	    .entries()) {
		const r = await request(s.port, 'POST', '/message', {
		    headers: { 'Content-Type': 'application/json' },
		    body: JSON.stringify({ content: text, type: 'user',
		    queue: true }) });
		assertEq(r.status, 202, r.body);
		assertEq(r.json.queued, true, 'queued');
		assertEq(r.json.position, i + 1, 'position');
		ids.push(r.json.id);
	}
	const q = await getJSON(s.port, '/queue');
	assertEq(q.items.map((i) => i.content), ['queued A', 'queued B',
	    'queued C'], 'queue');
	assertEq((await st(s.port)).queue, 3, 'status queue');
	let r = await request(s.port, 'DELETE', `/queue/${ids[1]}`);
	assertEq(r.status, 200, r.body);
	r = await request(s.port, 'DELETE', `/queue/${ids[1]}`);
	assertEq(r.status, 404, r.body);
	await waitState(s.port, 'idle', (x) => x.queue === 0, 40000);
	const users = (await messages(s.port)).filter((m) => m.role ===
	    'user').map((m) => m.content);
	assertEq(users.slice(-3), ['slow one', 'queued A', 'queued C'],
	    'delivered in order, B removed');
	const ms = await messages(s.port);
	const a = ms.findIndex((m) => m.content === 'queued A');
	assert(ms[a + 1].role === 'agent' &&
	    ms[a + 1].content.includes('You asked: "queued A"'),
	    'one turn each');
}), 90000);

add('queue_when_idle_sends_now', () => withServer(demo, async (s) => {
	await waitState(s.port, 'idle');
	const r = await request(s.port, 'POST', '/message', {
	    headers: { 'Content-Type': 'application/json' },
	    body: JSON.stringify({ content: 'hello now', type: 'user',
	    queue: true }) });
	assertEq(r.status, 200, r.body);
	assert(!('queued' in r.json), 'sent, not queued');
	const r2 = await request(s.port, 'POST', '/message', {
	    headers: { 'Content-Type': 'application/json' },
	    body: JSON.stringify({ content: 'x', type: 'user',
	    queue: 'yes' }) });
	assertEq(r2.status, 422, r2.body);
}));

add('queue_is_bounded', () => withServer(demo, async (s) => {
	await waitState(s.port, 'idle');
	assertEq((await postMessage(s.port, 'very slow')).status, 200);
	const q = (text) => request(s.port, 'POST', '/message', {
	    headers: { 'Content-Type': 'application/json' },
	    body: JSON.stringify({ content: text, type: 'user',
	    queue: true }) });
	let last;
	for (let i = 0; i < 65; i++)
		last = await q(`m${i}`);
	assertEq(last.status, 429, last.body);
	assertEq((await getJSON(s.port, '/queue')).items.length, 64, 'count');
	for (const it of (await getJSON(s.port, '/queue')).items)
		await request(s.port, 'DELETE', `/queue/${it.id}`);
	assertEq((await q('x'.repeat(1024 * 1024 + 10))).status, 413,
	    'past the byte bound');
}));

add('keys', () => withServer(demo, async (s) => {
	await waitState(s.port, 'idle');
	let r = await post(s.port, '/keys', { keys: ['enter', 'bogus'] });
	assertEq(r.status, 422, r.body);
	assert(r.json.errors[0].message.includes('shift-tab'),
	    'names the valid keys');
	assertEq(r.json.errors[0].location, 'body.keys[1]', 'location');
	r = await post(s.port, '/keys', { keys: [] });
	assertEq(r.status, 422, r.body);
	r = await post(s.port, '/keys', { keys: [{ text: 'typed by keys' },
	    'enter'] });
	assertEq(r.status, 200, r.body);
	await until(async () => (await lastAgent(s.port)).content.includes(
	    'You asked: "typed by keys"'), 'the demo to answer');
}));

add('resize', () => withServer(demo, async (s) => {
	await waitState(s.port, 'idle');
	let r = await post(s.port, '/resize', { cols: 19, rows: 40 });
	assertEq(r.status, 422, r.body);
	r = await post(s.port, '/resize', { cols: 60, rows: 2001 });
	assertEq(r.status, 422, r.body);
	r = await post(s.port, '/resize', { cols: 60.5, rows: 40 });
	assertEq(r.status, 422, r.body);
	r = await post(s.port, '/resize', { cols: 60, rows: 40 });
	assertEq(r.status, 200, r.body);
	/* The screen re-lays: a change, so wait for quiet again. */
	await until(async () => (await st(s.port)).status === 'stable' &&
	    (await st(s.port)).state === 'idle', 'idle after the resize');
	assertEq((await postMessage(s.port, 'x'.repeat(100))).status, 200);
	await waitState(s.port, 'idle');
	const e = await s.events('/internal/screen');
	try {
		const f = await e.wait((x) => x.event === 'screen');
		const lines = f.data.screen.split('\n');
		assert(lines.length <= 40, `${lines.length} rows`);
		assert(lines.every((l) => [...l].length <= 60),
		    'every row fits 60 columns');
		assert(lines.some((l) => l === 'x'.repeat(60 - 2) ||
		    l.startsWith('> xxx')), 'the long line wrapped');
	} finally {
		e.close();
	}
}));

add('events_opt_in_only', () => withServer(demo, async (s) => {
	const plain = await s.events('/events');
	const ext = await s.events('/events?extended=1');
	try {
		await ext.wait((f) => f.event === 'state_change' &&
		    f.data.state === 'idle', 15000, 0, 'state idle');
		await ext.wait((f) => f.event === 'queue_change');
		await ask(s);
		const w = await ext.wait((f) => f.event === 'state_change' &&
		    f.data.state === 'waiting', 15000, 0, 'state waiting');
		assertEq(w.data.prompt.options.length, 2, 'prompt in event');
		await post(s.port, '/answer', { option: 'n' });
		await ext.wait((f) => f.event === 'state_change' &&
		    f.data.state === 'idle', 15000, ext.frames.indexOf(w));
		await plain.wait((f) => f.event === 'status_change' &&
		    f.data.status === 'stable', 15000, 2);
		const kinds = new Set(plain.frames.map((f) => f.event));
		assert(!kinds.has('state_change') && !kinds.has('queue_change'),
		    `default stream: ${[...kinds]}`);
		plain.checkValid();
		ext.checkValid();
	} finally {
		plain.close();
		ext.close();
	}
}));

await runAll('e2e-control', cases, 3);
