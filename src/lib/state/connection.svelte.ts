/**
 * The connection as state: where we connect, how we log in, and what went wrong. It resolves the
 * agent's config, reuses a stored session token, and hands every event from the connector to the
 * model. The error is state, shown by whichever component needs it.
 */
import type { SessionGrant } from '$protocol/events';
import {
	DEFAULT_CONFIG,
	fetchConfig,
	normaliseServerUrl,
	targetOf,
	type AgentConfig
} from '../connectors/config';
import type {
	ConnectionProblem,
	ConnectionStatus,
	Connector,
	ConnectorListener,
	Credentials
} from '../connectors/connector';
import type { DashboardModel } from './model.svelte';
import { clearSession, loadServer, loadSession, saveServer, saveSession } from './session';

export interface LiveSinks {
	log: ConnectorListener['log'];
	audit: ConnectorListener['audit'];
}

export class ConnectionState {
	status = $state<ConnectionStatus>('idle');
	problem = $state.raw<ConnectionProblem | null>(null);
	server = $state('');
	config = $state.raw<AgentConfig | null>(null);
	/** Whether the agent's config could be read (else the defaults are assumed). */
	configKnown = $state(false);
	/** True once the first snapshot arrived: from then on a drop keeps the pages, with a banner. */
	established = $state(false);
	/** True while the first visit reads the agent's config, before anything can be shown. */
	starting = $state(true);

	readonly #connector: Connector;
	readonly #model: DashboardModel;
	readonly #sinks: LiveSinks;

	constructor(connector: Connector, model: DashboardModel, sinks: LiveSinks) {
		this.#connector = connector;
		this.#model = model;
		this.#sinks = sinks;
	}

	get connector(): Connector {
		return this.#connector;
	}

	/** Whether the login form asks for a user and password. */
	get wantsPassword(): boolean {
		return (this.config ?? DEFAULT_CONFIG).auth !== 'none';
	}

	get #sessionKey(): string {
		return this.server + (this.config ?? DEFAULT_CONFIG).namespace;
	}

	/** First visit or reload: connect at once when no password is needed or a session is stored. */
	async start(): Promise<void> {
		try {
			await this.#resolve(loadServer() ?? location.origin);
			const grant = loadSession(this.#sessionKey);
			if (grant) this.#open({ token: grant.token });
			else if (this.config?.auth === 'none') this.#open(null);
		} finally {
			this.starting = false;
		}
	}

	async login(server: string, user: string, password: string): Promise<void> {
		const origin = location.origin;
		const url = normaliseServerUrl(server, origin);
		saveServer(url, origin);
		if (url !== this.server || !this.configKnown) await this.#resolve(url);
		this.#open(this.wantsPassword && user ? { user, password } : null);
	}

	logout(): void {
		clearSession(this.#sessionKey);
		this.#connector.close();
		this.established = false;
		this.status = 'idle';
		this.problem = null;
	}

	retryNow(): void {
		this.#connector.retryNow();
	}

	async #resolve(server: string): Promise<void> {
		this.server = server;
		const config = await fetchConfig(server, location.href);
		this.configKnown = config !== null;
		this.config = config ?? DEFAULT_CONFIG;
	}

	#open(credentials: Credentials): void {
		this.problem = null;
		this.#connector.open(targetOf(this.server, this.config ?? DEFAULT_CONFIG), credentials, {
			status: (status, problem) => {
				this.status = status;
				this.problem = problem;
				if (problem?.kind === 'token-expired') {
					clearSession(this.#sessionKey);
					this.established = false;
				}
				if (status === 'refused') this.established = false;
			},
			snapshot: (snapshot) => {
				this.#model.applySnapshot(snapshot);
				this.established = true;
			},
			sample: (sample) => this.#model.applySample(sample),
			log: (batch) => this.#sinks.log(batch),
			audit: (entry) => this.#sinks.audit(entry),
			grant: (grant: SessionGrant) => saveSession(this.#sessionKey, grant)
		});
	}
}
