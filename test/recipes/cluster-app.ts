/**
 * The node:cluster recipe of docs/recipes.md, runnable: workers share one port through @socket.io/sticky
 * and one view through @socket.io/cluster-adapter, no Redis. The test runs it with WORKERS,
 * SOCKSCOPE_HASH and SOCKSCOPE_SECRET set; the primary prints its port once every worker is ready.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { createAdapter, setupPrimary } from '@socket.io/cluster-adapter';
import { setupMaster, setupWorker } from '@socket.io/sticky';
import { Server } from 'socket.io';
import { instrument } from '../../server/agent/index.js';

const workers = Number(process.env.WORKERS) || availableParallelism();

if (cluster.isPrimary) {
	const httpServer = createServer();
	// Each client's requests go to the worker that holds its session.
	setupMaster(httpServer, { loadBalancingMethod: 'least-connection' });
	// Relays the cluster adapter's messages between workers.
	setupPrimary();
	let ready = 0;
	cluster.on('message', (_worker, message) => {
		if (message === 'ready' && ++ready === workers) {
			httpServer.listen(Number(process.env.PORT) || 0, '127.0.0.1', () =>
				console.log(`port ${(httpServer.address() as AddressInfo).port}`)
			);
		}
	});
	// sticky hands each connection's first bytes to the worker as a Buffer, which needs this.
	cluster.setupPrimary({ serialization: 'advanced' });
	for (let i = 0; i < workers; i++) cluster.fork();
} else {
	const httpServer = createServer();
	const io = new Server(httpServer);
	io.adapter(createAdapter());
	setupWorker(io);
	instrument(io, {
		auth: {
			users: [{ name: 'ops', passwordHash: process.env.SOCKSCOPE_HASH!, role: 'admin' }],
			// The same on every worker, so a session token from one is valid on all.
			secret: process.env.SOCKSCOPE_SECRET
		},
		nodeId: `worker-${cluster.worker!.id}`
	});
	process.send!('ready');
}
