/**
 * The NestJS recipe of docs/recipes.md: a gateway instruments the socket.io server Nest gives it in
 * `afterInit`. The test applies the decorators as functions (the test build has no decorator
 * transform); docs/recipes.md writes them as decorators, `@WebSocketGateway()`.
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WebSocketGateway, type OnGatewayInit } from '@nestjs/websockets';
import type { Server } from 'socket.io';
import { onTestFinished, test } from 'vitest';
import { instrument, type Instrumentation } from '../../server/agent/index.js';
import { connectClients, expectDashboardSees, opsAuth } from '../support/mounted-dashboard.js';

test('NestJS: a gateway instruments its server in afterInit', async () => {
	const auth = await opsAuth();
	let agent: Instrumentation | undefined;

	// --- recipe ---
	class EventsGateway implements OnGatewayInit {
		afterInit(server: Server) {
			agent = instrument(server, { auth });
		}
	}
	class AppModule {}
	// --- end ---
	WebSocketGateway()(EventsGateway);
	Module({ providers: [EventsGateway] })(AppModule);

	const app = await NestFactory.create(AppModule, { logger: false });
	await app.listen(0, '127.0.0.1');
	onTestFinished(async () => {
		await agent?.close();
		await app.close();
	});
	const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

	await connectClients(base, 2);
	await expectDashboardSees(base, 2);
});
