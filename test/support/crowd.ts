/**
 * Many client sockets, and a dashboard that floods the agent, in a process of their own: run by
 * tests with `startCrowd`, so that the test's own event loop is the host server's and what it
 * measures is what the host's clients feel, not the cost of thousands of client sockets.
 */
import { Manager, io, type Socket } from 'socket.io-client';
import { answerRequests, forkSelf, isChild } from './child-process.js';

export type CrowdRequest =
	| { type: 'connect'; url: string; count: number; userAgent: string }
	| {
			type: 'flood';
			url: string;
			auth: Record<string, unknown>;
			event: string;
			/** Sent as it is; a numeric `watch` in it is replaced by the request's number, so each is a new window. */
			payload: unknown;
			perSecond: number;
			seconds: number;
			/** Dashboards of the same user the requests are spread over, in turn; 1 if absent. */
			dashboards?: number;
	  }
	| { type: 'proxied'; url: string; forwardedFor: string[] }
	| { type: 'logins'; namespace: string; auth: Record<string, unknown> }
	| { type: 'loginFlood'; url: string; forwardedFor: string; parallel: number; seconds: number }
	| { type: 'report' };

export interface LoginFloodResult {
	/** Login attempts made, each a new connection. */
	sent: number;
	/** Refusal codes (or `ok`), counted. */
	answered: Record<string, number>;
}

export interface FloodResult {
	sent: number;
	answered: Record<string, number>;
	retryAfter: number[];
}

export interface Crowd {
	connect(url: string, count: number, userAgent: string): Promise<void>;
	flood(request: Omit<Extract<CrowdRequest, { type: 'flood' }>, 'type'>): Promise<FloodResult>;
	/**
	 * One connection per address in `forwardedFor`, each with that address as `X-Forwarded-For`
	 * (as a proxy would write it), open and idle: `logins` sends over them.
	 */
	proxied(url: string, forwardedFor: string[]): Promise<void>;
	/**
	 * A login to `namespace` over each `proxied` connection, all at once: the refusal code of each,
	 * or `ok`. Only the logins reach the server now, not the connections' handshakes.
	 */
	logins(namespace: string, auth: Record<string, unknown>): Promise<string[]>;
	/**
	 * Password logins with a new random user name each, over a new connection each, `parallel`
	 * at a time for `seconds`, all from one address (`X-Forwarded-For`, as a proxy writes it).
	 */
	loginFlood(
		request: Omit<Extract<CrowdRequest, { type: 'loginFlood' }>, 'type'>
	): Promise<LoginFloodResult>;
	/** How many of the crowd's sockets have been disconnected so far. */
	disconnected(): Promise<number>;
	close(): void;
}

export function startCrowd(): Crowd {
	const { child, call } = forkSelf<CrowdRequest>(import.meta.url);
	return {
		connect: (url, count, userAgent) => call({ type: 'connect', url, count, userAgent }),
		flood: (request) => call({ type: 'flood', ...request }),
		proxied: (url, forwardedFor) => call({ type: 'proxied', url, forwardedFor }),
		logins: (namespace, auth) => call({ type: 'logins', namespace, auth }),
		loginFlood: (request) => call({ type: 'loginFlood', ...request }),
		disconnected: () => call({ type: 'report' }),
		close: () => child.kill()
	};
}

const sockets: Socket[] = [];
const managers: Manager[] = [];
let disconnected = 0;

function open(url: string, options: object): Promise<Socket> {
	const socket = io(url, {
		forceNew: true,
		reconnection: false,
		transports: ['websocket'],
		...options
	});
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', reject);
	});
}

