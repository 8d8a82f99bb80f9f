export * from './version.js';
export * from './limits.js';
export type * from './models.js';
export * from './events.js';
export * from './commands.js';
export * from './samples.js';
export * from './vocabulary.js';
export * from './paging.js';
export * from './top-n.js';
