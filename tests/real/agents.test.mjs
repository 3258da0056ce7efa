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
//   (deny, interrupt, queue, resize: the steering cases, see STEER)
//   health       /status said health "ok" after every finished turn: a
//                rule a new release broke shows here if not elsewhere
// An agent that is not installed, or a server that cannot run, is skipped
// with the reason.  Prints "real-agents: N passed, N failed, N skipped".
//
// "Exactly the fake reply" allows only the agent's own rendering: the reply
// marker on the first line (●, •, ✦, ◆) and the indentation the TUI puts
// before every line; see README.md.
//
// Environment: AA_BIN (agentapi-c), AA_REAL_AGENTS (comma list of agents
// to run, "all" for every one; default: RELIABLE below),
// AA_REAL_AGENTS_VERSIONS (which versions: pinned, the default; latest;
// or a list such as claude@2.1.332,codex@0.171.0; see agents.mjs),
// AA_REAL_TERM_HEIGHT (--term-height for the server; default 1000),
// AA_REAL_KEEP=1 keeps the temporary folder, AA_REAL_VERBOSE=1,
// AA_REAL_FRAMES=1 records every screen and state (see FRAMES),
// AA_REAL_BUDGET_S bounds the whole run (see BUDGET_S).
//
// A version other than the pin runs as real_<agent>@<version>_<case>; the
// summary table names the version each row ran.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startLoadFromEnv } from './load.mjs';
import { startFakeLLM, reply } from './fakellm.mjs';
import { AGENTS, select, unavailable } from './agents.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TOP = process.env.AA_TOP ?? path.resolve(HERE, '../..');
const BIN = process.env.AA_BIN ?? path.join(TOP, 'agentapi-c');
const VERBOSE = process.env.AA_REAL_VERBOSE === '1';
// AA_REAL_FRAMES=1: every screen of /internal/screen, with its arrival
// time, into <tmp>/<agent>@<version>/frames.jsonl (for a status that
// would not settle: what kept changing).
const FRAMES = process.env.AA_REAL_FRAMES === '1';
const HEIGHT = process.env.AA_REAL_TERM_HEIGHT ?? '';
// Agents whose long reply outgrows a HEIGHT-row screen: all of them, as
// the server sees no scrollback (alt screen or not).
const SHORT = HEIGHT && Number(HEIGHT) < 80 ? AGENTS.map((a) => a.name) :
  [];
const READY_MS = 120000;
// The agents that pass reliably: the default set, the one CI runs.
const RELIABLE = ['claude', 'codex', 'gemini', 'qwen', 'opencode',
  'copilot', 'auggie'];
const TURN_MS = 90000;
// The most seconds from a dialog's appearance to state "waiting".
const WAIT_S = 3;
// The steering cases beyond 'permission' (deny, interrupt, queue, resize)
// cost about a minute per agent: by default they run for Claude alone, so
// CI's three agents stay within a few minutes; AA_REAL_STEER=all (or a
// comma list) runs them for more.
const STEER = process.env.AA_REAL_STEER ?? 'claude';
// AA_REAL_CASES=permission,queue runs only those (with ready and initial).
const CASES = process.env.AA_REAL_CASES ?? '';
// AA_REAL_BUDGET_S: the suite's time budget in seconds (CI's pass over
// the newest versions); once spent, every case not yet started fails.
const BUDGET_S = Number(process.env.AA_REAL_BUDGET_S ?? 0);
const START = Date.now();
const overBudget = () => BUDGET_S > 0 && Date.now() - START > BUDGET_S * 1000;
// How long after state "waiting" the suite answers.
const ANSWER_AFTER_MS = 3000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// An approving and a denying option of a permission dialog.
const YES = /^(?:Yes|Allow|Approve)\b/i;
const NO = /^(?:No|Deny|Reject|Cancel)\b/i;

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

