/**
 * The wire protocol's version. The agent announces it in every snapshot; a dashboard that does
 * not speak it says so instead of misreading the payloads. Bump on any incompatible change.
 */
export const PROTOCOL_VERSION = 2;
// 2: `namespaces:query` answers a page (NamespacesQuery); snapshots and histories carry the top
// namespaces and a folded rest.
