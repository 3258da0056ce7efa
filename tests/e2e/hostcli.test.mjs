/*
 * hostcli.test.mjs - the host's CLI for people (issue 15) as a black box:
 * the real binary's `ls`, `new`, `send`, `logs` (and `logs -f` through a
 * turn), `stop` and `attach ID` (on a PTY) against a real host on a
 * temporary socket, every answer checked against the host's own API;
 * their errors and exit codes with no host, an unknown session and a busy
 * or exited agent; TCP with the token; and a session whose type cannot
 * resume coming back `exited` with its history after `kill -9` of the
 * host, until it is restarted on purpose (`restart`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { assert, assertEq } from '../web/harness.mjs';
import {
	BIN, BUILD, DEMO, SLOW, deadline, freePort, runAll, tmpdir, until,
} from './lib.mjs';

const PTYRUN = path.join(BUILD, 'tests', 'pty-run');
const cases = [];
const add = (name, fn, timeout = 90000) =>
	cases.push({ name, fn, timeout });

/* Runs `agentapi-c ARGS...`: {code, out, err}. */
function cli(args, o = {}) {
	return new Promise((res, rej) => {
		const p = spawn(BIN, args, { stdio: ['pipe', 'pipe', 'pipe'],
		    env: { ...process.env, AGENTAPI_AUTH_TOKEN: '',
		    ...(o.env || {}) } });
		let out = '', err = '';
		p.stdout.on('data', (c) => { out += c; });
		p.stderr.on('data', (c) => { err += c; });
		const t = setTimeout(() => p.kill('SIGKILL'), 20000 * SLOW);
		p.on('error', rej);
		/* 'close': the exit and every byte of the output. */
		p.on('close', (code) => {
			clearTimeout(t);
			res({ code, out, err });
		});
		p.stdin.end(o.input);
	});
}

/* One request over the unix socket: {status, json, body}. */
function ureq(sock, method, p, body) {
	return new Promise((res, rej) => {
		const h = { Host: 'localhost' };
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
				res({ status: resp.statusCode, json, body: text });
			});
		});
		req.setTimeout(10000 * SLOW, () => req.destroy(
		    new Error(`${method} ${p}: no answer`)));
		req.on('error', rej);
		req.end(body === undefined ? undefined : JSON.stringify(body));
	});
}

/* A host on dir/run/h.sock with its state in dir/state. */
class Host {
	static async start(dir, args = []) {
		const h = new Host();
		h.sock = path.join(dir, 'run', 'h.sock');
		h.proc = spawn(BIN, ['host', '--socket', h.sock, '--state-dir',
		    path.join(dir, 'state'), '--stop-timeout', '2000', ...args],
		    { stdio: ['ignore', 'ignore', 'pipe'] });
		h.stderr = '';
		h.proc.stderr.on('data', (c) => { h.stderr += c; });
		h.exited = new Promise((res) => h.proc.on('exit', (code) => {
			h.code = code;
			res(code);
		}));
		await until(async () => {
			if (h.code !== undefined)
				throw new Error(`host exited: ${h.stderr}`);
			return fs.existsSync(h.sock) && (await ureq(h.sock,
			    'GET', '/sessions')).status === 200;
		}, 'the host to answer', 10000, 25);
		return h;
	}

	/* The CLI aimed at this host's socket. */
	cli(cmd, args = [], o = {}) {
		return cli([cmd, '--socket', this.sock, ...args], o);
	}

	req(method, p, body) {
		return ureq(this.sock, method, p, body);
	}

	async list() {
		return (await this.req('GET', '/sessions')).json.sessions;
	}

	async messages(id) {
		return (await this.req('GET', `/sessions/${id}/messages`)).json
		    .messages;
	}

	async waitState(id, state, ms = 15000) {
		await until(async () => (await this.req('GET',
		    `/sessions/${id}/status`)).json?.state === state,
		    `session ${id} ${state}`, ms);
	}

