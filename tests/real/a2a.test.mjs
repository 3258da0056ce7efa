// a2a.test.mjs - agent drives agent (issue 15): a real Claude Code from
// npm, run as a session of `agentapi-c host` and given the host's own MCP
// server (streamable HTTP on loopback TCP, bearer token), is made by the
// fake LLM's tool calls (fake-a2a.mjs) to
//   1. start a second session (the demo agent),
//   2. send it a message,
//   3. wait for it to finish,
//   4. read its reply,
//   5. answer with it.
// Every step is checked through the host's API, not through Claude's
// screen alone: a watcher polls GET /sessions and each session's messages
// while the driver works, and records when the second session appeared,
// when it got the question, when its reply was there and when the driver
// answered; the test checks those happened, in that order, and that the
// fake LLM saw the four tool results and none was an error.
//
// Skips (with the reason) unless `make real-agents` installed Claude Code,
// and under the sanitizers.  Prints "a2a: N passed, N failed, N skipped".
// AA_REAL_KEEP=1 keeps the temporary folder.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startFakeLLM } from './fakellm.mjs';
import { AGENTS, unavailable } from './agents.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TOP = process.env.AA_TOP ?? path.resolve(HERE, '../..');
const BIN = process.env.AA_BIN ?? path.join(TOP, 'agentapi-c');
const QUESTION = 'What does the demo say to A2A?';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tally(p, f, s) {
  console.log(`a2a: ${p} passed, ${f} failed, ${s} skipped`);
  process.exit(f ? 1 : 0);
}

const claude = AGENTS.find((a) => a.name === 'claude');
const why = claude ? unavailable(claude) : 'no claude in agents.mjs';
if (why) {
  console.log(`SKIP agent_drives_agent: ${why}`);
  tally(0, 0, 1);
}

// One request to the host over its unix socket: { status, json, text }.
function ureq(sock, method, p, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ socketPath: sock, method, path: p,
      agent: false, headers: { Host: 'localhost', ...(data ?
        { 'content-type': 'application/json' } : {}) } }, (res) => {
      const bufs = [];
      res.on('data', (b) => bufs.push(b));
      res.on('end', () => {
        const text = Buffer.concat(bufs).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, json, text });
      });
    });
    req.setTimeout(15000, () => req.destroy(new Error(`${method} ${p}: ` +
      'no answer')));
    req.on('error', reject);
    req.end(data);
  });
}

async function until(fn, what, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v)
      return v;
    if (Date.now() > end)
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = http.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-a2a-'));
const fake = await startFakeLLM({ log: path.join(root, 'fakellm.log') });
const sock = path.join(root, 'run', 'host.sock');
const token = randomBytes(24).toString('hex');
const hostPort = await freePort();
let host;
let passed = 0;
let failed = 0;

