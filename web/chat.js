/*
 * chat.js - the agentapi-c web chat (no framework, no build step).
 *
 * Data flow: GET events?extended=1 (SSE) gives message_update /
 * status_change / agent_error, plus, from a server that has them,
 * state_change (idle, working, waiting with the question the agent asks)
 * and queue_change; the page keeps one DOM node per message id and
 * replaces its content on each update.  If SSE delivers nothing while the
 * server answers GET status (a buffering proxy), the page polls GET
 * messages and GET status (and GET queue) instead and keeps retrying SSE
 * in the background.  Sending is POST message {content, type}; uploads
 * are POST upload (multipart, field "file"); the terminal view reads GET
 * internal/screen (SSE).
 *
 * A server without the "state" field in GET status (upstream agentapi,
 * older agentapi-c) gets the chat as it always was: running / stable,
 * and no sending while the agent works.  With it, the page shows
 * "Waiting for you" with one button per option (POST answer), an
 * Interrupt button while the agent works (POST interrupt), and queues
 * what is typed while the agent is busy (POST message with "queue": true,
 * GET queue, DELETE queue/{id}).  Enter never does nothing silently: it
 * sends, queues, or says why it cannot.
 *
 * Every API URL is resolved relative to the page: the page lives at
 * <prefix>/<chat-base>/ or <prefix>/<chat-base>/embed and the API at
 * <prefix>/, so this works at the root, behind a proxy that strips a path
 * prefix, and on a subdomain; as in upstream's chat, ?url=<api-base> in
 * the page URL names another API root (local development).  A token
 * (--auth-token) comes from ?token= in the page URL or from a prompt on
 * 401; it is kept in memory only and sent as "Authorization: Bearer"
 * (fetch) or ?token= (EventSource).
 */
import { renderAgent, renderUser } from './render.js';

/* Raw byte sequences of the control-mode keys. */
export const KEYS = {
	esc: '\u001b',
	'ctrl-c': '\u0003',
	up: '\u001b[A',
	down: '\u001b[B',
	right: '\u001b[C',
	left: '\u001b[D',
	enter: '\r',
	tab: '\t',
	backspace: '\u007f',
	y: 'y',
	n: 'n',
};

/* Keyboard keys typed in control mode -> terminal bytes. */
const KEY_BYTES = {
	Enter: '\r', Escape: '\u001b', Tab: '\t', Backspace: '\u007f',
	ArrowUp: '\u001b[A', ArrowDown: '\u001b[B', ArrowRight: '\u001b[C',
	ArrowLeft: '\u001b[D', Delete: '\u001b[3~', Home: '\u001b[H',
	End: '\u001b[F', PageUp: '\u001b[5~', PageDown: '\u001b[6~',
};

const AGENT_NAMES = {
	claude: 'Claude Code', goose: 'Goose', aider: 'Aider',
	gemini: 'Gemini', amp: 'Amp', codex: 'Codex', cursor: 'Cursor Agent',
	'cursor-agent': 'Cursor Agent', copilot: 'Copilot', auggie: 'Auggie',
	amazonq: 'Amazon Q', opencode: 'OpenCode', custom: 'Agent',
};

const FIRST_EVENT_MS = 6000;	/* no SSE event by then: check for a proxy */
const POLL_MS = 2000;		/* polling period in fallback mode */
const SSE_RETRY_MS = 30000;	/* retry SSE this often while polling */
const STICK_PX = 48;		/* "at the bottom" tolerance for autoscroll */
const RESEND_MS = 5000;		/* answer buttons come back if nothing moved */
const MAX_OPTIONS = 32;		/* bounds on what a prompt may show */
const MAX_PROMPT_TEXT = 4000;
const MAX_QUEUE_SHOWN = 100;

/* Labels of the extended states (GET status "state"). */
const STATE_LABELS = {
	starting: 'Starting…', waiting: 'Waiting for you', exited: 'Exited',
};

const TITLE = 'AgentAPI chat';

const $ = (id) => document.getElementById(id);

const st = {
	base: null,		/* URL of the API root */
	token: null,
	status: 'unknown',
	agentType: '',
	messages: new Map(),	/* id -> {role, text, time, el} */
	conn: '',
	es: null,
	esEver: false,		/* any SSE event received on this page */
	esGot: false,		/* any SSE event on the current EventSource */
	seen: null,		/* ids replayed since the current open */
	pruned: false,
	firstTimer: 0,
	retryTimer: 0,
	pollTimer: 0,
	screenEs: null,
	control: false,
	sending: 0,		/* POST message requests in flight */
	stick: true,
	drafts: [],
	state: null,		/* extended state; null: the server has none */
	prompt: null,		/* {kind, question, options, since} if waiting */
	queue: [],		/* [{id, content, time}] queued messages */
	queueSeen: new Set(),	/* ids ever listed by the server */
	answering: false,
	refusal: '',		/* why the last Enter could not send */
};

