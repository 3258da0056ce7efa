/*
 * http.test.mjs - the HTTP attacks of issue 17 against the real binary
 * ($AA_BIN), each asserting what must hold: the right status codes, no
 * file written by a refused request, no event lost on a cut replay,
 * /status answering throughout a slow-client attack, RSS bounded.
 *
 * Quick cases run in `make test` (tests/fault/http.test.sh); with
 * AA_FAULT_LONG=1 (`make test-fault`) the long ones run instead: 2,000
 * slow connections against a 1,024-descriptor limit.  Everything is
 * loopback, bounded in count and in time.  Run it against another binary
 * with AA_BIN=... to see the "before" column.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { assert, assertEq } from '../web/harness.mjs';
import {
	BIN, DEMO, SLOW, Server, delay, deadline, messages, postMessage,
	request, runAll, withServer,
} from '../e2e/lib.mjs';

const LONG = process.env.AA_FAULT_LONG === '1';
const demo = [...DEMO, '--think-ms', '300'];
const cases = [];
const add = (name, fn, timeout = 60000, long = false) => {
	if (long === LONG)
		cases.push({ name, fn, timeout });
};

/* Sends raw bytes on a fresh connection; resolves with all it got back
 * (until the server closes or ms pass). */
function raw(port, bytes, ms = 5000) {
	return new Promise((res) => {
		const s = net.connect(port, '127.0.0.1');
		const got = [];
		const end = () => {
			clearTimeout(t);
			s.destroy();
			res(Buffer.concat(got).toString('latin1'));
		};
		const t = setTimeout(end, ms * SLOW);
		s.on('connect', () => s.write(bytes));
		s.on('data', (c) => got.push(c));
		s.on('close', end);
		s.on('error', end);
	});
}

/* The status code of the first response in text, or 0. */
function statusOf(text) {
	const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
	return m ? Number(m[1]) : 0;
}

/* VmRSS of a process in KiB. */
function rssKiB(pid) {
	const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`,
	    'utf8'));
	return m ? Number(m[1]) : 0;
}

/* A server whose descriptor limit is lowered to nofile. */
function limitedServer(nofile, args = []) {
	return Server.start({ bin: '/bin/sh', raw: (port) => ['-c',
	    `ulimit -n ${nofile} && exec "$0" "$@"`, BIN, 'server', '--port',
	    String(port), ...args, '--', ...DEMO] });
}

/* ---- protocol strictness -------------------------------------------- */

add('http2_version_is_505', () => withServer({ agent: DEMO },
    async (s) => {
	assertEq(statusOf(await raw(s.port, 'GET /status HTTP/2.0\r\n' +
	    'Host: localhost\r\n\r\n')), 505, 'HTTP/2.0 request line');
}));

add('obs_fold_is_400', () => withServer({ agent: DEMO }, async (s) => {
	assertEq(statusOf(await raw(s.port, 'GET /status HTTP/1.1\r\n' +
	    'Host: localhost\r\nX-A: a\r\n b\r\n\r\n')), 400, 'obs-fold');
	assertEq(statusOf(await raw(s.port, 'GET /status HTTP/1.1\r\n' +
	    'Host: localhost\r\nX-A: a\r\nConnection: close\r\n\r\n')),
	    200, 'the same unfolded');
}));

add('host_userinfo_and_port_are_400', () => withServer({ agent: DEMO },
    async (s) => {
	for (const h of ['evil.com@localhost', 'localhost:99999',
	    'localhost:3284@evil.com', 'localhost:80:80'])
		assertEq((await request(s.port, 'GET', '/status',
		    { headers: { Host: h } })).status, 400, `Host: ${h}`);
	assertEq((await request(s.port, 'GET', '/status',
	    { headers: { Host: 'localhost:65535' } })).status, 200, 'port ok');
}));

/* ---- cross-site writes ---------------------------------------------- */

/* A multipart POST /upload of one file, as an HTML form sends it. */
function upload(port, content, headers = {}) {
	const b = 'x-boundary-17';
	const body = `--${b}\r\nContent-Disposition: form-data; name="file"; ` +
	    `filename="f.txt"\r\nContent-Type: text/plain\r\n\r\n${content}` +
	    `\r\n--${b}--\r\n`;
	return request(port, 'POST', '/upload', { headers: {
	    'Content-Type': `multipart/form-data; boundary=${b}`, ...headers },
	    body });
}

add('cross_site_upload_is_403_and_writes_nothing', () => withServer({
    agent: DEMO }, async (s) => {
	for (const o of ['http://evil.example', 'null',
	    'http://localhost:9999']) {
		const r = await upload(s.port, `evil ${o}`, { Origin: o });
		assertEq([r.status, r.headers['content-type']], [403,
		    'application/problem+json'], `upload from ${o}`);
	}
	const ok = await upload(s.port, 'from curl');
	assertEq(ok.status, 200, 'no Origin (curl)');
	const own = await upload(s.port, 'from the chat', { Origin:
	    `http://localhost:${s.port}` });
	assertEq(own.status, 200, 'the server\'s own origin');
	const dir = path.dirname(path.dirname(ok.json.filePath));
	assertEq(fs.readdirSync(dir).length, 2, `files in ${dir}: only the ` +
	    'two allowed uploads');
}));

