/**
 * The connection as state: where we connect, which protocol we speak there, how we log in, and
 * what went wrong. It resolves the source (the agent's config, or admin-ui found by a probe, or
 * what the login screen chose), reuses a stored session, and hands every event from the connector
 * to the model. The error is state, shown by whichever component needs it.
 */
import type { SessionGrant } from '$protocol/events';
import {
	DEFAULT_CONFIG,
	normaliseServerUrl,
	resolveSource,
	targetOf,
	type AgentConfig,
	type SourceChoice
} from '../connectors/config';
import type {
	ConnectionProblem,
	ConnectionStatus,
	Connector,
	ConnectorListener,
	Credentials,
	SourceKind
} from '../connectors/connector';
import type { DashboardModel } from './model.svelte';
import {
	clearSession,
	loadChoice,
	loadServer,
	loadSession,
	saveChoice,
	saveServer,
	saveSession
} from './session';

export interface LiveSinks {
	log: ConnectorListener['log'];
	audit: ConnectorListener['audit'];
	window?: ConnectorListener['window'];
}

export class ConnectionState {
	status = $state<ConnectionStatus>('idle');
	problem = $state.raw<ConnectionProblem | null>(null);
	server = $state('');
	config = $state.raw<AgentConfig | null>(null);
	/** Whether the agent's config could be read or admin-ui found (else the defaults are assumed). */
	configKnown = $state(false);
	/** What the login screen chose, and the protocol that choice resolved to. */
	choice = $state.raw<SourceChoice>(loadChoice());
	kind = $state<SourceKind>('sockscope');
	/** True once the first snapshot arrived: from then on a drop keeps the pages, with a banner. */
	established = $state(false);
	/** True while the first visit reads the agent's config, before anything can be shown. */
	starting = $state(true);
	/**
	 * True while a session believed valid (a stored token, or an agent without logins) connects
	 * for its first snapshot: the pages are shown, loading, rather than the login card, however
	 * slow the host is to answer. Only a refusal ends it.
	 */
	resuming = $state(false);
	/** When the current wait for a first snapshot began (epoch ms), to say how long it has been. */
	waitingSince = $state(0);

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
			await this.#resolve(loadServer() ?? location.origin, this.choice);
			const grant = loadSession(this.#sessionKey);
			if (grant || this.config?.auth === 'none') this.resuming = true;
			if (grant) this.#open({ token: grant.token });
			else if (this.config?.auth === 'none') this.#open(null);
		} finally {
			this.starting = false;
		}
	}

	async login(
		server: string,
		user: string,
		password: string,
		choice: SourceChoice = this.choice
	): Promise<void> {
		const origin = location.origin;
		const url = normaliseServerUrl(server, origin);
		saveServer(url, origin);
		saveChoice(choice);
		if (url !== this.server || !this.configKnown || choice !== this.choice)
			await this.#resolve(url, choice);
		this.#open(this.wantsPassword && user ? { user, password } : null);
	}

	logout(): void {
		clearSession(this.#sessionKey);
		this.#connector.close();
		this.established = false;
		this.resuming = false;
		this.status = 'idle';
		this.problem = null;
	}

	retryNow(): void {
		this.#connector.retryNow();
	}

	async #resolve(server: string, choice: SourceChoice): Promise<void> {
		this.server = server;
		this.choice = choice;
		const resolved = await resolveSource(server, location.href, choice);
		this.kind = resolved.kind;
		this.configKnown = resolved.known;
		this.config = resolved.config;
	}

	#open(credentials: Credentials): void {
		this.problem = null;
		this.waitingSince = Date.now();
		const target = {
			...targetOf(this.server, this.config ?? DEFAULT_CONFIG, location.href),
			kind: this.kind,
			websocketOnly: this.kind === 'admin-ui' && this.choice.websocketOnly
		};
		this.#connector.open(target, credentials, {
			status: (status, problem) => {
				this.status = status;
				this.problem = problem;
				if (problem?.kind === 'token-expired') {
					clearSession(this.#sessionKey);
					this.established = false;
					this.resuming = false;
				}
				if (status === 'refused') {
					this.established = false;
					this.resuming = false;
				}
			},
			snapshot: (snapshot) => {
				this.#model.source = this.#connector.source;
				this.#model.applySnapshot(snapshot);
				this.established = true;
				this.resuming = false;
			},
			sample: (sample) => this.#model.applySample(sample),
			log: (batch) => this.#sinks.log(batch),
			audit: (entry) => this.#sinks.audit(entry),
			window: (update) => this.#sinks.window?.(update),
			grant: (grant: SessionGrant) => saveSession(this.#sessionKey, grant)
		});
	}
}