	/* Waits for the demo agent's reply to text. */
	reply(id, text) {
		return until(async () => (await this.messages(id)).some((m) =>
		    m.role === 'agent' && m.content.includes(
		    `You asked: "${text}"`)), `the reply to ${text}`, 15000);
	}

	async kill(sig = 'SIGKILL') {
		if (this.code === undefined)
			this.proc.kill(sig);
		await deadline(this.exited, 10000, 'the host to exit');
		const m = /.*(runtime error|Sanitizer).*/.exec(this.stderr);
		assert(!m, `host stderr: ${m?.[0]}`);
	}
}

const agent = ['--', ...DEMO, '--think-ms', '50'];

/* `new`, checked: prints the id and nothing else. */
async function newSession(h, args) {
	const r = await h.cli('new', [...args, ...agent]);
	assertEq(r.code, 0, `new: ${r.err}`);
	const id = r.out.trim();
	assert(/^[0-9a-f]{16}$/.test(id), `new printed ${JSON.stringify(r.out)}`);
	return id;
}

add('no_host_and_bad_words', async () => {
	const dir = tmpdir();
	const sock = path.join(dir, 'none', 'h.sock');
	for (const args of [['ls'], ['send', 'x', 'hi'], ['logs', 'x'],
	    ['logs', '-f', 'x'], ['stop', 'x'], ['new', ...agent]]) {
		const r = await cli([args[0], '--socket', sock,
		    ...args.slice(1)]);
		assertEq(r.code, 2, `${args[0]}: ${r.err}`);
		assert(r.err.includes(`no host running at ${sock} (start one ` +
		    'with agentapi-c host)'), `${args[0]} says: ${r.err}`);
		assertEq(r.out, '', 'nothing on stdout');
	}
	/* A stale socket file, nobody behind it: the same. */
	const stale = path.join(dir, 'stale.sock');
	const srv = http.createServer();
	await new Promise((res) => srv.listen(stale, res));
	await new Promise((res) => srv.close(res));
	fs.writeFileSync(stale, '');
	let r = await cli(['ls', '--socket', stale]);
	assertEq(r.code, 2, r.err);
	/* Usage errors: 1, and nothing is sent anywhere. */
	r = await cli(['new', '--socket', sock, '--name', 'x']);
	assertEq(r.code, 1);
	assert(r.err.includes("new needs the agent's command"), r.err);
	r = await cli(['send', '--socket', sock, 'x']);
	assertEq(r.code, 1);
	assert(r.err.includes('send needs an ID or NAME and the text'), r.err);
	r = await cli(['send', '-q', '-i', 'x', 'y']);
	assertEq(r.code, 1);
	r = await cli(['logs']);
	assertEq(r.code, 1);
	assert(r.err.includes('logs needs a session ID or NAME'), r.err);
	/* Help names the exit codes. */
	r = await cli(['send', '--help']);
	assertEq(r.code, 0);
	assert(r.out.includes('Exit codes: 0 done'), r.out);
});

