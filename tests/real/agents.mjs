// agents.mjs - what it takes to run each real agent offline: its pinned
// npm package, where `make real-agents` installs it, the throwaway HOME
// that skips onboarding, login, theme pickers, trust dialogs, update
// checks and telemetry, and the command line that points it at the fake
// LLM server.  ../shared/spec/agents-offline.md is the source; README.md
// beside this file records what we verified.
//
// Each agent is { name, type, pkg, version, dir, installed(), prepare() }.
// prepare(root, port) writes a fresh HOME under root and returns
// { env, argv, cwd } for launching the agent (argv[0] is an absolute path).
//
// Versions (issue 14): `version` is the pin.  Every version lives in its
// own folder, CACHE/<name>@<version>, so the pins and the newest coexist;
// select() turns AA_REAL_AGENTS_VERSIONS into the agents to run, each an
// object like the pinned one but for its own version (and `pin`, the
// pinned version; `tag`, "<name>@<version>"):
//   pinned (the default)   the pins
//   latest                 the newest on npm, as `make real-agents` last
//                          resolved it with `npm view` (CACHE/latest.json):
//                          the tests themselves never ask the registry
//   name@1.2.3, name@latest, name@pinned
//                          that agent at that version; an agent no item
//                          names runs at its pin unless `latest` is given
// Items are comma-separated and add up: `pinned,latest` runs both where
// they differ, one after the other.
//
// As a program: node agents.mjs install [name...]   installs the selection
//                node agents.mjs list [name...]      prints what is there

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CACHE = process.env.AA_REAL_CACHE ??
  path.join(HERE, '.cache');
const FAKE_KEY = 'sk-fake-0123456789abcdefghijklmnop';

function writeJSON(file, obj, mode = 0o644) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(obj, null, 2) + '\n', { mode });
}

// Where one version of an agent is installed.
function dirOf(name, version) {
  return path.join(CACHE, `${name}@${version}`);
}

function pkgDir(a) {
  return path.join(a.dir, 'node_modules', a.pkg);
}