/* Returns the API root URL derived from the page location. */
export function apiBase(loc) {
	let p = loc.pathname;

	p = p.replace(/\/index\.html$/, '/').replace(/\/embed(\/|\.html)?$/,
	    '/');
	if (!p.endsWith('/'))
		p = p.replace(/[^/]*$/, '');
	return new URL('../', loc.origin + p);
}

/*
 * Returns the API root named by a ?url= value (absolute or relative to
 * the page, http or https only, always ending in "/" so relative API paths
 * stay under it), or null when it is not usable.
 */
export function baseFromParam(value, loc) {
	let u;

	if (typeof value !== 'string' || value === '' || value.length > 2048)
		return null;
	try {
		u = new URL(value, loc.href);
	} catch {
		return null;
	}
	if (u.protocol !== 'http:' && u.protocol !== 'https:')
		return null;
	u.search = '';
	u.hash = '';
	if (!u.pathname.endsWith('/'))
		u.pathname += '/';
	return u;
}

/* Builds an API URL; EventSource URLs carry the token as a parameter. */
function apiUrl(path, forSse) {
	const u = new URL(path, st.base);

	if (forSse && st.token)
		u.searchParams.set('token', st.token);
	return u;
}

class ApiError extends Error {
	constructor(msg, status) {
		super(msg);
		this.status = status;
	}
}

/* Formats an RFC 7807 problem body the way agentapi's UI does. */
function problemText(res, body) {
	if (body && typeof body.detail === 'string') {
		const errs = Array.isArray(body.errors) ?
		    body.errors.map((e) => e && e.message).filter(Boolean) : [];
		return errs.length ? `${body.detail}: ${errs.join(', ')}` :
		    body.detail;
	}
	return `HTTP ${res.status} ${res.statusText}`.trim();
}

/* fetch() against the API with auth; returns parsed JSON or throws. */
async function api(path, opts = {}) {
	const headers = new Headers(opts.headers || {});
	let res, body = null;

	if (st.token)
		headers.set('Authorization', `Bearer ${st.token}`);
	try {
		res = await fetch(apiUrl(path), { ...opts, headers,
		    cache: 'no-store' });
	} catch {
		throw new ApiError('The server cannot be reached.', 0);
	}
	if ((res.headers.get('content-type') || '').includes('json'))
		body = await res.json().catch(() => null);
	if (res.status === 401) {
		askToken();
		throw new ApiError('This server needs an access token.', 401);
	}
	if (!res.ok)
		throw new ApiError(problemText(res, body), res.status);
	return body;
}

/* ---- rendering ---------------------------------------------------- */

/* Shows a dismissable notice; level is error, warning or info. */
function toast(text, level = 'error', ms = 8000) {
	const t = document.createElement('div');
	const txt = document.createElement('span');
	const x = document.createElement('button');

	t.className = `toast ${level}`;
	t.setAttribute('role', level === 'info' ? 'status' : 'alert');
	txt.className = 'txt';
	txt.textContent = text;
	x.type = 'button';
	x.textContent = '×';
	x.setAttribute('aria-label', 'Dismiss');
	x.onclick = () => t.remove();
	t.append(txt, x);
	$('toasts').append(t);
	while ($('toasts').children.length > 4)
		$('toasts').firstElementChild.remove();
	if (ms)
		setTimeout(() => t.remove(), ms);
}

/* Formats an RFC 3339 time as a short local clock time. */
function clock(time) {
	const d = new Date(time);

	return isNaN(d) ? '' : d.toLocaleTimeString([], { hour: '2-digit',
	    minute: '2-digit' });
}

/* Creates or updates the DOM node of message id. */
function upsert(id, role, text, time) {
	let m = st.messages.get(id);

	if (typeof id !== 'number' || typeof text !== 'string')
		return;
	if (m && m.role === role && m.text === text && m.time === time)
		return;
	if (!m) {
		m = { el: document.createElement('article') };
		m.meta = document.createElement('div');
		m.body = document.createElement('div');
		m.meta.className = 'meta';
		m.body.className = 'body';
		m.el.append(m.meta, m.body);
		m.el.dataset.id = id;
		st.messages.set(id, m);
		insertInOrder(m.el, id);
	}
	Object.assign(m, { role, text, time });
	m.el.className = `msg ${role === 'user' ? 'user' : 'agent'}` +
	    (role !== 'user' && text.trim() === '' ? ' empty-msg' : '');
	m.meta.textContent = `${role === 'user' ? 'You' :
	    agentName()} · ${clock(time)}`;
	if (role === 'user') {
		renderUser(m.body, text);
		dropDraft(text);
	} else {
		renderAgent(m.body, text);
	}
	$('empty').hidden = [...st.messages.values()].some(
	    (x) => x.text.trim() !== '');
	followOutput();
}

