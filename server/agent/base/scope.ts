/**
 * Scopes: a principal scoped to namespaces (a tenant's operator) sees and acts on those alone.
 * Every sample view, query, log entry and command asks this one rule.
 */
import type { Principal } from '../../protocol/models.js';
/** Whether a principal may see a namespace. */
export function canSee(principal: Principal, namespace: string): boolean {
	return principal.namespaces === undefined || principal.namespaces.includes(namespace);
}