async function serve(request: CrowdRequest): Promise<unknown> {
	switch (request.type) {
		case 'connect':
			for (let i = 0; i < request.count; i += 250) {
				const batch = Array.from({ length: Math.min(250, request.count - i) }, () =>
					open(request.url, { extraHeaders: { 'user-agent': request.userAgent } })
				);
				for (const socket of await Promise.all(batch)) {
					socket.on('disconnect', () => disconnected++);
					sockets.push(socket);
				}
			}
			return undefined;
		case 'flood': {
			const dashboards = await Promise.all(
				Array.from({ length: request.dashboards ?? 1 }, () =>
					open(request.url, { auth: request.auth })
				)
			);
			const payload = request.payload as { watch?: unknown } | null;
			const numbered = typeof payload === 'object' && typeof payload?.watch === 'number';
			const result: FloodResult = { sent: 0, answered: {}, retryAfter: [] };
			const pending: Promise<void>[] = [];
			const started = performance.now();
			await new Promise<void>((resolve) => {
				const timer = setInterval(() => {
					const elapsed = performance.now() - started;
					if (elapsed >= request.seconds * 1000) {
						clearInterval(timer);
						return resolve();
					}
					// Catches up to the rate on every tick, whatever the timer's lateness.
					while (result.sent < (elapsed / 1000) * request.perSecond) {
						const dashboard = dashboards[result.sent % dashboards.length];
						const sent = numbered ? { ...payload, watch: result.sent } : request.payload;
						result.sent++;
						pending.push(
							dashboard
								.timeout(30_000)
								.emitWithAck(request.event, sent)
								.then(
									(ack: { error?: { code: string; retryAfter?: number } }) => {
										const code = ack.error?.code ?? 'ok';
										result.answered[code] = (result.answered[code] ?? 0) + 1;
										if (ack.error?.retryAfter !== undefined && result.retryAfter.length < 10) {
											result.retryAfter.push(ack.error.retryAfter);
										}
									},
									() => {
										result.answered.timeout = (result.answered.timeout ?? 0) + 1;
									}
								)
						);
					}
				}, 5);
			});
			await Promise.all(pending);
			for (const dashboard of dashboards) dashboard.disconnect();
			return result;
		}
		case 'proxied':
			managers.push(
				...(await Promise.all(
					request.forwardedFor.map(async (address) => {
						const manager = new Manager(request.url, {
							forceNew: true,
							reconnection: false,
							transports: ['websocket'],
							extraHeaders: { 'x-forwarded-for': address }
						});
						const socket = manager.socket('/');
						await new Promise<void>((resolve, reject) => {
							socket.once('connect', () => resolve());
							socket.once('connect_error', reject);
						});
						return manager;
					})
				))
			);
			return undefined;
		case 'logins':
			return Promise.all(
				managers.map(
					(manager) =>
						new Promise<string>((resolve) => {
							// A manager keeps one socket per namespace: forget the last login's, so this one is new.
							delete (manager as unknown as { nsps: Record<string, Socket> }).nsps[
								request.namespace
							];
							const socket = manager.socket(request.namespace, { auth: request.auth });
							socket.once('connect', () => {
								socket.disconnect();
								resolve('ok');
							});
							socket.once('connect_error', (err: { data?: { code?: string } }) =>
								resolve(err.data?.code ?? String(err))
							);
						})
				)
			);
		case 'loginFlood': {
			const result: LoginFloodResult = { sent: 0, answered: {} };
			const end = performance.now() + request.seconds * 1000;
			const attempt = () =>
				new Promise<string>((resolve) => {
					const socket = io(request.url, {
						forceNew: true,
						reconnection: false,
						transports: ['websocket'],
						auth: { user: `r${Math.random()}`, password: 'x' },
						extraHeaders: { 'x-forwarded-for': request.forwardedFor }
					});
					socket.once('connect', () => {
						socket.disconnect();
						resolve('ok');
					});
					socket.once('connect_error', (err: { data?: { code?: string } }) => {
						socket.disconnect();
						resolve(err.data?.code ?? String(err));
					});
				});
			await Promise.all(
				Array.from({ length: request.parallel }, async () => {
					while (performance.now() < end) {
						result.sent++;
						const code = await attempt();
						result.answered[code] = (result.answered[code] ?? 0) + 1;
					}
				})
			);
			return result;
		}
		case 'report':
			return disconnected;
	}
}

if (isChild()) answerRequests(serve);
