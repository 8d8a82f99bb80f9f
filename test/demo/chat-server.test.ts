import { afterEach, describe, expect, test } from 'vitest';
import { startDemo, type DemoFixture } from '../support/demo-fixture.js';

let demo: DemoFixture;
afterEach(() => demo?.close());

const get = (path: string, init?: RequestInit) => fetch(`${demo.server.url}${path}`, init);

describe('demo HTTP server', () => {
	test('serves the chat page, its script and the socket.io client it imports', async () => {
		demo = await startDemo();
		const page = await get('/');
		expect(page.status).toBe(200);
		expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
		expect(await page.text()).toContain('<script type="module" src="chat.js"></script>');

		const script = await get('/chat.js');
		expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
		const source = await script.text();
		const imported = /from '([^']+)'/.exec(source)?.[1];
		expect(imported).toBe('/socket.io/socket.io.esm.min.js');
		expect((await get(imported!)).status).toBe(200);
		// User text reaches the page as text, never as markup.
		expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
	});

	test('serves the icon the page links, so browsers get no 404 for it', async () => {
		demo = await startDemo();
		const href = /<link rel="icon" href="([^"]+)"/.exec(await (await get('/')).text())?.[1];
		expect(href).toBe('favicon.svg');
		const icon = await get(`/${href}`);
		expect(icon.status).toBe(200);
		expect(icon.headers.get('content-type')).toBe('image/svg+xml');
		expect(await icon.text()).toMatch(/^<svg /);
	});

	test('answers 404 for other paths and 405 for other methods', async () => {
		demo = await startDemo();
		expect((await get('/nope')).status).toBe(404);
		expect((await get('/', { method: 'POST' })).status).toBe(405);
	});

	test('lets the agent mount the dashboard and metrics beside the page', async () => {
		demo = await startDemo({ instrument: { auth: false } });
		expect(demo.server.agent?.nodeId).toBeTruthy();
		expect((await get('/')).status).toBe(200);
		expect((await get('/metrics')).status).toBe(200);
		expect((await get('/sockscope/')).status).toBe(200);
	});
});
