// frames.mjs - developer tool: runs one real agent under agentapi-c
// against the fake LLM, types each prompt through POST /message, and
// records every screen frame (/internal/screen) with the status and state
// that came with it, so a turn's busy and idle screens can be read off
// exactly as the server saw them (for busy marks and vectors).
//
// Usage: node frames.mjs AGENT OUTDIR PROMPT...
// Writes OUTDIR/frames.jsonl ({t, screen} and {t, status|state}) and
// OUTDIR/<n>-<k>.txt for each distinct frame of turn n.  A prompt
// "ANSWER:<key>" answers a waiting prompt with POST /answer instead.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeLLM } from './fakellm.mjs';
import { AGENTS } from './agents.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.AA_BIN ?? path.resolve(HERE, '../../agentapi-c');
const [name, out, ...prompts] = process.argv.slice(2);
const agent = AGENTS.find((a) => a.name === name);
if (!agent || !out) {
  console.error('usage: node frames.mjs AGENT OUTDIR PROMPT...');
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = fs.openSync(path.join(out, 'frames.jsonl'), 'w');
const t0 = Date.now();
const rec = (o) => fs.writeSync(log, JSON.stringify({ t: Date.now() - t0,
  ...o }) + '\n');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function post(port, p, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method: 'POST',
      path: p, headers: { 'content-type': 'application/json',
        'content-length': Buffer.byteLength(data) } }, (res) => {
      let s = '';
      res.on('data', (b) => s += b);
      res.on('end', () => resolve(`${res.statusCode} ${s}`));
    });
    req.on('error', reject);
    req.end(data);
  });
}

// Calls fn(event, data) for each SSE frame of path p.
function follow(port, p, fn) {
  http.get({ host: '127.0.0.1', port, path: p,
    headers: { accept: 'text/event-stream' } }, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (s) => {
      buf += s;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        let ev = 'message';
        let data = '';
        for (const l of buf.slice(0, i).split('\n')) {
          if (l.startsWith('event:'))
            ev = l.slice(6).trim();
          else if (l.startsWith('data:'))
            data += l.slice(5).trim();
        }
        buf = buf.slice(i + 2);
        try {
          fn(ev, JSON.parse(data));
        } catch {}
      }
    });
  }).on('error', () => {});
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-frames-'));
const fake = await startFakeLLM({ log: path.join(root, 'fakellm.jsonl') });
const port = await freePort();
const { env, argv, cwd } = agent.prepare(root, fake.port);
const logFile = path.join(root, agent.tag ?? agent.name, 'server.log');
const srv = spawn(BIN, ['server', '--type', agent.type, '--port',
  String(port), '--', ...argv], { env, cwd, detached: true,
  stdio: ['ignore', fs.openSync(logFile, 'w'), fs.openSync(logFile, 'a')] });
let status = null;
let state = null;
let turn = 0;
let k = 0;
let last = '';
for (let i = 0; i < 200; i++) {
  await sleep(100);
  const ok = await new Promise((r) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => r(s.destroy() || true));
    s.on('error', () => r(false));
  });
  if (ok)
    break;
}
follow(port, '/events?extended=1', (ev, o) => {
  if (ev === 'status_change') {
    status = o.status;
    rec({ status });
  } else if (ev === 'state_change') {
    state = o.state;
    rec({ state, prompt: o.prompt?.question });
  }
});
follow(port, '/internal/screen', (ev, o) => {
  if (typeof o.screen !== 'string' || o.screen === last)
    return;
  last = o.screen;
  rec({ turn, k, status, state });
  fs.writeFileSync(path.join(out, `${turn}-${String(k).padStart(3, '0')}` +
    '.txt'), o.screen.replace(/\s+$/, '') + '\n');
  k++;
});
const until = async (pred, ms) => {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end)
    await sleep(50);
};
await until(() => status === 'stable', 180000);
await sleep(3000);
for (const p of prompts) {
  turn++;
  k = 0;
  if (p.startsWith('ANSWER:')) {
    await until(() => state === 'waiting', 60000);
    await sleep(3000);
    rec({ answer: await post(port, '/answer', { option: p.slice(7) }) });
  } else {
    await until(() => status === 'stable' || state === 'waiting', 120000);
    rec({ send: p, r: await post(port, '/message', { type: 'user',
      content: p }) });
  }
  await sleep(1000);
  await until(() => status === 'stable' || state === 'waiting', 120000);
  await sleep(4000);
}
try {
  process.kill(srv.pid, 'SIGTERM');
} catch {}
await sleep(2000);
try {
  process.kill(-srv.pid, 'SIGKILL');
} catch {}
await fake.close();
console.log(`frames in ${out}; server log ${logFile}`);
process.exit(0);