/* Inserts a message node before the first node with a larger id. */
function insertInOrder(el, id) {
	const log = $('log');

	for (const c of log.querySelectorAll('article.msg')) {
		if (Number(c.dataset.id) > id) {
			log.insertBefore(el, c);
			return;
		}
	}
	const firstDraft = log.querySelector('article.pending');
	log.insertBefore(el, firstDraft);
}

/* Removes every message whose id is not in keep. */
function prune(keep) {
	for (const [id, m] of st.messages) {
		if (!keep.has(id)) {
			m.el.remove();
			st.messages.delete(id);
		}
	}
}

/* Shows an optimistic bubble for a message being sent. */
function addDraft(text) {
	const el = document.createElement('article');
	const body = document.createElement('div');

	el.className = 'msg user pending';
	body.className = 'body';
	body.textContent = text;
	el.append(body);
	$('log').append(el);
	st.drafts.push({ text, el });
	st.stick = true;
	followOutput();
	return el;
}

/* Removes the draft bubble of text, once the real message is there. */
function dropDraft(text) {
	const i = st.drafts.findIndex((d) => d.text === text.trim());

	if (i >= 0) {
		st.drafts[i].el.remove();
		st.drafts.splice(i, 1);
	}
}

function agentName() {
	return AGENT_NAMES[st.agentType] || st.agentType || 'Agent';
}

/* Keeps the log at the bottom unless the user scrolled up. */
function followOutput() {
	const log = $('log');

	if (st.stick)
		log.scrollTop = log.scrollHeight;
	$('jump').hidden = st.stick;
}

/* ---- status and connection ---------------------------------------- */

/* Applies a status_change (or a polled status). */
function setStatus(status, agentType) {
	if (typeof agentType === 'string' && agentType !== st.agentType) {
		st.agentType = agentType;
		$('agent-name').textContent = agentType ? agentName() : '';
		for (const m of st.messages.values())
			if (m.role !== 'user')
				m.meta.textContent =
				    `${agentName()} · ${clock(m.time)}`;
	}
	st.status = status;
	renderStatus();
	updateComposer();
}

/*
 * Shows the status pill.  data-status is upstream's status as is;
 * data-state the extended state when the server has one.  Waiting,
 * starting and exited come from the state; otherwise upstream's
 * running / stable decides between "Working…" and "Ready", so the two
 * streams can never disagree on screen.
 */
function renderStatus() {
	const el = $('status');
	const names = { stable: 'Ready', running: 'Working…' };
	const s = st.state;

	el.dataset.status = st.status;
	if (s)
		el.dataset.state = s;
	else
		delete el.dataset.state;
	el.querySelector('.label').textContent = STATE_LABELS[s] ||
	    names[st.status] || 'Unknown';
	el.title = `Agent status: ${st.status}` + (s ? `, state: ${s}` : '');
	/* Seen from another tab too. */
	document.title = (s === 'waiting' ? 'Waiting for you · ' : '') +
	    TITLE;
}

/* Clips text from the server to n characters. */
function clip(text, n) {
	return text.length > n ? `${text.slice(0, n)}…` : text;
}

/* Returns a checked copy of a prompt object, or null. */
function checkPrompt(p) {
	if (!p || typeof p !== 'object' || typeof p.question !== 'string')
		return null;
	const options = (Array.isArray(p.options) ? p.options : [])
	    .filter((o) => o && typeof o.key === 'string' &&
	    typeof o.label === 'string').slice(0, MAX_OPTIONS)
	    .map((o) => ({ key: clip(o.key, 200),
	    label: clip(o.label, 400) }));
	return {
		kind: typeof p.kind === 'string' ? clip(p.kind, 40) : '',
		question: clip(p.question, MAX_PROMPT_TEXT),
		options,
		since: typeof p.since === 'string' ? p.since : '',
	};
}

/*
 * Applies the extended state (a state_change event or a polled status).
 * A state that is not a string means an old server: the chat keeps to
 * upstream's status alone.
 */
function setState(state, prompt) {
	if (typeof state !== 'string') {
		if (st.state === null)
			return;
		st.state = null;
		st.prompt = null;
	} else {
		st.state = clip(state, 40);
		st.prompt = state === 'waiting' ? checkPrompt(prompt) : null;
	}
	renderStatus();
	renderPrompt();
	updateComposer();
}

/*
 * Shows "parser degraded: <reasons>" while the server says its rules no
 * longer fit the agent's screen (health and reasons of a state_change or
 * a polled status); hides it when ok or when the server has no health.
 */