add('new_ls_send_logs_stop', async () => {
	const dir = tmpdir();
	const work = fs.mkdtempSync(path.join(dir, 'cwd-'));
	const h = await Host.start(dir);
	try {
		const one = await newSession(h, ['--name', 'one']);
		const two = await newSession(h, ['-n', 'two', '--cwd', work,
		    '--term-width', '100', '--term-height', '200', '--prompt',
		    'first words']);
		/* What the host made of them. */
		let ls = await h.list();
		assertEq(ls.map((s) => [s.id, s.name]), [[one, 'one'],
		    [two, 'two']]);
		assertEq(ls[0].cwd, process.cwd(), 'new runs in our cwd');
		assertEq([ls[0].term_width, ls[0].term_height], [80, 1000]);
		assertEq([ls[1].cwd, ls[1].term_width, ls[1].term_height],
		    [work, 100, 200]);
		assertEq(ls[1].argv, [...DEMO, '--think-ms', '50']);
		await h.reply(two, 'first words');
		await h.waitState(one, 'idle');
		await h.waitState(two, 'idle');

		/* ls: a header and one line per session, as the API says. */
		let r = await h.cli('ls');
		assertEq(r.code, 0, r.err);
		const lines = r.out.trimEnd().split('\n');
		assertEq(lines.length, 3, r.out);
		assert(/^ID +NAME +TYPE +STATUS +STATE +MSGS +AGE +CWD$/
		    .test(lines[0]), lines[0]);
		ls = await h.list();
		for (const [i, s] of ls.entries()) {
			const f = lines[i + 1].split(/ {2,}/);
			assertEq(f.slice(0, 6), [s.id, s.name, 'custom', 'stable',
			    'idle', String(s.messages)], lines[i + 1]);
			assert(/^\d+[smhd]$/.test(f[6]), `age ${f[6]}`);
			assertEq(f[7], s.cwd);
		}
		assertEq(ls[1].messages, 3, 'greeting, prompt, reply');
		r = await h.cli('ls', ['--json']);
		assertEq(r.code, 0, r.err);
		const js = JSON.parse(r.out).sessions;
		assertEq(js.map((s) => [s.id, s.name, s.state]), ls.map((s) =>
		    [s.id, s.name, s.state]));

		/* send: by name, by id, by a start of the id, from stdin;
		 * it returns once the agent took the message. */
		r = await h.cli('send', ['one', 'hello', 'there']);
		assertEq([r.code, r.out, r.err], [0, '', '']);
		assert((await h.messages(one)).some((m) => m.role === 'user' &&
		    m.content === 'hello there'), 'acknowledged: recorded');
		await h.reply(one, 'hello there');
		await h.waitState(one, 'idle');
		r = await h.cli('send', [one.slice(0, 6), '-'],
		    { input: 'from stdin\n' });
		assertEq(r.code, 0, r.err);
		await h.reply(one, 'from stdin');
		await h.waitState(one, 'idle');

		/* Busy: 4 and a hint, unless queued. */
		r = await h.cli('send', [one, 'answer slow please']);
		assertEq(r.code, 0, r.err);
		r = await h.cli('send', ['one', 'too soon']);
		assertEq(r.code, 4, `busy: ${r.err}`);
		assert(r.err.includes('--queue'), r.err);
		r = await h.cli('send', ['--queue', 'one', 'later']);
		assertEq(r.code, 0, r.err);
		assert(/^queued \(position 1\)\n$/.test(r.out), r.out);
		await h.reply(one, 'later');
		assert(!(await h.messages(one)).some((m) => m.content ===
		    'too soon'), 'the refused one never went in');

		/* logs: every message, in order, with its role. */
		await h.waitState(one, 'idle');
		r = await h.cli('logs', ['one']);
		assertEq(r.code, 0, r.err);
		const msgs = await h.messages(one);
		const heads = r.out.split('\n').filter((l) =>
		    l.startsWith('--- #'));
		assertEq(heads.map((l) => l.split(' ').slice(1, 3).join(' ')),
		    msgs.map((m) => `#${m.id} ${m.role}`), r.out);
		for (const m of msgs)
			assert(r.out.includes(m.content), `logs has ${m.id}`);

		/* Unknown sessions: 3, whatever the command. */
		for (const args of [['send', 'nope', 'x'], ['logs', 'nope'],
		    ['logs', '-f', 'nope'], ['stop', 'nope'],
		    ['attach', 'nope']]) {
			r = await h.cli(args[0], args.slice(1));
			assertEq(r.code, 3, `${args}: ${r.err}`);
			assert(r.err.includes('no session nope on the host at ' +
			    h.sock), r.err);
		}
		/* A name two sessions share is not enough. */
		await newSession(h, ['--name', 'one']);
		r = await h.cli('logs', ['one']);
		assertEq(r.code, 3);
		assert(r.err.includes('2 sessions are named one'), r.err);

		/* stop: prints the id, the session is gone. */
		const pid = ls[1].pid;
		r = await h.cli('stop', ['two']);
		assertEq([r.code, r.out], [0, `${two}\n`], r.err);
		assert(!(await h.list()).some((s) => s.id === two), 'gone');
		await until(() => {
			try {
				process.kill(pid, 0);
				return false;
			} catch {
				return true;
			}
		}, 'the agent to end', 5000);
		r = await h.cli('stop', [two]);
		assertEq(r.code, 3, r.err);
	} finally {
		await h.kill();
	}
});

