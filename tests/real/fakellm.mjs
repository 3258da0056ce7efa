// fakellm.mjs - a fake LLM server for the real-agent tests.
//
// Speaks just enough of four wire APIs for today's coding-agent CLIs:
// Anthropic Messages (Claude Code), OpenAI Responses (Codex), OpenAI chat
// completions (opencode, Qwen Code, Copilot) and Gemini generateContent /
// streamGenerateContent (Gemini CLI).  Every reply is derived from the
// prompt (the last user text), so a test knows exactly what the agent must
// show: see reply() below.  Keywords in the prompt pick a shape:
//
//   LONGREPLY   70 numbered lines
//   LISTREPLY   a markdown list and a fenced code block
//   SLOWREPLY   the plain reply, streamed over about three seconds
//   ARROWREPLY  lines holding ">", "->" and "=>"
//   CJKREPLY    Chinese and Japanese text
//   TOOLREPLY   a shell tool call (the agent asks for permission); once the
//               tool's result comes back, "TOOL DONE: <prompt>" plus a line,
//               or "TOOL REFUSED: <prompt>" when the result lacks the
//               command's output (the user said no)
//   STOPREPLY   30 numbered lines streamed over about half a minute, to be
//               cut short by an interrupt
//   A2AREPLY    Claude Code drives a second agent through agentapi-c's
//               MCP tools (fake-a2a.mjs)
//
// Nothing but node's standard library.  Binds 127.0.0.1 on a free port
// (or the one given).  Each request is logged as one JSON line to the log
// file (or stderr).
//
// Use as a module: const s = await startFakeLLM({ log }); s.port; s.close()
// or as a program: node fakellm.mjs [--port N] [--log FILE]; it prints
// "fakellm listening on PORT" once ready.

import http from 'node:http';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { anthropicA2A } from './fake-a2a.mjs';

const TOOL_COMMAND = 'touch fake-tool-marker && echo fake-tool-output';

// Line-level reply for a prompt; the tests import this to know the answer.
export function reply(prompt, opts = {}) {
  const p = prompt.trim();
  if (opts.toolResult !== undefined)
    return opts.toolResult.includes('fake-tool-output') ?
      [`TOOL DONE: ${p}`, 'The command ran.'] :
      [`TOOL REFUSED: ${p}`, 'The command did not run.'];
  if (p.includes('STOPREPLY')) {
    const out = [`ECHO: ${p}`];
    for (let i = 1; i <= 30; i++)
      out.push(`Partial line ${String(i).padStart(2, '0')} of a slow reply.`);
    return out;
  }
  if (p.includes('LONGREPLY')) {
    const out = [`ECHO: ${p}`];
    for (let i = 1; i <= 70; i++)
      out.push(`Long line ${String(i).padStart(2, '0')} of the reply.`);
    out.push('End of the long reply.');
    return out;
  }
  if (p.includes('LISTREPLY'))
    return [`ECHO: ${p}`, '', '- first item', '- second item',
      '- third item', '', '```', 'int main(void)', '{',
      '\treturn 0;', '}', '```', '', 'After the code.'];
  if (p.includes('ARROWREPLY'))
    return [`ECHO: ${p}`, 'a -> b', 'x => y', 'quote > here',
      'Arrows done.'];
  if (p.includes('CJKREPLY'))
    return [`ECHO: ${p}`, '你好，世界。这是一个测试。', '日本語のテキストです。',
      'CJK done.'];
  return [`ECHO: ${p}`, 'This is the fake LLM.', 'Reply complete.'];
}

// True when the prompt asks for a tool call.
export function wantsTool(prompt) {
  return prompt.includes('TOOLREPLY');
}

export { TOOL_COMMAND };

// Splits text into stream chunks of a few characters, cut mid-line too.
function chunks(text, size = 7) {
  const out = [];
  const cps = Array.from(text);
  for (let i = 0; i < cps.length; i += size)
    out.push(cps.slice(i, i + size).join(''));
  return out.length ? out : [''];
}

