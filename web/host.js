/*
 * host.js - the host's chat page: one page to watch and steer every agent.
 *
 * The list comes from the host's GET /events ("sessions" events, each the
 * whole GET /sessions body, on connect and after every change), one
 * stream however many sessions there are.  Choosing a session shows its
 * own chat, /sessions/{id}/chat/embed, in an iframe: the single-agent
 * chat unchanged, with its conversation, input, prompt buttons and
 * queue.  Sessions waiting for an answer stand out with their question.
 * Over TCP the page, the stream and the iframe authenticate with the
 * host's HttpOnly cookie (set by GET /chat?token=); nothing here sees a
 * token.  The choice lives in the URL's fragment (#<id>), so a reload
 * keeps it and nothing about it reaches the server.
 */
const $ = (id) => document.getElementById(id);

const st = {
	sessions: [],
	selected: null,   /* id */
	shown: null,      /* id whose chat the iframe holds */
	stopArmed: null,  /* timer while "Confirm stop" shows */
	es: null,
};

const STATES = {
	starting: 'starting',
	idle: 'idle',
	working: 'working',
	waiting: 'waiting for you',
	exited: 'exited',
};

/* Splits a command line into words: whitespace separates, '…' and "…"
 * quote, a backslash escapes the next character (outside '…'). */
export function splitCommand(s) {
	const out = [];
	let cur = '', have = false, q = null;

	for (let i = 0; i < s.length; i++) {
		const c = s[i];
		if (q === "'") {
			if (c === "'")
				q = null;
			else
				cur += c;
		} else if (c === '\\' && i + 1 < s.length) {
			cur += s[++i];
			have = true;
		} else if (q === '"') {
			if (c === '"')
				q = null;
			else
				cur += c;
		} else if (c === '"' || c === "'") {
			q = c;
			have = true;
		} else if (/\s/.test(c)) {
			if (have || cur)
				out.push(cur);
			cur = '';
			have = false;
		} else {
			cur += c;
		}
	}
	if (q)
		throw new Error(`unclosed ${q}`);
	if (have || cur)
		out.push(cur);
	return out;
}

/* The text to show for a session's name. */
function label(s) {
	return s.name || s.id;
}

/* One list entry, built from the DOM (never innerHTML: names, commands
 * and questions come from outside). */
function entry(s) {
	const li = document.createElement('li');
	const waiting = s.state === 'waiting';

	li.className = 'sess';
	li.dataset.id = s.id;
	li.dataset.state = s.state;
	if (waiting)
		li.classList.add('waiting');
	if (s.id === st.selected)
		li.classList.add('selected');
	const b = document.createElement('button');
	b.type = 'button';
	b.className = 'pick';
	b.setAttribute('aria-current', s.id === st.selected ? 'true' :
	    'false');
	const top = document.createElement('span');
	top.className = 'row';
	const name = document.createElement('span');
	name.className = 'name';
	name.textContent = label(s);
	const type = document.createElement('span');
	type.className = 'type';
	type.textContent = s.agent_type || s.type || '';
	top.append(name, type);
	const meta = document.createElement('span');
	meta.className = 'row meta';
	const state = document.createElement('span');
	state.className = 'state';
	state.dataset.state = s.state;
	state.textContent = STATES[s.state] || s.state;
	meta.append(state);
	if (s.queue > 0) {
		const q = document.createElement('span');
		q.className = 'queue';
		q.textContent = `${s.queue} queued`;
		meta.append(q);
	}
	if (s.health && s.health !== 'ok') {
		const h = document.createElement('span');
		h.className = 'health';
		h.textContent = `parser ${s.health}`;
		meta.append(h);
	}
	b.append(top, meta);
	if (waiting && s.prompt && s.prompt.question) {
		const q = document.createElement('span');
		q.className = 'question';
		q.textContent = s.prompt.question;
		b.append(q);
	}
	const cmd = document.createElement('span');
	cmd.className = 'cmd';
	cmd.textContent = (s.argv || []).join(' ');
	b.append(cmd);
	b.addEventListener('click', () => select(s.id));
	li.append(b);
	return li;
}

/* Redraws the list and the view's header from st.sessions. */
function render() {
	const list = $('list');
	const nwait = st.sessions.filter((s) => s.state === 'waiting').length;

	/* Redrawn whole on every event: keep the keyboard focus on the
	 * entry it was on. */
	const had = document.activeElement?.closest?.('#list li.sess')
	    ?.dataset.id;
	list.replaceChildren(...st.sessions.map(entry));
	if (had)
		list.querySelector(`li.sess[data-id="${CSS.escape(had)}"] ` +
		    'button')?.focus();
	$('list-empty').hidden = st.sessions.length > 0;
	$('waiting-count').hidden = nwait === 0;
	$('waiting-count').textContent = nwait === 1 ?
	    '1 session waiting for you' : `${nwait} sessions waiting for you`;
	document.title = nwait > 0 ? `(${nwait}) AgentAPI sessions` :
	    'AgentAPI sessions';
	if (st.selected && !st.sessions.some((s) => s.id === st.selected))
		st.selected = null;
	show();
}

/* Shows the selected session's chat (the iframe only reloads when the
 * choice changes). */
