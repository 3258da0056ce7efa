/*
 * session.test.mjs - the agent session runtime, black-box over HTTP: the
 * real agentapi-c binary with upstream's fake e2e agent (every scenario
 * of core.md §6.2) and the built-in demo agent; initial prompts, state
 * files and signals, agent crashes, missing agents, the environment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { assert, assertEq } from '../web/harness.mjs';
import {
	BIN, DEMO, FAKE, SLOW, Server, deadline, delay, messages,
	postMessage, request, runAll, script, status, tmpdir, until,
	withServer,
} from './lib.mjs';

const fake = (name) => [FAKE, script(name)];
const trimmed = (ms) => ms.map((m) => m.content.trim());
const demo = [...DEMO, '--think-ms', '300'];

/* Waits until GET /messages has exactly n messages. */
function waitCount(port, n, ms = 10000) {
	return until(async () => {
		const m = await messages(port);
		return m.length === n ? m : false;
	}, `${n} messages`, ms, 100);
}

/* Sends a user message and waits for running then stable on /events. */
async function turn(s, text) {
	const ev = await s.events();
	try {
		await ev.waitStatus('stable');
		const from = ev.frames.length;
		const r = await postMessage(s.port, text);
		assertEq(r.status, 200, `POST ${text}: ${r.body}`);
		assertEq(r.json.ok, true, 'ok');
		const run = await ev.waitStatus('running', 5000, from);
		await ev.waitStatus('stable', 20000, ev.frames.indexOf(run));
		ev.checkValid();
		return ev;
	} finally {
		ev.close();
	}
}

/* The saved state file, parsed and checked against upstream's format. */
function readState(file) {
	const st = JSON.parse(fs.readFileSync(file, 'utf8'));
	assertEq(st.version, 1, 'state version');
	assert(Array.isArray(st.messages), 'state messages');
	st.messages.forEach((m, i) => {
		assertEq(Object.keys(m).sort(), ['id', 'message', 'role',
		    'time'], 'state message keys');
		assertEq(m.id, i, 'state message id');
	});
	return st;
}

/* Ids 0..n-1, alternating roles from an agent greeting, no padding. */
function checkClean(ms) {
	ms.forEach((m, i) => {
		assertEq(m.id, i, 'message id');
		assertEq(m.role, i % 2 ? 'user' : 'agent', `role of ${i}`);
		for (const line of m.content.split('\n'))
			assert(line === line.trimEnd(),
			    `no trailing spaces in ${JSON.stringify(line)}`);
		assert(!/[\x00-\x08\x0b-\x1f\x7f]/.test(m.content),
		    `no control characters in message ${i}`);
		assert(!m.content.includes('> \n') && !/^> ?$/m.test(
		    m.content), `no prompt line in message ${i}`);
	});
}

const cases = [];
const add = (name, fn, timeout = 60000) =>
	cases.push({ name, fn, timeout });

/* ---- upstream e2e scenarios (core.md §6.2) ------------------------- */

add('e2e_basic', () => withServer({ agent: fake('basic') }, async (s) => {
	await turn(s, 'This is a test message.');
	const m = await messages(s.port);
	assertEq(trimmed(m), ["Hello! I'm ready to help you. Please send " +
	    'me a message to echo back.', 'This is a test message.',
	    'Echo: This is a test message.'], 'messages');
	checkClean(m);
}));

/* The same prompt twice in a row: the second reply is kept (upstream's
 * screen diff found nothing new and served ""; issue 14). */
add('repeated_prompt_keeps_reply', async () => {
	const file = path.join(tmpdir(), 'repeat.json');
	fs.writeFileSync(file, JSON.stringify([
		{ expectMessage: '', responseMessage: 'Hello.' },
		{ expectMessage: 'same', responseMessage: 'Echo: same' },
		{ expectMessage: 'same', responseMessage: 'Echo: same' },
	]));
	await withServer({ agent: [FAKE, file] }, async (s) => {
		await turn(s, 'same');
		await turn(s, 'same');
		const m = await messages(s.port);
		assertEq(trimmed(m), ['Hello.', 'same', 'Echo: same', 'same',
		    'Echo: same'], 'messages');
		checkClean(m);
	});
});

/* --agent-rules: a ready marker the screen never shows keeps the agent
 * from ever being ready (status stays running); the corrected file
 * brings it back.  A bad file stops the start with the key's path. */
