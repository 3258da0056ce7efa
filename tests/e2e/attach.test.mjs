/*
 * attach.test.mjs - `agentapi-c attach` end to end: the real binary on a
 * pseudo-terminal (build/tests/pty-run, since node has none) against a real
 * server running the demo agent.  What is typed reaches the agent and its
 * reply is drawn; the terminal's size reaches POST /resize at start and
 * after a resize; Ctrl-C goes to the agent (the demo stops a slow reply,
 * "[interrupted]") instead of ending attach; the detach keys end it with
 * status 0 and the terminal's modes restored, as a signal, an error or
 * the server's end do; two clients attach to one server at once and both see and type.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { assert, assertEq } from '../web/harness.mjs';
import {
	BIN, BUILD, DEMO, deadline, getJSON, runAll, until, withServer,
} from './lib.mjs';

const PTYRUN = path.join(BUILD, 'tests', 'pty-run');
const cases = [];
const add = (name, fn, timeout = 60000) =>
	cases.push({ name, fn, timeout });
const demo = { agent: [...DEMO, '--think-ms', '200'] };

/* One `agentapi-c attach` on a cols x rows PTY. */
class Attach {
	constructor(port, cols, rows, args = []) {
		this.url = `http://127.0.0.1:${port}`;
		this.proc = spawn(PTYRUN, [String(cols), String(rows), BIN,
		    'attach', '--url', this.url, ...args],
		    { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
		this.out = '';
		this.err = '';
		this.proc.stdout.setEncoding('latin1');
		this.proc.stdout.on('data', (c) => { this.out += c; });
		this.proc.stderr.on('data', (c) => { this.err += c; });
		this.exited = new Promise((res) => this.proc.on('exit',
		    (code, signal) => {
			this.code = code;
			res({ code, signal });
		}));
	}

	/* The keyboard. */
	type(s) {
		this.proc.stdin.write(Buffer.from(s, 'latin1'));
	}

	/* Resizes the PTY: the kernel sends attach SIGWINCH. */
	resize(cols, rows) {
		this.proc.stdio[3].write(`resize ${cols} ${rows}\n`);
	}

	/* The position in the output, to look only at what comes after. */
	mark() {
		return this.out.length;
	}

	/* Waits until the output after `from` contains s. */
	async see(s, from = 0, ms = 15000) {
		try {
			return await until(() => {
				if (this.code !== undefined)
					throw new Error(`attach exited ${this.code}`);
				return this.out.indexOf(s, from) >= 0;
			}, `${JSON.stringify(s)} on the attached screen`, ms, 25);
		} catch (e) {
			throw new Error(`${e.message} (tail: ` +
			    `${JSON.stringify(this.out.slice(-400))}, err: ` +
			    `${JSON.stringify(this.err)})`);
		}
	}

	/* The attach process's pid, from pty-run's first line. */
	pid() {
		return until(() => {
			const m = /pty-run: pid=(\d+)/.exec(this.err);
			return m && Number(m[1]);
		}, 'the pid of attach');
	}

	/* Waits for the end: {code, restored}. */
	async end(ms = 10000) {
		const { code } = await deadline(this.exited, ms,
		    `attach to exit (out: ${JSON.stringify(this.out.slice(-300))}` +
		    `, err: ${this.err})`);
		const m = /restored=(\d)/.exec(this.err);
		return { code, restored: m ? m[1] === '1' : null };
	}

	kill() {
		if (this.code === undefined)
			this.proc.kill('SIGKILL');
	}
}

/* Attaches, waits for the start line and the first screen, runs fn. */
async function withAttach(s, cols, rows, args, fn) {
	const a = new Attach(s.port, cols, rows, args);
	try {
		await a.see('agentapi-c demo agent');
		return await fn(a);
	} finally {
		a.kill();
	}
}

const status = (port) => getJSON(port, '/status');

/* Waits until the agent is idle (screen quiet, prompt shown). */
function idle(port) {
	return until(async () => {
		const st = await status(port);
		return st.status === 'stable' && st.state === 'idle';
	}, 'the agent to be idle', 15000);
}

/* The server's screen as /internal/screen gives it now, split in lines. */
async function screenLines(s) {
	const e = await s.events('/internal/screen');
	try {
		const f = await e.wait((x) => x.event === 'screen');
		return f.data.screen.split('\n');
	} finally {
		e.close();
	}
}

add('type_see_reply_detach', () => withServer(demo, async (s) => {
	await withAttach(s, 80, 24, [], async (a) => {
		await a.see(`attached to ${a.url}; detach with Ctrl-]`);
		await idle(s.port);
		await a.see('agent: idle');
		const m = a.mark();
		a.type('hello there\r');
		await a.see('You asked: "hello there"', m);
		await a.see('- run the tests', m);
		/* The detach key ends attach, the terminal as it was. */
		const m2 = a.mark();
		a.type('\x1d');
		assertEq(await a.end(), { code: 0, restored: true },
		    'detach');
		const tail = a.out.slice(m2);
		assert(tail.includes('\x1b[?1049l'), 'left the alternate ' +
		    'screen');
		assert(tail.includes('\x1b[?7h'), 'autowrap back on');
		assert(tail.includes(`detached from ${a.url}`), 'says so');
		/* The agent did not get the detach key, and runs on. */
		await idle(s.port);
	});
}));

add('resize_follows_the_terminal', () => withServer(demo, async (s) => {
	await withAttach(s, 100, 30, [], async (a) => {
		await idle(s.port);
		/* At start: 100 columns, 29 rows (one is the status line). */
		const m = a.mark();
		a.type('x'.repeat(150) + '\r');
		await a.see('You asked: "' + 'x'.repeat(20), m);
		await idle(s.port);
		let lines = await screenLines(s);
		assert(lines.length <= 29, `${lines.length} rows at 30`);
		assert(lines.every((l) => [...l].length <= 100),
		    'every row fits 100 columns');
		assert(lines.some((l) => [...l].length === 100),
		    `a row of 100 columns: ${JSON.stringify(lines)}`);
		/* SIGWINCH: the server follows, debounced. */
		a.resize(60, 20);
		await until(async () => {
			lines = await screenLines(s);
			return lines.every((l) => [...l].length <= 60) &&
			    lines.length <= 19;
		}, 'the server screen at 60x19', 10000, 100);
		/* A size below the API's bounds is clamped, not refused. */
		a.resize(12, 8);
		await until(async () => {
			lines = await screenLines(s);
			return lines.every((l) => [...l].length <= 20) &&
			    lines.length <= 10;
		}, 'the server screen at 20x10', 10000, 100);
		a.type('\x1d');
		assertEq(await a.end(), { code: 0, restored: true }, 'detach');
	});
}));

add('ctrl_c_reaches_the_agent', () => withServer(demo, async (s) => {
	await withAttach(s, 80, 40, [], async (a) => {
		await idle(s.port);
		const m = a.mark();
		a.type('answer slow please\r');
		await a.see('Here is a slow answer', m);
		a.type('\x03');
		await a.see('[interrupted]', m);
		/* attach is still there, and so is the agent. */
		await idle(s.port);
		assert(a.code === undefined, 'attach still runs');
		const m2 = a.mark();
		a.type('still here\r');
		await a.see('You asked: "still here"', m2);
		a.type('\x1d');
		assertEq(await a.end(), { code: 0, restored: true }, 'detach');
	});
}));

add('two_clients_at_once', () => withServer(demo, async (s) => {
	await withAttach(s, 80, 30, [], (a) => withAttach(s, 90, 30, [],
	    async (b) => {
		await idle(s.port);
		let ma = a.mark(), mb = b.mark();
		a.type('from alpha\r');
		await a.see('You asked: "from alpha"', ma);
		await b.see('You asked: "from alpha"', mb);
		await idle(s.port);
		ma = a.mark();
		mb = b.mark();
		b.type('from beta\r');
		await b.see('You asked: "from beta"', mb);
		await a.see('You asked: "from beta"', ma);
		/* One leaves; the other stays attached and sees on. */
		b.type('\x1d');
		assertEq(await b.end(), { code: 0, restored: true },
		    'b detached');
		await idle(s.port);
		ma = a.mark();
		a.type('alone now\r');
		await a.see('You asked: "alone now"', ma);
		a.type('\x1d');
		assertEq(await a.end(), { code: 0, restored: true },
		    'a detached');
	}));
}));

add('status_line_shows_waiting', () => withServer(demo, async (s) => {
	await withAttach(s, 100, 24, [], async (a) => {
		await idle(s.port);
		const m = a.mark();
		a.type('ask for permission\r');
		await a.see('agent: waiting for you', m);
		const m2 = a.mark();
		a.type('y\r');
		await a.see('agent: idle', m2);
		a.type('\x1d');
		assertEq(await a.end(), { code: 0, restored: true }, 'detach');
	});
}));

add('detach_keys_flag', () => withServer(demo, async (s) => {
	await withAttach(s, 80, 24, ['--detach-keys', 'ctrl-p,ctrl-q'],
	    async (a) => {
		await a.see('detach with Ctrl-P,Ctrl-Q');
		await idle(s.port);
		/* Half the sequence is held, then let through. */
		const m = a.mark();
		a.type('\x10');
		a.type('one\r');
		await a.see('You asked: "', m);
		a.type('\x10\x11');
		assertEq(await a.end(), { code: 0, restored: true }, 'detach');
	});
	/* A bad spelling is refused before the terminal is touched. */
	const bad = new Attach(s.port, 80, 24, ['--detach-keys', 'ctrl-[']);
	try {
		assertEq(await bad.end(), { code: 1, restored: true },
		    'refused');
		assert(/Attach failed: invalid --detach-keys/.test(bad.out),
		    bad.out);
		assert(!bad.out.includes('\x1b[?1049h'), 'no alternate screen');
	} finally {
		bad.kill();
	}
}));

add('signal_and_server_end_restore_the_terminal', () =>
    withServer(demo, async (s) => {
	await withAttach(s, 80, 24, [], async (a) => {
		process.kill(await a.pid(), 'SIGTERM');
		assertEq(await a.end(), { code: 143, restored: true },
		    'SIGTERM');
	});
	await withAttach(s, 80, 24, [], async (a) => {
		await s.stop();
		const r = await a.end();
		assertEq(r, { code: 0, restored: true }, 'server gone');
		assert(a.out.includes('the server closed the screen stream'),
		    a.out.slice(-300));
	});
}));

add('error_restores_the_terminal_and_says_why', () =>
    withServer({ ...demo, args: ['--auth-token', 'sesame'] }, async (s) => {
	/* Without the token the screen stream is refused: status 1, the
	 * reason shown after the alternate screen is left. */
	const a = new Attach(s.port, 80, 24);
	try {
		assertEq(await a.end(), { code: 1, restored: true }, 'refused');
		const left = a.out.lastIndexOf('\x1b[?1049l');
		const why = a.out.indexOf('Attach failed: screen stream ' +
		    'answered 401');
		assert(why >= 0 && (left < 0 || why > left),
		    `the reason after the terminal is back: ${a.out}`);
	} finally {
		a.kill();
	}
	/* With it, attach works. */
	await withAttach(s, 80, 24, ['--auth-token', 'sesame'], async (b) => {
		b.type('\x1d');
		assertEq(await b.end(), { code: 0, restored: true }, 'detach');
	});
}));

await runAll('e2e-attach', cases, 2);