function setHealth(health, reasons) {
	const el = $('health');
	const list = Array.isArray(reasons) ? reasons.slice(0, 8).filter((r) =>
	    r && typeof r.code === 'string') : [];

	if (health !== 'degraded') {
		el.hidden = true;
		el.textContent = '';
		el.dataset.codes = '';
		return;
	}
	el.dataset.codes = list.map((r) => clip(r.code, 40)).join(' ');
	el.textContent = 'parser degraded: ' + (list.length ? list.map((r) =>
	    clip(typeof r.message === 'string' && r.message ? r.message :
	    r.code, 300)).join('; ') : 'unknown reason');
	el.hidden = false;
}

/* Shows or hides "Waiting for you" with one button per option. */
function renderPrompt() {
	const box = $('prompt');
	const p = st.prompt;
	const opts = $('prompt-options');

	if (st.state !== 'waiting') {
		box.hidden = true;
		box.dataset.since = '';
		$('prompt-error').hidden = true;
		return;
	}
	const key = p ? `${p.since}\n${p.question}\n` +
	    p.options.map((o) => `${o.key}=${o.label}`).join('\n') : '';
	if (!box.hidden && box.dataset.since === key)
		return;		/* the same question: keep errors shown */
	box.dataset.since = key;
	box.dataset.kind = p ? p.kind : '';
	box.hidden = false;
	$('prompt-error').hidden = true;
	$('prompt-question').textContent = p ? p.question :
	    'The agent is waiting for you (see the terminal).';
	opts.replaceChildren();
	for (const o of p ? p.options : []) {
		const b = document.createElement('button');

		b.type = 'button';
		b.className = 'option';
		b.dataset.key = o.key;
		b.textContent = o.label;
		if (o.key !== o.label) {
			const k = document.createElement('span');
			k.className = 'okey';
			k.textContent = o.key;
			b.prepend(k);
		}
		b.title = `Answer "${o.label}"`;
		b.onclick = () => answer(o);
		opts.append(b);
	}
	$('prompt-none').hidden = !!(p && p.options.length);
	setAnswering(false);
	followOutput();
}

function setAnswering(on) {
	st.answering = on;
	for (const b of $('prompt-options').querySelectorAll('button'))
		b.disabled = on;
	$('prompt').setAttribute('aria-busy', String(on));
}

/* POST answer {option: key}; errors (409, 422) show in the prompt. */
async function answer(o) {
	const box = $('prompt');
	const key = box.dataset.since;
	const err = $('prompt-error');

	if (st.answering)
		return;
	setAnswering(true);
	err.hidden = true;
	try {
		await api('answer', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ option: o.key }),
		});
		/* The state change hides the prompt; if the same question is
		 * still there a while later, let the user try again. */
		setTimeout(() => {
			if (box.dataset.since === key)
				setAnswering(false);
		}, RESEND_MS);
	} catch (e) {
		err.textContent = (e.status === 409 ?
		    'Nothing is waiting for an answer any more: ' :
		    `Answer "${o.label}" not accepted: `) + e.message;
		err.hidden = false;
		setAnswering(false);
	}
}

/* POST interrupt: stops the agent's current turn. */
async function interrupt() {
	const b = $('interrupt');

	b.disabled = true;
	try {
		await api('interrupt', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: '{}',
		});
		toast('Interrupt sent to the agent', 'info', 3000);
	} catch (e) {
		toast(`Interrupt failed: ${e.message}`);
	} finally {
		b.disabled = false;
	}
}

/* ---- queue ---------------------------------------------------------- */

/* Replaces the queue with items (queue_change or GET queue). */
function setQueue(items) {
	if (!Array.isArray(items))
		return;
	st.queue = items.filter((x) => x && Number.isSafeInteger(x.id) &&
	    typeof x.content === 'string').slice(0, MAX_QUEUE_SHOWN);
	if (st.queueSeen.size > 4096)
		st.queueSeen.clear();
	for (const x of st.queue)
		st.queueSeen.add(x.id);
	renderQueue();
}

/* Adds one item (the 202 answer to a queued POST message), unless the
 * events already showed it come and go (delivered before the answer). */
function addQueued(item) {
	if (st.queueSeen.has(item.id) ||
	    st.queue.some((x) => x.id === item.id))
		return;
	st.queue.push(item);
	renderQueue();
}