add('cross_site_message_is_403_sdk_and_allowed_origin_ok', () =>
    withServer({ agent: DEMO }, async (s) => {
	const post = (headers) => postMessage(s.port, '', 'raw', { headers })
	    .then((r) => r.status);
	assertEq(await post({ Origin: 'http://evil.example' }), 403, 'evil');
	assertEq(await post({ Origin: 'http://evil.example',
	    'Sec-Fetch-Site': 'cross-site' }), 403, 'cross-site');
	assertEq(await post({}), 200, 'no Origin (Go SDK, curl)');
	assertEq(await post({ Origin: 'http://localhost:3000' }), 200,
	    'allowed origin');
	assertEq(await post({ Origin: 'https://coder.example',
	    'Sec-Fetch-Site': 'same-origin' }), 200, 'same-origin proxy');
}));

/* ---- the token ------------------------------------------------------- */

add('query_token_only_on_eventsource_routes_and_no_nul', () =>
    withServer({ agent: DEMO, args: ['--auth-token', 's3cr3t'] },
    async (s) => {
	const st = (p) => request(s.port, 'GET', p, { timeout: 3000 })
	    .then((r) => r.status, () => 'open');
	assertEq(await st('/status?token=s3cr3t'), 401, '/status ?token=');
	assertEq(await st('/messages?token=s3cr3t'), 401, '/messages ?token=');
	assertEq(await st('/events?token=s3cr3t%00junk'), 401, 'NUL');
	assertEq(await st('/internal/screen?token=s3cr3t%00'), 401, 'NUL');
	for (const p of ['/events', '/internal/screen']) {
		const e = await s.events(`${p}?token=s3cr3t`);
		try {
			assertEq(e.status, 200, `${p}?token=`);
		} finally {
			e.close();
		}
	}
}));

/* ---- JSON ------------------------------------------------------------ */

add('json_nul_is_422_never_cut', () => withServer({ agent: demo },
    async (s) => {
	await s.waitStable(20000);
	const before = (await messages(s.port)).length;
	for (const type of ['user', 'raw']) {
		const r = await request(s.port, 'POST', '/message', { headers: {
		    'Content-Type': 'application/json' },
		    body: `{"content":"a\\u0000b","type":"${type}"}` });
		assertEq(r.status, 422, `${type}: ${r.body}`);
		assert(/NUL/.test(r.json.errors[0].message), 'says why');
	}
	assertEq((await messages(s.port)).length, before, 'nothing sent');
}));

/* ---- SSE replay ids -------------------------------------------------- */