add('agent_rules_ready_marker', async () => {
	const dir = tmpdir();
	const broken = path.join(dir, 'broken.json');
	const fixed = path.join(dir, 'fixed.json');
	const bad = path.join(dir, 'bad.json');
	fs.writeFileSync(broken, JSON.stringify({ version: 1,
	    agents: { custom: { ready: ['Not on this screen'] } } }));
	fs.writeFileSync(fixed, JSON.stringify({ version: 1,
	    agents: { custom: { ready: ['ready to help'] } } }));
	fs.writeFileSync(bad, '{"version": 1, "agents": {"custom": ' +
	    '{"ready": ["ok", 7]}}}');
	await withServer({ agent: fake('basic'), args: ['--agent-rules',
	    broken] }, async (s) => {
		await delay(4000);
		assertEq(await status(s.port), 'running', 'never ready');
	});
	await withServer({ agent: fake('basic'), args: ['--agent-rules',
	    fixed] }, async (s) => {
		await s.waitStable(20000);
		await turn(s, 'This is a test message.');
		assertEq(trimmed(await messages(s.port)).slice(1), [
		    'This is a test message.',
		    'Echo: This is a test message.'], 'messages');
	});
	const s = await Server.start({ agent: fake('basic'),
	    args: ['--agent-rules', bad], ready: false });
	try {
		assertEq(await s.wait(), { code: 1, signal: null }, 'exit');
		assert(s.stderr.includes('agent-rules: agents.custom.' +
		    'ready[1]: must be a string'), s.stderr);
	} finally {
		await s.kill();
	}
});

add('e2e_thinking', () => withServer({ agent: fake('thinking') },
    async (s) => {
	await s.waitStable(20000);
	const r = await postMessage(s.port, 'What is the answer to life, ' +
	    'the universe, and everything?');
	assertEq(r.status, 200, r.body);
	assertEq(await status(s.port), 'running', 'status right after POST');
	await s.waitStable(20000);
	const m = await messages(s.port);
	assertEq(m.length, 3, 'three messages');
	assertEq(m[2].content.split('\n').map((x) => x.trim()), ["Gosh, " +
	    "I'll need some time to think about that...", '42'], 'reply');
}));

add('e2e_stdin', () => withServer({ agent: fake('stdin'),
    stdin: 'hello agent\n' }, async (s) => {
	await s.waitStable(20000);
	const m = await waitCount(s.port, 3);
	assertEq(m[1].role, 'user', 'role');
	assertEq(trimmed(m).slice(1), ['hello agent', "Hello! I'm ready " +
	    'to help you. Please send me a message to echo back.'], 'msgs');
}));

add('e2e_state_persistence', async () => {
	const file = path.join(tmpdir(), 'state.json');
	const o = { agent: fake('state_persistence'),
	    args: ['--state-file', file] };
	const want = ["Hello! I'm ready to help you.",
	    'First message before state save.',
	    'Echo: First message before state save.'];
	let s = await Server.start(o);
	try {
		await turn(s, 'First message before state save.');
		assertEq(trimmed(await messages(s.port)), want, 'before');
		assertEq(await s.stop('SIGINT'), { code: 0, signal: null },
		    'exit');
		assertEq(readState(file).messages.map((x) =>
		    x.message.trim()), want, 'saved');
		s = await Server.start(o);
		assertEq(trimmed(await waitCount(s.port, 3)), want, 'after');
	} finally {
		await s.kill();
	}
});

/* GET /status's parser health: "ok" or "degraded" with its reasons. */
async function health(port) {
	const r = await request(port, 'GET', '/status');
	assertEq(r.status, 200, 'GET /status');
	return { health: r.json.health, codes: r.json.reasons.map((x) =>
	    x.code), reasons: r.json.reasons };
}

/* Parser health: a ready marker the screen never shows (--agent-rules)
 * turns /status degraded with ready_marker_missing once --health-grace
 * has passed, says so on the opt-in stream and in the log, never on the
 * default stream; the corrected file keeps it ok through a turn. */
