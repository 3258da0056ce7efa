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
// As a program: node agents.mjs install [name...]   installs the pins
//                node agents.mjs list                prints what is there

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

function pkgDir(a) {
  return path.join(CACHE, a.name, 'node_modules', a.pkg);
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
  const home = path.join(root, a.name, 'home');
  const work = path.join(root, a.name, 'work');
  fs.rmSync(path.join(root, a.name), { recursive: true, force: true });
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
    PATH: [path.join(CACHE, a.name, 'node_modules/.bin'), nodeDir,
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
  version: '2.1.330',
  bin: () => path.join(CACHE, 'claude/node_modules/.bin/claude'),
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
  name: 'codex', type: 'codex', pkg: '@openai/codex', version: '0.169.0',
  bin: () => path.join(CACHE, 'codex/node_modules/.bin/codex'),
  // The compiled-in catalog, reduced to one plain model (see README).
  catalog() {
    const file = path.join(CACHE, 'codex-catalog.json');
    if (fs.existsSync(file))
      return file;
    const scratch = fs.mkdtempSync(path.join(CACHE, 'codex-scratch-'));
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
  bin: () => path.join(CACHE, 'gemini/node_modules/.bin/gemini'),
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
  bin: () => path.join(CACHE, 'qwen/node_modules/.bin/qwen'),
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
  bin: () => path.join(CACHE, 'opencode/node_modules/.bin/opencode'),
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
  bin: () => path.join(CACHE, 'copilot/node_modules/.bin/copilot'),
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

const auggie = {
  // The fake plays Augment's backend (fake-augment.mjs): the login's
  // tenant URL points at it (agents-offline.md §4.7).
  name: 'auggie', type: 'auggie', pkg: '@augmentcode/auggie',
  version: '0.36.0',
  bin: () => path.join(CACHE, 'auggie/node_modules/.bin/auggie'),
  prepare(root, port) {
    const { home, work, env } = baseHome(root, this);
    const aug = path.join(home, '.augment');
    writeJSON(path.join(aug, 'session.json'), { accessToken: FAKE_KEY,
      tenantURL: `http://127.0.0.1:${port}/`, scopes: ['email'] }, 0o600);
    writeJSON(path.join(aug, '.auggie.json'), { onboardingVersion: '1.0.0',
      lastUsed: new Date().toISOString(), sessionCount: 1 });
    writeJSON(path.join(aug, 'settings.json'), {
      indexingDenyDirs: [work],
      toolPermissions: [{ toolName: 'launch-process',
        permission: { type: 'ask-user' } }],
    });
    Object.assign(env, { AUGMENT_DISABLE_AUTO_UPDATE: '1' });
    return { env, cwd: work, argv: [this.bin()] };
  },
};

export const AGENTS = [claude, codex, gemini, qwen, opencode, copilot,
  auggie];
for (const a of AGENTS) {
  a.installed = () => installedVersion(a);
}

// Why an agent cannot run here, or null when it can.
export function unavailable(a) {
  const v = installedVersion(a);
  if (v === null)
    return `${a.pkg} not installed (run make real-agents)`;
  if (v !== a.version)
    return `${a.pkg} is ${v}, the tests expect ${a.version}`;
  if (!fs.existsSync(a.bin()))
    return `${a.bin()} missing`;
  return null;
}

// Installs the pinned packages into CACHE/<name>; returns a status list.
function install(names) {
  const out = [];
  for (const a of AGENTS) {
    if (names.length && !names.includes(a.name))
      continue;
    if (installedVersion(a) === a.version) {
      out.push(`${a.name} ${a.version}: already installed`);
      continue;
    }
    const dir = path.join(CACHE, a.name);
    fs.mkdirSync(dir, { recursive: true });
    const t0 = Date.now();
    const r = spawnSync('npm', ['install', '--prefix', dir, '--no-audit',
      '--no-fund', '--loglevel=error', `${a.pkg}@${a.version}`],
    { stdio: ['ignore', 'inherit', 'inherit'] });
    const s = ((Date.now() - t0) / 1000).toFixed(0);
    out.push(`${a.name} ${a.version}: ` + (r.status === 0 ?
      `installed in ${s}s` : `npm install failed (exit ${r.status})`));
    if (a.name === 'codex' && r.status === 0) {
      try {
        a.catalog();
      } catch (e) {
        out.push(`codex: model catalog failed: ${e.message}`);
      }
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'install') {
    for (const l of install(rest))
      console.log(`real-agents: ${l}`);
  } else if (cmd === 'list') {
    for (const a of AGENTS)
      console.log(`${a.name}\t${a.pkg}@${a.version}\t` +
        (unavailable(a) ?? 'ok'));
  } else {
    console.error('usage: node agents.mjs install [name...] | list');
    process.exit(2);
  }
}
