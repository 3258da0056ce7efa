/*
 * render.js - turns agent and user message text into DOM nodes.
 *
 * Agent text is terminal output: it is shown monospace with its line
 * breaks and spacing kept.  On top of that, fenced code blocks (```) become
 * <pre> blocks, runs of "- ", "* ", "• " or "1. " lines become lists
 * (indented continuation lines stay with their item), and http(s) URLs
 * become links that open in a new tab.  Every piece of text goes in with
 * createTextNode: agent output can never inject HTML.
 */

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/g;
const BULLET_RE = /^(\s{0,3})([-*•]|\d{1,3}[.)])\s+(.*)$/;
const FENCE_RE = /^\s{0,3}(```|~~~)/;

/* Appends text to parent with URLs turned into new-tab links. */
export function appendLinkified(parent, text) {
	let last = 0;

	for (const m of text.matchAll(URL_RE)) {
		let url = m[0];
		/* Trailing punctuation is the sentence's, not the URL's. */
		const trail = /[.,;:!?)\]}]+$/.exec(url);
		if (trail)
			url = url.slice(0, -trail[0].length);
		if (m.index > last)
			parent.append(document.createTextNode(
			    text.slice(last, m.index)));
		const a = document.createElement('a');
		a.href = url;
		a.target = '_blank';
		a.rel = 'noopener noreferrer';
		a.textContent = url;
		parent.append(a);
		last = m.index + url.length;
	}
	if (last < text.length)
		parent.append(document.createTextNode(text.slice(last)));
}

/* Splits lines into blocks: {kind: 'text'|'code'|'list', ...}. */
export function parseBlocks(text) {
	const lines = text.split('\n');
	const blocks = [];
	let i = 0;

	while (i < lines.length) {
		const line = lines[i];
		if (FENCE_RE.test(line)) {
			const fence = FENCE_RE.exec(line)[1];
			const code = [];
			for (i++; i < lines.length &&
			    !lines[i].trimStart().startsWith(fence); i++)
				code.push(lines[i]);
			i++; /* closing fence (or end of text) */
			blocks.push({ kind: 'code', lines: code,
			    lang: line.trim().slice(3).trim() });
			continue;
		}
		const b = BULLET_RE.exec(line);
		if (b && (i + 1 < lines.length && BULLET_RE.test(lines[i + 1]) ||
		    blocks.length && blocks.at(-1).kind === 'list')) {
			const ordered = /\d/.test(b[2]);
			let list = blocks.at(-1);
			if (!list || list.kind !== 'list' ||
			    list.ordered !== ordered) {
				list = { kind: 'list', ordered, items: [],
				    start: ordered ? parseInt(b[2], 10) : 1 };
				blocks.push(list);
			}
			list.items.push(b[3]);
			/* Indented continuation lines belong to the item. */
			for (i++; i < lines.length && /^\s{2,}\S/.test(lines[i]) &&
			    !BULLET_RE.test(lines[i]); i++)
				list.items[list.items.length - 1] +=
				    '\n' + lines[i].trim();
			continue;
		}
		let prev = blocks.at(-1);
		if (!prev || prev.kind !== 'text') {
			prev = { kind: 'text', lines: [] };
			blocks.push(prev);
		}
		prev.lines.push(line);
		i++;
	}
	return blocks;
}

/* Fills el with the rendering of an agent message. */
export function renderAgent(el, text) {
	el.replaceChildren();
	for (const b of parseBlocks(text)) {
		if (b.kind === 'code') {
			const pre = document.createElement('pre');
			const code = document.createElement('code');
			pre.className = 'code';
			if (b.lang)
				code.dataset.lang = b.lang;
			code.textContent = b.lines.join('\n');
			pre.append(code);
			el.append(pre);
		} else if (b.kind === 'list') {
			const list = document.createElement(b.ordered ? 'ol' :
			    'ul');
			if (b.ordered && b.start !== 1)
				list.start = b.start;
			for (const item of b.items) {
				const li = document.createElement('li');
				appendLinkified(li, item);
				list.append(li);
			}
			el.append(list);
		} else {
			const div = document.createElement('div');
			div.className = 'text';
			appendLinkified(div, b.lines.join('\n'));
			el.append(div);
		}
	}
}

/* Fills el with the rendering of a user message (plain, linkified). */
export function renderUser(el, text) {
	el.replaceChildren();
	appendLinkified(el, text);
}