add('health_ready_marker_missing', async () => {
	const dir = tmpdir();
	const broken = path.join(dir, 'broken.json');
	const fixed = path.join(dir, 'fixed.json');
	fs.writeFileSync(broken, JSON.stringify({ version: 1,
	    agents: { custom: { ready: ['Not on this screen'] } } }));
	fs.writeFileSync(fixed, JSON.stringify({ version: 1,
	    agents: { custom: { ready: ['ready to help'] } } }));
	await withServer({ agent: fake('basic'), args: ['--agent-rules',
	    broken, '--health-grace', '2'] }, async (s) => {
		const ext = await s.events('/events?extended=1');
		const plain = await s.events();
		try {
			const f = await ext.wait((x) => x.event ===
			    'state_change' && x.data.health === 'ok');
			assertEq(f.data.reasons, [], 'ok at first');
			const d = await ext.wait((x) => x.event ===
			    'state_change' && x.data.health === 'degraded',
			    15000, 0, 'a degraded state_change');
			assertEq(d.data.reasons.map((x) => x.code),
			    ['ready_marker_missing'], 'event reasons');
			const h = await health(s.port);
			assertEq([h.health, h.codes], ['degraded',
			    ['ready_marker_missing']], 'status');
			assert(/ready marker/.test(h.reasons[0].message),
			    h.reasons[0].message);
			ext.checkValid();
			plain.checkValid();
			for (const x of plain.frames)
				assert(['message_update', 'status_change']
				    .includes(x.event), `default: ${x.event}`);
			const line = 'parser health: degraded: ' +
			    'ready_marker_missing';
			await until(() => s.stdout.includes(line),
			    'the log line', 5000);
		} finally {
			ext.close();
			plain.close();
		}
	});
	await withServer({ agent: fake('basic'), args: ['--agent-rules',
	    fixed, '--health-grace', '2'] }, async (s) => {
		await s.waitStable(20000);
		await turn(s, 'This is a test message.');
		await delay(2500);
		assertEq(await health(s.port), { health: 'ok', codes: [],
		    reasons: [] }, 'fixed rules: ok');
		assert(!/parser health: degraded/.test(s.stdout), s.stdout);
	});
}, 60000);

/* Parser health: a state file whose saves fail (its directory read-only;
 * as root, which ignores modes, a directory in its place) turns /status
 * degraded with state_save_failed; the next save that succeeds clears it. */
add('health_state_save_failed', async () => {
	const dir = path.join(tmpdir(), 'ro');
	fs.mkdirSync(dir);
	const file = path.join(dir, 'state.json');
	const root = process.getuid && process.getuid() === 0;
	if (root)
		fs.mkdirSync(file);
	else
		fs.chmodSync(dir, 0o555);
	await withServer({ agent: demo, args: ['--state-file', file,
	    '--load-state=false', '--save-state'] }, async (s) => {
		await s.waitStable(20000);
		await turn(s, 'First message.');
		const h = await until(async () => {
			const x = await health(s.port);
			return x.health === 'degraded' ? x : false;
		}, 'degraded health', 10000, 100);
		assertEq(h.codes, ['state_save_failed'], 'reasons');
		assert(h.reasons[0].message.startsWith('saving state to ' +
		    file), h.reasons[0].message);
		if (root)
			fs.rmdirSync(file);
		else
			fs.chmodSync(dir, 0o755);
		await turn(s, 'Second message.');
		await until(async () => (await health(s.port)).health === 'ok',
		    'ok after a good save', 10000, 100);
		assert(fs.existsSync(file) && fs.statSync(file).isFile(),
		    'saved at last');
	});
}, 60000);

/* Phase 1 of the two initial-prompt scenarios: prompt sent, 3 messages. */
async function promptPhase1(file, scr) {
	const s = await Server.start({ agent: fake(scr), args: [
	    '--state-file', file, '--initial-prompt=Test initial prompt'] });
	try {
		await s.waitStable(20000);
		const m = await waitCount(s.port, 3);
		assertEq(trimmed(m), ["Hello! I'm ready to help you.",
		    'Test initial prompt', 'Echo: Test initial prompt'], 'p1');
		assertEq(m[1].role, 'user', 'prompt is a user message');
		assertEq(await s.stop('SIGINT'), { code: 0, signal: null },
		    'exit');
	} finally {
		await s.kill();
	}
	const st = readState(file);
	assertEq([st.initial_prompt, st.initial_prompt_sent],
	    ['Test initial prompt', true], 'saved prompt');
}