// What each agent asks when a tool needs permission (on the screen and
// as /status's prompt.question), and how it reports a denial.
const REFUSED = /TOOL REFUSED|Interrupted|cancel|denied|rejected|declined|did not run/i;
const PERMISSION = {
  claude: { question: /Do you want to proceed\?/, refused: REFUSED },
  codex: { question: /Would you like to run the following command\?/,
    refused: REFUSED },
  gemini: { question: /Allow execution of/, refused: REFUSED },
  qwen: { question: /Allow execution/, refused: REFUSED },
  opencode: { question: /Permission required|Allow|permission/i,
    refused: REFUSED },
  copilot: { question: /Do you want to run this command\?/,
    refused: REFUSED },
  auggie: { question: /Tool Approval Required/, refused: REFUSED },
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
  constructor(port, framesFile) {
    this.framesFile = framesFile;
    this.status = null;
    this.statuses = [];
    this.updates = [];
    this.messages = new Map();
    this.state = null;
    // Every state_change of the opt-in stream: { state, prompt, queue, t }
    // with t the time it arrived here.
    this.states = [];
    this.waiters = [];
    this.closed = false;
    this.req = http.get({ host: '127.0.0.1', port,
      path: '/events?extended=1',
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
    if (this.framesFile && ev !== 'message_update')
      fs.appendFileSync(this.framesFile, JSON.stringify({ t: Date.now(),
        [ev]: o }) + '\n');
    if (ev === 'status_change') {
      this.status = o.status;
      this.statuses.push(o.status);
    } else if (ev === 'message_update') {
      this.updates.push(o);
      this.messages.set(o.id, o);
    } else if (ev === 'state_change') {
      this.state = o.state;
      this.states.push({ ...o, t: Date.now() });
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

// Follows /internal/screen: the latest screen, how many frames came, and
// for each pattern watched, when a screen first matched it (the time the
// dialog appeared, as near as the server's frames tell).
class Screen {
  constructor(port, framesFile) {
    this.text = '';
    this.framesFile = framesFile;
    this.frames = 0;
    this.watches = [];
    this.req = http.get({ host: '127.0.0.1', port, path: '/internal/screen',
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
    });
    this.req.on('error', () => {});
  }

  frame(text) {
    let data = '';
    for (const l of text.split('\n'))
      if (l.startsWith('data:'))
        data += l.slice(5).trim();
    let o;
    try {
      o = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof o.screen !== 'string')
      return;
    this.text = o.screen;
    this.frames++;
    const now = Date.now();
    if (this.framesFile)
      fs.appendFileSync(this.framesFile, JSON.stringify({ t: now,
        screen: o.screen }) + '\n');
    for (const w of this.watches)
      if (w.t === null && w.re.test(this.text))
        w.t = now;
    this.onframe?.();
  }

  // Starts watching for re; returns the watch ({ t } once seen).
  watch(re) {
    const w = { re, t: re.test(this.text) ? Date.now() : null };
    this.watches.push(w);
    return w;
  }

  close() {
    this.req.destroy();
  }
}

// Terminal columns of a string: East Asian wide characters take two.
function columns(s) {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if ((c >= 0x300 && c <= 0x36f) || c === 0x200d || c === 0xfe0f)
      continue;
    n += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) ||
      (c >= 0x20000 && c <= 0x3fffd) ? 2 : 1;
  }
  return n;
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
  const steer = STEER === 'all' || STEER.split(',').includes(agent.name);
  const steerCases = ['deny', 'interrupt', 'queue', 'resize'];
  const cases = ['ready', 'initial', 'turns', 'long', 'list', 'arrows',
    'cjk', 'slow', 'permission', ...steerCases, 'health'];
  const results = new Map();
  if (!steer)
    for (const c of steerCases)
      results.set(c, { skip: `steering case, AA_REAL_STEER=${STEER}` });
  const why = unavailable(agent);
  const row = { agent: agent.name, version: agent.version === null ?
    'latest (unknown)' : agent.version === agent.pin ? agent.version :
      `${agent.version} (pin ${agent.pin})`,
    installed: why === null, clean: 0, run: 0, note: '', health: new Map() };
  summary.push(row);
  if (why !== null) {
    for (const c of cases)
      results.set(c, { skip: why });
    return report(agent, cases, results);
  }
  if (overBudget()) {
    for (const c of cases)
      if (!results.has(c))
        results.set(c, { fail: `not run: AA_REAL_BUDGET_S=${BUDGET_S} ` +
          'spent' });
    return report(agent, cases, results);
  }
  const port = await freePort();
  const firstRequest = fake.requests.length;
  const initial = 'Initial prompt for the agent';
  const { env, argv, cwd } = agent.prepare(root, fake.port);
  const logFile = path.join(root, agent.tag, 'server.log');
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
  let screen;
  const marker = path.join(cwd, 'fake-tool-marker');
  const turnMessages = [];
  // /status's health after a finished turn: a rule of ours that no longer
  // fits the agent's screen must show up here (or as a failed case), not
  // as a quietly wrong message.  Each reason code, with the first turn
  // after which it showed.
  const health = async (name) => {
    const st = (await request(port, 'GET', '/status')).json;
    if (st?.health === 'ok')
      return;
    for (const r of st?.reasons ?? [{ code: `health ${st?.health}` }])
      if (!row.health.has(r.code)) {
        row.health.set(r.code, name);
        log(`${name}: health ${st?.health}: ${r.code}: ${r.message}`);
      }
  };
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
    await health(name);
    log(`${name}:`, show(a.content));
    return a.content;
  };
  const clean = async (content, name, fn) => {
    const msg = await turn(content, name);
    fn(msg);
    row.clean++;
  };
  const tc = async (name, fn) => {
    if (CASES !== '' && !['ready', 'initial', 'health'].includes(name) &&
        !CASES.split(',').includes(name)) {
      results.set(name, { skip: `not in AA_REAL_CASES=${CASES}` });
      return;
    }
    if (exited !== null) {
      results.set(name, { fail: `server ${exited}` });
      return;
    }
    if (overBudget()) {
      results.set(name, { fail: `not run: AA_REAL_BUDGET_S=${BUDGET_S} ` +
        'spent' });
      return;
    }
    const t0 = Date.now();
    try {
      await fn();
      results.set(name, { ok: Date.now() - t0 });
    } catch (e) {
      results.set(name, { fail: e.message + (exited ? ` (server ` +
        `${exited})` : '') });
      // A turn that never ended (issue 14): counted in the summary.
      if (/^timeout [\s\S]* status running$/.test(e.message))
        row.stuck = (row.stuck ?? 0) + 1;
      // The screen it failed on, for a new detector case.
      if (screen)
        fs.writeFileSync(path.join(root, agent.tag, `screen-${name}.txt`),
          screen.text);
      // A dialog left open would fail every later case: cancel it.
      if (ev?.state === 'waiting')
        await request(port, 'POST', '/interrupt', {}).catch(() => {});
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
    const frames = FRAMES ? path.join(root, agent.tag, 'frames.jsonl') :
      null;
    ev = new Events(port, frames);
    screen = new Screen(port, frames);
    const t0 = Date.now();
    // A screen frame re-checks the waiters too: a redraw (resize) can
    // come with no event when the agent stays idle by its signs.
    screen.onframe = () => ev.poke();
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
      await health('initial');
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
    // The permission dialog through the steering API: waiting with the
    // question and options within WAIT_S of the dialog's appearance, then
    // POST /answer; `yes` approves (the tool runs), otherwise the "No"
    // option denies (the tool does not run and the agent says so).
    const dialog = async (name, p, yes) => {
      const perm = PERMISSION[agent.name];
      await ev.wait(() => ev.state === 'idle' && ev.status === 'stable',
        TURN_MS, `idle before ${name}`);
      fs.rmSync(marker, { force: true });
      const before = (await request(port, 'GET', '/messages')).json.messages;
      const nState = ev.states.length;
      const seen = screen.watch(perm.question);
      row.run++;
      const r = await request(port, 'POST', '/message',
        { type: 'user', content: p });
      check(r.status === 200, `${name}: POST /message: ${r.status} ${r.text}`);
      await ev.wait(() => ev.states.slice(nState).some((x) =>
        x.state === 'waiting'), TURN_MS, `${name}: state waiting`);
      const w = ev.states.slice(nState).find((x) => x.state === 'waiting');
      check(seen.t !== null, `${name}: waiting, but the dialog is not on ` +
        `the screen: ${show(screen.text.slice(-600))}`);
      const secs = Math.max(0, w.t - seen.t) / 1000;
      row.wait = Math.max(row.wait ?? 0, secs);
      log(`${name}: dialog on screen -> waiting in ${secs.toFixed(2)} s`);
      check(secs <= WAIT_S, `${name}: waiting ${secs} s after the dialog ` +
        `appeared (limit ${WAIT_S} s)`);
      // Answer as a person would, not within milliseconds: Claude Code
      // 2.1.330 ignores Enter for about a second after its dialog appears
      // (a guard against accidental approvals), and one pressed then can
      // leave the dialog deaf to Enter for good (README.md).  A dialog
      // drawn in parts (Gemini's options come one by one) is complete by
      // then too.
      await sleep(Math.max(0, ANSWER_AFTER_MS - (Date.now() - w.t)));
      const st = (await request(port, 'GET', '/status')).json;
      check(st.state === 'waiting' && st.prompt, `${name}: /status ` +
        `${show(st)}`);
      check(perm.question.test(st.prompt.question), `${name}: question ` +
        `${show(st.prompt.question)}`);
      check(st.prompt.kind === 'permission', `${name}: kind ` +
        `${st.prompt.kind}`);
      const labels = st.prompt.options.map((o) => o.label);
      const yesOpt = st.prompt.options.find((o) => YES.test(o.label));
      const noOpt = st.prompt.options.find((o) => NO.test(o.label));
      check(yesOpt && noOpt && st.prompt.options.length >= 2,
        `${name}: options ${show(labels)}`);
      const opt = yes ? yesOpt : noOpt;
      const nAfter = ev.states.length;
      const a = await request(port, 'POST', '/answer', { option: opt.key });
      check(a.status === 200 && a.json?.ok === true,
        `${name}: POST /answer: ${a.status} ${a.text}`);
      const lastAgent = () => [...ev.messages.values()].at(-1)?.message ??
        '';
      // The refusal in the turn's message, or (Claude 2.1.330 draws its
      // "Interrupted" note under the turn before) on the screen, once the
      // turn is over and the prompt's tool did not report back.
      const refusal = () => perm.refused.test(lastAgent()) ||
        (perm.refused.test(screen.text) && !lastAgent().includes(
          `TOOL DONE: ${p}`) && ev.states.slice(nAfter).some((x) =>
          x.state === 'idle'));
      // Claude 2.1.330 now and then ignores an answer to a dialog that
      // follows an earlier one (README.md): one more try, counted.
      await ev.wait(() => ev.states.slice(nAfter).some((x) =>
        x.state !== 'waiting'), 8000, 'the dialog to go').catch(async () => {
        row.retries = (row.retries ?? 0) + 1;
        log(`${name}: the answer was ignored; answering again`);
        const a2 = await request(port, 'POST', '/answer',
          { option: opt.key });
        check(a2.status === 200, `${name}: second POST /answer: ` +
          `${a2.status} ${a2.text}`);
      });
      await ev.wait(() => ev.state === 'idle' && ev.status === 'stable' &&
        ev.states.slice(nAfter).some((x) => x.state !== 'waiting') &&
        (yes ? /TOOL DONE: /.test(lastAgent()) :
          refusal()), TURN_MS,
      `${name}: idle after the answer (last message ` +
        `${show(lastAgent().slice(-300))})`);
      const ms = (await request(port, 'GET', '/messages')).json.messages;
      await health(name);
      check(ms.length === before.length + 2 && ms.at(-2).content === p,
        `${name}: ${ms.length - before.length} new messages, want 2`);
      const last = ms.at(-1);
      if (yes) {
        check(last.role === 'agent' && last.content.includes(
          `TOOL DONE: ${p}`), `${name}: final message ${show(last.content)}`);
        check(fs.existsSync(marker), `${name}: the tool did not run`);
      } else {
        check(last.role === 'agent' && !last.content.includes('TOOL DONE') &&
          refusal(), `${name}: no refusal in ${show(last.content)}`);
        check(!fs.existsSync(marker), `${name}: the tool ran anyway`);
      }
      log(`${name}:`, show(last.content));
      row.clean++;
    };
    await tc('permission', () => dialog('permission',
      'Please run TOOLREPLY now', true));
    if (steer) {
      await tc('deny', () => dialog('deny',
        'Please run TOOLREPLY once more', false));
      await tc('interrupt', async () => {
        await ev.wait(() => ev.state === 'idle', TURN_MS, 'idle');
        const p = 'Please send STOPREPLY now';
        const want = reply(p);
        const nState = ev.states.length;
        row.run++;
        const r = await request(port, 'POST', '/message',
          { type: 'user', content: p });
        check(r.status === 200, `POST /message: ${r.status} ${r.text}`);
        const lastAgent = () => [...ev.messages.values()].at(-1)?.message ??
          '';
        await ev.wait(() => /Partial line 02/.test(lastAgent()), TURN_MS,
          'the slow reply to start');
        const i = await request(port, 'POST', '/interrupt', {});
        check(i.status === 200 && i.json?.ok === true,
          `POST /interrupt: ${i.status} ${i.text}`);
        const t0 = Date.now();
        await ev.wait(() => ev.state === 'idle' && ev.status === 'stable' &&
          ev.states.slice(nState).some((x) => x.state === 'working'),
        30000, 'idle after the interrupt');
        log(`interrupt: idle ${Date.now() - t0} ms after POST /interrupt`);
        const ms = (await request(port, 'GET', '/messages')).json.messages;
        const a = ms.at(-1);
        check(a.role === 'agent' && ms.at(-2).content === p,
          `interrupt: last messages ${show(ms.slice(-2))}`);
        // The partial reply: the reply's first lines, in order, and not
        // its end (the agent may add its own "interrupted" note).
        const got = normalise(a.content).split('\n').map((l) => l.trim());
        check(got[0] === want[0] && got[1] === want[1],
          `interrupt: not the start of the reply: ${show(a.content)}`);
        check(!a.content.includes(want.at(-1).trim()),
          `interrupt: the whole reply came: ${show(a.content)}`);
        log('interrupt:', show(a.content));
        row.clean++;
      });
      await tc('queue', async () => {
        await ev.wait(() => ev.state === 'idle', TURN_MS, 'idle');
        const before = (await request(port, 'GET', '/messages')).json
          .messages;
        const first = 'Please send SLOWREPLY before the queue';
        const qs = ['Queued message one', 'Queued message two',
          'Queued message three'];
        row.run += 4;
        const r = await request(port, 'POST', '/message',
          { type: 'user', content: first });
        check(r.status === 200, `POST /message: ${r.status} ${r.text}`);
        await ev.wait(() => ev.state === 'working', TURN_MS, 'working');
        for (const [k, q] of qs.entries()) {
          const x = await request(port, 'POST', '/message',
            { type: 'user', content: q, queue: true });
          check(x.status === 202 && x.json?.queued === true &&
            x.json.position === k + 1, `queue ${k + 1}: ${x.status} ` +
            `${x.text}`);
        }
        const g = await request(port, 'GET', '/queue');
        check(g.json?.items?.map((it) => it.content).join('|') ===
          qs.join('|'), `GET /queue: ${g.text}`);
        await ev.wait(() => ev.state === 'idle' && ev.status === 'stable' &&
          ev.states.at(-1)?.queue === 0 &&
          ev.messages.size === before.length + 8 &&
          [...ev.messages.values()].at(-1).role === 'agent' &&
          /Reply complete/.test([...ev.messages.values()].at(-1).message),
        TURN_MS * 2, 'the three queued turns');
        const ms = (await request(port, 'GET', '/messages')).json.messages;
        const got = ms.slice(before.length);
        check(got.length === 8, `queue: ${got.length} new messages`);
        for (const [k, q] of [first, ...qs].entries()) {
          check(got[2 * k].role === 'user' && got[2 * k].content === q,
            `queue: message ${2 * k} ${show(got[2 * k].content)}, want ` +
            `${show(q)}`);
          check(got[2 * k + 1].role === 'agent', `queue: no reply to ${q}`);
          checkExact(got[2 * k + 1].content, reply(q).join('\n'),
            `queue ${k}`);
        }
        row.clean += 4;
      });
      await tc('resize', async () => {
        await ev.wait(() => ev.state === 'idle', TURN_MS, 'idle');
        const rows = Number(HEIGHT) || 1000;
        const wide = screen.text.split('\n').some((l) => columns(l) > 60);
        check(wide, 'resize: no line wider than 60 columns before');
        const frames = screen.frames;
        const r = await request(port, 'POST', '/resize', { cols: 60, rows });
        check(r.status === 200, `POST /resize: ${r.status} ${r.text}`);
        // The agent redraws for its new size, then holds still again.
        await ev.wait(() => screen.frames > frames, 10000, 'a redraw');
        await sleep(500);
        await ev.wait(() => ev.state === 'idle' && ev.status === 'stable',
          TURN_MS, 'idle after the resize');
        // A turn at 60 columns: the reply's first line is longer than
        // that, so it comes out whole only if the agent wrapped it
        // itself (a TUI still laid out for 80 is cut or broken mid-word).
        const p = 'Now at sixty columns, this echo line is longer than ' +
          'the screen';
        const msg = await turn(p, 'resize');
        const bad = screen.text.split('\n').filter((l) => columns(l) > 60);
        check(bad.length === 0, `resize: lines over 60 columns: ${show(bad)}`);
        const words = (t) => t.replace(MARKER, '').split(/\s+/)
          .filter((w) => w !== '' && !MARKER.test(w)).join(' ');
        // The reply's words end the message (a wrapped echo's second line
        // can sit above it: echo removal takes one line).
        check(words(msg).endsWith(words(reply(p).join('\n'))),
          `resize: reply not re-laid whole: ${show(msg)}`);
        check(msg.split('\n').every((l) => columns(l) <= 60),
          `resize: message lines over 60 columns: ${show(msg)}`);
        const back = await request(port, 'POST', '/resize', { cols: 80,
          rows });
        check(back.status === 200, `POST /resize back: ${back.status}`);
        row.clean++;
      });
    }
    // Health stayed ok after every finished turn (GET /status).
    await tc('health', async () => {
      await health('the end');
      check(row.health.size === 0, 'health degraded: ' +
        [...row.health].map(([c, t]) => `${c} (after ${t})`).join(', '));
    });
  } catch (e) {
    for (const c of cases)
      if (!results.has(c))
        results.set(c, { fail: e.message });
  } finally {
    ev?.close();
    screen?.close();
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
    const name = `real_${agent.version === agent.pin ? agent.name :
      agent.tag}_${c}`;
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
  let agents;
  try {
    agents = select(undefined, only);
  } catch (e) {
    console.log(`FAIL real_versions: ${e.message}`);
    console.log('real-agents: 0 passed, 1 failed, 0 skipped');
    process.exit(1);
  }
  const noServer = serverUnavailable();
  const anyInstalled = agents.some((a) => unavailable(a) === null);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-real-'));
  const fake = await startFakeLLM({ log: path.join(root,
    'fakellm.jsonl') });
  // AA_REAL_LOAD=N: N CPU hogs for the whole suite (issue 14, load.mjs).
  const load = startLoadFromEnv();
  if (load.n > 0)
    console.log(`    under load: ${load.n} CPU hog(s) (AA_REAL_LOAD)`);
  try {
    for (const a of agents) {
      const label = a.version === a.pin ? a.name : a.tag;
      if (!anyInstalled) {
        skipped++;
        console.log(`SKIP real_${label}: ${unavailable(a)}`);
        continue;
      }
      if (noServer !== null && unavailable(a) === null) {
        skipped++;
        console.log(`SKIP real_${label}: ${noServer}`);
        continue;
      }
      await runAgent(a, fake, root);
    }
  } finally {
    load.stop();
    if (summary.length)
      console.log('    turns stuck running: ' + summary.map((r) =>
        `${r.agent} ${r.stuck ?? 0}`).join(', '));
    await fake.close();
    if (process.env.AA_REAL_KEEP !== '1' && failed === 0)
      fs.rmSync(root, { recursive: true, force: true });
    else
      console.log(`    kept ${root}`);
  }
  if (summary.length) {
    console.log('\n| agent | version | installed offline | turns clean / ' +
      'turns run | dialog -> waiting (s) | health |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const r of summary)
      console.log(`| ${r.agent} | ${r.version} | ` +
        `${r.installed ? 'yes' : 'no'} | ${r.clean} / ${r.run} | ` +
        `${r.wait === undefined ? '-' : r.wait.toFixed(2)}` +
        `${r.retries ? ` (${r.retries} answer(s) ignored, sent again)` : ''} | ` +
        `${!r.installed || r.run === 0 ? '-' : r.health.size === 0 ? 'ok' :
          [...r.health.keys()].join(', ')} |`);
  }
  console.log(`real-agents: ${passed} passed, ${failed} failed, ` +
    `${skipped} skipped`);
  process.exit(failed ? 1 : 0);
}

await main();
