/**
 * Where the installed package's own files are: its root (package.json, the dashboard's `build/`)
 * and a `require` that resolves from there (bcryptjs for the password worker, the optional peers
 * better-sqlite3 and @opentelemetry/api). The same code runs from the package's CommonJS build
 * (also behind its ES module entry), the sources under a test runner, and inside an app's bundle,
 * where this file's own path is the bundle's: so the root is first sought above this file, then
 * resolved as the `sockscope` package from where the app runs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse } from 'node:path';
import { here } from './here.cjs';

const NAME = 'sockscope';

export interface PackageRoot {
	/** The package's root folder, or undefined when it is found nowhere. */
	root: string | undefined;
	/** The folders searched, in order, for messages that say where the files were expected. */
	searched: string[];
}

let found: PackageRoot | undefined;

/** Reads the name of the package whose manifest is `dir/package.json`, or undefined. */
function manifestName(dir: string): string | undefined | null {
	try {
		const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
			name?: unknown;
		};
		return typeof manifest.name === 'string' ? manifest.name : undefined;
	} catch {
		return null;
	}
}

/**
 * The nearest named package above `from`: ours when unbundled (dist/cjs/package.json has no name,
 * it only marks its folder CommonJS, so the walk goes on past it), the app's when bundled.
 */
function ownerOf(from: string): string | undefined {
	for (let dir = from; ; dir = dirname(dir)) {
		const name = manifestName(dir);
		if (typeof name === 'string') return name === NAME ? dir : undefined;
		if (dir === parse(dir).root) return undefined;
	}
}

/** The `sockscope` package as Node would resolve it from `dir`, or undefined. */
function resolvedFrom(dir: string): string | undefined {
	try {
		return dirname(createRequire(join(dir, 'noop.js')).resolve(`${NAME}/package.json`));
	} catch {
		return undefined;
	}
}

export function packageRoot(): PackageRoot {
	if (found) return found;
	const searched: string[] = [];
	const own = here === undefined ? undefined : dirname(here);
	if (own !== undefined) {
		searched.push(own);
		const root = ownerOf(own);
		if (root) return (found = { root, searched });
	}
	// Bundled: the bundle sits in the app, whose node_modules holds the package (kept external, or
	// installed beside the bundle for its files).
	const entry = process.argv[1] ? dirname(process.argv[1]) : undefined;
	for (const dir of new Set([own, entry, process.cwd()])) {
		if (dir === undefined) continue;
		if (dir !== own) searched.push(dir);
		const root = resolvedFrom(dir);
		if (root) return (found = { root, searched });
	}
	return (found = { root: undefined, searched });
}

/**
 * A `require` resolving from the package's root (so from its own node_modules and the app's
 * above it), or from the working directory when the root is nowhere to be found.
 */
export function packageRequire(): NodeJS.Require {
	const { root } = packageRoot();
	return createRequire(join(root ?? process.cwd(), 'package.json'));
}

/** The package's version, from its package.json; 'unknown' when that cannot be read. */
export function ownVersion(): string {
	const { root } = packageRoot();
	if (!root) return 'unknown';
	try {
		return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
			.version;
	} catch {
		return 'unknown';
	}
}