add('e2e_state_persistence_initial_prompt', async () => {
	const file = path.join(tmpdir(), 'state.json');
	await promptPhase1(file, 'state_persistence_initial_prompt');
	for (const args of [[], ['--initial-prompt=Test initial prompt']]) {
		await withServer({ agent: fake(
		    'state_persistence_initial_prompt'),
		    args: ['--state-file', file, ...args] }, async (s) => {
			const m = await waitCount(s.port, 3);
			assertEq(m[1].content.trim(), 'Test initial prompt',
			    `restored prompt (${args})`);
			await s.waitStable(20000);
			/* Not re-sent: still 3 once the agent is idle. */
			assertEq((await messages(s.port)).length, 3,
			    `not re-sent (${args})`);
			assertEq(await s.stop('SIGINT'), { code: 0,
			    signal: null }, 'exit');
		});
	}
}, 90000);

add('e2e_state_persistence_different_initial_prompt', async () => {
	const file = path.join(tmpdir(), 'state.json');
	await promptPhase1(file,
	    'state_persistence_different_initial_prompt_phase1');
	await withServer({ agent: fake(
	    'state_persistence_different_initial_prompt'), args: [
	    '--state-file', file,
	    '--initial-prompt=Different initial prompt'] }, async (s) => {
		await s.waitStable(20000);
		const m = await waitCount(s.port, 5);
		assertEq(trimmed(m).slice(3), ['Different initial prompt',
		    'Echo: Different initial prompt'], 'new prompt sent');
		assertEq(m[3].role, 'user', 'role');
	});
}, 90000);

/* ---- the demo agent ------------------------------------------------- */

add('demo_three_turns', () => withServer({ agent: demo,
    args: ['--term-height', '60'] }, async (s) => {
	const all = await s.events();
	try {
		const qs = ['hello there', 'show me some code',
		    'make a plan'];
		for (const q of qs)
			await turn(s, q);
		const m = await messages(s.port);
		assertEq(m.length, 7, 'greeting + 3 turns');
		checkClean(m);
		assertEq(m.filter((x) => x.role === 'user').map((x) =>
		    x.content), qs, 'user messages exactly as sent');
		for (let i = 0; i < 3; i++)
			assert(m[2 + 2 * i].content.startsWith(
			    `You asked: "${qs[i]}"`), `reply ${i}: ` +
			    m[2 + 2 * i].content);
		assert(m[4].content.includes('puts("hello, world");'),
		    'code reply');
		assert(!m.some((x) => x.content.includes('Thinking')),
		    'no spinner left in messages');
		/* One stream saw every status transition in order. */
		const st = all.frames.filter((f) => f.event ===
		    'status_change').map((f) => f.data.status);
		const flips = st.filter((x, i) => i === 0 || x !== st[i - 1]);
		assertEq(flips.slice(-7), ['stable', 'running', 'stable',
		    'running', 'stable', 'running', 'stable'], 'flips');
		assertEq(st.length, flips.length,
		    'status_change only on a change');
		/* The stream's last word on each message equals /messages. */
		const last = {};
		for (const f of all.frames)
			if (f.event === 'message_update')
				last[f.data.id] = f.data;
		assertEq(Object.values(last).map((x) => [x.id, x.role,
		    x.message, x.time]), m.map((x) => [x.id, x.role,
		    x.content, x.time]), 'SSE and REST agree');
		all.checkValid();
		assert(all.frames.every((f) => f.event !== 'agent_error'),
		    'no agent_error');
	} finally {
		all.close();
	}
}), 90000);

add('raw_message_not_recorded', () => withServer({ agent: demo },
    async (s) => {
	await s.waitStable(20000);
	const scr = await s.events('/internal/screen');
	try {
		const r = await postMessage(s.port, 'zq\x7fxy', 'raw');
		assertEq([r.status, r.json.ok], [200, true], 'raw ok');
		/* The bytes reached the terminal unchanged (DEL erased q). */
		await scr.wait((f) => /> zxy\s*$/.test(f.data.screen), 5000,
		    0, 'the raw keys on the screen');
		assertEq((await messages(s.port)).length, 1, 'not recorded');
		/* raw is allowed while running too, and "" is a no-op. */
		const e = await postMessage(s.port, '', 'raw');
		assertEq(e.status, 200, 'empty raw');
		const cr = await postMessage(s.port, '\r', 'raw');
		assertEq(cr.status, 200, 'CR');
		await until(async () => (await messages(s.port)).some((x) =>
		    x.content.includes('You asked: "zxy"')), 'the reply to the' +
		    ' raw line', 10000, 100);
		assert(!(await messages(s.port)).some((x) => x.role ===
		    'user'), 'raw input never becomes a user message');
	} finally {
		scr.close();
	}
}));

