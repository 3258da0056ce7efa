/*
 * harness.mjs - the smallest test runner for the Node-side tests: named
 * cases run one after another with a timeout each, a case may skip itself
 * with a reason, and the run ends with the tally line tests/run.sh reads:
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

/* Runs the cases [{name, fn, timeout}] matching filter; returns the
 * number of failures after printing the tally. */
export async function run(suite, cases, filter = '') {
	let pass = 0, fail = 0, skipped = 0;

	for (const c of cases) {
		if (filter && !c.name.includes(filter))
			continue;
		const t0 = Date.now();
		let timer;
		try {
			await Promise.race([c.fn(), new Promise((_, rej) => {
				timer = setTimeout(() => rej(new Error(
				    `timed out after ${c.timeout ?? 30000} ms`)),
				    c.timeout ?? 30000);
			})]);
			pass++;
			console.log(`PASS ${c.name} (${Date.now() - t0} ms)`);
		} catch (e) {
			if (e instanceof Skip) {
				skipped++;
				console.log(`SKIP ${c.name}: ${e.message}`);
			} else {
				fail++;
				console.log(`FAIL ${c.name}: ${e.stack || e}`);
			}
		} finally {
			clearTimeout(timer);
		}
	}
	console.log(`${suite}: ${pass} passed, ${fail} failed, ` +
	    `${skipped} skipped`);
	return fail;
}