/* Shows the queued messages, each with its remove button. */
function renderQueue() {
	const list = $('queue');

	list.replaceChildren();
	for (const q of st.queue) {
		const li = document.createElement('li');
		const tag = document.createElement('span');
		const txt = document.createElement('span');
		const x = document.createElement('button');

		li.className = 'queued';
		li.dataset.id = q.id;
		tag.className = 'qtag';
		tag.textContent = 'Queued';
		txt.className = 'qtext';
		txt.textContent = clip(q.content, MAX_PROMPT_TEXT);
		txt.title = clip(q.content, MAX_PROMPT_TEXT);
		x.type = 'button';
		x.className = 'qremove';
		x.textContent = '×';
		x.setAttribute('aria-label',
		    `Remove queued message: ${clip(q.content, 80)}`);
		x.onclick = () => removeQueued(q.id, x);
		li.append(tag, txt, x);
		list.append(li);
	}
	list.hidden = st.queue.length === 0;
	followOutput();
}

/* DELETE queue/{id}; 404 means it was delivered (or removed) already. */
async function removeQueued(id, btn) {
	btn.disabled = true;
	try {
		await api(`queue/${encodeURIComponent(id)}`,
		    { method: 'DELETE' });
	} catch (e) {
		if (e.status !== 404) {
			toast(`Could not remove the queued message: ${
			    e.message}`);
			btn.disabled = false;
			return;
		}
		toast('That message has already left the queue', 'info', 3000);
	}
	st.queue = st.queue.filter((x) => x.id !== id);
	renderQueue();
}

/* GET queue (polling mode, or after a queued send without events). */
async function fetchQueue() {
	try {
		const q = await api('queue');
		setQueue(q && q.items);
	} catch {
		/* the next round or event will tell */
	}
}

/* Shows the connection state: connecting, live, reconnecting, polling,
 * offline or auth. */
function setConn(c) {
	const labels = {
		connecting: 'Connecting…', live: 'Live',
		reconnecting: 'Reconnecting…',
		polling: 'Polling (live updates blocked)',
		offline: 'Offline, retrying…', auth: 'Token needed',
	};

	st.conn = c;
	$('conn').dataset.conn = c;
	$('conn').textContent = labels[c];
	updateComposer();
}

function online() {
	return st.conn === 'live' || st.conn === 'polling';
}

/* A user message would go to the agent right now. */
function canSendNow() {
	return online() && !st.sending && st.status === 'stable' &&
	    (st.state === null || st.state === 'idle');
}

/* The server queues messages and would take one now. */
function canQueue() {
	return online() && st.state !== null && st.state !== 'exited';
}

/* Why a user message can neither be sent nor queued now ('' if it can). */
function whyNot() {
	if (canSendNow() || canQueue())
		return '';
	if (st.conn === 'auth')
		return 'Not sent: this server needs an access token.';
	if (!online())
		return 'Not sent: the server cannot be reached; your text ' +
		    'is kept.';
	if (st.state === 'exited')
		return 'Not sent: the agent has exited.';
	if (st.status === 'running')
		return 'Not sent: the agent is working and this server ' +
		    'cannot queue messages; send again when it is ready.';
	if (st.sending)
		return 'Not sent: the previous message is still being sent.';
	return 'Not sent: the agent is not ready yet.';
}

/* Shows why Enter (or Send) did not send; kept while the reason holds. */
function refuse(why) {
	st.refusal = why;
	updateComposer();
	const h = $('hint');
	h.classList.remove('flash');
	void h.offsetWidth;	/* restart the animation on a repeat */
	h.classList.add('flash');
}

/* Enables the send controls when a user message can be sent or queued,
 * and shows Interrupt while the agent works. */
function updateComposer() {
	const now = canSendNow();
	const queue = !now && canQueue();
	const hint = $('hint');
	const send = $('send');
	const empty = $('input').value.trim() === '';

	$('interrupt').hidden = st.state !== 'working' || !online();
	send.disabled = !(now || queue) || empty;
	send.textContent = queue ? 'Queue' : 'Send';
	send.title = queue ? 'The agent is busy: queue this message; it ' +
	    'is sent when the agent is ready' : '';
	$('composer').dataset.ready = now ? 'yes' : queue ? 'queue' : 'no';
	if (st.refusal && st.refusal !== whyNot())
		st.refusal = '';
	hint.classList.toggle('refused', !!st.refusal && !st.control);
	if (!st.refusal)
		hint.classList.remove('flash');
	if (st.control)
		hint.textContent = 'Keys go straight to the terminal';
	else if (st.refusal)
		hint.textContent = st.refusal;
	else if (st.sending && !queue)
		hint.textContent = 'Sending…';
	else if (queue && st.state === 'waiting')
		hint.textContent = 'The agent is waiting for your answer; ' +
		    'Enter queues a message';
	else if (queue)
		hint.textContent = 'Agent is busy; Enter queues your message';
	else if (online() && st.status === 'running')
		hint.textContent = 'Agent is working; send when ready';
	else
		hint.textContent = '';
}

/* ---- live updates: SSE with polling fallback ---------------------- */

/* Parses an event's JSON data, ignoring malformed events. */
function data(e) {
	try {
		return JSON.parse(e.data);
	} catch {
		return null;
	}
}