add('logs_follow_a_turn', async () => {
	const dir = tmpdir();
	const h = await Host.start(dir);
	try {
		const id = await newSession(h, ['--name', 'f']);
		await h.waitState(id, 'idle');
		const p = spawn(BIN, ['logs', '-f', '--socket', h.sock, 'f']);
		let out = '', err = '';
		p.stdout.on('data', (c) => { out += c; });
		p.stderr.on('data', (c) => { err += c; });
		const ended = new Promise((res) => p.on('exit', res));
		try {
			/* The history first (replayed by /events)... */
			await until(() => out.includes('--- #0 agent') &&
			    out.includes('Send me a message.'), 'the greeting',
			    10000);
			/* ...then a turn as it happens, each message once and
			 * whole. */
			const r = await h.cli('send', ['f', 'follow me']);
			assertEq(r.code, 0, r.err);
			await until(() => out.includes('- run the tests'),
			    `the reply in -f (${JSON.stringify(out)}, ${err})`,
			    15000);
			assertEq(out.split('--- #1 user').length, 2, out);
			assertEq(out.split('--- #2 agent').length, 2, out);
			assert(out.indexOf('follow me') <
			    out.indexOf('You asked: "follow me"'), 'in order');
			const reply = (await h.messages(id))[2].content;
			assert(out.includes(`\n${reply}\n`), 'the whole reply');
			/* Stopping the session ends the stream: exit 0. */
			assertEq((await h.cli('stop', ['f'])).code, 0);
			assertEq(await deadline(ended, 10000, 'logs -f to end'),
			    0, err);
		} finally {
			p.kill('SIGKILL');
		}
	} finally {
		await h.kill();
	}
});

add('attach_id_through_the_socket', async () => {
	const dir = tmpdir();
	const h = await Host.start(dir);
	try {
		const id = await newSession(h, ['--name', 'pty']);
		await h.waitState(id, 'idle');
		const p = spawn(PTYRUN, ['80', '24', BIN, 'attach', '--socket',
		    h.sock, 'pty'], { stdio: ['pipe', 'pipe', 'pipe'] });
		let out = '', err = '';
		p.stdout.setEncoding('latin1');
		p.stdout.on('data', (c) => { out += c; });
		p.stderr.on('data', (c) => { err += c; });
		const ended = new Promise((res) => p.on('exit', (code) =>
		    res(code)));
		const see = (s, from = 0) => until(() => out.indexOf(s, from) >=
		    0, `${s} on the screen (${JSON.stringify(out.slice(-300))},` +
		    ` ${err})`, 15000, 25);
		try {
			await see('agentapi-c demo agent');
			await see('agent: idle');
			await see(`attached to /sessions/${id}`);
			const m = out.length;
			p.stdin.write('typed in a pty\r');
			await see('You asked: "typed in a pty"', m);
			await h.reply(id, 'typed in a pty');
			p.stdin.write('\x1d');
			assertEq(await deadline(ended, 10000, 'attach to end'),
			    0, err);
			assert(/restored=1/.test(err), err);
		} finally {
			p.kill('SIGKILL');
		}
	} finally {
		await h.kill();
	}
});