try {
  host = spawn(BIN, ['host', '--socket', sock, '--state-dir',
    path.join(root, 'state'), '--port', String(hostPort), '--auth-token',
    token, '--stop-timeout', '2000'], { stdio: ['ignore', 'ignore',
    fs.openSync(path.join(root, 'host.log'), 'w')] });
  await until(async () => {
    if (host.exitCode !== null)
      throw new Error(`host exited ${host.exitCode}`);
    try {
      return (await ureq(sock, 'GET', '/sessions')).status === 200;
    } catch {
      return false;
    }
  }, 'the host', 15000);

  // Claude Code with the host as its MCP server, the host's tools allowed
  // (the permission dialog is issue 13's subject, not this test's).
  const { env, cwd, argv } = claude.prepare(root, fake.port);
  const settings = path.join(env.HOME, '.claude/settings.json');
  const s = JSON.parse(fs.readFileSync(settings, 'utf8'));
  s.permissions = { ...s.permissions, allow: ['mcp__agentapi'] };
  fs.writeFileSync(settings, JSON.stringify(s, null, 2));
  const mcp = path.join(root, 'mcp.json');
  fs.writeFileSync(mcp, JSON.stringify({ mcpServers: { agentapi: {
    type: 'http', url: `http://127.0.0.1:${hostPort}/mcp`,
    headers: { Authorization: `Bearer ${token}` } } } }));
  const made = await ureq(sock, 'POST', '/sessions', { type: 'claude',
    name: 'driver', cwd, argv: [...argv, '--mcp-config', mcp,
      '--strict-mcp-config'],
    env: Object.entries(env).map(([k, v]) => `${k}=${v}`) });
  if (made.status !== 200 && made.status !== 201)
    throw new Error(`POST /sessions: ${made.status} ${made.text}`);
  const driver = made.json.id;
  const st = (id) => ureq(sock, 'GET', `/sessions/${id}/status`);
  const msgs = async (id) => (await ureq(sock, 'GET',
    `/sessions/${id}/messages`)).json?.messages ?? [];
  await until(async () => (await st(driver)).json?.status === 'stable',
    'Claude Code to be ready', 120000);

  // The watcher: what the host's API shows, with times.
  const seen = {};
  let helper;
  let watching = true;
  const mark = (k) => {
    if (seen[k] === undefined)
      seen[k] = Date.now();
  };
  const watcher = (async () => {
    while (watching) {
      const list = (await ureq(sock, 'GET', '/sessions')).json;
      const arr = Array.isArray(list) ? list : list?.sessions ?? [];
      const h = arr.find((x) => x.name === 'a2a-helper');
      if (h) {
        helper = h.id;
        mark('started');
        const m = await msgs(h.id);
        if (m.some((x) => x.role === 'user' && x.content === QUESTION))
          mark('sent');
        if ((await st(h.id)).json?.status === 'stable' &&
            m.some((x) => x.role === 'agent' && x.content.includes(
              `You asked: "${QUESTION}"`)))
          mark('replied');
      }
      const d = await msgs(driver);
      if (d.some((x) => x.role === 'agent' && x.content.includes(
        'A2A DONE')))
        mark('answered');
      await sleep(150);
    }
  })();

  const prompt = `A2AREPLY ${BIN} demo-agent | ${QUESTION}`;
  const sent = await ureq(sock, 'POST', `/sessions/${driver}/message`,
    { type: 'user', content: prompt });
  if (sent.status !== 200)
    throw new Error(`POST message: ${sent.status} ${sent.text}`);
  let answer;
  try {
    answer = await until(async () => {
      const m = await msgs(driver);
      const last = m[m.length - 1];
      if ((await st(driver)).json?.status !== 'stable' || !last ||
          last.role !== 'agent' || !/A2A (DONE|FAILED)/.test(last.content))
        return null;
      return last.content;
    }, 'the driver to answer', 180000);
  } finally {
    await sleep(400);
    watching = false;
    await watcher;
  }

  const check = (ok, name, detail) => {
    if (ok) {
      passed++;
      console.log(`ok ${name}`);
    } else {
      failed++;
      console.log(`FAIL ${name}: ${detail}`);
    }
  };
  const t = (k) => seen[k] === undefined ? 'never' :
    `${seen[k] - seen.started} ms`;
  check(/A2A DONE/.test(answer), 'driver_answered',
    JSON.stringify(answer));
  check(seen.started !== undefined, 'step1_started_second_session',
    'no session named a2a-helper appeared');
  check(seen.sent !== undefined && seen.sent >= seen.started,
    'step2_sent_it_a_message', `sent ${t('sent')}`);
  check(seen.replied !== undefined && seen.replied >= seen.sent,
    'step3_it_finished', `replied ${t('replied')}`);
  // Steps 4 and 5: the answer carries the helper's reply, read from it
  // after it finished (the driver answered after the reply was there).
  const hm = helper ? await msgs(helper) : [];
  const reply = hm.filter((x) => x.role === 'agent').pop()?.content ?? '';
  const firstLine = reply.split('\n')[0];
  check(firstLine === `You asked: "${QUESTION}"` &&
    answer.includes(firstLine), 'step4_read_its_reply',
  `helper said ${JSON.stringify(reply)}, driver ${JSON.stringify(answer)}`);
  check(seen.answered !== undefined && seen.answered >= seen.replied,
    'step5_answered_with_it', `answered ${t('answered')}, replied ` +
    t('replied'));
  // The fake saw each tool's result, in order, and none was an error.
  const dump = fs.readFileSync(path.join(root, 'fakellm.log'), 'utf8')
    .split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const steps = dump.filter((e) => typeof e.prompt === 'string' &&
    e.prompt.includes('A2AREPLY')).length;
  check(steps >= 5, 'five_model_requests', `${steps} requests`);
  console.log(`   timeline: started 0, sent ${t('sent')}, replied ` +
    `${t('replied')}, answered ${t('answered')}`);
} catch (e) {
  failed++;
  console.log(`FAIL agent_drives_agent: ${e.message}`);
} finally {
  if (host && host.exitCode === null) {
    host.kill('SIGTERM');
    await Promise.race([new Promise((r) => host.on('exit', r)),
      sleep(10000)]);
    if (host.exitCode === null)
      host.kill('SIGKILL');
  }
  await fake.close();
  if (process.env.AA_REAL_KEEP === '1')
    console.log(`kept ${root}`);
  else
    fs.rmSync(root, { recursive: true, force: true });
}
tally(passed, failed, 0);
