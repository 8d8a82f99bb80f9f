/**
 * The session token from a password login, kept for this browser tab (sessionStorage), so a
 * reload reconnects with it until it expires instead of asking for the password again.
 */
import type { SessionGrant } from '$protocol/events';
import { DEFAULT_CHOICE, type SourceChoice } from '../connectors/config';

const PREFIX = 'sockscope.session:';

/** Milliseconds since the epoch, whether the agent sent seconds or milliseconds. */
export function expiryMs(grant: SessionGrant): number {
	return grant.expiresAt < 1e12 ? grant.expiresAt * 1000 : grant.expiresAt;
}

export function loadSession(key: string, now = Date.now()): SessionGrant | null {
	try {
		const raw = sessionStorage.getItem(PREFIX + key);
		if (!raw) return null;
		const grant = JSON.parse(raw) as SessionGrant;
		if (typeof grant.token !== 'string' || expiryMs(grant) <= now) {
			sessionStorage.removeItem(PREFIX + key);
			return null;
		}
		return grant;
	} catch {
		return null;
	}
}

export function saveSession(key: string, grant: SessionGrant): void {
	try {
		sessionStorage.setItem(
			PREFIX + key,
			JSON.stringify({ token: grant.token, expiresAt: grant.expiresAt })
		);
	} catch {
		// Private mode or a full quota: the session then lasts as long as the connection.
	}
}

export function clearSession(key: string): void {
	try {
		sessionStorage.removeItem(PREFIX + key);
	} catch {
		// Nothing stored, nothing to clear.
	}
}

const SERVER_KEY = 'sockscope.server';

/** The server typed on the login screen, remembered across visits when it is not this origin. */
export function loadServer(): string | null {
	try {
		return localStorage.getItem(SERVER_KEY);
	} catch {
		return null;
	}
}

export function saveServer(server: string, origin: string): void {
	try {
		if (server === origin) localStorage.removeItem(SERVER_KEY);
		else localStorage.setItem(SERVER_KEY, server);
	} catch {
		// Not remembered; the login screen will ask again.
	}
}

const SOURCE_KEY = 'sockscope.source';

/** The source chosen on the login screen, remembered across visits. */
export function loadChoice(): SourceChoice {
	try {
		const raw = localStorage.getItem(SOURCE_KEY);
		return raw
			? { ...DEFAULT_CHOICE, ...(JSON.parse(raw) as Partial<SourceChoice>) }
			: DEFAULT_CHOICE;
	} catch {
		return DEFAULT_CHOICE;
	}
}

export function saveChoice(choice: SourceChoice): void {
	try {
		localStorage.setItem(SOURCE_KEY, JSON.stringify(choice));
	} catch {
		// Not remembered; detection runs again next time.
	}
}