function installedVersion(a) {
  try {
    return JSON.parse(fs.readFileSync(path.join(pkgDir(a),
      'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

// A fresh HOME with the XDG folders and the common environment.
function baseHome(root, a) {
  const home = path.join(root, a.tag, 'home');
  const work = path.join(root, a.tag, 'work');
  fs.rmSync(path.join(root, a.tag), { recursive: true, force: true });
  for (const d of ['.config', '.local/share', '.cache', '.local/state',
    'tmp'])
    fs.mkdirSync(path.join(home, d), { recursive: true });
  fs.mkdirSync(work, { recursive: true });
  const nodeDir = path.dirname(process.execPath);
  const env = {
    HOME: home,
    USER: 'tester',
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local/state'),
    TMPDIR: path.join(home, 'tmp'),
    PATH: [path.join(a.dir, 'node_modules/.bin'), nodeDir,
      '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    LANG: 'C.UTF-8',
    NO_UPDATE_NOTIFIER: '1',
  };
  return { home, work: fs.realpathSync(work), env };
}

const claude = {
  name: 'claude', type: 'claude', pkg: '@anthropic-ai/claude-code',
  version: '2.1.332',
  exe: 'claude',
  prepare(root, port) {
    const { home, work, env } = baseHome(root, this);
    writeJSON(path.join(home, '.claude.json'), {
      hasCompletedOnboarding: true,
      lastOnboardingVersion: this.version,
      lastReleaseNotesSeen: this.version,
      theme: 'dark',
      autoUpdates: false,
      hasSeenAutoDefaultNotice: true,
      hasSeenAutoDefaultNudge: true,
      hasResetAutoModeOptInForDefaultOffer: true,
      bypassPermissionsModeAccepted: true,
      officialMarketplaceAutoInstallAttempted: true,
      customApiKeyResponses: { approved: [FAKE_KEY.slice(-20)],
        rejected: [] },
      projects: { [work]: { hasTrustDialogAccepted: true,
        hasCompletedProjectOnboarding: true, allowedTools: [] } },
    }, 0o600);
    writeJSON(path.join(home, '.claude/settings.json'), {
      permissions: { defaultMode: 'default' },
      spinnerTipsEnabled: false,
      env: { DISABLE_AUTOUPDATER: '1' },
    });
    Object.assign(env, {
      ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`,
      ANTHROPIC_API_KEY: FAKE_KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_BUG_COMMAND: '1',
    });
    return { env, cwd: work, argv: [this.bin()] };
  },
};

const codex = {
  name: 'codex', type: 'codex', pkg: '@openai/codex', version: '0.171.0',
  exe: 'codex',
  // The compiled-in catalog, reduced to one plain model (see README);
  // one per version, as each has its own.
  catalog() {
    const file = path.join(this.dir, 'fake-catalog.json');
    if (fs.existsSync(file))
      return file;
    const scratch = fs.mkdtempSync(path.join(this.dir, 'scratch-'));
    const out = execFileSync(this.bin(), ['debug', 'models'], {
      env: { ...process.env, CODEX_HOME: scratch, HOME: scratch },
      encoding: 'utf8', maxBuffer: 64 << 20 });
    fs.rmSync(scratch, { recursive: true, force: true });
    const all = JSON.parse(out);
    const list = Array.isArray(all) ? all : all.models;
    const m = { ...list.find((x) => !x.tool_mode) };
    Object.assign(m, { slug: 'fake-model', display_name: 'Fake-Model',
      use_responses_lite: false, visibility: 'list', priority: 1 });
    delete m.upgrade;
    delete m.availability_nux;
    writeJSON(file, { models: [m] });
    return file;
  },
  prepare(root, port) {
    const { home, work, env } = baseHome(root, this);
    const chome = path.join(home, '.codex');
    fs.mkdirSync(chome, { recursive: true });
    const base = `http://127.0.0.1:${port}/v1`;
    fs.writeFileSync(path.join(chome, 'config.toml'), [
      'model = "fake-model"',
      `model_catalog_json = ${JSON.stringify(this.catalog())}`,
      'model_provider = "fake"',
      'approval_policy = "on-request"',
      'sandbox_mode = "workspace-write"',
      'check_for_update_on_startup = false',
      '',
      '[features]',
      'daemon_auto_start = false',
      '',
      '[analytics]',
      'enabled = false',
      '',
      '[tui]',
      'show_tooltips = false',
      'screen_reader_detection_done = true',
      '',
      '[model_providers.fake]',
      'name = "fake"',
      `base_url = "${base}"`,
      'env_key = "OPENAI_API_KEY"',
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
      `[projects.${JSON.stringify(work)}]`,
      'trust_level = "trusted"',
      '',
    ].join('\n'));
    Object.assign(env, { CODEX_HOME: chome, OPENAI_API_KEY: FAKE_KEY });
    return { env, cwd: work, argv: [this.bin(), '-c',
      `model_providers.fake.base_url="${base}"`] };
  },
};

const gemini = {
  name: 'gemini', type: 'gemini', pkg: '@google/gemini-cli',
  version: '0.61.0',
  exe: 'gemini',
  prepare(root, port) {
    const { home, work, env } = baseHome(root, this);
    writeJSON(path.join(home, '.gemini/settings.json'), {
      security: { auth: { selectedType: 'gemini-api-key' },
        folderTrust: { enabled: false } },
      ui: { showCompatibilityWarnings: false, theme: 'Default' },
      general: { enableAutoUpdate: false,
        enableAutoUpdateNotification: false,
        defaultApprovalMode: 'default' },
      ide: { enabled: false, hasSeenNudge: true },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
    });
    Object.assign(env, { GEMINI_API_KEY: FAKE_KEY,
      GOOGLE_GEMINI_BASE_URL: `http://127.0.0.1:${port}` });
    return { env, cwd: work, argv: [this.bin()] };
  },
};

const qwen = {
  // Qwen Code is a Gemini CLI fork; there is no qwen type yet.
  name: 'qwen', type: 'gemini', pkg: '@qwen-code/qwen-code',
  version: '0.24.4',
  exe: 'qwen',
  prepare(root, port) {
    const { home, work, env } = baseHome(root, this);
    const rg = path.join(pkgDir(this), 'vendor/ripgrep/x64-linux/rg');
    if (fs.existsSync(rg))
      fs.chmodSync(rg, 0o755);
    writeJSON(path.join(home, '.qwen/settings.json'), {
      security: { auth: { selectedType: 'openai' },
        folderTrust: { enabled: false } },
      model: { name: 'qwen3-coder-plus' },
      tools: { approvalMode: 'default' },
      memory: { enableManagedAutoMemory: false },
      general: { enableAutoUpdate: false },
      // Inline like Gemini CLI: the alt-screen "virtualized history"
      // (0.24's default) redraws the transcript in place; see README.
      ui: { enableWelcomeBack: false, enableUserFeedback: false,
        useTerminalBuffer: false },
      ide: { enabled: false, hasSeenNudge: true },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
    });
    Object.assign(env, { OPENAI_API_KEY: FAKE_KEY,
      OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
      OPENAI_MODEL: 'qwen3-coder-plus' });
    return { env, cwd: work, argv: [this.bin()] };
  },
};

const opencode = {
  name: 'opencode', type: 'opencode', pkg: 'opencode-ai',
  version: '1.18.33',
  exe: 'opencode',
  prepare(root, port) {
    const { home, work, env } = baseHome(root, this);
    writeJSON(path.join(home, '.config/opencode/opencode.json'), {
      $schema: 'https://opencode.ai/config.json',
      autoupdate: false,
      share: 'disabled',
      model: 'fake/fake-model',
      small_model: 'fake/fake-model',
      permission: { bash: 'ask', edit: 'ask' },
      provider: { fake: { npm: '@ai-sdk/openai-compatible',
        name: 'Fake LLM', options: { baseURL: `http://127.0.0.1:${port}/v1`,
          apiKey: FAKE_KEY },
        models: { 'fake-model': { name: 'Fake Model' } } } },
    });
    Object.assign(env, { OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1' });
    return { env, cwd: work, argv: [this.bin()] };
  },
};

const copilot = {
  name: 'copilot', type: 'copilot', pkg: '@github/copilot',
  version: '1.0.102',
  exe: 'copilot',
  prepare(root, port) {
    const { home, work, env } = baseHome(root, this);
    writeJSON(path.join(home, '.copilot/config.json'), {
      trustedFolders: [work], appTipShown: true,
      firstLaunchAt: new Date().toISOString() });
    writeJSON(path.join(home, '.copilot/settings.json'), {
      autoUpdate: false, banner: 'never', showTipsOnStartup: false,
      ide: { autoConnect: false } });
    Object.assign(env, { COPILOT_OFFLINE: 'true',
      COPILOT_PROVIDER_BASE_URL: `http://127.0.0.1:${port}/v1`,
      COPILOT_PROVIDER_API_KEY: FAKE_KEY, COPILOT_MODEL: 'gpt-4.1',
      COPILOT_AUTO_UPDATE: 'false' });
    return { env, cwd: work, argv: [this.bin()] };
  },
};

export const AGENTS = [claude, codex, gemini, qwen, opencode, copilot];
for (const a of AGENTS) {
  // The command under node_modules/.bin: an entry may give `exe`, or a
  // bin() of the older layout (CACHE/<name>/...), of which only the last
  // part counts.
  a.exe ??= path.basename(a.bin());
  a.bin = function () {
    return path.join(this.dir, 'node_modules/.bin', this.exe);
  };
  Object.assign(a, { pin: a.version, tag: `${a.name}@${a.version}`,
    dir: dirOf(a.name, a.version) });
  a.installed = function () {
    return installedVersion(this);
  };
}

const LATEST = () => path.join(CACHE, 'latest.json');

// The newest versions `make real-agents` resolved: { name: { version,
// date } }; {} when it never did.
export function latestRecord() {
  try {
    return JSON.parse(fs.readFileSync(LATEST(), 'utf8'));
  } catch {
    return {};
  }
}

// Asks the registry for the newest version of a's package; null and a
// message on stderr when it cannot.
function npmLatest(a) {
  const r = spawnSync('npm', ['view', a.pkg, 'version'], { encoding: 'utf8',
    timeout: 60000 });
  const v = (r.stdout ?? '').trim();
  if (r.status !== 0 || !/^\d+\.\d+\.\d+[\w.+-]*$/.test(v)) {
    console.error(`real-agents: npm view ${a.pkg} version failed ` +
      `(exit ${r.status}): ${(r.stderr ?? '').trim().slice(0, 200)}`);
    return null;
  }
  return v;
}

// Agent a at version v (null: the newest is not known; why says so).
export function at(a, v, why) {
  const base = AGENTS.find((x) => x.name === a.name) ?? a;
  if (v === base.pin)
    return base;
  const o = Object.create(base);
  Object.assign(o, { version: v, tag: `${base.name}@${v ?? 'latest'}`,
    dir: v === null ? null : dirOf(base.name, v), why: why ?? null });
  return o;
}

// The agents AA_REAL_AGENTS_VERSIONS (spec) asks for among `names` (all
// when empty), in AGENTS order, each version once.  `latest` is read from
// CACHE/latest.json, or from `npm view` when resolve is set (install).
export function select(spec = process.env.AA_REAL_AGENTS_VERSIONS ??
  'pinned', names = [], resolve = false) {
  const items = spec.split(',').map((x) => x.trim()).filter(Boolean);
  const record = latestRecord();
  const latest = (a) => {
    const v = resolve ? npmLatest(a) : record[a.name]?.version ?? null;
    if (v !== null && resolve)
      record[a.name] = { version: v, date: new Date().toISOString()
        .slice(0, 10) };
    return at(a, v, v === null ? (resolve ? `npm view ${a.pkg} failed` :
      `the newest ${a.pkg} is not known (run ` +
      'AA_REAL_AGENTS_VERSIONS=latest make real-agents)') : null);
  };
  // A version names a folder and an npm spec: a plain version only.
  const bad = items.filter((x) => !['pinned', 'latest'].includes(x) &&
    !AGENTS.some((a) => x.startsWith(`${a.name}@`) &&
      /^\d+\.\d+\.\d+[\w.+-]{0,40}$|^latest$|^pinned$/.test(
        x.slice(a.name.length + 1))));
  if (bad.length)
    throw new Error(`AA_REAL_AGENTS_VERSIONS=${spec}: not pinned, latest ` +
      `or <agent>@<x.y.z|latest|pinned>: ${bad.join(', ')}`);
  const out = [];
  for (const a of AGENTS) {
    if (names.length && !names.includes(a.name))
      continue;
    const own = items.filter((x) => x.startsWith(`${a.name}@`))
      .map((x) => x.slice(a.name.length + 1));
    const want = [];
    if (items.includes('pinned') || (own.length === 0 &&
        !items.includes('latest')))
      want.push('pinned');
    if (items.includes('latest'))
      want.push('latest');
    want.push(...own);
    const seen = new Set();
    for (const w of want) {
      const v = w === 'pinned' ? a : w === 'latest' ? latest(a) : at(a, w);
      if (seen.has(v.tag))
        continue;
      seen.add(v.tag);
      out.push(v);
    }
  }
  if (resolve && items.some((x) => x === 'latest' || x.endsWith('@latest')))
    writeJSON(LATEST(), record);
  return out;
}

// Why an agent cannot run here, or null when it can.
export function unavailable(a) {
  if (a.version === null)
    return a.why;
  const v = installedVersion(a);
  const how = a.version === a.pin ? 'make real-agents' :
    `AA_REAL_AGENTS_VERSIONS=${a.tag} make real-agents`;
  if (v === null)
    return `${a.pkg}@${a.version} not installed (run ${how})`;
  if (v !== a.version)
    return `${a.dir} holds ${a.pkg} ${v}, not ${a.version}`;
  if (!fs.existsSync(a.bin()))
    return `${a.bin()} missing`;
  return null;
}

// Installs the selected versions, each into CACHE/<name>@<version>;
// returns a status list.
function install(names) {
  const out = [];
  for (const a of select(undefined, names, true)) {
    if (a.version === null) {
      out.push(`${a.tag}: ${a.why}`);
      continue;
    }
    if (installedVersion(a) === a.version) {
      out.push(`${a.tag}: already installed`);
      continue;
    }
    fs.mkdirSync(a.dir, { recursive: true });
    const t0 = Date.now();
    const r = spawnSync('npm', ['install', '--prefix', a.dir, '--no-audit',
      '--no-fund', '--loglevel=error', `${a.pkg}@${a.version}`],
    { stdio: ['ignore', 'inherit', 'inherit'] });
    const s = ((Date.now() - t0) / 1000).toFixed(0);
    out.push(`${a.tag}: ` + (r.status === 0 ?
      `installed in ${s}s` : `npm install failed (exit ${r.status})`));
    if (a.catalog && r.status === 0) {
      try {
        a.catalog();
      } catch (e) {
        out.push(`${a.tag}: model catalog failed: ${e.message}`);
      }
    }
  }
  // The layout before issue 14 (CACHE/<name>) is no longer read.
  for (const a of AGENTS)
    if (fs.existsSync(path.join(CACHE, a.name, 'node_modules')))
      out.push(`${path.join(CACHE, a.name)}: old layout, unused (rm -r it)`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [cmd, ...rest] = process.argv.slice(2);
  try {
    if (cmd === 'install') {
      for (const l of install(rest))
        console.log(`real-agents: ${l}`);
    } else if (cmd === 'list') {
      for (const a of select(undefined, rest))
        console.log(`${a.name}\t${a.pkg}@${a.version ?? 'latest'}\t` +
          `${a.version === a.pin ? 'pinned' : `pin ${a.pin}`}\t` +
          (unavailable(a) ?? 'ok'));
    } else {
      console.error('usage: node agents.mjs install [name...] | ' +
        'list [name...]');
      process.exit(2);
    }
  } catch (e) {
    console.error(`real-agents: ${e.message}`);
    process.exit(2);
  }
}
