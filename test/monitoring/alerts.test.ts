/**
 * The alert rules that ship in prometheus/sockscope-alerts.yml: `promtool check rules` accepts them,
 * and `promtool test rules` runs alerts.promtool.yml, where every rule fires in one case (series in,
 * the alert with its labels and annotations out) and stays silent in another.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { describeWithPrometheus } from '../support/prometheus.js';

const RULES = fileURLToPath(new URL('../../prometheus/sockscope-alerts.yml', import.meta.url));
const CASES = fileURLToPath(new URL('./alerts.promtool.yml', import.meta.url));
const DOCS = fileURLToPath(new URL('../../docs/grafana.md', import.meta.url));

/** The alert names the rules file defines. */
function alertNames(): string[] {
	return [...readFileSync(RULES, 'utf8').matchAll(/^\s*- alert: (\S+)\s*$/gm)].map((m) => m[1]);
}

/** Each `eval_time` case of the unit-test file: its alert, and whether it expects alerts. */
function evaluations(): { alert: string; fires: boolean }[] {
	return readFileSync(CASES, 'utf8')
		.split(/^\s*- eval_time:/m)
		.slice(1)
		.map((block) => ({
			alert: /alertname: (\S+)/.exec(block)![1],
			fires: /- exp_labels:/.test(block) && !/exp_alerts: \[\]/.test(block)
		}));
}

describeWithPrometheus('the alert rules', () => {
	test('promtool check rules accepts them', () => {
		const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
		expect(check.stderr).toBe('');
		expect(check.stdout).toContain(`SUCCESS: ${alertNames().length} rules found`);
		expect(check.status).toBe(0);
	});

	test('every rule has a case where it fires and one where it stays silent', () => {
		const names = alertNames();
		expect(names.length).toBeGreaterThanOrEqual(7);
		const cases = evaluations();
		expect(cases.filter((c) => !names.includes(c.alert))).toEqual([]);
		const missing = names.flatMap((name) => [
			...(cases.some((c) => c.alert === name && c.fires) ? [] : [`${name} never fires`]),
			...(cases.some((c) => c.alert === name && !c.fires) ? [] : [`${name} is never silent`])
		]);
		expect(missing).toEqual([]);
	});

	test('promtool test rules passes every case', () => {
		const run = spawnSync('promtool', ['test', 'rules', CASES], { encoding: 'utf8' });
		expect(run.stdout + run.stderr).toContain('SUCCESS');
		expect(run.stdout + run.stderr).not.toContain('FAILED');
		expect(run.status).toBe(0);
	});
});

test('docs/grafana.md lists every alert with its defaults', () => {
	const documented = [...readFileSync(DOCS, 'utf8').matchAll(/^\| `(\w+)` \|[^|]+\|([^|]+)\|/gm)];
	expect(documented.map((m) => m[1])).toEqual(alertNames());
	// Each rule's description names its defaults; the docs' defaults column holds its `for:`.
	const rules = readFileSync(RULES, 'utf8');
	for (const [, name, defaults] of documented) {
		const rule = rules.slice(rules.indexOf(`- alert: ${name}`)).split('- alert:')[1];
		const forClause = /\n\s+for: (\w+)/.exec(rule)![1];
		expect(defaults, name).toContain(`for ${forClause}`);
	}
});
