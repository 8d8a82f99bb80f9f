/**
 * The README is a front door and the reference lives in `docs/`: the README stays short, every
 * relative link in it and in the docs pages leads to a file (and heading) that exists, and every
 * page a reader can follow a link to ships in the package, so the links work in the tarball too.
 * Images may stay in the repository only (the screenshots are not packed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MAX_README_LINES = 220;

const pages = [
	'README.md',
	...readdirSync(join(ROOT, 'docs'))
		.filter((name) => name.endsWith('.md'))
		.map((name) => `docs/${name}`)
];

interface Link {
	/** The page the link is on, relative to the root. */
	from: string;
	target: string;
	image: boolean;
}

/** The page's text outside fenced code blocks and inline code spans. */
function prose(text: string): string[] {
	let fenced = false;
	return text.split('\n').map((line) => {
		if (/^\s*(```|~~~)/.test(line)) {
			fenced = !fenced;
			return '';
		}
		return fenced ? '' : line.replace(/`[^`]*`/g, '');
	});
}

function linksOf(page: string): Link[] {
	const links: Link[] = [];
	for (const line of prose(readFileSync(join(ROOT, page), 'utf8'))) {
		for (const m of line.matchAll(/(!?)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
			links.push({ from: page, target: m[2], image: m[1] === '!' });
		}
	}
	return links;
}

const isRelative = (target: string) =>
	!/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//');

/** GitHub's anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(page: string): Set<string> {
	const seen = new Map<string, number>();
	const anchors = new Set<string>();
	let fenced = false;
	for (const line of readFileSync(join(ROOT, page), 'utf8').split('\n')) {
		if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
		const heading = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (!heading) continue;
		const slug = heading[1]
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\s_-]/gu, '')
			.replace(/\s/g, '-');
		const n = seen.get(slug) ?? 0;
		seen.set(slug, n + 1);
		anchors.add(n ? `${slug}-${n}` : slug);
	}
	return anchors;
}

/** A link's file, relative to the root (the page itself for a bare `#anchor`). */
function fileOf(link: Link): { file: string; anchor?: string } {
	const [path, anchor] = link.target.split('#', 2);
	const file = path ? relative(ROOT, join(ROOT, dirname(link.from), decodeURI(path))) : link.from;
	return { file: file.split(sep).join('/'), anchor: anchor || undefined };
}

const links = pages.flatMap(linksOf).filter((link) => isRelative(link.target));

test(`README.md has at most ${MAX_README_LINES} lines`, () => {
	const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
	expect(lines).toBeLessThanOrEqual(MAX_README_LINES);
});

test('every relative link in README.md and docs/*.md leads to a file and heading that exist', () => {
	expect(links.length).toBeGreaterThan(10);
	const broken = links
		.filter((link) => {
			const { file, anchor } = fileOf(link);
			if (file.startsWith('..') || !existsSync(join(ROOT, file))) return true;
			return anchor !== undefined && file.endsWith('.md') && !anchorsOf(file).has(anchor);
		})
		.map((link) => `${link.from} → ${link.target}`);
	expect(broken).toEqual([]);
});

test('every page linked from README.md and docs/*.md ships in the package, and README links every docs page', () => {
	const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'ignore'],
		maxBuffer: 64 << 20
	});
	const [info] = JSON.parse(out) as { files: { path: string }[] }[];
	const packed = new Set(info.files.map((f) => f.path));

	const unpacked = links
		.filter((link) => !link.image && !packed.has(fileOf(link).file))
		.map((link) => `${link.from} → ${link.target}`);
	expect(unpacked).toEqual([]);

	const fromReadme = new Set(
		links.filter((l) => l.from === 'README.md').map((l) => fileOf(l).file)
	);
	const docs = pages.filter((page) => page !== 'README.md');
	expect(docs.filter((page) => !packed.has(page))).toEqual([]);
	expect(docs.filter((page) => !fromReadme.has(page))).toEqual([]);
});

test('each docs page opens with its title and a paragraph that says what it covers', () => {
	const bad = pages
		.filter((page) => page !== 'README.md')
		.filter((page) => {
			const [title, blank, summary] = readFileSync(join(ROOT, page), 'utf8').split('\n');
			return !/^# \S/.test(title) || blank !== '' || !/^[A-Z`@]/.test(summary ?? '');
		});
	expect(bad).toEqual([]);
});
