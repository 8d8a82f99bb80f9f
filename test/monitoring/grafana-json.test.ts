/**
 * grafana/sockscope.json has the structure Grafana's dashboard schema asks of the schemaVersion it
 * declares (39, Grafana 10.3 and later; 10.0 to 10.2 load it as is), in the export format Grafana's
 * import reads: a Prometheus data source chosen at import (`__inputs`), every query pointing to it,
 * panels with unique ids laid out on the 24-column grid without overlaps, and template variables
 * that every query uses.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const BOARD = fileURLToPath(new URL('../../grafana/sockscope.json', import.meta.url));
const DOCS = fileURLToPath(new URL('../../docs/grafana.md', import.meta.url));
const SCHEMA_VERSION = 39;
const INPUT = '${DS_PROMETHEUS}';
const PANEL_TYPES = new Set(['row', 'timeseries', 'stat']);

type Json = Record<string, any>;
const board = JSON.parse(readFileSync(BOARD, 'utf8')) as Json;
const top: Json[] = board.panels;
/** Every panel, those inside rows included. */
const panels: Json[] = top.flatMap((p) => [p, ...(p.panels ?? [])]);
const charts = panels.filter((p) => p.type !== 'row');
const targets = charts.flatMap((p) => p.targets.map((t: Json) => ({ panel: p.title, ...t })));
const variables: Json[] = board.templating.list;

const isInt = (n: unknown, min = 0) => Number.isInteger(n) && (n as number) >= min;

