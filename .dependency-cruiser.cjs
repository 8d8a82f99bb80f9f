/**
 * The import rules `npm run check` enforces (dependency-cruiser): no import circle anywhere, and
 * the agent's folders import only folders below them on the data path, so that a folder can be
 * read knowing only what lies beneath it. The order, lowest first, is the one in
 * server/agent/README.md; `options.ts` sits at the top level for operators to find, but is a leaf
 * every folder may read.
 */
const AGENT = '^server/agent/';
/** Lowest first: each may import itself, those before it, options.ts and server/protocol. */
const LAYERS = [
	'base',
	'observe',
	'history',
	'metrics',
	'http',
	'auth',
	'cluster',
	'serve',
	'audit',
	'commands'
];

const upward = LAYERS.map((layer, i) => ({
	name: `agent-${layer}-imports-only-below`,
	comment: `server/agent/${layer}/ may import only ${LAYERS.slice(0, i).join(', ') || 'nothing else in the agent'} (and options.ts, server/protocol/)`,
	severity: 'error',
	from: { path: `${AGENT}${layer}/` },
	to: {
		path: AGENT,
		pathNot: [`${AGENT}(${LAYERS.slice(0, i + 1).join('|')})/`, `${AGENT}options\\.ts$`]
	}
}));

module.exports = {
	forbidden: [
		{
			name: 'no-circular',
			comment:
				'An import circle: two modules that can only be understood together. Move what both need below both.',
			severity: 'error',
			from: {},
			to: { circular: true }
		},
		...upward,
		{
			name: 'options-is-a-leaf',
			comment:
				'options.ts is read by every folder, so it may import only base/ and server/protocol/',
			severity: 'error',
			from: { path: `${AGENT}options\\.ts$` },
			to: { path: AGENT, pathNot: `${AGENT}base/` }
		},
		{
			name: 'protocol-imports-nothing',
			comment:
				'server/protocol/ is the contract shared by the agent and the dashboard: it imports nothing of either',
			severity: 'error',
			from: { path: '^server/protocol/' },
			to: { path: '^(server/(agent|demo)|src)/' }
		},
		{
			name: 'agent-knows-no-demo-or-dashboard',
			comment:
				'The agent is what operators install: it knows nothing of the demo, the CLI or the dashboard source',
			severity: 'error',
			from: { path: AGENT },
			to: { path: '^(server/demo/|server/cli\\.ts|src/)' }
		},
		{
			name: 'dashboard-shares-only-the-protocol',
			comment:
				'The dashboard talks to the agent over the wire: from server/ it may import only server/protocol/',
			severity: 'error',
			from: { path: '^src/' },
			to: { path: '^server/', pathNot: '^server/protocol/' }
		}
	],
	options: {
		tsPreCompilationDeps: true,
		tsConfig: { fileName: 'tsconfig.imports.json' },
		doNotFollow: { path: 'node_modules' },
		exclude: { path: '^(node_modules|dist|build|\\.svelte-kit)/' },
		enhancedResolveOptions: {
			extensions: ['.ts', '.js', '.svelte.ts', '.svelte', '.mts', '.mjs', '.json'],
			conditionNames: ['import', 'svelte', 'types', 'default']
		}
	}
};
