/**
 * The dashboard's one connector: it speaks whichever protocol the target names (Sockscope's own
 * or @socket.io/admin-ui's), so the model and the pages keep one `api` whatever the source.
 */
import type { CommandMap, CommandName } from '$protocol/commands';
import { AdminUiConnector } from './admin-ui/connector';
import type {
	Connector,
	ConnectorListener,
	Credentials,
	QueryInput,
	QueryName,
	QueryResult,
	SourceInfo,
	Target
} from './connector';
import { NativeConnector } from './native';

export class SourceConnector implements Connector {
	readonly #native: Connector;
	readonly #adminUi: Connector;
	#active: Connector;

	constructor(
		native: Connector = new NativeConnector(),
		adminUi: Connector = new AdminUiConnector()
	) {
		this.#native = native;
		this.#adminUi = adminUi;
		this.#active = native;
	}

	get kind(): string {
		return this.#active.kind;
	}

	get source(): SourceInfo {
		return this.#active.source;
	}

	open(target: Target, credentials: Credentials, listener: ConnectorListener): void {
		const next = target.kind === 'admin-ui' ? this.#adminUi : this.#native;
		if (next !== this.#active) this.#active.close();
		this.#active = next;
		next.open(target, credentials, listener);
	}

	query<K extends QueryName>(event: K, input: QueryInput<K>): Promise<QueryResult<K>> {
		return this.#active.query(event, input);
	}

	command<K extends CommandName>(
		event: K,
		input: CommandMap[K]['input']
	): Promise<CommandMap[K]['result']> {
		return this.#active.command(event, input);
	}

	retryNow(): void {
		this.#active.retryNow();
	}

	close(): void {
		this.#active.close();
	}
}