/* Notes that the current EventSource delivers events. */
function gotEvent() {
	st.esGot = st.esEver = true;
	clearTimeout(st.firstTimer);
	if (st.pollTimer)
		stopPolling();
	if (st.conn !== 'live')
		setConn('live');
}

/* Opens (or reopens) the /events stream, with the opt-in events (a
 * server without them ignores the parameter). */
function connectEvents() {
	closeEvents();
	const es = new EventSource(apiUrl('events?extended=1', true));

	st.es = es;
	st.esGot = false;
	st.seen = new Set();
	st.pruned = false;
	if (!st.pollTimer)
		setConn(st.esEver ? 'reconnecting' : 'connecting');
	st.firstTimer = setTimeout(checkBlocked, FIRST_EVENT_MS);
	es.onopen = () => {
		/* A new connection replays the state: track what it covers. */
		st.seen = new Set();
		st.pruned = false;
	};
	es.addEventListener('message_update', (e) => {
		const d = data(e);

		gotEvent();
		if (!d)
			return;
		st.seen.add(d.id);
		upsert(d.id, d.role, d.message, d.time);
	});
	es.addEventListener('status_change', (e) => {
		const d = data(e);

		gotEvent();
		if (!d)
			return;
		/* The replay ends with the status; a full replay (from id 0)
		 * is authoritative, so drop messages it did not mention. */
		if (!st.pruned && st.seen.has(0))
			prune(st.seen);
		st.pruned = true;
		setStatus(d.status, d.agent_type);
	});
	es.addEventListener('state_change', (e) => {
		const d = data(e);

		gotEvent();
		if (d && typeof d.state === 'string')
			setState(d.state, d.prompt);
		if (d)
			setHealth(d.health, d.reasons);
	});
	es.addEventListener('queue_change', (e) => {
		const d = data(e);

		gotEvent();
		if (d)
			setQueue(d.items);
	});
	es.addEventListener('agent_error', (e) => {
		const d = data(e);

		gotEvent();
		if (d && typeof d.message === 'string')
			toast(d.message, d.level === 'warning' ? 'warning' :
			    'error');
	});
	es.onerror = () => {
		if (es !== st.es)
			return;
		if (es.readyState === EventSource.CLOSED) {
			/* Not retried by the browser (HTTP error): find out why
			 * and try again later. */
			st.es = null;
			diagnose();
			scheduleReconnect(st.pollTimer ? SSE_RETRY_MS : 3000);
		} else if (!st.pollTimer) {
			setConn(st.esEver ? 'reconnecting' : 'connecting');
			clearTimeout(st.firstTimer);
			st.firstTimer = setTimeout(checkBlocked, FIRST_EVENT_MS);
		}
	};
}

function closeEvents() {
	clearTimeout(st.firstTimer);
	clearTimeout(st.retryTimer);
	if (st.es)
		st.es.close();
	st.es = null;
}

function scheduleReconnect(ms) {
	clearTimeout(st.retryTimer);
	st.retryTimer = setTimeout(connectEvents, ms);
}

/* No event arrived in time: if the server answers, SSE is blocked. */
async function checkBlocked() {
	if (st.esGot)
		return;
	await diagnose();
}

/* Probes GET status: reachable -> fall back to polling; else offline. */
async function diagnose() {
	try {
		await api('status');
	} catch (e) {
		setConn(e.status === 401 ? 'auth' : 'offline');
		return;
	}
	startPolling();
}

function startPolling() {
	if (st.pollTimer)
		return;
	setConn('polling');
	st.pollTimer = setInterval(poll, POLL_MS);
	poll();
	/* Keep trying SSE: the proxy may only block some requests. */
	if (!st.es)
		scheduleReconnect(SSE_RETRY_MS);
}

function stopPolling() {
	clearInterval(st.pollTimer);
	st.pollTimer = 0;
}

/* One polling round: the whole history, then the status. */
async function poll() {
	try {
		const [m, s] = await Promise.all([api('messages'),
		    api('status')]);
		const keep = new Set();

		for (const x of m.messages || []) {
			keep.add(x.id);
			upsert(x.id, x.role, x.content, x.time);
		}
		prune(keep);
		setStatus(s.status, s.agent_type);
		setState(s.state, s.prompt);
		setHealth(s.health, s.reasons);
		if (st.state !== null)
			await fetchQueue();
		if (st.conn !== 'polling' && st.pollTimer)
			setConn('polling');
	} catch (e) {
		if (st.pollTimer)
			setConn(e.status === 401 ? 'auth' : 'offline');
	}
}

/* ---- terminal view ------------------------------------------------ */