describe('the dashboard', () => {
	test('declares its schema version, uid, title and the fields Grafana reads', () => {
		expect(board.schemaVersion).toBe(SCHEMA_VERSION);
		expect(board.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
		expect(typeof board.title).toBe('string');
		expect(board.title.trim()).not.toBe('');
		// An export carries no database id: import gives one.
		expect(board.id).toBeNull();
		expect(isInt(board.version, 1)).toBe(true);
		expect(board.editable).toBe(true);
		expect(board.time).toEqual({ from: expect.any(String), to: expect.any(String) });
		expect(typeof board.refresh).toBe('string');
		expect(board.tags.every((t: unknown) => typeof t === 'string')).toBe(true);
		expect([0, 1, 2]).toContain(board.graphTooltip);
		expect(Array.isArray(board.annotations.list)).toBe(true);
		expect(Array.isArray(board.templating.list)).toBe(true);
		expect(Array.isArray(board.panels)).toBe(true);
		expect(Array.isArray(board.links)).toBe(true);
	});

	test('asks for a Prometheus data source at import, and requires what it uses', () => {
		expect(board.__inputs).toEqual([
			expect.objectContaining({
				name: 'DS_PROMETHEUS',
				type: 'datasource',
				pluginId: 'prometheus',
				label: expect.any(String)
			})
		]);
		const required = board.__requires.map((r: Json) => `${r.type}:${r.id}`);
		expect(required).toContain('grafana:grafana');
		expect(required).toContain('datasource:prometheus');
		const grafana = board.__requires.find((r: Json) => r.id === 'grafana');
		expect(Number(grafana.version.split('.')[0])).toBeGreaterThanOrEqual(10);
		for (const type of new Set(charts.map((p) => p.type))) {
			expect(required).toContain(`panel:${type}`);
		}
	});

	test('points every data source reference at the input, and holds no fixed data source uid', () => {
		const refs: Json[] = [];
		const walk = (node: unknown) => {
			if (Array.isArray(node)) node.forEach(walk);
			else if (node && typeof node === 'object') {
				for (const [key, value] of Object.entries(node)) {
					if (key === 'datasource') refs.push(value as Json);
					else walk(value);
				}
			}
		};
		walk({ panels: board.panels, templating: board.templating });
		expect(refs.length).toBeGreaterThan(charts.length);
		expect(refs.filter((r) => r?.type !== 'prometheus' || r?.uid !== INPUT)).toEqual([]);
		// The one other reference: Grafana's own annotations.
		expect(board.annotations.list.map((a: Json) => a.datasource.uid)).toEqual(['-- Grafana --']);
	});
});

describe('the panels', () => {
	test('have unique positive integer ids, a known type and a title', () => {
		const ids = panels.map((p) => p.id);
		expect(ids.every((id) => isInt(id, 1))).toBe(true);
		expect(new Set(ids).size).toBe(ids.length);
		expect(panels.filter((p) => !PANEL_TYPES.has(p.type))).toEqual([]);
		expect(panels.filter((p) => typeof p.title !== 'string' || !p.title.trim())).toEqual([]);
		expect(charts.length).toBeGreaterThanOrEqual(20);
	});

	test('sit on the 24-column grid, rows full width, without overlapping', () => {
		for (const { title, gridPos: g, type } of panels) {
			const where = `${title}: ${JSON.stringify(g)}`;
			expect(isInt(g.x) && isInt(g.y) && isInt(g.w, 1) && isInt(g.h, 1), where).toBe(true);
			expect(g.x + g.w, where).toBeLessThanOrEqual(24);
			if (type === 'row') expect(g, where).toEqual({ x: 0, y: g.y, w: 24, h: 1 });
		}
		const overlaps: string[] = [];
		panels.forEach((a, i) =>
			panels.slice(i + 1).forEach((b) => {
				const [p, q] = [a.gridPos, b.gridPos];
				const apart = p.x + p.w <= q.x || q.x + q.w <= p.x || p.y + p.h <= q.y || q.y + q.h <= p.y;
				if (!apart) overlaps.push(`${a.title} / ${b.title}`);
			})
		);
		expect(overlaps).toEqual([]);
	});

	test('rows are open, or hold their panels when collapsed', () => {
		for (const row of top.filter((p) => p.type === 'row')) {
			expect(typeof row.collapsed).toBe('boolean');
			expect(Array.isArray(row.panels)).toBe(true);
			if (!row.collapsed) expect(row.panels).toEqual([]);
		}
	});

	test('each chart queries the input with targets that have a unique refId and an expression', () => {
		for (const chart of charts) {
			expect(chart.datasource, chart.title).toEqual({ type: 'prometheus', uid: INPUT });
			expect(chart.targets.length, chart.title).toBeGreaterThan(0);
			const refIds = chart.targets.map((t: Json) => t.refId);
			expect(new Set(refIds).size, chart.title).toBe(refIds.length);
			expect(chart.fieldConfig).toEqual({ defaults: expect.any(Object), overrides: [] });
			expect(typeof chart.options).toBe('object');
			expect(typeof chart.description, chart.title).toBe('string');
		}
		for (const target of targets) {
			expect(target.refId, target.panel).toMatch(/^[A-Z]$/);
			expect(typeof target.expr, target.panel).toBe('string');
			expect(target.expr.trim(), target.panel).not.toBe('');
		}
	});
});

describe('the template variables', () => {
	const names = variables.map((v) => v.name);

	test('are job, node and namespace queries on the input, each with an All value', () => {
		expect(names).toEqual(['job', 'instance', 'namespace']);
		for (const v of variables) {
			expect(v.type).toBe('query');
			expect(v.datasource).toEqual({ type: 'prometheus', uid: INPUT });
			expect(v.definition).toMatch(/^label_values\(.+, \w+\)$/);
			expect(v.query.query).toBe(v.definition);
			expect(v.includeAll).toBe(true);
			expect(v.multi).toBe(true);
			// Listed again when the dashboard loads (1) or the time range changes (2).
			expect([1, 2]).toContain(v.refresh);
		}
	});

	test('"All" is a regular expression: every job that exports socketio_sockets, any node or namespace', () => {
		const allValues = Object.fromEntries(variables.map((v) => [v.name, v.allValue]));
		// Without an allValue, Grafana joins the listed jobs into a regular expression, so that `up`
		// and the process metrics of the Prometheus' other jobs stay out.
		expect(allValues).toEqual({ job: undefined, instance: '.*', namespace: '.*' });
	});

	test('refer only to variables defined before them', () => {
		variables.forEach((v, i) => {
			const used = [...String(v.definition).matchAll(/\$(\w+)/g)].map((m) => m[1]);
			expect(used.filter((name) => !names.slice(0, i).includes(name))).toEqual([]);
		});
	});

	test('every query uses only defined variables, and selects by job and node', () => {
		for (const { panel, expr } of targets) {
			const used = [...expr.matchAll(/\$\{?(\w+)/g)].map((m: RegExpMatchArray) => m[1]);
			expect(
				used.filter((name) => name !== '__rate_interval' && !names.includes(name)),
				panel
			).toEqual([]);
			for (const selector of expr.matchAll(/\{([^}]*)\}/g)) {
				expect(selector[1], `${panel}: ${expr}`).toContain('job=~"$job"');
				expect(selector[1], `${panel}: ${expr}`).toContain('instance=~"$instance"');
			}
		}
	});

	test('namespace-labelled metrics are filtered by the namespace variable', () => {
		const unlabelled = /socketio_(heartbeat|connection_errors)|process_|nodejs_|\bup\{/;
		const missing = targets
			.filter((t) => /socketio_/.test(t.expr) && !unlabelled.test(t.expr))
			.filter((t) => !t.expr.includes('namespace=~"$namespace"'))
			.map((t) => t.panel);
		expect(missing).toEqual([]);
	});
});

test('docs/grafana.md describes every panel, in the order of the board', () => {
	const rows = [...readFileSync(DOCS, 'utf8').matchAll(/^\| ([^|`]+?) \|[^|]+\|[^|]+\|$/gm)]
		.map((m) => m[1])
		.filter((cell) => !['panel', 'variable', 'alert'].includes(cell) && !cell.startsWith('---'));
	expect(rows).toEqual(charts.map((p) => p.title));
});
