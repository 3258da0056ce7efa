// drive.mjs - developer tool: start the fake LLM and `agentapi-c server`
// with one real agent, print the ports, and stay up until interrupted, so
// the agent can be driven by hand (curl /message, /internal/screen).  The
// tests do not use it.
//
// Usage: node drive.mjs AGENT[@VERSION] [server flags...]
// Prints "fake PORT" and "server PORT" and the temporary folder; the
// server's log is <folder>/<agent>@<version>/server.log.  Ctrl-C stops
// everything.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeLLM } from './fakellm.mjs';
import { AGENTS, at, unavailable } from './agents.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.AA_BIN ?? path.resolve(HERE, '../../agentapi-c');
const [name, ...flags] = process.argv.slice(2);
// AGENT is a name (the pinned version) or name@version.
const [aname, aver] = (name ?? '').split('@');
const base = AGENTS.find((a) => a.name === aname);
if (!base) {
  console.error('usage: node drive.mjs AGENT[@VERSION] [server flags...]');
  process.exit(2);
}
const agent = aver ? at(base, aver) : base;
if (unavailable(agent)) {
  console.error(`drive.mjs: ${unavailable(agent)}`);
  process.exit(2);
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-drive-'));
const fake = await startFakeLLM({ log: path.join(root, 'fakellm.jsonl') });
const port = await freePort();
const { env, argv, cwd } = agent.prepare(root, fake.port);
const logFile = path.join(root, agent.tag, 'server.log');
const srv = spawn(BIN, ['server', '--type', agent.type, '--port',
  String(port), ...flags, '--', ...argv], { env, cwd, detached: true,
  stdio: ['ignore', fs.openSync(logFile, 'w'), fs.openSync(logFile, 'a')] });
console.log(`fake ${fake.port}\nserver ${port}\nroot ${root}`);
const stop = () => {
  try {
    process.kill(srv.pid, 'SIGTERM');
  } catch {}
  setTimeout(() => {
    try {
      process.kill(-srv.pid, 'SIGKILL');
    } catch {}
    process.exit(0);
  }, 3000);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
srv.on('exit', (c, s) => {
  console.log(`server exited ${c ?? s}`);
  fake.close().then(() => process.exit(0));
});
