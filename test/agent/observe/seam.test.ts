/**
 * The agent checks socket.io's internals it relies on when `instrument()` runs: a touch point that
 * no longer behaves as expected turns its figures off with a logged reason, and the rest of the
 * agent, and the host, carry on.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { Adapter } from 'socket.io-adapter';
import type { Sample } from '../../../server/protocol/models.js';
import { nextSample, once, startFixture, type Fixture } from '../../support/agent-fixture.js';

let f: Fixture | undefined;
afterEach(async () => {
	vi.restoreAllMocks();
	await f?.close();
	f = undefined;
});

/** An adapter that hands `apply` a copy of a broadcast's options, as a custom adapter might. */
class CopyingAdapter extends Adapter {
	broadcast(
		packet: Parameters<Adapter['broadcast']>[0],
		opts: Parameters<Adapter['broadcast']>[1]
	) {
		return super.broadcast(packet, { ...opts });
	}
}

describe('the self-check of socket.io internals', () => {
	test('finds nothing wrong with socket.io as installed', async () => {
		const warn = vi.spyOn(console, 'warn');
		f = await startFixture();
		expect(f.agent.seam).toEqual({
			namespaces: true,
			broadcasts: true,
			wireEvents: true,
			msgpackWire: false,
			problems: []
		});
		expect(warn).not.toHaveBeenCalled();
	});

	test('turns off broadcast figures, saying why, when broadcasts bypass apply', async () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		f = await startFixture({}, { adapter: CopyingAdapter as never }, (io) => {
			io.on('connection', (socket) => socket.on('shout', () => socket.broadcast.emit('heard')));
		});
		expect(f.agent.seam.broadcasts).toBe(false);
		expect(f.agent.seam.problems).toHaveLength(1);
		expect(warn).toHaveBeenCalledWith(
			expect.stringMatching(/^sockscope: .*broadcasts and their recipients are not counted/)
		);
		const { socket: dashboard } = await f.dashboard();
		const totals = { eventsIn: 0, eventsOut: 0, broadcasts: 0, broadcastRecipients: 0 };
		dashboard.on('stats:sample', (s: Sample) => {
			for (const key of Object.keys(totals) as (keyof typeof totals)[])
				totals[key] += s.namespaces[0]?.[key] ?? 0;
		});
		const [a, b] = [await f.client(), await f.client()];
		const heard = once(b, 'heard');
		a.emit('shout');
		await heard;
		// The other figures are unaffected; the broadcast is not half-counted.
		await expect
			.poll(() => totals, { timeout: 5000 })
			.toEqual({ eventsIn: 1, eventsOut: 1, broadcasts: 0, broadcastRecipients: 0 });
		await nextSample(dashboard);
		expect(totals).toEqual({ eventsIn: 1, eventsOut: 1, broadcasts: 0, broadcastRecipients: 0 });
	});
});
