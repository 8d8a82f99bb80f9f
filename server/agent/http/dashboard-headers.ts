/**
 * Security headers of every dashboard response: a strict Content-Security-Policy (scripts only
 * from the dashboard's own files and the inline bootstrap SvelteKit writes into `index.html`,
 * allowed by its hash), no framing (`frame-ancestors 'none'` and `X-Frame-Options: DENY`, against
 * clickjacking of the admin buttons), and `nosniff`. The hashes are read from the build once, at
 * mount, so a rebuilt dashboard needs no configuration.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;

/** `'sha256-…'` sources of each inline script of an HTML page. */
export function inlineScriptHashes(html: string): string[] {
	return [...html.matchAll(INLINE_SCRIPT)].map(
		([, body]) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`
	);
}

export function dashboardHeaders(buildDir: string | undefined): Record<string, string> {
	let hashes: string[] = [];
	if (buildDir) {
		try {
			hashes = inlineScriptHashes(readFileSync(join(buildDir, 'index.html'), 'utf8'));
		} catch {
			// No build: the dashboard path answers 503, and these headers still forbid everything else.
		}
	}
	const policy = [
		"default-src 'none'",
		`script-src 'self' ${hashes.join(' ')}`.trim(),
		// Svelte and Chart.js set inline styles; styles cannot run code.
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"font-src 'self'",
		// The login screen may point the dashboard at another server of the operator's.
		"connect-src 'self' http: https: ws: wss:",
		"manifest-src 'self'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'"
	].join('; ');
	return {
		'content-security-policy': policy,
		'x-frame-options': 'DENY',
		'x-content-type-options': 'nosniff',
		'referrer-policy': 'no-referrer'
	};
}