add('exited_after_a_host_restart_until_restarted', async () => {
	const dir = tmpdir();
	let h = await Host.start(dir);
	try {
		const id = await newSession(h, ['--name', 'keep']);
		await h.waitState(id, 'idle');
		assertEq((await h.cli('send', ['keep', 'remember me'])).code, 0);
		await h.reply(id, 'remember me');
		await h.waitState(id, 'idle');
		const before = await h.messages(id);
		const oldPid = (await h.list())[0].pid;
		await h.kill('SIGKILL');
		h = await Host.start(dir);

		/* The demo agent (custom) has no resume flag: not relaunched,
		 * listed exited with its whole history. */
		const [s] = await h.list();
		assertEq([s.id, s.name, s.state, s.status, s.pid, s.messages],
		    [id, 'keep', 'exited', 'stable', 0, before.length]);
		assert(h.stderr.includes(`session ${id} brought back exited`),
		    h.stderr);
		const st = (await h.req('GET', `/sessions/${id}/status`)).json;
		assertEq([st.status, st.state], ['stable', 'exited']);
		assertEq((await h.messages(id)).map((m) => [m.role, m.content]),
		    before.map((m) => [m.role, m.content]), 'history');
		let r = await h.cli('ls');
		assert(/keep +custom +stable +exited +3 /.test(r.out), r.out);
		r = await h.cli('logs', ['keep']);
		assertEq(r.code, 0, r.err);
		assert(r.out.includes('remember me') && r.out.includes(
		    'You asked: "remember me"'), r.out);
		/* Nothing runs: a message is refused with 5, and nothing
		 * moves. */
		r = await h.cli('send', ['keep', 'anyone there']);
		assertEq(r.code, 5, r.err);
		assert(r.err.includes('the agent has exited'), r.err);
		/* The old agent went with its host (SIGHUP); none came. */
		await until(() => {
			try {
				process.kill(oldPid, 0);
				return false;
			} catch {
				return true;
			}
		}, 'the old agent to end', 5000);
		assertEq((await h.list())[0].pid, 0, 'still no agent');

		/* Restarted on purpose: fresh agent, history kept. */
		r = await h.cli('restart', ['keep']);
		assertEq([r.code, r.out], [0, `${id}\n`], r.err);
		await h.waitState(id, 'idle');
		assert((await h.list())[0].pid > 0, 'an agent runs');
		r = await h.req('POST', `/sessions/${id}/restart`, {});
		assertEq(r.status, 409, 'only an exited one restarts');
		r = await h.cli('restart', ['keep']);
		assertEq(r.code, 4, r.err);
		assert(r.err.includes('only an exited session can be ' +
		    'restarted'), r.err);
		assertEq((await h.cli('send', ['keep', 'back again'])).code, 0);
		await h.reply(id, 'back again');
		const after = await h.messages(id);
		assert(after.some((m) => m.content === 'remember me'),
		    'the old history stays');
		/* A clean stop: exited again, both turns kept. */
		await h.kill('SIGTERM');
		h = await Host.start(dir);
		assertEq((await h.list())[0].state, 'exited');
		const all = (await h.messages(id)).map((m) => m.content);
		assert(all.includes('remember me') && all.includes('back again'),
		    JSON.stringify(all));
		/* An unknown id cannot be restarted. */
		r = await h.req('POST', '/sessions/0123456789abcdef/restart', {});
		assertEq(r.status, 404);
		assertEq((await h.cli('restart', ['nope'])).code, 3);
		/* The API's restart, as the CLI's. */
		r = await h.req('POST', `/sessions/${id}/restart`, {});
		assertEq([r.status, r.json.id], [200, id], r.body);
		await h.waitState(id, 'idle');
	} finally {
		await h.kill();
	}
});