/* Reads /events until n frames arrived; resolves them and closes. */
function firstFrames(port, n, lei) {
	return new Promise((res, rej) => {
		const headers = { Host: 'localhost' };
		if (lei)
			headers['Last-Event-ID'] = lei;
		const s = net.connect(port, '127.0.0.1');
		let buf = '';
		const frames = [];
		const t = setTimeout(() => {
			s.destroy();
			res(frames);
		}, 3000 * SLOW);
		s.on('connect', () => s.write('GET /events HTTP/1.0\r\n' +
		    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`)
		    .join('') + '\r\n'));
		s.on('data', (c) => {
			buf += c.toString('utf8');
			const body = buf.split('\r\n\r\n').slice(1).join('\r\n\r\n');
			const fs2 = body.split('\n\n').slice(0, -1)
			    .filter((f) => !f.startsWith(':'));
			frames.length = 0;
			for (const f of fs2) {
				const o = {};
				for (const l of f.split('\n')) {
					const i = l.indexOf(': ');
					o[l.slice(0, i)] = l.slice(i + 2);
				}
				frames.push(o);
			}
			if (frames.length >= n) {
				clearTimeout(t);
				s.destroy();
				res(frames.slice(0, n));
			}
		});
		s.on('error', rej);
	});
}

add('sse_cut_inside_replay_resumes_exactly', () => withServer({
    agent: demo }, async (s) => {
	await s.waitStable(20000);
	const r = await postMessage(s.port, 'hello');
	assertEq(r.status, 200, r.body);
	await s.waitStable(20000);
	const n = (await messages(s.port)).length + 1; /* + status */
	assert(n >= 4, `a replay of ${n} frames`);
	const all = await firstFrames(s.port, n);
	assertEq(all.length, n, 'the whole replay');
	const ids = all.map((f) => f.id);
	assertEq(new Set(ids).size, n, `one id per frame: ${ids}`);
	/* Cut after each frame in turn: the rest, exactly, comes back. */
	for (let k = 1; k < n; k++) {
		const rest = await firstFrames(s.port, n - k, all[k - 1].id);
		assertEq(rest.map((f) => [f.event, f.data]),
		    all.slice(k).map((f) => [f.event, f.data]),
		    `resume after frame ${k} (${all[k - 1].id})`);
	}
	/* After the last frame: nothing is replayed. */
	const none = await firstFrames(s.port, 1, all[n - 1].id);
	assertEq(none, [], 'caught up');
}));

/* ---- slow clients ---------------------------------------------------- */

/*
 * n connections that each send a request head one byte every everyMs
 * and never finish it; a closed one is opened again (the attacker keeps
 * the pressure up) until stop().
 */
function slowPool(port, n, everyMs) {
	const socks = new Set();
	const st = { opened: 0, closed: 0, answered408: 0 };
	let stopped = false;
	const open = () => {
		if (stopped)
			return;
		const s = net.connect(port, '127.0.0.1');
		let timer;
		s.on('connect', () => {
			st.opened++;
			s.write('GET /status HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
			timer = setInterval(() => s.write('a'), everyMs);
		});
		s.on('data', (c) => {
			if (/^HTTP\/1\.1 408/.test(c.toString('latin1')))
				st.answered408++;
		});
		s.on('error', () => {});
		s.on('close', () => {
			clearInterval(timer);
			socks.delete(s);
			st.closed++;
			if (!stopped)
				setTimeout(open, 500);
		});
		socks.add(s);
	};
	/* Open in batches so the test's own loop stays responsive. */
	let i = 0;
	const batch = setInterval(() => {
		for (let k = 0; k < 100 && i < n; k++, i++)
			open();
		if (i >= n)
			clearInterval(batch);
	}, 20);
	return {
		st,
		live: () => socks.size,
		stop() {
			stopped = true;
			clearInterval(batch);
			for (const s of socks)
				s.destroy();
		},
	};
}

/* Polls GET /status every `every` ms for ms; every answer must be a 200
 * within the timeout.  Resolves {ok, failed, worst}. */
async function pollStatus(port, ms, every = 250, timeout = 3000) {
	const end = Date.now() + ms;
	const r = { ok: 0, failed: [], worst: 0 };
	while (Date.now() < end) {
		const t0 = Date.now();
		try {
			const x = await request(port, 'GET', '/status', { timeout });
			if (x.status === 200)
				r.ok++;
			else
				r.failed.push(x.status);
		} catch (e) {
			r.failed.push(e.code || e.message);
		}
		r.worst = Math.max(r.worst, Date.now() - t0);
		await delay(every);
	}
	return r;
}

add('slow_head_is_cut_by_one_deadline', () => withServer({ agent: DEMO },
    async (s) => {
	/* One header byte a second: the 5 s head deadline must end it,
	 * though no gap between bytes comes near 5 s. */
	const p = slowPool(s.port, 1, 1000);
	const t0 = Date.now();
	try {
		await deadline(new Promise((res) => {
			const t = setInterval(() => {
				if (p.st.closed > 0) {
					clearInterval(t);
					res();
				}
			}, 50);
		}), 9000, 'the slow connection to be closed');
		const took = Date.now() - t0;
		assert(took >= 4000, `closed after ${took} ms, not before 5 s`);
		assertEq(p.st.answered408, 1, '408 Request Timeout');
	} finally {
		p.stop();
	}
}), 30000);

add('slow_body_is_cut_by_the_minimum_rate', () => withServer({
    agent: DEMO }, async (s) => {
	/* A complete head, then a body byte a second: no gap reaches the
	 * 5 s stall timeout, but 1 B/s is far below the minimum rate. */
	const sock = net.connect(s.port, '127.0.0.1');
	let got = '';
	let timer;
	const t0 = Date.now();
	try {
		await deadline(new Promise((res) => {
			sock.on('connect', () => {
				sock.write('POST /message HTTP/1.1\r\nHost: ' +
				    'localhost\r\nContent-Type: application/json' +
				    '\r\nContent-Length: 1000\r\n\r\n{');
				timer = setInterval(() => sock.write(' '), 1000);
			});
			sock.on('data', (c) => {
				got += c.toString('latin1');
			});
			sock.on('error', res);
			sock.on('close', res);
		}), 12000, 'the slow body to be cut');
		const took = Date.now() - t0;
		assertEq(statusOf(got), 408, `answer after ${took} ms`);
		assert(took >= 4000, `cut after ${took} ms, not before 5 s`);
	} finally {
		clearInterval(timer);
		sock.destroy();
	}
}), 30000);

/* n slow connections against a server limited to nofile descriptors. */
async function slowloris(nofile, n, ms, maxRssKiB) {
	const s = await limitedServer(nofile);
	const p = slowPool(s.port, n, 2000);
	try {
		const r = await pollStatus(s.port, ms);
		const rss = rssKiB(s.proc.pid);
		console.log(`  ${n} slow clients, nofile ${nofile}: ` +
		    `${p.st.opened} opened, ${p.st.closed} closed, ` +
		    `${p.live()} live; /status ${r.ok} ok, ` +
		    `${r.failed.length} failed, worst ${r.worst} ms; ` +
		    `RSS ${rss} KiB`);
		assert(p.st.opened >= Math.min(n, nofile),
		    `the attack ran (${p.st.opened} opened)`);
		assertEq(r.failed, [], '/status answered throughout');
		/* No slow client keeps its connection past the head deadline
		 * (or past being shed). */
		assert(p.st.closed >= n, `every slow client was cut at least ` +
		    `once (${p.st.closed} closes)`);
		assert(r.ok >= ms / 1000, `${r.ok} answers`);
		assert(rss < maxRssKiB, `RSS ${rss} KiB < ${maxRssKiB}`);
	} finally {
		p.stop();
		await s.kill();
	}
}

add('slowloris_300_vs_256_fds_status_answers', () =>
    slowloris(256, 300, 10000, 64 * 1024), 60000);

add('slowloris_2000_vs_1024_fds_status_answers', () =>
    slowloris(1024, 2000, 30000, 96 * 1024), 120000, true);
add('slowloris_2000_default_fds_status_answers', () =>
    slowloris(8192, 2000, 20000, 96 * 1024), 120000, true);

/* The long ones one at a time: two floods at once measure the machine. */
await runAll(LONG ? 'fault-http-long' : 'fault-http', cases, LONG ? 1 : 2);