add('initial_prompt_flag', () => withServer({ agent: demo,
    args: ['-I', '  make a plan \n'] }, async (s) => {
	const m = await until(async () => {
		const x = await messages(s.port);
		return x.length === 3 && x[2].content.includes('- run the') &&
		    x;
	}, 'the prompt and its answer', 20000, 100);
	assertEq([m[1].role, m[1].content], ['user', 'make a plan'],
	    'prompt recorded trimmed');
	await s.waitStable(20000);
	assertEq((await messages(s.port)).length, 3, 'sent exactly once');
}));

add('initial_prompt_stdin_demo', () => withServer({ agent: demo,
    stdin: 'show me some code\n' }, async (s) => {
	const m = await until(async () => {
		const x = await messages(s.port);
		return x.length === 3 && x[2].content.includes('```') && x;
	}, 'the stdin prompt and its answer', 20000, 100);
	assertEq(m[1].content, 'show me some code', 'prompt');
}));

add('initial_prompt_flag_wins_over_stdin', () => withServer({
    agent: demo, args: ['--initial-prompt', 'from the flag'],
    stdin: 'from stdin\n' }, async (s) => {
	const m = await waitCount(s.port, 3, 20000);
	assertEq(m[1].content, 'from the flag', 'flag wins');
}));

add('stdin_never_closes', async () => {
	const t0 = Date.now();
	await withServer({ agent: demo, stdin: 'open' }, async (s) => {
		s.proc.stdin.write('partial ');
		/* Ready within the readiness wait (coder-integration §1.4). */
		assert(Date.now() - t0 < 15000 * SLOW, 'started in time');
		await s.waitStable(20000);
		const m = await messages(s.port);
		assert(m.length === 1 || m[1].content === 'partial',
		    `no stray prompt: ${JSON.stringify(m)}`);
	});
});

/* ---- state file and signals ---------------------------------------- */

add('sigusr1_saves_and_keeps_running', async () => {
	const file = path.join(tmpdir(), 'state.json');
	await withServer({ agent: demo, args: ['-s', file] }, async (s) => {
		await s.waitStable(20000);
		const r = await postMessage(s.port, 'make a plan');
		assertEq(r.status, 200, r.body);
		/* Before the debounced save (1 s) could run. */
		s.proc.kill('SIGUSR1');
		await until(() => /State saved successfully.*requested/.test(
		    s.stdout), 'the SIGUSR1 save log line', 5000, 20);
		assert(readState(file).messages.some((x) => x.message ===
		    'make a plan'), 'the new message is in the file');
		assertEq(await status(s.port) !== undefined, true, 'alive');
		assertEq(s.code, undefined, 'still running');
	});
});

add('sigterm_saves_and_exits_0', async () => {
	const file = path.join(tmpdir(), 'state.json');
	const s = await Server.start({ agent: demo, args: ['-s', file] });
	try {
		await turn(s, 'hello');
		const m = await messages(s.port);
		assertEq(await s.stop('SIGTERM'), { code: 0, signal: null },
		    'exit status');
		const st = readState(file);
		assertEq(st.messages.map((x) => [x.id, x.role, x.message,
		    x.time]), m.map((x) => [x.id, x.role, x.content, x.time]),
		    'file = last /messages');
		assertEq((fs.statSync(file).mode & 0o777).toString(8), '600',
		    'mode');
		assertEq(fs.readdirSync(path.dirname(file)), ['state.json'],
		    'no temp file left');
	} finally {
		await s.kill();
	}
});

