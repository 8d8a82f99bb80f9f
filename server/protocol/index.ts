export * from './version.js';
export * from './limits.js';
export type * from './models.js';
export * from './events.js';
export * from './commands.js';
export * from './samples.js';
export * from './windows.js';
