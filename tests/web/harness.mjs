/*
 * harness.mjs - the smallest test runner for the Node-side tests: named
 * cases run with a timeout each (one after another, or a few at a time),
 * a case may skip itself with a reason, and the run ends with the tally
 * line tests/run.sh reads:
 * "<suite>: N passed, N failed, N skipped".
 */
export class Skip extends Error {}

/* Marks the current case as skipped. */
export function skip(reason) {
	throw new Skip(reason);
}

/* Throws unless cond holds; msg says what was expected. */
export function assert(cond, msg) {
	if (!cond)
		throw new Error(`assertion failed: ${msg}`);
}

/* Throws unless a and b are equal as JSON, printing both. */
export function assertEq(a, b, msg = '') {
	const ja = JSON.stringify(a), jb = JSON.stringify(b);
	if (ja !== jb)
		throw new Error(`${msg}: got ${ja}, want ${jb}`);
}

/* Runs one case with its timeout; returns 'pass', 'fail' or 'skip'. */
async function one(c) {
	const t0 = Date.now();
	let timer;

	try {
		await Promise.race([c.fn(), new Promise((_, rej) => {
			timer = setTimeout(() => rej(new Error(
			    `timed out after ${c.timeout ?? 30000} ms`)),
			    c.timeout ?? 30000);
		})]);
		console.log(`PASS ${c.name} (${Date.now() - t0} ms)`);
		return 'pass';
	} catch (e) {
		if (e instanceof Skip) {
			console.log(`SKIP ${c.name}: ${e.message}`);
			return 'skip';
		}
		console.log(`FAIL ${c.name}: ${e.stack || e}`);
		return 'fail';
	} finally {
		clearTimeout(timer);
	}
}

/* Runs the cases [{name, fn, timeout}] matching filter, up to jobs at a
 * time (each case owns its servers and pages, so they are independent);
 * returns the number of failures after printing the tally. */
export async function run(suite, cases, filter = '', jobs = 1) {
	const todo = cases.filter((c) => !filter || c.name.includes(filter));
	const n = { pass: 0, fail: 0, skip: 0 };

	async function worker() {
		while (todo.length)
			n[await one(todo.shift())]++;
	}
	await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
	console.log(`${suite}: ${n.pass} passed, ${n.fail} failed, ` +
	    `${n.skip} skipped`);
	return n.fail;
}
