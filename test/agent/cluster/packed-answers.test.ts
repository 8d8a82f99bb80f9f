/** Fan-out answers deflated when large (packed-answers.ts), and read back whole. */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { packAnswer, unpackAnswer } from '../../../server/agent/cluster/packed-answers.js';

describe('answers between nodes', () => {
	test('a small answer travels as it is', async () => {
		expect(await packAnswer({ rows: [], total: 0 })).toEqual({ data: { rows: [], total: 0 } });
		expect(await packAnswer(null)).toEqual({ data: null });
	});

	test('a large one deflated, and read back equal', async () => {
		const rows = Array.from({ length: 200 }, (_, i) => ({ id: `socket-${i}`, rooms: ['lobby'] }));
		const packed = await packAnswer({ rows });
		expect(packed).toHaveProperty('z');
		expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify({ rows }).length / 4);
		expect(await unpackAnswer(packed)).toEqual({ rows });
	});

	test('answers of every size read back equal, those past a megabyte inflated aside', async () => {
		// A page of sockets (deflated on the event loop), a namespace's rooms (deflated aside), and
		// one that inflates past what is inflated on the event loop.
		for (const count of [100, 5_000, 40_000]) {
			const rows = Array.from({ length: count }, (_, i) => ({ name: `room-${i}`, size: i % 10 }));
			const packed = await packAnswer({ rows });
			expect(packed).toHaveProperty('z');
			expect(await unpackAnswer(JSON.parse(JSON.stringify(packed)))).toEqual({ rows });
		}
	});

	test('what cannot be read is refused, a bomb before it fills the heap', async () => {
		await expect(unpackAnswer({ z: 'bm90IGRlZmxhdGU=' })).rejects.toThrow();
		const bomb = deflateRawSync(Buffer.alloc(128 * 1024 * 1024)).toString('base64');
		await expect(unpackAnswer({ z: bomb })).rejects.toThrow();
	});
});
