/*
 * schema.test.mjs - the API contract: schemas/openapi.json is a valid
 * OpenAPI 3.0.3 document (swagger-parser), keeps agentapi v0.12.1's
 * component names and paths, marks our additions with x-agentapi-c, and
 * every schemas/*.json compiles with ajv, is up to date with openapi.json
 * and accepts/rejects sample bodies as the spec says.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, assert, assertEq } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TOP = process.env.AA_TOP || path.resolve(HERE, '../..');
const SCHEMAS = path.join(TOP, 'schemas');
const api = JSON.parse(fs.readFileSync(path.join(SCHEMAS, 'openapi.json'),
    'utf8'));
const T = '2026-04-10T12:34:56.123456789+01:00';

const SwaggerParser = (await import('@apidevtools/swagger-parser')).default;
const Ajv = (await import('ajv')).default;
const addFormats = (await import('ajv-formats')).default;
const { generate } = await import(path.join(TOP, 'tools',
    'gen-schemas.mjs'));

/* A strict ajv that knows OpenAPI's int64 format. */
function newAjv() {
	const ajv = new Ajv({ allErrors: true, strict: true });
	addFormats(ajv);
	ajv.addFormat('int64', { type: 'number',
	    validate: Number.isSafeInteger });
	return ajv;
}

function compile(name) {
	return newAjv().compile(JSON.parse(fs.readFileSync(
	    path.join(SCHEMAS, `${name}.json`), 'utf8')));
}

