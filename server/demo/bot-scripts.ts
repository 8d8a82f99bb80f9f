/**
 * What a bot does in each demo namespace: how it takes a seat when it connects, what it says, and
 * where it goes when it hops. One script object per bot, holding that bot's little state.
 */
import type { Socket } from 'socket.io-client';
import { CHAT_ROOMS, SUPPORT_NAMESPACE, TENANTS } from './catalog.js';

/** What a script may ask of its bot. */
export interface BotHandle {
	readonly socket: Socket;
	readonly index: number;
	/** Emits with an ack; resolves to the reply's `data`, or undefined on refusal or timeout. */
	call<T>(event: string, ...args: unknown[]): Promise<T | undefined>;
	/** Runs `fn` after about `ms`, unless the bot disconnects or stops first. */
	later(ms: number, fn: () => unknown): void;
}

export interface Script {
	/** On every connection: the server has forgotten this socket's rooms, so take a seat again. */
	arrive(): Promise<void>;
	speak(): Promise<void>;
	hop(): Promise<void>;
}

const LINES = [
	'hi all',
	'anyone around?',
	'that deploy went well',
	'brb, coffee',
	'has anyone tried the new build?',
	'lgtm',
	'ok, makes sense',
	'good morning!',
	'I will look into it',
	'thanks, that fixed it'
];

/** Payloads of the tenants' own events (`catalog.ts`). */
const PAYLOADS: Record<string, () => object> = {
	'order:placed': () => ({
		sku: pick(['ANVIL-1', 'ROCKET-SKATES', 'BIRDSEED']),
		quantity: 1 + random(5)
	}),
	'deploy:started': () => ({
		service: pick(['api', 'web', 'billing']),
		version: `1.${random(40)}.0`
	}),
	'alert:raised': () => ({
		service: pick(['api', 'db']),
		severity: pick(['info', 'warning', 'critical'])
	})
};

const random = (below: number) => Math.floor(Math.random() * below);

export function pick<T>(items: readonly T[]): T {
	return items[random(items.length)];
}

export function createScript(namespace: string, bot: BotHandle): Script {
	const role = supportRole(namespace, bot.index);
	if (role) return role === 'agent' ? agentScript(bot) : customerScript(bot);
	const tenant = TENANTS.find((t) => t.namespace === namespace);
	return chatScript(bot, tenant?.rooms ?? CHAT_ROOMS, tenant?.events ?? []);
}

/** A bot's role in `/support`, where every third bot is an agent; undefined elsewhere. */
export function supportRole(namespace: string, index: number): 'agent' | 'customer' | undefined {
	if (namespace !== SUPPORT_NAMESPACE) return undefined;
	return index % 3 === 0 ? 'agent' : 'customer';
}

function chatScript(bot: BotHandle, rooms: readonly string[], events: readonly string[]): Script {
	let room = pick(rooms);
	return {
		async arrive() {
			await bot.call('room:join', room);
		},
		async speak() {
			if (events.length && Math.random() < 0.3) {
				const event = pick(events);
				await bot.call(event, PAYLOADS[event]?.() ?? {});
				return;
			}
			bot.socket.emit('typing:update', true);
			bot.later(1000, () => bot.call('message:send', pick(LINES)));
		},
		async hop() {
			// Nothing when the server did not answer in time (a busy server, or one going away).
			const listed = (await bot.call<{ name: string }[]>('rooms:list')) ?? [];
			// Now and then a bot opens a room of its own, so created rooms come and go.
			const next =
				Math.random() < 0.1 ? `hangout-${bot.index}` : listed.length ? pick(listed).name : null;
			if (next && next !== room && (await bot.call('room:join', next))) room = next;
		}
	};
}

function customerScript(bot: BotHandle): Script {
	let ticket: string | undefined;
	const open = async () => {
		ticket = (await bot.call<{ id: string }>('ticket:open', `${pick(LINES)} (bot ${bot.index})`))
			?.id;
	};
	return {
		arrive: open,
		async speak() {
			if (ticket) await bot.call('ticket:message', { ticket, text: pick(LINES) });
		},
		async hop() {
			if (ticket) await bot.call('ticket:close', ticket);
			await open();
		}
	};
}

function agentScript(bot: BotHandle): Script {
	const mine = new Set<string>();
	bot.socket.on('ticket:closed', ({ id }: { id: string }) => mine.delete(id));
	bot.socket.on('disconnect', () => mine.clear());
	const take = async () => {
		const open = await bot.call<{ id: string }[]>('ticket:list');
		const fresh = (open ?? []).filter((t) => !mine.has(t.id));
		if (!fresh.length) return;
		const ticket = pick(fresh).id;
		if (await bot.call('ticket:join', ticket)) mine.add(ticket);
	};
	return {
		arrive: take,
		async speak() {
			if (mine.size)
				await bot.call('ticket:message', { ticket: pick([...mine]), text: pick(LINES) });
		},
		async hop() {
			if (mine.size > 1) {
				const ticket = pick([...mine]);
				mine.delete(ticket);
				await bot.call('ticket:leave', ticket);
			}
			await take();
		}
	};
}
