/**
 * Build step, after both compiles: the package's ES module entry (`dist/agent/index.js`) becomes
 * the CommonJS build's exports, re-exported, and the ES module compile's own copy of the agent is
 * removed. One build of the agent instead of two: an app that imports Sockscope and a library of
 * it that requires it share one copy, and the install is a megabyte smaller (docs/compatibility.md).
 * The ES module compile still gives `dist/protocol` and the command (`dist/bin`), whose
 * `hash-password` loads the agent through this entry.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The names as Node sees them when an ES module imports the CommonJS build.
const names = Object.keys(require('../dist/cjs/agent/index.js')).filter(
	(name) => name !== '__esModule' && name !== 'default'
);
if (!names.includes('instrument')) throw new Error(`dist/cjs/agent exports ${names.join(', ')}`);

rmSync('dist/agent', { recursive: true, force: true });
mkdirSync('dist/agent');
const from = '../cjs/agent/index.js';
writeFileSync('dist/agent/index.js', `export { ${names.join(', ')} } from '${from}';\n`);
writeFileSync('dist/agent/index.d.ts', `export * from '${from}';\n`);