for (const [name, body] of [['garbage', '{not json'],
    ['bad_version', '{"version":2,"messages":[]}']]) {
	add(`corrupt_state_left_intact_${name}`, async () => {
		const file = path.join(tmpdir(), 'state.json');
		fs.writeFileSync(file, body);
		const s = await Server.start({ agent: demo,
		    args: ['--state-file', file] });
		try {
			const ev = await s.events();
			const e = await ev.wait((f) => f.event ===
			    'agent_error', 15000, 0, 'agent_error');
			assertEq(e.data.level, 'warning', 'level');
			assert(e.data.message.startsWith('Failed to restore ' +
			    'previous session: '), e.data.message);
			ev.close();
			await turn(s, 'hello');
			assertEq(await s.stop('SIGTERM'), { code: 0,
			    signal: null }, 'exit');
			assertEq(fs.readFileSync(file, 'utf8'), body,
			    'file left intact');
		} finally {
			await s.kill();
		}
	});
}

/* A queued message is acknowledged (202) only once it is on disk: a
 * SIGKILL right after the 202 loses nothing, and the restarted server
 * types it when the agent is idle (issue 15: "every session comes back
 * with its messages and queue"). */
add('queue_survives_sigkill', async () => {
	const file = path.join(tmpdir(), 'state.json');
	let s = await Server.start({ agent: demo,
	    args: ['--state-file', file] });
	try {
		await s.waitStable();
		assertEq((await postMessage(s.port, 'answer slow please'))
		    .status, 200, 'slow turn');
		const r = await request(s.port, 'POST', '/message', {
		    headers: { 'Content-Type': 'application/json' },
		    body: JSON.stringify({ content: 'queued before the kill',
		    type: 'user', queue: true }) });
		assertEq(r.status, 202, r.body);
		s.proc.kill('SIGKILL');
		await s.exited;
	} finally {
		await s.kill();
	}
	const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
	assertEq((saved.queue || []).map((q) => q.message),
	    ['queued before the kill'], 'the queue on disk');
	s = await Server.start({ agent: demo, args: ['--state-file', file] });
	try {
		const ms = await until(async () => {
			const m = await messages(s.port);
			const i = m.findIndex((x) => x.role === 'user' &&
			    x.content === 'queued before the kill');
			return i >= 0 && m[i + 1]?.content.includes(
			    'You asked: "queued before the kill"') ? m : false;
		}, 'the restored queue to be typed', 30000 * SLOW, 100);
		assertEq(ms.filter((x) => x.content ===
		    'queued before the kill').length, 1, 'typed once');
		assert(ms.some((x) => x.content === 'answer slow please'),
		    'the journaled message is back too');
		assertEq((await request(s.port, 'GET', '/status')).json.queue, 0,
		    'queue empty');
		assertEq(await s.stop('SIGTERM'), { code: 0, signal: null },
		    'exit');
		assert(!('queue' in JSON.parse(fs.readFileSync(file, 'utf8'))),
		    'an empty queue leaves upstream\'s bytes');
	} finally {
		await s.kill();
	}
}, 90000);

add('sigkill_during_save_never_tears', async () => {
	const file = path.join(tmpdir(), 'state.json');
	/* A big conversation so that each save takes a while. */
	const big = 'lorem ipsum dolor sit amet '.repeat(400);
	const seed = { version: 1, messages: Array.from({ length: 201 },
	    (_, i) => ({ id: i, message: `${i} ${big}`, role: i % 2 ?
	    'user' : 'agent', time: '2026-01-01T00:00:00Z' })),
	    initial_prompt: '', initial_prompt_sent: false };
	fs.writeFileSync(file, JSON.stringify(seed) + '\n');
	let count = 201;
	for (let i = 0; i < 4; i++) {
		const s = await Server.start({ agent: demo,
		    args: ['-s', file, '-H', '40'] });
		try {
			/* The state file plus the journal: every message
			 * answered 200 before a SIGKILL comes back. */
			const m = await until(async () => {
				const all = await messages(s.port);
				return all.length >= count ? all : false;
			}, `${count} messages`, 20000, 100);
			for (let j = 0; j < i; j++)
				assert(m.some((x) => x.role === 'user' &&
				    x.content.trim() === `turn ${j}`),
				    `turn ${j} survived the SIGKILL`);
			await s.waitStable(20000);
			const r = await postMessage(s.port, `turn ${i}`);
			assertEq(r.status, 200, r.body);
			/* Saves now happen (debounced) and on SIGUSR1. */
			s.proc.kill('SIGUSR1');
			await delay(i * 150);
			s.proc.kill('SIGKILL');
			await s.wait();
		} finally {
			await s.kill();
		}
		const st = readState(file);
		assert(st.messages.length >= count, 'old or new');
		count = st.messages.length;
	}
	assert(count > 201, 'at least one save got through');
}, 120000);