function show() {
	const s = st.sessions.find((x) => x.id === st.selected);
	const frame = $('frame');

	$('view-top').hidden = !s;
	$('view-empty').hidden = !!s;
	frame.hidden = !s;
	if (!s) {
		if (st.shown !== null) {
			frame.removeAttribute('src');
			st.shown = null;
		}
		return;
	}
	$('view-title').textContent = label(s);
	$('view-state').textContent = STATES[s.state] || s.state;
	$('view-state').dataset.state = s.state;
	if (st.shown !== s.id) {
		frame.src = `/sessions/${encodeURIComponent(s.id)}/chat/embed`;
		st.shown = s.id;
		disarmStop();
	}
}

function select(id) {
	st.selected = id;
	if (location.hash !== `#${id}`)
		history.replaceState(null, '', `#${id}`);
	render();
}

/* Reads a problem+json answer's message. */
async function problem(r) {
	try {
		const j = await r.json();
		return j.errors?.[0]?.message || j.detail || j.title ||
		    `HTTP ${r.status}`;
	} catch {
		return `HTTP ${r.status}`;
	}
}

function disarmStop() {
	clearTimeout(st.stopArmed);
	st.stopArmed = null;
	$('stop').textContent = 'Stop';
	$('stop').classList.remove('armed');
}

/* Stop asks twice: the first click arms it for a few seconds. */
async function onStop() {
	const id = st.selected;

	if (!id)
		return;
	if (st.stopArmed === null) {
		$('stop').textContent = 'Confirm stop';
		$('stop').classList.add('armed');
		st.stopArmed = setTimeout(disarmStop, 4000);
		return;
	}
	disarmStop();
	$('stop').disabled = true;
	$('stop').textContent = 'Stopping…';
	try {
		const r = await fetch(`/sessions/${encodeURIComponent(id)}`,
		    { method: 'DELETE' });
		if (!r.ok && r.status !== 404)
			alertLine(`Stop failed: ${await problem(r)}`);
	} catch (e) {
		alertLine(`Stop failed: ${e.message}`);
	} finally {
		$('stop').disabled = false;
		$('stop').textContent = 'Stop';
	}
}

function alertLine(text) {
	$('new-error').textContent = text;
	$('new-error').hidden = false;
}

async function onNew(e) {
	e.preventDefault();
	const err = $('new-error');
	const spec = {};
	let argv;

	err.hidden = true;
	try {
		argv = splitCommand($('new-cmd').value.trim());
	} catch (x) {
		alertLine(`Command: ${x.message}`);
		return;
	}
	if (argv.length === 0) {
		alertLine('Command: empty');
		return;
	}
	spec.argv = argv;
	if ($('new-type').value)
		spec.type = $('new-type').value;
	if ($('new-name').value.trim())
		spec.name = $('new-name').value.trim();
	if ($('new-cwd').value.trim())
		spec.cwd = $('new-cwd').value.trim();
	$('new-go').disabled = true;
	try {
		const r = await fetch('/sessions', { method: 'POST',
		    headers: { 'Content-Type': 'application/json' },
		    body: JSON.stringify(spec) });
		if (r.status !== 201) {
			alertLine(`Not started: ${await problem(r)}`);
			return;
		}
		const { id } = await r.json();
		$('new-cmd').value = $('new-name').value = '';
		$('new').open = false;
		st.selected = id;
		history.replaceState(null, '', `#${id}`);
		/* The stream brings it within a moment; ask now all the same
		 * so the view opens at once. */
		await refresh();
	} catch (x) {
		alertLine(`Not started: ${x.message}`);
	} finally {
		$('new-go').disabled = false;
	}
}

/* GET /sessions once (after a start, and while the stream is down). */
async function refresh() {
	try {
		const r = await fetch('/sessions');
		if (r.ok) {
			st.sessions = (await r.json()).sessions || [];
			render();
		}
	} catch {
		/* the stream's state says it */
	}
}

function setConn(state, text) {
	$('conn').dataset.conn = state;
	$('conn').textContent = text;
}

function connect() {
	const es = new EventSource('/events');

	st.es = es;
	es.addEventListener('open', () => setConn('live', 'Live'));
	es.addEventListener('sessions', (ev) => {
		try {
			st.sessions = JSON.parse(ev.data).sessions || [];
		} catch {
			return;
		}
		setConn('live', 'Live');
		render();
	});
	/* EventSource retries by itself; a refused stream (401 after the
	 * host's token changed) closes for good. */
	es.addEventListener('error', () => {
		if (es.readyState === EventSource.CLOSED)
			setConn('down', 'Disconnected: reload to retry');
		else
			setConn('connecting', 'Reconnecting…');
	});
}

function main() {
	st.selected = location.hash.length > 1 ?
	    decodeURIComponent(location.hash.slice(1)) : null;
	$('stop').addEventListener('click', onStop);
	$('new-form').addEventListener('submit', onNew);
	window.addEventListener('hashchange', () => {
		const id = location.hash.slice(1);
		if (id && id !== st.selected)
			select(decodeURIComponent(id));
	});
	connect();
	/* Exposed for tests and debugging; read-only use. */
	window.agentapiHost = { state: st };
}

if (typeof document !== 'undefined' && document.getElementById('host'))
	main();