const INJECTED = /^\s*<(system-reminder|environment_context|user_instructions|session_context|ide_|command-|local-command)/;

// Strips leading <tag>...</tag> blocks (Copilot prepends a date block).
function stripTags(s) {
  let t = s.trim();
  for (;;) {
    const m = /^<([A-Za-z_][\w-]*)[^>]*>[\s\S]*?<\/\1>\s*/.exec(t);
    if (!m)
      return t;
    t = t.slice(m[0].length);
  }
}

// Last non-injected text among a list of strings.
function lastText(texts) {
  for (let i = texts.length - 1; i >= 0; i--) {
    const t = texts[i];
    if (typeof t !== 'string' || INJECTED.test(t))
      continue;
    const s = stripTags(t);
    if (s !== '')
      return s;
  }
  return '';
}

// Filled-in JSON for a JSON-mode side request's schema.
function fillSchema(schema, depth = 0) {
  if (!schema || depth > 6)
    return {};
  if (Array.isArray(schema.enum) && schema.enum.length)
    return schema.enum[0];
  let type = schema.type;
  if (Array.isArray(type))
    type = type.find((t) => t !== 'null') || 'string';
  if (typeof type === 'string')
    type = type.toLowerCase();
  if (type === 'object' || schema.properties) {
    const o = {};
    for (const [k, v] of Object.entries(schema.properties || {}))
      o[k] = fillSchema(v, depth + 1);
    return o;
  }
  if (type === 'array')
    return [];
  if (type === 'number' || type === 'integer')
    return 0;
  if (type === 'boolean')
    return false;
  const max = schema.maxLength || schema.max_length || 20;
  return 'Fake title'.slice(0, Math.max(1, max));
}