/* The module's shutdown script (coder-integration §1.6): PID file,
 * SIGUSR1, a /messages snapshot, SIGTERM, wait; plus the PID file rules. */
add('coder_shutdown_script_flow', async () => {
	const d = tmpdir();
	const pidf = path.join(d, 'deep', 'er', 'agentapi.pid');
	const file = path.join(d, 'state.json');
	const s = await Server.start({ agent: demo, args: ['--pid-file',
	    pidf, '--state-file', file] });
	try {
		assertEq(fs.readFileSync(pidf, 'utf8'), `${s.proc.pid}\n`,
		    'pid file');
		assertEq((fs.statSync(pidf).mode & 0o777).toString(8), '600',
		    'pid file mode');
		const again = await Server.start({ agent: demo, args: [
		    '--pid-file', pidf], ready: false });
		assertEq(await again.wait(), { code: 1, signal: null },
		    'second instance refused');
		assert(again.stderr.includes('another instance is already ' +
		    `running with PID ${s.proc.pid}`), again.stderr);
		await turn(s, 'hello');
		const up = await request(s.port, 'POST', '/upload', {
		    headers: { 'Content-Type': 'multipart/form-data; ' +
		    'boundary=b' }, body: '--b\r\nContent-Disposition: ' +
		    'form-data; name="file"; filename="a.txt"\r\n\r\nhi' +
		    '\r\n--b--\r\n' });
		assertEq(up.status, 200, up.body);
		s.proc.kill('SIGUSR1');
		const snap = await messages(s.port);
		assertEq(snap.length, 3, 'snapshot');
		const t0 = Date.now();
		assertEq(await s.stop('SIGTERM'), { code: 0, signal: null },
		    'exit');
		assert(Date.now() - t0 < 6000 * SLOW, 'prompt exit');
		assert(!fs.existsSync(pidf), 'pid file removed');
		assert(!fs.existsSync(path.dirname(path.dirname(
		    up.json.filePath))), 'upload directory removed');
		assertEq(readState(file).messages.length, 3, 'state saved');
	} finally {
		await s.kill();
	}
});

add('stale_pid_file_overwritten', async () => {
	const d = tmpdir();
	const pidf = path.join(d, 'agentapi.pid');
	for (const junk of ['999999999\n', 'not a pid\n']) {
		fs.writeFileSync(pidf, junk);
		await withServer({ agent: demo, args: ['--pid-file', pidf] },
		    async (s) => assertEq(fs.readFileSync(pidf, 'utf8'),
		    `${s.proc.pid}\n`, `over ${JSON.stringify(junk)}`));
	}
});

/* ---- agent exit, missing agent, environment ------------------------ */

add('agent_crash_mirrors_exit_status', async () => {
	const s = await Server.start({ agent: ['/bin/sh', '-c',
	    'echo "last words on screen"; read x; exit 3'] });
	try {
		const r = await postMessage(s.port, 'bye\r', 'raw');
		assertEq(r.status, 200, r.body);
		assertEq(await s.wait(), { code: 3, signal: null }, 'exit');
		assert(/agent exited with error: =+\n[^]*last words on screen/
		    .test(s.stderr), `last screen on stderr: ${s.stderr}`);
	} finally {
		await s.kill();
	}
});

add('agent_clean_exit_exits_0', async () => {
	const s = await Server.start({ agent: ['/bin/sh', '-c',
	    'echo hi; read x; exit 0'] });
	try {
		await postMessage(s.port, '\r', 'raw');
		assertEq(await s.wait(), { code: 0, signal: null }, 'exit');
	} finally {
		await s.kill();
	}
});

add('agent_killed_by_signal', async () => {
	const s = await Server.start({ agent: ['/bin/sh', '-c',
	    'echo doomed; read x; kill -9 $$'] });
	try {
		await postMessage(s.port, '\r', 'raw');
		const e = await s.wait();
		assert(e.code !== 0, `non-zero exit: ${JSON.stringify(e)}`);
		assert(s.stderr.includes('doomed'), 'last screen printed');
	} finally {
		await s.kill();
	}
});

