/**
 * This file's own path on disk, from which package-files.ts finds the package's other files (the
 * dashboard build, package.json, bcryptjs). It is CommonJS wherever the agent runs (the sources
 * under a test runner or tsx, the package's build in dist/cjs), so `__filename` names it in each;
 * the `import.meta.url` an ES module would use does not compile in the CommonJS build. Inside an ES
 * module bundle there is no `__filename`, and the answer is undefined: the caller looks elsewhere.
 * Plain JavaScript, copied by tsc (`allowJs`), so that every tool reads it as it is.
 */
/** @type {string | undefined} */
exports.here = typeof __filename === 'string' ? __filename : undefined;