function sseWrite(res, event, data) {
  let s = '';
  if (event)
    s += `event: ${event}\n`;
  s += `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
  res.write(s);
}

function sseHead(res) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders?.();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function delayFor(prompt) {
  if (prompt.includes('STOPREPLY'))
    return 200;
  return prompt.includes('SLOWREPLY') ? 150 : 15;
}

// ---- Anthropic Messages ----------------------------------------------

function anthropicPrompt(body) {
  // Claude 2.1 appends a "system" message after the user's: skip it.
  const msgs = (body.messages || []).filter((m) => m.role === 'user' ||
    m.role === 'assistant');
  const last = msgs[msgs.length - 1];
  if (!last || last.role !== 'user')
    return { prompt: '' };
  const parts = typeof last.content === 'string' ?
    [{ type: 'text', text: last.content }] : (last.content || []);
  // A tool result answers the call unless a new prompt follows it in the
  // same message: Claude 2.1 sends a finished turn's result again with the
  // next prompt (and repeats the calling prompt after a fresh result).
  const ti = parts.findLastIndex((p) => p.type === 'tool_result');
  const after = ti < 0 ? '' : lastText(parts.slice(ti + 1)
    .filter((p) => p.type === 'text').map((p) => p.text));
  const earlier = [];
  for (const m of msgs.slice(0, -1))
    if (m.role === 'user')
      for (const p of typeof m.content === 'string' ?
        [{ type: 'text', text: m.content }] : (m.content || []))
        if (p.type === 'text')
          earlier.push(p.text);
  const toolRes = ti >= 0 && (after === '' || after === lastText(earlier)) ?
    parts[ti] : undefined;
  // The prompt is the last user text; for a tool result, the one before.
  const texts = [];
  for (const m of msgs) {
    if (m.role !== 'user')
      continue;
    const ps = typeof m.content === 'string' ?
      [{ type: 'text', text: m.content }] : (m.content || []);
    for (const p of ps)
      if (p.type === 'text')
        texts.push(p.text);
  }
  if (toolRes) {
    let out = toolRes.content;
    if (Array.isArray(out))
      out = out.map((x) => x.text || '').join('');
    return { prompt: lastText(texts), toolResult: String(out ?? '') };
  }
  return { prompt: lastText(parts.filter((p) => p.type === 'text')
    .map((p) => p.text)) };
}

async function anthropic(req, res, body) {
  const jsonMode = body.output_config?.format?.type === 'json_schema';
  const { prompt, toolResult } = anthropicPrompt(body);
  const blocks = [];
  const a2a = jsonMode ? null : anthropicA2A(body);
  if (a2a) {
    blocks.push(...a2a);
  } else if (jsonMode) {
    blocks.push({ type: 'text', text: JSON.stringify(fillSchema(
      body.output_config.format.schema)) });
  } else if (toolResult === undefined && wantsTool(prompt)) {
    blocks.push({ type: 'text', text: 'Running the command.' });
    blocks.push({ type: 'tool_use', id: 'toolu_fake_1', name: 'Bash',
      input: { command: TOOL_COMMAND, description: 'Print a marker' } });
  } else {
    blocks.push({ type: 'text',
      text: reply(prompt, { toolResult }).join('\n') });
  }
  const stop = blocks.some((b) => b.type === 'tool_use') ? 'tool_use' :
    'end_turn';
  const msg = { id: 'msg_fake', type: 'message', role: 'assistant',
    model: body.model || 'fake', content: [], stop_reason: null,
    stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...msg, content: blocks, stop_reason: stop,
      usage: { input_tokens: 10, output_tokens: 20 } }));
    return;
  }
  sseHead(res);
  sseWrite(res, 'message_start', { type: 'message_start', message: msg });
  sseWrite(res, 'ping', { type: 'ping' });
  const delay = delayFor(prompt);
  for (const [index, b] of blocks.entries()) {
    if (b.type === 'text') {
      sseWrite(res, 'content_block_start', { type: 'content_block_start',
        index, content_block: { type: 'text', text: '' } });
      for (const c of chunks(b.text)) {
        await sleep(delay);
        sseWrite(res, 'content_block_delta', { type: 'content_block_delta',
          index, delta: { type: 'text_delta', text: c } });
      }
    } else {
      sseWrite(res, 'content_block_start', { type: 'content_block_start',
        index, content_block: { type: 'tool_use', id: b.id, name: b.name,
          input: {} } });
      sseWrite(res, 'content_block_delta', { type: 'content_block_delta',
        index, delta: { type: 'input_json_delta',
          partial_json: JSON.stringify(b.input) } });
    }
    sseWrite(res, 'content_block_stop', { type: 'content_block_stop',
      index });
  }
  sseWrite(res, 'message_delta', { type: 'message_delta',
    delta: { stop_reason: stop, stop_sequence: null },
    usage: { output_tokens: 20 } });
  sseWrite(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

// ---- OpenAI Responses -------------------------------------------------

function responsesPrompt(body) {
  const input = typeof body.input === 'string' ?
    [{ type: 'message', role: 'user', content: body.input }] :
    (body.input || []);
  const texts = [];
  let toolResult;
  for (const it of input) {
    if (it.type === 'function_call_output' ||
        it.type === 'custom_tool_call_output') {
      toolResult = typeof it.output === 'string' ? it.output :
        JSON.stringify(it.output);
      continue;
    }
    if (it.type === 'function_call')
      continue;
    if (it.role !== 'user')
      continue;
    toolResult = undefined;
    const cs = typeof it.content === 'string' ?
      [{ type: 'input_text', text: it.content }] : (it.content || []);
    for (const c of cs)
      if (c.type === 'input_text' || c.type === 'text')
        texts.push(c.text);
  }
  return { prompt: lastText(texts), toolResult };
}

async function responses(req, res, body) {
  const jsonMode = body.text?.format?.type === 'json_schema';
  const { prompt, toolResult } = responsesPrompt(body);
  let seq = 0;
  const ev = (type, o) => sseWrite(res, type,
    { type, sequence_number: seq++, ...o });
  const base = { id: 'resp_fake', object: 'response',
    created_at: Math.floor(Date.now() / 1000), model: body.model || 'fake',
    status: 'in_progress', output: [] };
  sseHead(res);
  ev('response.created', { response: base });
  ev('response.in_progress', { response: base });
  const output = [];
  const delay = delayFor(prompt);
  let text;
  let call;
  if (jsonMode)
    text = JSON.stringify(fillSchema(body.text.format.schema));
  else if (toolResult === undefined && wantsTool(prompt))
    call = { cmd: TOOL_COMMAND, sandbox_permissions: 'require_escalated',
      justification: 'Print a marker for the test' };
  else
    text = reply(prompt, { toolResult }).join('\n');
  let oi = 0;
  if (text !== undefined) {
    const item = { id: 'msg_fake', type: 'message', status: 'in_progress',
      role: 'assistant', content: [] };
    ev('response.output_item.added', { output_index: oi, item });
    ev('response.content_part.added', { item_id: item.id, output_index: oi,
      content_index: 0, part: { type: 'output_text', text: '',
        annotations: [] } });
    for (const c of chunks(text)) {
      await sleep(delay);
      ev('response.output_text.delta', { item_id: item.id,
        output_index: oi, content_index: 0, delta: c, logprobs: [] });
    }
    const part = { type: 'output_text', text, annotations: [] };
    ev('response.output_text.done', { item_id: item.id, output_index: oi,
      content_index: 0, text, logprobs: [] });
    ev('response.content_part.done', { item_id: item.id, output_index: oi,
      content_index: 0, part });
    const done = { ...item, status: 'completed', content: [part] };
    ev('response.output_item.done', { output_index: oi, item: done });
    output.push(done);
    oi++;
  }
  if (call !== undefined) {
    const args = JSON.stringify(call);
    const item = { id: 'fc_fake', type: 'function_call',
      status: 'in_progress', name: 'exec_command', call_id: 'call_fake_1',
      arguments: '' };
    ev('response.output_item.added', { output_index: oi, item });
    ev('response.function_call_arguments.delta', { item_id: item.id,
      output_index: oi, delta: args });
    ev('response.function_call_arguments.done', { item_id: item.id,
      output_index: oi, arguments: args });
    const done = { ...item, status: 'completed', arguments: args };
    ev('response.output_item.done', { output_index: oi, item: done });
    output.push(done);
  }
  ev('response.completed', { response: { ...base, status: 'completed',
    output, usage: { input_tokens: 10, output_tokens: 20,
      total_tokens: 30, input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 } } } });
  res.end();
}

// ---- OpenAI chat completions ------------------------------------------

function chatPrompt(body) {
  const msgs = body.messages || [];
  const texts = [];
  let toolResult;
  for (const m of msgs) {
    if (m.role === 'tool') {
      toolResult = typeof m.content === 'string' ? m.content :
        JSON.stringify(m.content);
      continue;
    }
    if (m.role !== 'user')
      continue;
    toolResult = undefined;
    if (typeof m.content === 'string')
      texts.push(m.content);
    else
      for (const c of m.content || [])
        if (c.type === 'text')
          texts.push(c.text);
  }
  return { prompt: lastText(texts), toolResult };
}

async function chat(req, res, body) {
  const rf = body.response_format?.type;
  const jsonMode = rf === 'json_object' || rf === 'json_schema';
  const { prompt, toolResult } = chatPrompt(body);
  let text;
  let call;
  if (jsonMode)
    text = JSON.stringify(fillSchema(body.response_format.json_schema
      ?.schema));
  else if (/^You are a title generator/.test(body.messages?.[0]?.content
      ?? '') || !body.tools?.length && /Generate a title/.test(prompt))
    text = 'Fake title';
  else if (toolResult === undefined && wantsTool(prompt) &&
      body.tools?.length)
    call = toolCallFor(body.tools);
  else
    text = reply(prompt, { toolResult }).join('\n');
  const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000), model: body.model || 'fake' };
  const chunk = (delta, finish = null) => ({ ...base,
    choices: [{ index: 0, delta, finish_reason: finish }] });
  if (!body.stream) {
    const message = { role: 'assistant', content: text ?? null };
    if (call)
      message.tool_calls = [{ id: 'call_fake_1', type: 'function',
        function: call }];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...base, object: 'chat.completion',
      choices: [{ index: 0, message,
        finish_reason: call ? 'tool_calls' : 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 20,
        total_tokens: 30 } }));
    return;
  }
  sseHead(res);
  sseWrite(res, null, chunk({ role: 'assistant', content: '' }));
  const delay = delayFor(prompt);
  if (text !== undefined)
    for (const c of chunks(text)) {
      await sleep(delay);
      sseWrite(res, null, chunk({ content: c }));
    }
  if (call !== undefined)
    sseWrite(res, null, chunk({ tool_calls: [{ index: 0, id: 'call_fake_1',
      type: 'function', function: call }] }));
  sseWrite(res, null, chunk({}, call ? 'tool_calls' : 'stop'));
  if (body.stream_options?.include_usage)
    sseWrite(res, null, { ...base, choices: [], usage: { prompt_tokens: 10,
      completion_tokens: 20, total_tokens: 30 } });
  sseWrite(res, null, '[DONE]');
  res.end();
}

// A chat-completions tool call to the agent's shell tool, whatever its name.
function toolCallFor(tools) {
  const names = tools.map((t) => t.function?.name ?? t.name);
  const name = names.find((n) => /^(bash|run_shell_command|shell|Bash)$/
    .test(n)) ?? names.find((n) => /shell|bash|exec/i.test(n)) ?? names[0];
  const tool = tools.find((t) => (t.function?.name ?? t.name) === name);
  const props = tool?.function?.parameters?.properties ?? {};
  const args = { command: TOOL_COMMAND };
  if ('description' in props)
    args.description = 'Print a marker';
  if ('is_background' in props)
    args.is_background = false;
  return { name, arguments: JSON.stringify(args) };
}

// ---- Gemini -----------------------------------------------------------

function geminiPrompt(body) {
  const texts = [];
  let toolResult;
  for (const c of body.contents || []) {
    if (c.role !== 'user')
      continue;
    const fr = (c.parts || []).find((p) => p.functionResponse);
    if (fr) {
      toolResult = JSON.stringify(fr.functionResponse.response ?? {});
      continue;
    }
    toolResult = undefined;
    for (const p of c.parts || [])
      if (typeof p.text === 'string')
        texts.push(p.text);
  }
  return { prompt: lastText(texts), toolResult };
}

async function gemini(req, res, body, url) {
  const gc = body.generationConfig || {};
  const jsonMode = gc.responseMimeType === 'application/json';
  const { prompt, toolResult } = geminiPrompt(body);
  const model = /models\/([^:]+)/.exec(url.pathname)?.[1] ?? 'fake';
  let text;
  let call;
  if (jsonMode) {
    const o = fillSchema(gc.responseJsonSchema ?? gc.responseSchema);
    if ('next_speaker' in o)
      o.next_speaker = 'user';
    text = JSON.stringify(o);
  } else if (toolResult === undefined && wantsTool(prompt)) {
    const decls = (body.tools || []).flatMap((t) =>
      t.functionDeclarations || []);
    const name = decls.find((d) => d.name === 'run_shell_command')?.name ??
      decls.find((d) => /shell/.test(d.name))?.name ?? 'run_shell_command';
    call = { name, args: { command: TOOL_COMMAND,
      description: 'Print a marker' } };
  } else {
    text = reply(prompt, { toolResult }).join('\n');
  }
  const usage = { promptTokenCount: 10, candidatesTokenCount: 20,
    totalTokenCount: 30 };
  const frame = (parts, last) => {
    const cand = { content: { role: 'model', parts }, index: 0 };
    const o = { candidates: [cand], modelVersion: model };
    if (last) {
      cand.finishReason = 'STOP';
      o.usageMetadata = usage;
    }
    return o;
  };
  const parts = call ? [{ functionCall: call }] : [{ text }];
  if (!url.pathname.endsWith(':streamGenerateContent')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(frame(parts, true)));
    return;
  }
  sseHead(res);
  const delay = delayFor(prompt);
  if (call) {
    sseWrite(res, null, frame(parts, true));
  } else {
    const cs = chunks(text, 12);
    for (const [i, c] of cs.entries()) {
      await sleep(delay);
      sseWrite(res, null, frame([{ text: c }], i === cs.length - 1));
    }
  }
  res.end();
}

// ---- server -----------------------------------------------------------

function readBody(req) {
  return new Promise((resolve, reject) => {
    const bufs = [];
    let n = 0;
    req.on('data', (b) => {
      n += b.length;
      if (n > 64 << 20) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      bufs.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(bufs).toString('utf8')));
    req.on('error', reject);
  });
}

// Starts the server; resolves to { port, url, requests, close() }.
export function startFakeLLM({ port = 0, log } = {}) {
  const requests = [];
  const logLine = (o) => {
    requests.push(o);
    const s = JSON.stringify(o) + '\n';
    if (log)
      fs.appendFileSync(log, s);
    else
      process.stderr.write(s);
  };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let raw = '';
    let body = {};
    try {
      raw = await readBody(req);
      body = raw ? JSON.parse(raw) : {};
    } catch {
      body = {};
    }
    if (process.env.FAKELLM_DUMP)
      fs.appendFileSync(process.env.FAKELLM_DUMP, raw + '\n');
    const entry = { time: new Date().toISOString(), method: req.method,
      path: req.url, ua: req.headers['user-agent'] ?? '',
      model: body.model, stream: body.stream };
    try {
      const p = url.pathname;
      if (req.method === 'HEAD' || (req.method === 'GET' &&
          p === '/api/hello')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.method === 'HEAD' ? undefined : '{}');
      } else if (req.method === 'POST' && /\/v1\/messages$/.test(p)) {
        entry.prompt = anthropicPrompt(body).prompt;
        await anthropic(req, res, body);
      } else if (req.method === 'POST' && /\/responses$/.test(p)) {
        entry.prompt = responsesPrompt(body).prompt;
        await responses(req, res, body);
      } else if (req.method === 'POST' && /\/chat\/completions$/.test(p)) {
        entry.prompt = chatPrompt(body).prompt;
        // opencode's title agent sends the bare prompt too.
        if (/^You are a title generator/.test(body.messages?.[0]?.content ??
            ''))
          entry.title = true;
        await chat(req, res, body);
      } else if (req.method === 'POST' && /:(stream)?[gG]enerateContent$/
          .test(p)) {
        entry.prompt = geminiPrompt(body).prompt;
        await gemini(req, res, body, url);
      } else if (req.method === 'POST' && /:countTokens$/.test(p)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"totalTokens":10}');
      } else if (req.method === 'GET' && /\/models$/.test(p)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model',
          object: 'model', created: 0, owned_by: 'fake' }] }));
      } else if (req.method === 'GET') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"type":"not_found","code":"not_found",' +
          '"message":"no such path","param":null}}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }
      entry.status = res.statusCode;
      if (typeof entry.prompt === 'string' && entry.prompt.length > 200)
        entry.prompt = entry.prompt.slice(0, 200) + '...';
    } catch (e) {
      entry.error = String(e);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { type: 'server_error',
          message: String(e) } }));
      } else {
        res.end();
      }
    }
    logLine(entry);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const p = server.address().port;
      resolve({ port: p, url: `http://127.0.0.1:${p}`, requests,
        close: () => new Promise((r) => {
          server.closeAllConnections?.();
          server.close(() => r());
        }) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const opt = (n) => {
    const i = args.indexOf(n);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const s = await startFakeLLM({ port: Number(opt('--port') ?? 0),
    log: opt('--log') });
  console.log(`fakellm listening on ${s.port}`);
}
