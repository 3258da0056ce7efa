// capture.mjs - runs one real agent in a private tmux server against the
// fake LLM, types prompts the way agentapi does, and saves each screen
// (before and after every turn) under an output folder.  A developer tool
// for finding out what today's TUIs draw; the tests do not use it.
//
// Usage: node capture.mjs AGENT[@VERSION] OUTDIR [COLSxROWS] PROMPT...
// Each screen is OUTDIR/<n>-before.txt / <n>-after.txt, rows padded to the
// width the way agentapi reads a screen; OUTDIR/requests.jsonl is the log.

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startFakeLLM } from './fakellm.mjs';
import { AGENTS, at, unavailable } from './agents.mjs';

const [name, out, ...rest] = process.argv.slice(2);
let size = '80x60';
if (rest.length && /^\d+x\d+$/.test(rest[0]))
  size = rest.shift();
const [cols, rows] = size.split('x').map(Number);
// AGENT is a name (the pinned version) or name@version.
const [aname, aver] = (name ?? '').split('@');
const base = AGENTS.find((a) => a.name === aname);
if (!base || !out) {
  console.error('usage: node capture.mjs AGENT[@VERSION] OUTDIR ' +
    '[COLSxROWS] PROMPT...');
  process.exit(2);
}
const agent = aver ? at(base, aver) : base;
if (unavailable(agent)) {
  console.error(`capture.mjs: ${unavailable(agent)}`);
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });
const sock = `aa-real-${process.pid}`;
const tmux = (...a) => execFileSync('tmux', ['-L', sock, ...a],
  { encoding: 'utf8' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function screen() {
  const s = tmux('capture-pane', '-p', '-t', 'a', '-J').split('\n');
  const lines = [];
  for (let i = 0; i < rows; i++) {
    const l = s[i] ?? '';
    lines.push(l);
  }
  return lines.join('\n') + '\n';
}

// Waits until the screen has not changed for quietMs (and pred holds).
async function settle(quietMs, deadlineMs, pred = () => true) {
  const end = Date.now() + deadlineMs;
  let last = screen();
  let since = Date.now();
  while (Date.now() < end) {
    await sleep(100);
    const s = screen();
    if (s !== last) {
      last = s;
      since = Date.now();
    } else if (Date.now() - since >= quietMs && pred(s)) {
      return s;
    }
  }
  return last;
}

const fake = await startFakeLLM({ log: path.join(out, 'requests.jsonl') });
const root = fs.mkdtempSync('/tmp/aa-capture-');
const { env, argv, cwd } = agent.prepare(root, fake.port);
const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
try {
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'a', '-x', String(cols),
    '-y', String(rows), '-c', cwd, ...envArgs,
    `env -i ${Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ')}` +
    ` ${argv.map((x) => `'${x}'`).join(' ')}`);
  let s = await settle(Number(process.env.CAPTURE_QUIET ?? 6000), 90000);
  fs.writeFileSync(path.join(out, '0-ready.txt'), s);
  let n = 1;
  for (const p of rest) {
    fs.writeFileSync(path.join(out, `${n}-before.txt`), s);
    if (p.startsWith('RAW:')) {
      tmux('send-keys', '-t', 'a', p.slice(4));
    } else {
      // agentapi: "x\b", bracketed paste, the text, paste end; then CR.
      tmux('send-keys', '-t', 'a', '-l', 'x\b\x1b[200~' + p + '\x1b[201~');
      await sleep(600);
      tmux('send-keys', '-t', 'a', 'Enter');
    }
    s = await settle(3000, 60000);
    fs.writeFileSync(path.join(out, `${n}-after.txt`), s);
    console.log(`--- turn ${n}: ${p}\n${s}`);
    n++;
  }
} finally {
  try {
    tmux('kill-server');
  } catch {}
  await fake.close();
}
