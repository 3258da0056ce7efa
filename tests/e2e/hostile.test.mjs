/*
 * hostile.test.mjs - hostile agents against the real binary (issue 17):
 * an agent whose children ignore SIGHUP and SIGTERM and keep the
 * terminal, from its group, a group and a session of their own, then
 * exits (the server exits with the agent's status only once they are
 * gone, and a server told to stop leaves none either); an agent that
 * closes its terminal but runs on (gone for the API: sends are refused
 * as the status says, and the server stops it and exits with how it
 * ended, at once when it honours SIGHUP, by SIGKILL 250 ms later when
 * not).
 */
import fs from 'node:fs';
import { assert, assertEq } from '../web/harness.mjs';
import {
	FAKE, SLOW, Server, messages, postMessage, runAll, status, until,
} from './lib.mjs';

/* The fields of /proc/PID/stat after the command name, or null. */
function procStat(pid) {
	try {
		const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return s.slice(s.lastIndexOf(')') + 2).split(' ');
	} catch {
		return null;
	}
}

/* A zombie is dead: only whoever inherited it may still reap it. */
function alive(pid) {
	const f = procStat(pid);
	return f !== null && f[0] !== 'Z' && f[0] !== 'X';
}

/* The server's one child: the agent. */
function agentPid(s) {
	const pid = s.proc.pid;
	const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`,
	    'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
	assertEq(kids.length, 1, `children of the server: ${kids}`);
	return kids[0];
}

/* True while pid has a /dev/pts/N open (false once it is gone). */
function holdsTerminal(pid) {
	try {
		return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
			try {
				return fs.readlinkSync(`/proc/${pid}/fd/${fd}`)
				    .startsWith('/dev/pts/');
			} catch {
				return false;
			}
		});
	} catch {
		return false;
	}
}

/* Waits until the messages hold re, and returns their text. */
function screenHas(s, re, ms = 10000) {
	return until(async () => {
		const m = await messages(s.port);
		const c = m.map((x) => x.content).join('\n');
		return re.test(c) && c;
	}, `${re} on the screen`, ms, 50);
}

const cases = [];
const add = (name, fn, timeout = 60000) =>
	cases.push({ name, fn, timeout });

add('children_of_an_exited_agent_are_stopped', async () => {
	const s = await Server.start({ agent: [FAKE, '--exit-code', '4',
	    '--hostile-children'] });
	let pids = [];
	try {
		const agent = agentPid(s);
		const c = await screenHas(s, /children \d+ \d+ \d+/);
		pids = c.match(/children (\d+) (\d+) (\d+)/).slice(1)
		    .map(Number);
		pids.forEach((p) => assert(alive(p), `child ${p} runs`));
		assertEq(pids.map((p) => Number(procStat(p)[3])),
		    [agent, agent, pids[2]], 'sessions: ours, ours, its own');
		assertEq(Number(procStat(pids[1])[2]), pids[1],
		    'a group of its own');
		const r = await postMessage(s.port, '\r', 'raw');
		assertEq(r.status, 200, r.body);
		assertEq(await s.wait(10000 * SLOW), { code: 4, signal: null },
		    'the agent\'s status');
		assert(/non-zero exit code 4/.test(s.stderr), s.stderr);
		pids.forEach((p, i) => assert(!alive(p),
		    `child ${i} (${p}) outlived the server`));
	} finally {
		await s.kill();
		pids.forEach((p) => {
			try {
				process.kill(p, 'SIGKILL');
			} catch {}
		});
	}
});

/* The same agent (it ignores SIGINT too) when the server is told to
 * stop: SIGINT, SIGKILL after 5 s, and then its children as well. */
add('server_stop_leaves_no_children', async () => {
	const s = await Server.start({ agent: [FAKE, '--hostile-children'] });
	let pids = [];
	try {
		const c = await screenHas(s, /children \d+ \d+ \d+/);
		pids = c.match(/children (\d+) (\d+) (\d+)/).slice(1)
		    .map(Number);
		pids.forEach((p) => assert(alive(p), `child ${p} runs`));
		assertEq(await s.stop('SIGTERM', 15000 * SLOW), { code: 0,
		    signal: null }, 'exit');
		pids.forEach((p, i) => assert(!alive(p),
		    `child ${i} (${p}) outlived the server`));
	} finally {
		await s.kill();
		pids.forEach((p) => {
			try {
				process.kill(p, 'SIGKILL');
			} catch {}
		});
	}
});

add('agent_closing_its_terminal_is_gone', async () => {
	const s = await Server.start({ agent: [FAKE, '--close-terminal'] });
	let agent = 0;
	try {
		agent = agentPid(s);
		await s.waitStable(15000);
		const r = await postMessage(s.port, '\r', 'raw');
		assertEq(r.status, 200, r.body);
		const t0 = Date.now();
		await until(() => !holdsTerminal(agent),
		    'the agent to close its terminal', 10000, 10);
		/* Gone for the API: a send is refused (or finds the server
		 * already gone), never accepted: 409 while "running" (its
		 * goodbye changed the screen), else 503 "the agent has
		 * exited".  A /status read just before may not have seen
		 * the goodbye yet (a send looks at the newest screen), so
		 * "stable" allows either. */
		try {
			const st = await status(s.port);
			const m = await postMessage(s.port, 'are you there?');
			if (st === 'running')
				assertEq(m.status, 409, m.body);
			else if (m.status !== 409) {
				assertEq(m.status, 503, m.body);
				assert(/the agent has exited/.test(m.body),
				    m.body);
			}
		} catch (e) {
			if (!/ECONNREFUSED|ECONNRESET|socket hang up/.test(
			    e.message))
				throw e;
		}
		/* It ignores SIGHUP and SIGTERM: SIGKILL 250 ms later. */
		assertEq(await s.wait(10000 * SLOW), { code: 137,
		    signal: null }, 'exit status');
		assert(/killed by signal 9/.test(s.stderr), s.stderr);
		assert(Date.now() - t0 < 5000 * SLOW, 'stopped promptly');
		assert(!alive(agent), 'the agent is gone');
	} finally {
		await s.kill();
		if (agent)
			try {
				process.kill(agent, 'SIGKILL');
			} catch {}
	}
});

add('agent_closing_its_terminal_gets_sighup_at_once', async () => {
	const s = await Server.start({ agent: ['/bin/sh', '-c',
	    'printf "> "; read x; exec sleep 100 0<&- 1>&- 2>&-'] });
	try {
		const r = await postMessage(s.port, '\r', 'raw');
		assertEq(r.status, 200, r.body);
		const t0 = Date.now();
		assertEq(await s.wait(10000 * SLOW), { code: 129,
		    signal: null }, 'exit status: SIGHUP');
		assert(Date.now() - t0 < 3000 * SLOW,
		    `promptly: ${Date.now() - t0} ms`);
	} finally {
		await s.kill();
	}
});

await runAll('e2e-hostile', cases, 3);
