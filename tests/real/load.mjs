// load.mjs - a bounded CPU hog for the real-agent suite (issue 14): N
// processes that spin on the CPU while the agents run, so that turns are
// tested on a starved machine ("both cores busy").
//
// startLoad(n, maxMs) forks n hogs and returns { n, stop() }.  Each hog is
// a plain busy loop that ends by itself: after maxMs (a turn-proof upper
// bound on the suite's run), or within a second of its parent's death
// (the suite killed by a timeout or SIGKILL leaves no hog behind).  stop()
// kills them at once; it also runs on the suite's process exit.
//
// AA_REAL_LOAD=N in agents.test.mjs (default 0, CI uses 2);
// AA_REAL_LOAD_MAX_S bounds each hog's life (default 3600).

import { spawn } from 'node:child_process';

// The hog: spin in slices of about 50 ms, and between slices check the
// clock and that the parent is alive (its pid, and that we were not
// reparented).
const HOG = `
const end = Date.now() + Number(process.argv[1]);
const parent = Number(process.argv[2]);
let x = 0;
for (;;) {
  const slice = Date.now() + 50;
  while (Date.now() < slice)
    x = (x * 31 + 7) % 1000003;
  if (Date.now() >= end || process.ppid !== parent)
    process.exit(0);
  try {
    process.kill(parent, 0);
  } catch {
    process.exit(0);
  }
}
`;

export function startLoad(n, maxMs = 3600000) {
  const hogs = [];
  const count = Number.isInteger(n) && n > 0 ? Math.min(n, 64) : 0;
  for (let i = 0; i < count; i++) {
    const h = spawn(process.execPath, ['-e', HOG, String(maxMs),
      String(process.pid)], { stdio: 'ignore' });
    h.on('error', () => {});
    hogs.push(h);
  }
  const stop = () => {
    for (const h of hogs)
      if (h.exitCode === null && h.signalCode === null)
        try {
          h.kill('SIGKILL');
        } catch {}
  };
  process.once('exit', stop);
  return { n: hogs.length, pids: hogs.map((h) => h.pid), stop };
}

// The hogs from the environment: AA_REAL_LOAD, AA_REAL_LOAD_MAX_S.
export function startLoadFromEnv(env = process.env) {
  const n = Number(env.AA_REAL_LOAD ?? 0);
  const max = Number(env.AA_REAL_LOAD_MAX_S ?? 3600);
  return startLoad(Number.isInteger(n) ? n : 0,
    (Number.isFinite(max) && max > 0 ? max : 3600) * 1000);
}
