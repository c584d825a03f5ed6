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

/** Outputs each stack reads from another with `Fn::GetStackOutput` (CDK's weak cross-stack references). */
function weakReadsOf(stacks: StackTemplates): Map<string, { producer: string; output: string; consumers: string[] }> {
  const found = new Map<string, { producer: string; output: string; consumers: string[] }>();
  const visit = (consumer: string, value: unknown): void => {
    if (Array.isArray(value)) value.forEach((item) => visit(consumer, item));
    else if (value !== null && typeof value === 'object') {
      for (const [key, nested] of Object.entries(value as Record<string, unknown>)) {
        const args = nested as { StackName?: unknown; OutputName?: unknown };
        if (key === 'Fn::GetStackOutput' && typeof args?.StackName === 'string' && typeof args.OutputName === 'string') {
          const id = `${args.StackName}/${args.OutputName}`;
          const entry = found.get(id) ?? { producer: args.StackName, output: args.OutputName, consumers: [] };
          if (!entry.consumers.includes(consumer)) entry.consumers.push(consumer);
          found.set(id, entry);
        } else visit(consumer, nested);
      }
    }
  };
  for (const [stack, template] of Object.entries(stacks)) visit(stack, template.Resources ?? {});
  return found;
}

/**
 * Weak references (`Fn::GetStackOutput`) never block a deploy, but the
 * producer deploys first: when it replaces or deletes the resource behind an
 * output that the consumer's deployed template reads, the consumer points at
 * a resource that is gone until it updates too (and deleting a resource still
 * in use, such as a security group, fails the producer's deploy). Reported as
 * warnings: whether the window matters depends on how the consumer uses it.
 */
export function checkWeakReferences(before: StackTemplates, changes: readonly ResourceChange[]): Problem[] {
  const warnings: Problem[] = [];
  for (const { producer, output, consumers } of weakReadsOf(before).values()) {
    const value = before[producer]?.Outputs?.[output]?.Value;
    const gone = [...referencedIds(value)].filter((id) =>
      changes.some((c) => c.stack === producer && c.logicalId === id && ['replace', 'may-replace', 'destroy'].includes(c.impact)),
    );
    if (gone.length === 0) continue;
    warnings.push({
      rule: 'stale-reference',
      stack: producer,
      logicalId: output,
      message: `${gone.join(', ')} behind output ${output} is replaced or deleted while ${consumers.join(', ')} (deployed after ${producer}) still reads it; until they update they refer to a resource that is gone`,
    });
  }
  return warnings;
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
