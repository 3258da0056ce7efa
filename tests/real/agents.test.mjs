// agents.test.mjs - real coding agents end to end through agentapi-c's
// HTTP API, against the fake LLM (fakellm.mjs).  Issue 7.
//
// For each agent installed by `make real-agents` (agents.mjs): start
// `$AA_BIN server --type T --port P -I PROMPT -- <agent>` with a throwaway
// HOME, follow /events, and check
//   ready        status reaches stable within the deadline
//   initial      the -I prompt is delivered once (one LLM request) and its
//                answer is the fake reply
//   turns        three turns: the user message is exactly what was sent,
//                the agent message is exactly the fake reply, status goes
//                running -> stable, ids are 0..n, earlier messages never
//                change
//   long, list, arrows, cjk, slow
//                the shaped replies come out whole and clean
//   permission   the agent's question is in the message and a raw answer
//                lets the turn finish
// An agent that is not installed, or a server that cannot run, is skipped
// with the reason.  Prints "real-agents: N passed, N failed, N skipped".
//
// "Exactly the fake reply" allows only the agent's own rendering: the reply
// marker on the first line (●, •, ✦, ◆) and the indentation the TUI puts
// before every line; see README.md.
//
// Environment: AA_BIN (agentapi-c), AA_REAL_AGENTS (comma list of agents
// to run, "all" for every one; default: RELIABLE below),
// AA_REAL_TERM_HEIGHT (--term-height for the server; default 1000),
// AA_REAL_KEEP=1 keeps the temporary folder, AA_REAL_VERBOSE=1.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeLLM, reply } from './fakellm.mjs';
import { AGENTS, unavailable } from './agents.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TOP = process.env.AA_TOP ?? path.resolve(HERE, '../..');
const BIN = process.env.AA_BIN ?? path.join(TOP, 'agentapi-c');
const VERBOSE = process.env.AA_REAL_VERBOSE === '1';
const HEIGHT = process.env.AA_REAL_TERM_HEIGHT ?? '';
// Agents whose long reply outgrows a HEIGHT-row screen: all of them, as
// the server sees no scrollback (alt screen or not).
const SHORT = HEIGHT && Number(HEIGHT) < 80 ? AGENTS.map((a) => a.name) :
  [];
const READY_MS = 120000;
// The agents that pass reliably: the default set, the one CI runs.
const RELIABLE = ['claude', 'codex', 'gemini', 'qwen', 'opencode',
  'copilot'];
const TURN_MS = 90000;

let passed = 0;
let failed = 0;
let skipped = 0;
const summary = [];

function log(...a) {
  if (VERBOSE)
    console.log('   ', ...a);
}

class Fail extends Error {}

function check(cond, msg) {
  if (!cond)
    throw new Fail(msg);
}

function show(s) {
  return JSON.stringify(s);
}

// What each agent shows when asked for permission, and how to say yes.
// stable: whether the screen holds still while it asks (copilot counts
// the seconds the command has waited, so its status stays running).
const PERMISSION = {
  claude: { question: /Do you want to proceed\?/, answer: '\r',
    stable: true },
  codex: { question: /Would you like to run the following command\?/,
    answer: 'y', stable: true },
  gemini: { question: /Allow execution of/, answer: '\r', stable: true },
  qwen: { question: /Allow execution/, answer: '\r', stable: true },
  opencode: { question: /Permission required|Allow|permission/i,
    answer: '\r', stable: true },
  copilot: { question: /Do you want to run this command\?/, answer: '\r',
    stable: false },
};

// ---- small HTTP + SSE client ------------------------------------------

function request(port, method, p, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path: p,
      headers: data ? { 'content-type': 'application/json',
        'content-length': Buffer.byteLength(data) } : {} }, (res) => {
      const bufs = [];
      res.on('data', (b) => bufs.push(b));
      res.on('end', () => {
        const text = Buffer.concat(bufs).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode, text, json });
      });
    });
    req.setTimeout(60000, () => req.destroy(new Error('request timeout')));
    req.on('error', reject);
    if (data)
      req.write(data);
    req.end();
  });
}