add('missing_agent_binary', async () => {
	const s = await Server.start({ agent: ['x-no-such-agent-e2e'],
	    ready: false });
	try {
		assertEq(await s.wait(), { code: 1, signal: null }, 'exit');
		assert(s.stderr.includes('agentapi-c: agent ' +
		    '"x-no-such-agent-e2e" not found in PATH'), s.stderr);
	} finally {
		await s.kill();
	}
});

add('agent_environment_passes_through', () => withServer({
    agent: ['/bin/sh', '-c', 'echo "FOO=$FOO TERM=$TERM ' +
    'GIT=$GIT_AUTHOR_NAME"; stty size; exec sleep 1000'],
    args: ['-W', '70', '-H', '20'],
    env: { FOO: 'bar baz', GIT_AUTHOR_NAME: 'Ada', TERM: 'xterm' } },
    async (s) => {
	const m = await until(async () => {
		const x = await messages(s.port);
		return /20 70/.test(x[0]?.content) && x;
	}, 'the agent output', 10000, 50);
	assert(m[0].content.includes('FOO=bar baz TERM=vt100 GIT=Ada'),
	    m[0].content);
}));

add('agent_cwd_inherited', async () => {
	const d = tmpdir();
	await withServer({ agent: ['/bin/sh', '-c', 'pwd; exec sleep 1000'],
	    cwd: d }, async (s) => {
		await until(async () => (await messages(s.port))[0]?.content
		    .trim() === fs.realpathSync(d), 'pwd', 10000, 50);
	});
});

add('agent_output_unicode_and_invalid_utf8', () => withServer({
    agent: ['/bin/sh', '-c', 'printf "wide \\345\\255\\227 emoji ' +
    '\\360\\237\\230\\200 bad \\377\\376 end\\n> "; exec sleep 1000'] },
    async (s) => {
	const m = await until(async () => {
		const x = await messages(s.port);
		return /end/.test(x[0]?.content) && x;
	}, 'the output', 10000, 50);
	const line = m[0].content.split('\n')[0];
	assert(line.startsWith('wide \u5b57 emoji \u{1f600} bad '),
	    `wide characters once: ${JSON.stringify(line)}`);
	assert(line.endsWith(' end') && line.includes('\ufffd'),
	    `invalid bytes replaced: ${JSON.stringify(line)}`);
	const e = await s.events();
	try {
		await e.waitStatus('stable', 15000);
		e.checkValid();
	} finally {
		e.close();
	}
}));

add('sighup_is_graceful_too', async () => {
	const file = path.join(tmpdir(), 'state.json');
	const s = await Server.start({ agent: demo, args: ['-s', file] });
	try {
		await turn(s, 'hello');
		assertEq(await s.stop('SIGHUP'), { code: 0, signal: null },
		    'exit');
		assertEq(readState(file).messages.length, 3, 'saved');
	} finally {
		await s.kill();
	}
});

/* An agent that ignores SIGINT: SIGKILLed after the grace period, and a
 * second signal ends the server at once. */
const stubborn = ['/bin/sh', '-c', 'trap "" INT; printf "> "; ' +
    'exec sleep 1000'];
add('agent_ignoring_sigint_killed_after_grace', async () => {
	const s = await Server.start({ agent: stubborn });
	try {
		const t0 = Date.now();
		const e = await s.stop('SIGTERM', 12000);
		assertEq(e.signal, null, 'no crash');
		assert(Date.now() - t0 > 4000, 'SIGINT first, then a grace');
		assert(Date.now() - t0 < 9000 * SLOW, 'then SIGKILL');
	} finally {
		await s.kill();
	}
});

add('second_signal_forces_exit', async () => {
	const s = await Server.start({ agent: stubborn });
	try {
		s.proc.kill('SIGTERM');
		await until(() => /Received shutdown signal/.test(s.stdout),
		    'the first signal to be seen', 5000, 20);
		const t0 = Date.now();
		s.proc.kill('SIGINT');
		const e = await s.wait(3000);
		assertEq(e, { code: 1, signal: null }, 'forced');
		assert(Date.now() - t0 < 2000 * SLOW, 'at once');
		assert(/second/.test(s.stderr), s.stderr);
	} finally {
		await s.kill();
	}
});

await runAll('e2e-session', cases, 4);
