// fake-augment.mjs - the fake LLM's Augment backend, for Auggie.
//
// Auggie has no direct-to-LLM mode: every request goes to the login's
// tenant URL (session.json's tenantURL, here the fake's root) as a POST to
// <tenantURL><endpoint> (../shared/spec/agents-offline.md §4.7).  At
// start-up it asks get-models, settings/*, agents/list-remote-tools; the
// workspace sync asks find-missing and batch-upload; each turn is one
// chat-stream, answered as application/x-ndjson, one BackChatResult object
// per line: `text` (the delta) and `nodes` (type 0, the raw text; type 5,
// a tool call), the last line with `stop_reason` (1 end of turn, 3 a tool
// call was requested).  A tool's result comes back in the next
// chat-stream as a request node of type 1 (`tool_result_node`).  After the
// first reply a second, "silent" chat-stream asks for a title.
//
// The replies are fakellm.mjs's: handle() gets reply() and its helpers
// from there, so every keyword (LONGREPLY, TOOLREPLY, STOPREPLY, ...)
// works the same for Auggie as for the other agents.

// The endpoints Auggie calls, and what a quiet backend answers.
const FIXED = {
  'agents/list-remote-tools': { tools: [] },
  'find-missing': { unknown_memory_names: [], nonindexed_blob_names: [] },
  'batch-upload': { blob_names: [] },
  'checkpoint-blobs': { new_checkpoint_id: 'fake-checkpoint' },
};

const MODEL = 'fake-model';

// True for a request meant for the fake Augment backend.
export function isAugment(req, pathname) {
  return req.method === 'POST' && (/^augment\.cli\//.test(
    req.headers['user-agent'] ?? '') || pathname === '/chat-stream' ||
    pathname === '/get-models');
}

function getModels() {
  return {
    default_model: MODEL,
    models: [{ name: MODEL, internal_name: MODEL,
      suggested_prefix_char_count: 4096,
      suggested_suffix_char_count: 4096 }],
    languages: [],
    feature_flags: { agent_chat_model: MODEL, cli_enable_sentry: false,
      cli_analytics_write_key: '' },
    user_tier: 'PROFESSIONAL',
    user: { id: 'fake-user', email: 'tester@example.invalid',
      tenant_id: 'fake-tenant', tenant_name: 'fake' },
  };
}

// The user's text among a list of request nodes (type 0, text_node).
function nodeTexts(nodes) {
  const out = [];
  for (const n of Array.isArray(nodes) ? nodes : [])
    if (n?.type === 0 && typeof n.text_node?.content === 'string')
      out.push(n.text_node.content);
  return out;
}

// The prompt of a chat-stream: its text nodes (0.36 leaves `message`
// empty), and the tool's output when the request carries a tool result
// (a type 1 node) instead; the prompt is then the one of the exchange
// that asked for the tool, the last one in chat_history with text.
export function augmentPrompt(body, lastText) {
  const nodes = Array.isArray(body.nodes) ? body.nodes : [];
  const res = nodes.find((n) => n?.type === 1 && n.tool_result_node);
  const texts = nodeTexts(nodes);
  if (typeof body.message === 'string' && body.message !== '')
    texts.push(body.message);
  let prompt = lastText(texts);
  let toolResult;
  if (res) {
    const c = res.tool_result_node.content;
    toolResult = typeof c === 'string' ? c : JSON.stringify(c ?? '');
    const hist = Array.isArray(body.chat_history) ? body.chat_history : [];
    for (let i = hist.length - 1; i >= 0 && prompt === ''; i--)
      prompt = lastText([hist[i]?.request_message,
        ...nodeTexts(hist[i]?.request_nodes)]);
  }
  return { prompt, toolResult, title: body.silent === true };
}

// The shell tool among the request's tool definitions, and its input.
function toolCall(defs, command) {
  const names = (defs || []).map((d) => d?.name).filter(Boolean);
  const name = names.find((n) => n === 'launch-process') ??
    names.find((n) => /process|shell|bash|exec/i.test(n)) ?? 'launch-process';
  const def = (defs || []).find((d) => d?.name === name);
  let props = {};
  try {
    props = JSON.parse(def?.input_schema_json ?? '{}').properties ?? {};
  } catch {}
  const input = { command };
  if ('wait' in props)
    input.wait = true;
  if ('max_wait_seconds' in props)
    input.max_wait_seconds = 30;
  if ('cwd' in props)
    input.cwd = '.';
  return { tool_use_id: 'toolu_fake_1', tool_name: name,
    input_json: JSON.stringify(input) };
}

function line(res, o) {
  res.write(JSON.stringify({ unknown_blob_names: [],
    checkpoint_not_found: false, workspace_file_chunks: [], ...o }) + '\n');
}

// Answers one request; h = { reply, wantsTool, TOOL_COMMAND, chunks,
// delayFor, lastText, sleep } from fakellm.mjs.  Fills entry's prompt and
// title for the request log.
export async function handle(req, res, body, pathname, entry, h) {
  const ep = pathname.replace(/^\/+/, '');
  if (ep === 'get-models') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(getModels()));
    return;
  }
  // Auggie reports an answer it could not convert here: keep it in the
  // log, it names the field.
  if (ep === 'report-error')
    entry.report = JSON.stringify(body).slice(0, 500);
  if (ep !== 'chat-stream') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(FIXED[ep] ?? {}));
    return;
  }
  const { prompt, toolResult, title } = augmentPrompt(body, h.lastText);
  entry.prompt = prompt;
  if (title)
    entry.title = true;
  res.writeHead(200, { 'content-type': 'application/x-ndjson',
    'cache-control': 'no-cache' });
  res.flushHeaders?.();
  let id = 0;
  if (title) {
    line(res, { text: 'Fake title', nodes: [{ id: id++, type: 0,
      content: 'Fake title' }] });
  } else if (toolResult === undefined && h.wantsTool(prompt)) {
    const pre = 'Running the command.';
    line(res, { text: pre, nodes: [{ id: id++, type: 0, content: pre }] });
    line(res, { text: '', nodes: [{ id: id++, type: 5, content: '',
      tool_use: toolCall(body.tool_definitions, h.TOOL_COMMAND) }] });
    line(res, { text: '', nodes: [], stop_reason: 3 });
    res.end();
    return;
  } else {
    const delay = h.delayFor(prompt);
    for (const c of h.chunks(h.reply(prompt, { toolResult }).join('\n'))) {
      await h.sleep(delay);
      if (res.destroyed)
        return;
      line(res, { text: c, nodes: [{ id: id++, type: 0, content: c }] });
    }
  }
  line(res, { text: '', nodes: [], stop_reason: 1 });
  res.end();
}