/* Shows or hides the live screen, streaming it only while shown. */
function toggleTerminal(show) {
	const term = $('term');
	const screen = $('screen');

	term.hidden = !show;
	term.parentElement.classList.toggle('show-term', show);
	$('term-toggle').setAttribute('aria-pressed', String(show));
	if (st.screenEs) {
		st.screenEs.close();
		st.screenEs = null;
	}
	if (!show)
		return;
	const es = new EventSource(apiUrl('internal/screen', true));
	st.screenEs = es;
	es.addEventListener('screen', (e) => {
		const d = data(e);
		const atEnd = screen.scrollTop + screen.clientHeight >=
		    screen.scrollHeight - STICK_PX;

		if (!d || typeof d.screen !== 'string')
			return;
		screen.textContent = d.screen;
		if (atEnd)
			screen.scrollTop = screen.scrollHeight;
	});
	es.onerror = () => {
		if (es.readyState === EventSource.CLOSED && !screen.textContent)
			screen.textContent = '(The terminal screen is not ' +
			    'available.)';
	};
}

/* ---- sending ------------------------------------------------------ */

/* Sends bytes to the agent's terminal as a raw message. */
async function sendRaw(bytes) {
	try {
		await api('message', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ content: bytes, type: 'raw' }),
		});
	} catch (e) {
		toast(e.message);
	}
}

/* POST message as a user message, queued if asked; returns the body. */
function postUser(text, queue) {
	const msg = { content: text, type: 'user' };

	if (queue)
		msg.queue = true;
	return api('message', {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(msg),
	});
}

/*
 * Sends the text box as a user message: now when the agent is ready,
 * queued when it is busy and the server queues, and otherwise not at all
 * but saying why (the text stays in the box).
 */
async function sendUser() {
	const input = $('input');
	const text = input.value.trim();
	let queue = !canSendNow();
	let r;

	if (!text)
		return;
	if (queue && !canQueue()) {
		refuse(whyNot());
		return;
	}
	st.refusal = '';
	st.sending++;
	input.value = '';
	updateComposer();
	const draft = addDraft(text);
	draft.classList.toggle('queueing', queue);
	try {
		try {
			r = await postUser(text, queue);
		} catch (e) {
			/* Busy by the time it arrived: queue it instead. */
			if (e.status !== 409 || queue || st.state === null)
				throw e;
			queue = true;
			r = await postUser(text, true);
		}
		if (r && r.queued === true && Number.isSafeInteger(r.id))
			addQueued({ id: r.id, content: text,
			    time: new Date().toISOString() });
		if (r && r.queued === true && st.conn === 'polling')
			await fetchQueue();
	} catch (e) {
		toast(`Message not ${queue ? 'queued' : 'sent'}: ${
		    e.message}`);
		if (input.value === '')
			input.value = text;
	} finally {
		draft.remove();
		st.drafts = st.drafts.filter((d) => d.el !== draft);
		st.sending--;
		updateComposer();
	}
}

/* Maps a keydown in control mode to terminal bytes (or null). */
function keyBytes(e) {
	if (e.ctrlKey && !e.altKey && !e.metaKey && /^[a-z]$/i.test(e.key))
		return String.fromCharCode(e.key.toLowerCase().charCodeAt(0) -
		    96);
	if (e.metaKey || e.ctrlKey)
		return null;
	if (KEY_BYTES[e.key])
		return (e.key === 'Tab' && e.shiftKey) ? '\u001b[Z' :
		    KEY_BYTES[e.key];
	if (e.key.length === 1)
		return (e.altKey ? '\u001b' : '') + e.key;
	return null;
}

function setControl(on) {
	st.control = on;
	$('mode').setAttribute('aria-pressed', String(on));
	$('keys').hidden = !on;
	$('send').hidden = on;
	$('composer').classList.toggle('control', on);
	$('input').placeholder = on ? 'Control mode: type here to send keys ' +
	    'to the terminal' : 'Message the agent (Enter sends, ' +
	    'Shift+Enter for a new line)';
	updateComposer();
}

/* ---- uploads ------------------------------------------------------ */

/* Inserts text at the caret of the message box. */
function insertText(text) {
	const input = $('input');
	const s = input.selectionStart ?? input.value.length;
	const e = input.selectionEnd ?? s;
	const before = input.value.slice(0, s);
	const sep = before && !/\s$/.test(before) ? ' ' : '';

	input.value = before + sep + text + input.value.slice(e);
	input.selectionStart = input.selectionEnd =
	    (before + sep + text).length;
	updateComposer();
}

/* Uploads one file and mentions its server path in the message box. */
async function upload(file) {
	const fd = new FormData();

	fd.append('file', file, file.name);
	$('hint').textContent = `Uploading ${file.name}…`;
	try {
		const r = await api('upload', { method: 'POST', body: fd });
		if (!r || typeof r.filePath !== 'string')
			throw new ApiError('unexpected upload response', 0);
		insertText(`@"${r.filePath}"`);
		toast(`Uploaded ${file.name}`, 'info', 3000);
	} catch (e) {
		toast(`Upload failed: ${e.message}`);
	}
	updateComposer();
	$('input').focus();
}