// Follows /events: keeps the status, the status history and every message
// update; waiters are resolved from the event handler, never by polling.
class Events {
  constructor(port) {
    this.status = null;
    this.statuses = [];
    this.updates = [];
    this.messages = new Map();
    this.waiters = [];
    this.closed = false;
    this.req = http.get({ host: '127.0.0.1', port, path: '/events',
      headers: { accept: 'text/event-stream' } }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (s) => {
        buf += s;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          this.frame(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
      });
      res.on('end', () => {
        this.closed = true;
        this.poke();
      });
    });
    this.req.on('error', () => {
      this.closed = true;
      this.poke();
    });
  }

  frame(text) {
    let ev = 'message';
    let data = '';
    for (const l of text.split('\n')) {
      if (l.startsWith('event:'))
        ev = l.slice(6).trim();
      else if (l.startsWith('data:'))
        data += l.slice(5).trim();
    }
    let o;
    try {
      o = JSON.parse(data);
    } catch {
      return;
    }
    if (ev === 'status_change') {
      this.status = o.status;
      this.statuses.push(o.status);
    } else if (ev === 'message_update') {
      this.updates.push(o);
      this.messages.set(o.id, o);
    }
    this.poke();
  }

  poke() {
    for (const w of this.waiters.slice())
      if (w.pred()) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve();
      }
  }

  wait(pred, ms, what) {
    if (pred())
      return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { pred: () => pred() || this.closed, resolve: () => {
        if (pred())
          resolve();
        else
          reject(new Fail(`event stream closed waiting for ${what}`));
      } };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Fail(`timeout (${ms} ms) waiting for ${what}; ` +
          `status ${this.status}`));
      }, ms);
      this.waiters.push(w);
    });
  }

  close() {
    this.req.destroy();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

// ---- reply checks -----------------------------------------------------

const MARKER = /^(?:[●•✦◆⏺▣✻]\uFE0E?\uFE0F?) ?/u;

// The lines without the indentation they all share.
function dedent(lines) {
  let ind = Infinity;
  for (const l of lines)
    if (l.trim() !== '')
      ind = Math.min(ind, l.length - l.trimStart().length);
  return ind === Infinity ? lines : lines.map((l) => l.slice(ind));
}

// The agent's message without its reply marker and common indentation.
function normalise(msg) {
  const lines = dedent(msg.split('\n'));
  lines[0] = lines[0].replace(MARKER, '');
  let ind = Infinity;
  for (const l of lines.slice(1))
    if (l.trim() !== '')
      ind = Math.min(ind, l.length - l.trimStart().length);
  if (ind === Infinity)
    ind = 0;
  return lines.map((l, i) => i === 0 ? l : l.slice(ind)).join('\n');
}

// Checks that the message is the reply and nothing else.
function checkExact(msg, want, what) {
  for (const l of msg.split('\n'))
    check(!/[ \t]$/.test(l), `${what}: line with trailing padding: ` +
      show(l));
  const got = normalise(msg);
  check(got === want, `${what}: agent message is not the reply\n` +
    `      want ${show(want)}\n      got  ${show(msg)}`);
}

// A reply longer than an alt-screen TUI's screen: with no scrollback, its
// start is gone for good; what is left must be a clean, whole-line tail
// of it, at least a screenful less the TUI's own rows.
function checkTail(msg, wantLines, what) {
  for (const l of msg.split('\n'))
    check(!/[ \t]$/.test(l), `${what}: line with trailing padding: ` +
      show(l));
  const got = normalise(msg).split('\n');
  const tail = wantLines.slice(wantLines.length - got.length);
  check(got.length >= Number(HEIGHT) / 2 && got.length <= wantLines.length &&
    got.join('\n') === tail.join('\n'), `${what}: not a tail of the ` +
    `reply\n      got  ${show(msg)}`);
  log(`${what}: the last ${got.length} of ${wantLines.length} lines`);
}

// A rendered markdown reply: every expected line in order, no other line
// than the expected ones (modulo list bullets, code-block line numbers and
// fences), first and last lines right.
function checkRendered(msg, wantLines, what) {
  const strip = (l) => l.trimStart().replace(MARKER, '').replace(/^\s*\d+\s+/, '')
    .replace(/^\s*[-*•]\s+/, '').replace(/[│┃]/g, '').trim();
  const got = msg.split('\n').map(strip).filter((l) => l !== '' &&
    !/^```/.test(l));
  const want = wantLines.map(strip).filter((l) => l !== '' &&
    !/^```/.test(l));
  for (const l of msg.split('\n'))
    check(!/[ \t]$/.test(l), `${what}: line with trailing padding: ` +
      show(l));
  check(got.join('\n') === want.join('\n'), `${what}: rendered reply ` +
    `differs\n      want ${show(want.join('\n'))}\n      got  ${show(msg)}`);
}

// ---- one agent --------------------------------------------------------

async function runAgent(agent, fake, root) {
  const cases = ['ready', 'initial', 'turns', 'long', 'list', 'arrows',
    'cjk', 'slow', 'permission'];
  const results = new Map();
  const why = unavailable(agent);
  const row = { agent: agent.name, version: agent.version,
    installed: why === null, clean: 0, run: 0, note: '' };
  summary.push(row);
  if (why !== null) {
    for (const c of cases)
      results.set(c, { skip: why });
    return report(agent, cases, results);
  }
  const port = await freePort();
  const firstRequest = fake.requests.length;
  const initial = 'Initial prompt for the agent';
  const { env, argv, cwd } = agent.prepare(root, fake.port);
  const logFile = path.join(root, agent.name, 'server.log');
  const size = HEIGHT ? ['--term-height', HEIGHT] : [];
  const srv = spawn(BIN, ['server', '--type', agent.type, '--port',
    String(port), ...size, '-I', initial, '--', ...argv],
  { env, cwd, stdio: ['ignore', fs.openSync(logFile, 'w'),
    fs.openSync(logFile, 'a')], detached: true });
  let exited = null;
  srv.on('exit', (code, sig) => {
    exited = `exited (${code ?? sig})`;
  });
  let ev;
  const turnMessages = [];
  // One turn through POST /message; returns the agent's reply message.
  // `asks`, for a turn that ends in a question the agent keeps animating
  // (so it never goes stable): the turn is over once that is on screen.
  const turn = async (content, name, asks) => {
    await ev.wait(() => ev.status === 'stable', TURN_MS,
      `stable before ${name}`);
    const before = (await request(port, 'GET', '/messages')).json.messages;
    const nStat = ev.statuses.length;
    row.run++;
    const r = await request(port, 'POST', '/message',
      { type: 'user', content });
    check(r.status === 200 && r.json?.ok === true,
      `${name}: POST /message: ${r.status} ${r.text}`);
    const lastAgent = () => {
      const ms = [...ev.messages.values()];
      return ms.at(-1)?.role === 'agent' ? ms.at(-1).message : '';
    };
    await ev.wait(() => ev.statuses.slice(nStat).includes('running') &&
      (ev.status === 'stable' || (asks !== undefined &&
        asks.test(lastAgent()))), TURN_MS,
    `${name}: running -> stable`);
    const after = (await request(port, 'GET', '/messages')).json.messages;
    after.forEach((m, i) => check(m.id === i, `${name}: id ${m.id} at ${i}`));
    for (let i = 0; i < before.length; i++)
      check(before[i].content === after[i].content,
        `${name}: earlier message ${i} changed:\n      was ` +
        `${show(before[i].content)}\n      now ${show(after[i].content)}`);
    check(after.length === before.length + 2,
      `${name}: ${after.length - before.length} new messages, want 2`);
    const u = after[before.length];
    const a = after[before.length + 1];
    check(u.role === 'user' && u.content === content,
      `${name}: user message ${show(u.content)}, want ${show(content)}`);
    check(a.role === 'agent', `${name}: no agent reply`);
    turnMessages.push(a.content);
    log(`${name}:`, show(a.content));
    return a.content;
  };
  const clean = async (content, name, fn) => {
    const msg = await turn(content, name);
    fn(msg);
    row.clean++;
  };
  const tc = async (name, fn) => {
    if (exited !== null) {
      results.set(name, { fail: `server ${exited}` });
      return;
    }
    const t0 = Date.now();
    try {
      await fn();
      results.set(name, { ok: Date.now() - t0 });
    } catch (e) {
      results.set(name, { fail: e.message + (exited ? ` (server ` +
        `${exited})` : '') });
    }
  };
  try {
    await new Promise((resolve, reject) => {
      const end = Date.now() + 20000;
      const tryIt = () => {
        const s = net.connect(port, '127.0.0.1');
        s.on('connect', () => {
          s.destroy();
          resolve();
        });
        s.on('error', () => {
          if (exited !== null || Date.now() > end)
            reject(new Error(`server not listening: ${exited ?? 'timeout'}`));
          else
            setTimeout(tryIt, 100);
        });
      };
      tryIt();
    });
    ev = new Events(port);
    const t0 = Date.now();
    await tc('ready', async () => {
      // Readiness gates stable; the initial prompt then turns it running.
      await ev.wait(() => ev.statuses.includes('stable') ||
        [...ev.messages.values()].some((m) => m.role === 'user'),
      READY_MS, 'stable');
      log(`ready after ${Date.now() - t0} ms`);
    });
    await tc('initial', async () => {
      row.run++;
      await ev.wait(() => {
        const ms = [...ev.messages.values()];
        return ms.length >= 3 && ev.status === 'stable' &&
          ms[ms.length - 1].role === 'agent';
      }, READY_MS, 'the initial prompt answered');
      const ms = (await request(port, 'GET', '/messages')).json.messages;
      check(ms[1]?.role === 'user' && ms[1].content === initial,
        `user message 1 is ${show(ms[1]?.content)}`);
      checkExact(ms[2].content, reply(initial).join('\n'), 'initial');
      const n = fake.requests.slice(firstRequest).filter((q) =>
        q.prompt === initial && !q.title &&
        (q.stream === true || /stream/.test(q.path))).length;
      check(n === 1, `initial prompt reached the LLM ${n} times`);
      row.clean++;
    });
    await tc('turns', async () => {
      for (const p of ['First question for the fake',
        'Second question, a bit longer than the first one',
        'Third and last question'])
        await clean(p, p, (m) => checkExact(m, reply(p).join('\n'), p));
    });
    for (const [name, p, rendered] of [
      ['long', 'Please send LONGREPLY now', false],
      ['list', 'Please send LISTREPLY now', true],
      ['arrows', 'Please send ARROWREPLY now', false],
      ['cjk', 'Please send CJKREPLY now', false],
      ['slow', 'Please send SLOWREPLY now', false],
    ])
      await tc(name, () => clean(p, name, (m) => rendered ?
        checkRendered(m, reply(p), name) :
        name === 'long' && SHORT.includes(agent.name) ?
          checkTail(m, reply(p), name) :
          checkExact(m, reply(p).join('\n'), name)));
    await tc('permission', async () => {
      const p = 'Please run TOOLREPLY now';
      const perm = PERMISSION[agent.name];
      const msg = await turn(p, 'permission',
        perm.stable ? undefined : perm.question);
      check(perm.question.test(msg), `permission: question not in the ` +
        `message: ${show(msg)}`);
      const nStat = ev.statuses.length;
      const busy = ev.status !== 'stable';
      const r = await request(port, 'POST', '/message',
        { type: 'raw', content: perm.answer });
      check(r.status === 200, `raw answer: ${r.status} ${r.text}`);
      await ev.wait(() => ev.status === 'stable' &&
        (busy || ev.statuses.slice(nStat).includes('running')) &&
        /TOOL DONE: /.test([...ev.messages.values()].at(-1).message),
      TURN_MS, 'the turn to finish after the answer');
      const ms = (await request(port, 'GET', '/messages')).json.messages;
      const last = ms.at(-1);
      check(last.role === 'agent' && last.content.includes(
        `TOOL DONE: ${p}`), `permission: final message ${show(last.content)}`);
      row.clean++;
    });
  } catch (e) {
    for (const c of cases)
      if (!results.has(c))
        results.set(c, { fail: e.message });
  } finally {
    ev?.close();
    await stopServer(srv);
    for (const c of cases)
      if (!results.has(c))
        results.set(c, { fail: 'not run' });
    if (VERBOSE || [...results.values()].some((r) => r.fail))
      console.log(`    server log: ${logFile}`);
  }
  return report(agent, cases, results);
}

// SIGTERM to the server's process group, SIGKILL after a grace period.
async function stopServer(srv) {
  if (srv.exitCode !== null || srv.signalCode !== null)
    return;
  const done = new Promise((r) => srv.once('exit', r));
  try {
    process.kill(srv.pid, 'SIGTERM');
  } catch {}
  const t = setTimeout(() => {
    try {
      process.kill(-srv.pid, 'SIGKILL');
    } catch {}
  }, 10000);
  await done;
  clearTimeout(t);
  try {
    process.kill(-srv.pid, 'SIGKILL');
  } catch {}
}

function report(agent, cases, results) {
  for (const c of cases) {
    const r = results.get(c);
    const name = `real_${agent.name}_${c}`;
    if (r.skip !== undefined) {
      skipped++;
      console.log(`SKIP ${name}: ${r.skip}`);
    } else if (r.fail !== undefined) {
      failed++;
      console.log(`FAIL ${name}: ${r.fail}`);
    } else {
      passed++;
      console.log(`ok   ${name} (${r.ok} ms)`);
    }
  }
}

// Why agentapi-c's server cannot be used here, or null.
function serverUnavailable() {
  if (!fs.existsSync(BIN))
    return `${BIN} not built`;
  const r = spawnSync(BIN, ['server', '--help'], { encoding: 'utf8',
    timeout: 10000 });
  if (r.status !== 0)
    return 'agentapi-c has no working "server" command yet';
  return null;
}

async function main() {
  const set = process.env.AA_REAL_AGENTS ?? RELIABLE.join(',');
  const only = set === 'all' ? AGENTS.map((a) => a.name) :
    set.split(',').filter(Boolean);
  for (const a of AGENTS)
    if (!only.includes(a.name)) {
      skipped++;
      console.log(`SKIP real_${a.name}: not in AA_REAL_AGENTS=${set}` +
        (RELIABLE.includes(a.name) ? '' : ' (not reliable yet, see ' +
          'tests/real/README.md; AA_REAL_AGENTS=all runs it)'));
    }
  const agents = AGENTS.filter((a) => only.includes(a.name));
  const noServer = serverUnavailable();
  const anyInstalled = agents.some((a) => unavailable(a) === null);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-real-'));
  const fake = await startFakeLLM({ log: path.join(root,
    'fakellm.jsonl') });
  try {
    for (const a of agents) {
      if (!anyInstalled) {
        skipped++;
        console.log(`SKIP real_${a.name}: no agent installed ` +
          '(run make real-agents)');
        continue;
      }
      if (noServer !== null && unavailable(a) === null) {
        skipped++;
        console.log(`SKIP real_${a.name}: ${noServer}`);
        continue;
      }
      await runAgent(a, fake, root);
    }
  } finally {
    await fake.close();
    if (process.env.AA_REAL_KEEP !== '1' && failed === 0)
      fs.rmSync(root, { recursive: true, force: true });
    else
      console.log(`    kept ${root}`);
  }
  if (summary.length) {
    console.log('\n| agent | version | installed offline | turns clean / ' +
      'turns run |');
    console.log('| --- | --- | --- | --- |');
    for (const r of summary)
      console.log(`| ${r.agent} | ${r.version} | ` +
        `${r.installed ? 'yes' : 'no'} | ${r.clean} / ${r.run} |`);
  }
  console.log(`real-agents: ${passed} passed, ${failed} failed, ` +
    `${skipped} skipped`);
  process.exit(failed ? 1 : 0);
}

await main();
