import { isDeepStrictEqual } from 'node:util';
import type { StackTemplates } from './template';
import type { Problem } from './problem';
import type { ResourceChange } from './resource-change';
import { importedExportNames, referencedIds } from './references';

interface ExportSite {
  readonly stack: string;
  readonly output: string;
  readonly value: unknown;
}

function exportsOf(stacks: StackTemplates): Map<string, ExportSite> {
  const found = new Map<string, ExportSite>();
  for (const [stack, template] of Object.entries(stacks)) {
    for (const [output, definition] of Object.entries(template.Outputs ?? {})) {
      const name = definition.Export?.Name;
      if (typeof name === 'string') found.set(name, { stack, output, value: definition.Value });
    }
  }
  return found;
}

function importersOf(stacks: StackTemplates): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [stack, template] of Object.entries(stacks)) {
    for (const name of importedExportNames(template)) found.set(name, [...(found.get(name) ?? []), stack]);
  }
  return found;
}

/**
 * CloudFormation refuses to delete or change an export while another stack
 * imports it, and the exporting stack deploys first, so going from `before`
 * to `after` deadlocks when an export that `before`'s stacks import is removed,
 * or its value changes (also when the resource it names is replaced).
 */
export function checkExports(before: StackTemplates, after: StackTemplates, changes: readonly ResourceChange[]): Problem[] {
  const problems: Problem[] = [];
  const oldExports = exportsOf(before);
  const newExports = exportsOf(after);
  for (const [name, importers] of importersOf(before)) {
    const old = oldExports.get(name);
    if (!old) continue;
    const current = newExports.get(name);
    const by = importers.join(', ');
    if (!current) {
      problems.push({ rule: 'export-removed', stack: old.stack, logicalId: old.output, message: `export ${name} is removed while ${by} still imports it (the deploy would fail: export in use)` });
      continue;
    }
    const replaced = [...referencedIds(current.value)].filter((id) =>
      changes.some((change) => change.stack === current.stack && change.logicalId === id && (change.impact === 'replace' || change.impact === 'may-replace')),
    );
    if (!isDeepStrictEqual(old.value, current.value) || replaced.length > 0) {
      const cause = replaced.length > 0 ? `${replaced.join(', ')} is replaced` : 'its value changes';
      problems.push({ rule: 'export-changed', stack: current.stack, logicalId: current.output, message: `export ${name} changes (${cause}) while ${by} imports it (the deploy would fail: export in use)` });
    }
  }
  return problems;
}
