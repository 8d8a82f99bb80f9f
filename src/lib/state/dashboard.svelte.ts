/**
 * The root of the dashboard's state, one per app, provided through context: the model, the
 * connection that feeds it, the live feeds, notices and actions. Pages read the model and ask
 * through `api` (the connector interface), never a socket.
 */
import { createContext } from 'svelte';
import type { Connector } from '../connectors/connector';
import { SourceConnector } from '../connectors/source';
import { Actions } from './actions.svelte';
import { ConnectionState } from './connection.svelte';
import { AuditFeed, LogBuffer } from './live-feeds.svelte';
import { DashboardModel } from './model.svelte';
import { Notices } from './notices.svelte';
import { Theme } from './theme.svelte';
import { AuditMarkers } from './markers.svelte';
import { WindowFeed } from './socket-window.svelte';

export class Dashboard {
	readonly model: DashboardModel;
	readonly notices = new Notices();
	readonly log = new LogBuffer();
	readonly audit = new AuditFeed();
	readonly theme = new Theme();
	readonly windows = new WindowFeed();
	readonly connection: ConnectionState;
	readonly actions: Actions;
	readonly markers: AuditMarkers;

	constructor(readonly api: Connector = new SourceConnector()) {
		this.model = new DashboardModel((query) => api.query('history:query', query));
		this.connection = new ConnectionState(api, this.model, {
			log: (batch) => this.log.push(batch),
			audit: (entry) => this.audit.push(entry),
			window: (update) => this.windows.push(update)
		});
		this.actions = new Actions(api, this.notices);
		this.markers = new AuditMarkers(api, this.audit);
	}
}

export const [getDashboard, setDashboard] = createContext<Dashboard>();
