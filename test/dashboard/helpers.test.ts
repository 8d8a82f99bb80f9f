import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/lib/connectors/backoff.js';
import { DEFAULT_CONFIG, normaliseServerUrl, targetOf } from '../../src/lib/connectors/config.js';
import { hashPath, hashQuery, href } from '../../src/lib/hash-url.js';
import { expiryMs } from '../../src/lib/state/session.js';
import { formatBytes, formatDuration, formatRate } from '../../src/lib/format.js';
import { pageTitle } from '../../src/lib/nav.js';

describe('backoffDelay', () => {
	it('doubles from half a second up to a cap, within ±20 % jitter', () => {
		expect([0, 1, 2, 3].map((a) => backoffDelay(a, {}, () => 0.5))).toEqual([
			500, 1000, 2000, 4000
		]);
		expect(backoffDelay(20, {}, () => 0.5)).toBe(15_000);
		expect(backoffDelay(0, {}, () => 0)).toBe(400);
		expect(backoffDelay(0, {}, () => 1)).toBe(600);
	});
});

describe('hash URLs', () => {
	it('carry the route and its state in the hash', () => {
		const link = href('/sockets', { ns: '/chat', room: '', sort: 'rtt' });
		expect(link).toBe('#/sockets?ns=%2Fchat&sort=rtt');
		const url = new URL(`http://host/sockscope/${link}`);
		expect(hashPath(url)).toBe('/sockets');
		expect(hashQuery(url).get('ns')).toBe('/chat');
		expect(hashPath(new URL('http://host/sockscope/'))).toBe('/');
	});
});

describe('pageTitle', () => {
	it('names the page, then the server, then Sockscope', () => {
		expect(pageTitle('/sockets', 'http://my-host:3000')).toBe('Sockets · my-host:3000 · Sockscope');
		expect(pageTitle('/', 'https://ops.example.com/app2')).toBe(
			'Overview · ops.example.com/app2 · Sockscope'
		);
		// The login form, before any page; an unknown route names no page.
		expect(pageTitle(null, 'http://my-host:3000')).toBe('my-host:3000 · Sockscope');
		expect(pageTitle('/nowhere', '')).toBe('Sockscope');
	});
});

describe('connection settings', () => {
	it('turns what a user typed into a server URL, keeping the path of an app behind a proxy', () => {
		expect(normaliseServerUrl('example.com:3000/app', 'http://here')).toBe(
			'http://example.com:3000/app'
		);
		expect(normaliseServerUrl('https://x.io/app2/?q=1#h', 'http://here')).toBe('https://x.io/app2');
		expect(normaliseServerUrl(' https://x.io/ ', 'http://here')).toBe('https://x.io');
		expect(normaliseServerUrl('', 'http://here:8080/sockscope/')).toBe('http://here:8080');
	});

	it("finds socket.io behind a proxy's prefix: typed, derived from the page, or given", () => {
		const agent = { ...DEFAULT_CONFIG, mount: '/sockscope' };
		// Typed with a path: socket.io is under it, wherever the page is.
		expect(targetOf('https://x.io/app2', agent, 'http://elsewhere/')).toEqual({
			url: 'https://x.io',
			namespace: '/sockscope',
			path: '/app2/socket.io'
		});
		// The page's own server, behind a proxy that strips /app2: derived from the page's path.
		expect(targetOf('https://x.io', agent, 'https://x.io/app2/sockscope/#/sockets').path).toBe(
			'/app2/socket.io'
		);
		expect(targetOf('https://x.io', agent, 'https://x.io/sockscope/').path).toBe('/socket.io');
		// A proxy that renames the dashboard's path too: the operator's prefix.
		expect(
			targetOf('https://x.io', { ...agent, prefix: '/ops' }, 'https://x.io/admin/dash/').path
		).toBe('/ops/socket.io');
		// Another server typed bare: its own root.
		expect(targetOf('https://y.io', agent, 'https://x.io/app2/sockscope/').path).toBe('/socket.io');
	});

	it('reads a grant’s expiry in seconds or milliseconds', () => {
		expect(expiryMs({ token: 't', expiresAt: 1_700_000_000 })).toBe(1_700_000_000_000);
		expect(expiryMs({ token: 't', expiresAt: 1_700_000_000_000 })).toBe(1_700_000_000_000);
	});
});

describe('formatting', () => {
	it('reads at a glance', () => {
		expect(formatRate(0.25)).toBe('0.3');
		expect(formatRate(1234)).toBe('1,234');
		expect(formatBytes(1536)).toBe('1.5 kB');
		expect(formatDuration(3725)).toBe('1h 2m');
	});
});
