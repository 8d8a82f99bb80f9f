/** Bounds shared by the agent (which enforces them) and the dashboard (which stays inside them). */

/** Largest page a query may ask for. */
export const MAX_PAGE_SIZE = 500;
/** Page size when a query gives none. */
export const DEFAULT_PAGE_SIZE = 100;
/** Event names and rooms listed per namespace in a sample. */
export const SAMPLE_TOP_EVENTS = 5;
export const SAMPLE_TOP_ROOMS = 5;
/**
 * Rooms the Overview lists, the largest over every namespace in view: a sample sent to a
 * dashboard keeps only the namespaces' top rooms among these.
 */
export const OVERVIEW_TOP_ROOMS = 8;
/** Acknowledged event names (per direction) listed per namespace in a sample. */
export const SAMPLE_TOP_ACKS = 10;
/** Latest refused or failed connections listed in a sample. */
export const SAMPLE_CONNECTION_ERRORS = 5;
/** Distinct connection error codes counted; the rest are counted as `OTHER_EVENTS`. */
export const MAX_CONNECTION_ERROR_CODES = 32;
/**
 * Namespaces listed one by one (the most sockets first) wherever every namespace would otherwise
 * go unasked: a sample, the snapshot's namespace totals, a history's series. The rest are folded
 * into one row named `OTHER_NAMESPACES` that says how many it holds, so that an app with one
 * namespace per tenant (thousands) costs a dashboard what an app with ten does. The whole list is
 * the `namespaces:query` pages.
 */
export const TOP_NAMESPACES = 10;
/**
 * How far back each node keeps its history: every sample for `FINE_MS`, then one row per
 * `COARSE_FACTOR` samples for `COARSE_MS` (at the default sample interval of 1 s: 15 min at 1 s,
 * 6 h at 10 s). An absolute range (`history:query` with `from` and `to`) spans at most `COARSE_MS`.
 */
export const HISTORY_KEPT = { FINE_MS: 900_000, COARSE_MS: 21_600_000, COARSE_FACTOR: 10 } as const;
/** Names (rooms, events) are cut to this length in samples and logs. */
export const MAX_NAME_IN_SAMPLE = 64;
/** An event's arguments, as JSON text in the live log, are cut to this length. */
export const MAX_LOG_ARGS_TEXT = 256;
/** Longest room name a command may carry. */
export const MAX_ROOM_NAME = 256;
/** Largest serialized argument list of a test emit, in bytes. */
export const MAX_EMIT_ARGS_BYTES = 64 * 1024;
/** Longest free-text filter. */
export const MAX_FILTER_TEXT = 256;
/** The event name that stands for every name beyond a namespace's cap. */
export const OTHER_EVENTS = '_other';
/** Rooms kept with a disconnect; the rest are counted, not named. */
export const DISCONNECT_ROOMS = 8;
/** Sessions listed in a client's disconnect patterns (all of them count toward the figures). */
export const DISCONNECT_PATTERN_SESSIONS = 200;
/** How far back a client's disconnect patterns look, in milliseconds. */
export const DISCONNECT_PATTERN_WINDOW_MS = 3_600_000;
/**
 * Labels kept with an audit entry: those of the sockets it aimed at, the first of them for a
 * room's worth. Enough to find a kicked user in the trail; the entry's `affected` says how many.
 */
export const AUDIT_LABELS = 10;
