#!/usr/bin/env node
/*
 * gen-schemas.mjs - writes one JSON Schema (draft-07) file per response
 * body, request body and SSE event data type into schemas/, derived from
 * the one contract, schemas/openapi.json.
 *
 * The OpenAPI 3.0 dialect is turned into plain JSON Schema: component
 * $refs are inlined, "nullable" becomes a "null" type, "example" becomes
 * "examples".  Each file says it is generated.  tests/web/schema.test.sh
 * runs this in --check mode, so a hand edit or a stale file fails the test.
 *
 * Usage: node tools/gen-schemas.mjs [--check] [TOP]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/* File name (without .json) -> component schema it describes. */
export const SCHEMA_FILES = {
	StatusResponseBody: 'StatusResponseBody',
	MessagesResponseBody: 'MessagesResponseBody',
	MessageResponseBody: 'MessageResponseBody',
	MessageRequestBody: 'MessageRequestBody',
	UploadResponseBody: 'UploadResponseBody',
	ErrorModel: 'ErrorModel',
	'event-message_update': 'MessageUpdateBody',
	'event-status_change': 'StatusChangeBody',
	'event-agent_error': 'ErrorBody',
	'event-screen': 'ScreenUpdateBody',
	QueueResponseBody: 'QueueResponseBody',
	AnswerRequestBody: 'AnswerRequestBody',
	KeysRequestBody: 'KeysRequestBody',
	ResizeRequestBody: 'ResizeRequestBody',
	'event-state_change': 'StateChangeBody',
	'event-queue_change': 'QueueChangeBody',
};

/* Converts one OpenAPI 3.0 schema object into JSON Schema draft-07. */
function convert(node, components) {
	if (Array.isArray(node))
		return node.map((n) => convert(n, components));
	if (node === null || typeof node !== 'object')
		return node;
	if (node.$ref) {
		const name = node.$ref.replace('#/components/schemas/', '');
		const target = components[name];
		if (!target)
			throw new Error(`unknown $ref ${node.$ref}`);
		const out = convert(target, components);
		/* Sibling keywords of a $ref (a description) win. */
		for (const [k, v] of Object.entries(node))
			if (k !== '$ref')
				out[k] = convert(v, components);
		return out;
	}
	const out = {};
	for (const [k, v] of Object.entries(node)) {
		/* Vendor extensions mark our additions in the contract; a
		 * validator in strict mode rejects them. */
		if (k === 'nullable' || k === 'example' || k.startsWith('x-'))
			continue;
		out[k] = k === 'properties'
		    ? Object.fromEntries(Object.entries(v).map(
			([pk, pv]) => [pk, convert(pv, components)]))
		    : convert(v, components);
	}
	if ('example' in node)
		out.examples = [node.example];
	if (node.nullable === true && typeof node.type === 'string')
		out.type = [node.type, 'null'];
	return out;
}

/* Returns {fileName: text} for every generated schema file. */
export function generate(top) {
	const api = JSON.parse(fs.readFileSync(
	    path.join(top, 'schemas', 'openapi.json'), 'utf8'));
	const components = api.components.schemas;
	const files = {};
	for (const [file, comp] of Object.entries(SCHEMA_FILES)) {
		const body = convert(components[comp], components);
		const doc = {
			$schema: 'http://json-schema.org/draft-07/schema#',
			$comment: 'Generated from schemas/openapi.json by ' +
			    'tools/gen-schemas.mjs; do not edit.',
			title: file.startsWith('event-')
			    ? `SSE event ${file.slice(6)} data (${comp})` : comp,
			...body,
		};
		files[`${file}.json`] = JSON.stringify(doc, null, 2) + '\n';
	}
	return files;
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] && path.resolve(process.argv[1]) === self) {
	const args = process.argv.slice(2);
	const check = args.includes('--check');
	const top = args.find((a) => a !== '--check') ??
	    path.join(path.dirname(self), '..');
	let stale = 0;
	for (const [name, text] of Object.entries(generate(top))) {
		const p = path.join(top, 'schemas', name);
		const old = fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null;
		if (old === text)
			continue;
		if (check) {
			console.error(`stale: schemas/${name}`);
			stale++;
		} else {
			fs.writeFileSync(p, text);
			console.log(`wrote schemas/${name}`);
		}
	}
	process.exit(stale ? 1 : 0);
}