add('tcp_with_the_token', async () => {
	const dir = tmpdir();
	const port = await freePort();
	const h = await Host.start(dir, ['--port', String(port)]);
	try {
		const id = await newSession(h, ['--name', 't']);
		const url = `http://127.0.0.1:${port}`;
		/* The token file beside the socket... */
		let r = await cli(['ls', '--json', '--url', url, '--socket',
		    h.sock]);
		assertEq(r.code, 0, r.err);
		assertEq(JSON.parse(r.out).sessions[0].id, id);
		/* ...or the environment; a wrong one is refused. */
		const token = fs.readFileSync(path.join(path.dirname(h.sock),
		    'host.token'), 'utf8');
		r = await cli(['logs', '--url', url, 't'],
		    { env: { AGENTAPI_AUTH_TOKEN: token } });
		assertEq(r.code, 0, r.err);
		assert(r.out.includes('--- #0 agent'), r.out);
		r = await cli(['ls', '--url', url, '--auth-token', 'wrong']);
		assertEq(r.code, 1, r.err);
		assert(r.err.includes('the host refused the token'), r.err);
		/* Nobody on the port: no host. */
		const other = await freePort();
		r = await cli(['ls', '--url', `http://127.0.0.1:${other}`,
		    '--auth-token', 'x']);
		assertEq(r.code, 2, r.err);
	} finally {
		await h.kill();
	}
});

/* A fake host on a unix socket: what the CLI reads is bounded, checked
 * and cleaned of control characters before it reaches the terminal. */
add('hostile_host_answers_are_bounded_and_cleaned', async () => {
	const dir = tmpdir();
	const sock = path.join(dir, 'fake.sock');
	let answer = () => [200, '{}'];
	const srv = http.createServer((req, res) => {
		const [status, body] = answer(req);
		res.writeHead(status, { 'Content-Type': 'application/json' });
		res.end(body);
	});
	await new Promise((res) => srv.listen(sock, res));
	const evil = 'x\x1b]0;pwned\x07\x1b[2Jy';
	const session = { id: '0123456789abcdef', name: evil, cwd: `/${evil}`,
	    agent_type: 'custom', status: 'stable', state: 'idle',
	    messages: 1, created: '2026-01-01T00:00:00Z' };
	try {
		/* Not a session list: refused, exit 1. */
		answer = () => [200, '{"sessions": "nope"}'];
		let r = await cli(['ls', '--socket', sock]);
		assertEq(r.code, 1, r.err);
		r = await cli(['logs', '--socket', sock, 'x']);
		assertEq(r.code, 1, r.err);
		assert(r.err.includes('not a session list'), r.err);
		/* Escapes in names, paths and messages never reach us. */
		answer = (req) => [200, JSON.stringify(req.url === '/sessions' ?
		    { sessions: [session] } : { messages: [{ id: 0, role:
		    'agent', content: `hi ${evil}\nthere`, time: 'now' }] })];
		r = await cli(['ls', '--socket', sock]);
		assertEq(r.code, 0, r.err);
		assert(!r.out.includes('\x1b') && !r.out.includes('\x07'),
		    JSON.stringify(r.out));
		assert(r.out.includes('x?]0;pwned??[2Jy'), r.out);
		r = await cli(['logs', '--socket', sock, '0123456789abcdef']);
		assertEq(r.code, 0, r.err);
		assert(!r.out.includes('\x1b'), JSON.stringify(r.out));
		assert(r.out.includes('hi x?]0;pwned??[2Jy\nthere'), r.out);
		/* A session id that is not one is never used in a path. */
		answer = () => [201, '{"id": "../../etc"}'];
		r = await cli(['new', '--socket', sock, '--', 'true']);
		assertEq(r.code, 1, r.err);
		answer = () => [200, JSON.stringify({ sessions: [{ ...session,
		    id: '../../../etc/x' }] })];
		r = await cli(['stop', '--socket', sock, '../../../etc/x']);
		assertEq(r.code, 3, r.err);
		/* Past 64 MiB the answer is dropped, not buffered. */
		const big = `{"sessions": [], "pad": "${'a'.repeat(65 << 20)}"}`;
		answer = () => [200, big];
		r = await cli(['ls', '--socket', sock]);
		assertEq(r.code, 1, r.err);
		assert(r.err.includes("the host's answer is too large"), r.err);
	} finally {
		await new Promise((res) => srv.close(res));
	}
});

runAll('e2e-hostcli', cases);