const cases = [
	{ name: 'schema_openapi_is_valid_3_0_3', fn: async () => {
		assertEq(api.openapi, '3.0.3', 'openapi');
		await SwaggerParser.validate(structuredClone(api));
	} },
	{ name: 'schema_openapi_info', fn: () => {
		assertEq(api.info.title, 'AgentAPI', 'title');
		const h = fs.readFileSync(path.join(TOP, 'include',
		    'agentapi.h'), 'utf8');
		const v = /AA_VERSION_STRING "([^"]+)"/.exec(h)[1];
		assertEq(api.info.version, v, 'info.version = our version');
	} },
	{ name: 'schema_openapi_keeps_upstream_names', fn: () => {
		/* Upstream's names stay; every addition is marked ours. */
		const upstream = ['AgentStatus', 'ConversationRole',
		    'ErrorBody', 'ErrorDetail', 'ErrorLevel', 'ErrorModel',
		    'Message', 'MessageRequestBody', 'MessageResponseBody',
		    'MessageType', 'MessageUpdateBody', 'MessagesResponseBody',
		    'ScreenUpdateBody', 'StatusChangeBody',
		    'StatusResponseBody', 'Transport', 'UploadResponseBody'];
		const names = Object.keys(api.components.schemas);
		for (const n of upstream)
			assert(names.includes(n), `component ${n} kept`);
		for (const n of names.filter((x) => !upstream.includes(x)))
			assert(api.components.schemas[n]['x-agentapi-c'] === true,
			    `component ${n} marked x-agentapi-c`);
		for (const [n, s] of Object.entries(api.components.schemas)) {
			if (s.type !== 'object')
				continue;
			assertEq(s.additionalProperties, false, n);
		}
		for (const n of ['StatusResponseBody', 'MessagesResponseBody',
		    'MessageResponseBody', 'UploadResponseBody', 'ErrorModel',
		    'QueueResponseBody'])
			assert(api.components.schemas[n].properties.$schema
			    .readOnly === true, `${n}.$schema read-only`);
		const ops = {};
		const ours = [];
		for (const [p, item] of Object.entries(api.paths))
			for (const [m, op] of Object.entries(item)) {
				ops[op.operationId] = `${m} ${p}`;
				if (op['x-agentapi-c'] === true)
					ours.push(op.operationId);
			}
		const up = { subscribeEvents: 'get /events',
		    subscribeScreen: 'get /internal/screen',
		    'post-message': 'post /message',
		    'get-messages': 'get /messages',
		    'get-status': 'get /status', 'post-upload': 'post /upload' };
		for (const [id, where] of Object.entries(up))
			assertEq(ops[id], where, `operation ${id}`);
		assertEq(Object.keys(ops).filter((id) => !(id in up)).sort(),
		    ['delete-queue-item', 'get-queue', 'post-answer',
		    'post-interrupt', 'post-keys', 'post-resize'],
		    'our operations');
		for (const id of Object.keys(ops).filter((x) => !(x in up)))
			assert(ours.includes(id), `${id} marked x-agentapi-c`);
		assert(api.paths['/internal/screen'].get['x-agentapi-c'] ===
		    true, 'addition marked');
		assert(api.components.securitySchemes.bearerAuth[
		    'x-agentapi-c'] === true, 'bearer marked');
		const ev = api.paths['/events'].get.responses['200']
		    .content['text/event-stream'].schema.items.oneOf;
		assertEq(ev.map((e) => e.title), ['Event agent_error',
		    'Event message_update', 'Event status_change',
		    'Event state_change (only with ?extended=1)',
		    'Event queue_change (only with ?extended=1)'], 'events');
	} },
	{ name: 'schema_files_up_to_date', fn: () => {
		const gen = generate(TOP);
		for (const [name, text] of Object.entries(gen))
			assertEq(fs.readFileSync(path.join(SCHEMAS, name),
			    'utf8') === text, true,
			    `schemas/${name} matches tools/gen-schemas.mjs`);
	} },
	{ name: 'schema_files_compile', fn: () => {
		const files = fs.readdirSync(SCHEMAS).filter((f) =>
		    f.endsWith('.json') && f !== 'openapi.json');
		assert(files.length >= 10, 'ten schema files');
		for (const f of files)
			compile(f.replace(/\.json$/, ''));
	} },
	{ name: 'schema_accepts_spec_examples', fn: () => {
		const ok = [
		    ['StatusResponseBody', { $schema: 'http://localhost:3284/' +
			'schemas/StatusResponseBody.json', status: 'stable',
			agent_type: 'claude', transport: 'pty' }],
		    ['MessagesResponseBody', { messages: [{ id: 0, content:
			'hi', role: 'agent', time: T }] }],
		    ['MessagesResponseBody', { messages: [] }],
		    ['MessageResponseBody', { ok: true }],
		    ['MessageRequestBody', { content: 'x', type: 'raw' }],
		    ['UploadResponseBody', { ok: true, filePath: '/tmp/a' }],
		    ['ErrorModel', { title: 'Unprocessable Entity', status: 422,
			detail: 'validation failed', errors: [{ message: 'm',
			location: 'body.type', value: 'foo' }] }],
		    ['ErrorModel', { title: 'x', status: 500, errors: null }],
		    ['event-message_update', { id: 2, role: 'user',
			message: 'x', time: '2026-04-10T10:00:12.5Z' }],
		    ['event-status_change', { status: 'running',
			agent_type: '' }],
		    ['event-agent_error', { message: 'Failed to restore',
			level: 'warning', time: T }],
		    ['event-screen', { screen: '' }],
		    ['StatusResponseBody', { status: 'running',
			agent_type: 'custom', transport: 'pty', state:
			'starting', queue: 0, health: 'degraded', reasons: [{
			code: 'ready_marker_missing', message: 'm' }] }],
		    ['event-state_change', { state: 'idle', queue: 0,
			health: 'ok', reasons: [] }],
		];
		for (const [n, v] of ok) {
			const f = compile(n);
			assert(f(v), `${n} accepts ${JSON.stringify(v)}: ` +
			    JSON.stringify(f.errors));
		}
	} },
	{ name: 'schema_rejects_bad_bodies', fn: () => {
		const bad = [
		    ['StatusResponseBody', { status: 'busy', agent_type: 'x',
			transport: 'pty' }],
		    ['StatusResponseBody', { status: 'stable',
			agent_type: 'x' }],
		    ['MessagesResponseBody', { messages: null }],
		    ['MessagesResponseBody', { messages: [{ id: 0,
			message: 'x', role: 'agent', time: T }] }],
		    ['MessageRequestBody', { content: 'x', type: 'foo' }],
		    ['MessageRequestBody', { content: 'x', type: 'user',
			foo: 1 }],
		    ['UploadResponseBody', { ok: true, file_path: '/x' }],
		    ['event-message_update', { id: 1, role: 'user',
			content: 'x', time: T }],
		    ['event-message_update', { id: -1, role: 'user',
			message: 'x', time: T }],
		    ['event-message_update', { id: 1, role: 'user',
			message: 'x', time: 'yesterday' }],
		    ['event-agent_error', { message: 'x', level: 'fatal',
			time: T }],
		    ['StatusResponseBody', { status: 'stable', agent_type: 'x',
			transport: 'pty', health: 'sick' }],
		    ['StatusResponseBody', { status: 'stable', agent_type: 'x',
			transport: 'pty', health: 'degraded', reasons: [{
			code: 'made_up', message: 'm' }] }],
		    ['event-state_change', { state: 'idle', queue: 0 }],
		];
		for (const [n, v] of bad)
			assert(!compile(n)(v), `${n} rejects ` +
			    JSON.stringify(v));
	} },
];

process.exit(await run('schema', cases, process.argv[2] || '') ? 1 : 0);