async function uploadAll(files) {
	for (const f of files)
		await upload(f);
}

/* ---- auth ---------------------------------------------------------- */

/* Asks for the access token (once at a time) and reconnects with it. */
function askToken() {
	const dlg = $('auth');

	setConn('auth');
	if (dlg.open)
		return;
	$('auth-token').value = '';
	dlg.showModal();
}

function onToken(ev) {
	const v = $('auth-token').value.trim();

	ev.preventDefault();
	if (!v)
		return;
	st.token = v;
	$('auth').close();
	connectEvents();
	if (!$('term').hidden)
		toggleTerminal(true);
}

/* ---- wiring -------------------------------------------------------- */

function wire() {
	const input = $('input');
	const log = $('log');
	let dragDepth = 0;

	log.addEventListener('scroll', () => {
		st.stick = log.scrollTop + log.clientHeight >=
		    log.scrollHeight - STICK_PX;
		$('jump').hidden = st.stick;
	});
	$('jump').onclick = () => {
		st.stick = true;
		followOutput();
		log.focus();
	};
	$('composer').addEventListener('submit', (e) => {
		e.preventDefault();
		if (!st.control)
			sendUser();
	});
	input.addEventListener('input', () => {
		st.refusal = '';
		updateComposer();
	});
	$('interrupt').onclick = interrupt;
	$('prompt-control').onclick = () => {
		setControl(true);
		input.focus();
	};
	input.addEventListener('keydown', (e) => {
		if (e.isComposing)
			return;
		if (st.control) {
			const b = keyBytes(e);
			if (b !== null) {
				e.preventDefault();
				sendRaw(b);
			}
			return;
		}
		if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
			e.preventDefault();
			sendUser();
		}
	});
	input.addEventListener('paste', (e) => {
		if (!st.control)
			return;
		e.preventDefault();
		const t = e.clipboardData.getData('text');
		if (t)
			sendRaw(t);
	});
	$('keys').addEventListener('click', (e) => {
		const k = e.target.closest('button')?.dataset.key;
		if (k && KEYS[k] !== undefined)
			sendRaw(KEYS[k]);
	});
	$('mode').onclick = () => {
		setControl(!st.control);
		input.focus();
	};
	$('term-toggle').onclick = () => toggleTerminal($('term').hidden);
	$('file').addEventListener('change', (e) => {
		const files = [...e.target.files];
		e.target.value = '';
		uploadAll(files);
	});
	const hasFiles = (e) => [...(e.dataTransfer?.types || [])]
	    .includes('Files');
	window.addEventListener('dragenter', (e) => {
		if (!hasFiles(e))
			return;
		e.preventDefault();
		dragDepth++;
		$('drop').hidden = false;
	});
	window.addEventListener('dragover', (e) => {
		if (hasFiles(e))
			e.preventDefault();
	});
	window.addEventListener('dragleave', () => {
		if (--dragDepth <= 0) {
			dragDepth = 0;
			$('drop').hidden = true;
		}
	});
	window.addEventListener('drop', (e) => {
		if (!hasFiles(e))
			return;
		e.preventDefault();
		dragDepth = 0;
		$('drop').hidden = true;
		uploadAll([...e.dataTransfer.files]);
	});
	$('auth-form').addEventListener('submit', onToken);
}

/* Entry point: read the token, wire the page, connect. */
function main() {
	const url = new URL(location.href);

	st.base = apiBase(location);
	if (url.searchParams.has('url')) {
		/* Upstream's ?url=<api-base>: the API lives elsewhere. */
		const b = baseFromParam(url.searchParams.get('url'), location);
		if (b)
			st.base = b;
		else
			setTimeout(() => toast('Ignored ?url=: not an http(s) ' +
			    'URL; using this server', 'warning'));
	}
	if (st.base.origin !== location.origin)
		$('conn').title = `Connection to the server at ${st.base}`;
	if (/\/embed(\/|\.html)?$/.test(location.pathname))
		$('app').classList.add('embed');
	if (url.searchParams.has('token')) {
		st.token = url.searchParams.get('token');
		/* Keep it out of the address bar, history and screenshots. */
		url.searchParams.delete('token');
		history.replaceState(null, '', url);
	}
	wire();
	setControl(false);
	setConn('connecting');
	connectEvents();
	/* Exposed for tests and debugging; read-only use. */
	window.agentapiChat = { state: st, KEYS };
}

if (typeof document !== 'undefined' && document.getElementById('app'))
	main();
