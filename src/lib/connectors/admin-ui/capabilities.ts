/**
 * What an admin-ui server can give, from the features it announces, and why the rest is missing,
 * each with one line on what Sockscope's agent adds. The pages show these words wherever a part
 * is disabled, so they say what the operator sees and what would change it.
 */
import type { Feature } from '$protocol/models';
import type { Capability, Gap, SourceInfo } from '../connector';
import type { AdminUiFeature } from './wire';

const COMMANDS: AdminUiFeature[] = ['EMIT', 'JOIN', 'LEAVE', 'DISCONNECT'];

/** Room-wide commands go through a room filter, which only socket.io 4 servers accept. */
export const ROOM_WIDE: AdminUiFeature[] = ['MJOIN', 'MLEAVE', 'MDISCONNECT'];

const SHORT = 'not in admin-ui';

const ALWAYS: Partial<Record<Capability, Gap>> = {
	rtt: {
		reason: '@socket.io/admin-ui does not measure heartbeat round-trips.',
		hint: 'Sockscope’s agent times every socket’s ping and pong.',
		short: SHORT
	},
	bytes: {
		reason:
			'@socket.io/admin-ui counts bytes for the whole server only, not per socket, event or namespace.',
		hint: 'Sockscope’s agent counts them per socket, event and namespace.',
		short: SHORT
	},
	history: {
		reason: '@socket.io/admin-ui keeps no history: charts start when this page opened.',
		hint: 'Sockscope’s agent keeps hours of history and shows it at once.',
		short: SHORT
	},
	audit: {
		reason: '@socket.io/admin-ui keeps no record of admin commands.',
		hint: 'Sockscope’s agent writes every command to an audit trail.',
		short: SHORT
	},
	process: {
		reason: '@socket.io/admin-ui reports no CPU, memory or event-loop figures.',
		hint: 'Sockscope’s agent samples them on every server, every second.',
		short: SHORT
	},
	refused: {
		reason: '@socket.io/admin-ui does not see connections refused by middleware.',
		hint: 'Sockscope’s agent counts them per namespace.',
		short: SHORT
	},
	acks: {
		reason: '@socket.io/admin-ui does not time acknowledgements.',
		hint: 'Sockscope’s agent times every acknowledged event, both ways, and counts timeouts.',
		short: SHORT
	},
	'connection-errors': {
		reason: '@socket.io/admin-ui does not see failed handshakes or refused connections.',
		hint: 'Sockscope’s agent counts them by code, with the latest examples.',
		short: SHORT
	},
	cluster: {
		reason: '@socket.io/admin-ui does not report the adapter or the health of the cluster.',
		hint: 'Sockscope’s agent shows the adapter and whether each node hears the others.',
		short: SHORT
	},
	disconnects: {
		reason:
			'@socket.io/admin-ui forgets a socket the moment it disconnects: it keeps no record of who dropped, when or why.',
		hint: 'Sockscope’s agent keeps the last thousands of disconnects with their reasons, rooms and figures.',
		short: SHORT
	},
	paged: {
		reason:
			'@socket.io/admin-ui pushes every socket to this page, which sorts and filters them itself.',
		hint: 'Sockscope’s agent pages and filters on the server, so the page stays light at 100k sockets.',
		short: SHORT
	}
};

const PRODUCTION: Gap = {
	reason:
		'@socket.io/admin-ui runs in production mode: it sends server stats only, no sockets, rooms or events.',
	hint: 'Start it with mode: "development", or use Sockscope’s agent, which is built to run in production.',
	short: 'production mode'
};

export function featuresOf(supported: readonly AdminUiFeature[]): Feature[] {
	const features: Feature[] = [];
	if (supported.includes('ALL_EVENTS')) {
		features.push('sockets', 'rooms', 'events');
		if (COMMANDS.every((f) => supported.includes(f))) features.push('commands');
	}
	return features;
}

export function sourceOf(supported: readonly AdminUiFeature[]): SourceInfo {
	const development = supported.includes('ALL_EVENTS');
	const gaps = { ...ALWAYS };
	if (!development) {
		for (const cap of ['sockets', 'rooms', 'events', 'commands'] as const) gaps[cap] = PRODUCTION;
		// No socket list at all, so nothing is paged in the page either.
		delete gaps.paged;
	} else if (!COMMANDS.every((f) => supported.includes(f))) {
		gaps.commands = {
			reason: '@socket.io/admin-ui runs read-only on this server (its `readonly` option).',
			hint: 'Sockscope’s agent gives each user a role instead: admin or read-only, per namespace.',
			short: 'admin-ui read-only'
		};
	}
	return {
		kind: 'admin-ui',
		label: `@socket.io/admin-ui · ${development ? 'development' : 'production'} mode`,
		gaps
	};
}
