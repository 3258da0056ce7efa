// fake-a2a.mjs - the fake LLM's script for "agent drives agent" (issue 15).
//
// A prompt holding A2AREPLY makes a Claude Code that has agentapi-c's host
// as an MCP server drive a second agent through it, one tool call per
// model request, the way a real model would:
//
//   1. start_agent    {argv, name}          the second session
//   2. send_message   {id, content}         the question
//   3. wait_for       {id, state: "idle"}   its turn ends
//   4. read_messages  {id}                  its conversation
//   5. the answer: "A2A DONE: <the second agent's last message>"
//
// The prompt says what to start and what to ask:
//
//   A2AREPLY <argv, space-separated> | <question>
//
// Which step comes next is read from the conversation itself: the tool
// calls after the A2AREPLY prompt and their results (tool_use /
// tool_result blocks).  A tool result that is an error ends the script
// with "A2A FAILED: <why>" so the test sees it rather than a hang.
//
// anthropicA2A(body) returns the content blocks of the next assistant
// message, or null when the conversation is not an A2AREPLY one.

const STEPS = ['start_agent', 'send_message', 'wait_for', 'read_messages'];

function blocksOf(m) {
  return typeof m.content === 'string' ?
    [{ type: 'text', text: m.content }] : (m.content || []);
}

// The tool's full name as this client offers it: Claude Code calls MCP
// tools mcp__<server>__<tool>.
function toolName(body, tool) {
  const t = (body.tools || []).find((x) => typeof x.name === 'string' &&
    x.name.endsWith(`__${tool}`));
  return t ? t.name : `mcp__agentapi__${tool}`;
}

function resultText(r) {
  const c = r.content;
  if (typeof c === 'string')
    return c;
  return (c || []).map((x) => x.text || '').join('');
}

export function isA2A(prompt) {
  return prompt.includes('A2AREPLY');
}

export function anthropicA2A(body) {
  const msgs = (body.messages || []).filter((m) => m.role === 'user' ||
    m.role === 'assistant');
  // The last user text holding A2AREPLY starts the script.
  let start = -1;
  let spec = '';
  msgs.forEach((m, i) => {
    if (m.role !== 'user')
      return;
    for (const b of blocksOf(m))
      if (b.type === 'text' && isA2A(b.text)) {
        start = i;
        spec = b.text;
      }
  });
  if (start < 0)
    return null;
  const calls = [];
  const results = new Map();
  for (const m of msgs.slice(start + 1))
    for (const b of blocksOf(m)) {
      if (m.role === 'assistant' && b.type === 'tool_use')
        calls.push(b);
      if (m.role === 'user' && b.type === 'tool_result')
        results.set(b.tool_use_id, b);
    }
  const done = calls.filter((c) => results.has(c.id));
  const last = done.length ? results.get(done[done.length - 1].id) : null;
  if (last && last.is_error)
    return [{ type: 'text', text: `A2A FAILED: ${resultText(last)}` }];
  const parse = (r) => {
    try {
      return JSON.parse(resultText(r));
    } catch {
      return null;
    }
  };
  const m = /A2AREPLY\s+(.*?)\s*\|\s*(.*)$/s.exec(spec);
  if (!m)
    return [{ type: 'text', text: 'A2A FAILED: no "argv | question"' }];
  const argv = m[1].split(/\s+/).filter(Boolean);
  const question = m[2].trim();
  const step = done.length;
  const first = step > 0 ? parse(results.get(done[0].id)) : null;
  const id = first?.id;
  if (step > 0 && typeof id !== 'string')
    return [{ type: 'text', text: 'A2A FAILED: start_agent gave no id: ' +
      resultText(results.get(done[0].id)) }];
  if (step >= STEPS.length) {
    const read = parse(last) || {};
    const agentMsgs = (read.messages || []).filter((x) =>
      x.role === 'agent');
    const answer = agentMsgs.length ?
      agentMsgs[agentMsgs.length - 1].content.trim() : '';
    return [{ type: 'text', text: `A2A DONE: ${answer}` }];
  }
  const input = [
    { argv, name: 'a2a-helper' },
    { id, content: question },
    { id, state: 'idle', timeout_ms: 60000 },
    { id },
  ][step];
  return [
    { type: 'text', text: `Step ${step + 1}: ${STEPS[step]}.` },
    { type: 'tool_use', id: `toolu_a2a_${step + 1}`,
      name: toolName(body, STEPS[step]), input },
  ];
}
