import type { CfnTemplate, StackTemplates } from '../review/template';
import { constructPath } from '../review/template';
import { referencedIds } from '../review/references';
import { COUNTED_TYPES, SHOWN_TYPES, isPlumbing } from './resource-kinds';

interface Node {
  readonly id: string;
  readonly label: string;
}

function nodeId(stack: string, logicalId: string): string {
  return `${stack}_${logicalId}`.replace(/[^A-Za-z0-9_]/g, '_');
}

/** "graminsta-Data/Database/Resource/Resource" → "Database". */
function shortName(path: string | undefined, logicalId: string): string {
  // Without path metadata, the logical ID minus CDK's 8-character hash suffix.
  if (!path) return logicalId.replace(/[0-9A-F]{8}$/, '');
  const parts = path.split('/').slice(1).filter((part) => part !== 'Resource' && part !== 'Default');
  return parts.join('/') || logicalId;
}

function shown(logicalId: string, type: string): boolean {
  return SHOWN_TYPES[type] !== undefined && !isPlumbing(logicalId);
}

/** Outputs read with `Fn::GetStackOutput` anywhere in a value, as [producer stack, output name]. */
function weakReads(value: unknown, into: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) value.forEach((v) => weakReads(v, into));
  else if (value !== null && typeof value === 'object') {
    for (const [key, nested] of Object.entries(value as Record<string, unknown>)) {
      const args = nested as { StackName?: unknown; OutputName?: unknown };
      if (key === 'Fn::GetStackOutput' && typeof args.StackName === 'string' && typeof args.OutputName === 'string') into.push([args.StackName, args.OutputName]);
      else weakReads(nested, into);
    }
  }
  return into;
}

/** Which shown resources each shown resource refers to, following cross-stack outputs to their producer. */
function edges(stacks: StackTemplates): [string, string][] {
  const found = new Set<string>();
  for (const [stack, template] of Object.entries(stacks)) {
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (!shown(logicalId, resource.Type)) continue;
      const from = nodeId(stack, logicalId);
      const targets: [string, string][] = [...referencedIds(resource.Properties ?? {})].map((id): [string, string] => [stack, id]);
      for (const [producer, output] of weakReads(resource.Properties ?? {})) {
        for (const id of referencedIds(stacks[producer]?.Outputs?.[output]?.Value)) targets.push([producer, id]);
      }
      for (const [targetStack, target] of targets) {
        const type = stacks[targetStack]?.Resources?.[target]?.Type;
        if (type && shown(target, type) && !(targetStack === stack && target === logicalId)) found.add(`${from}|${nodeId(targetStack, target)}`);
      }
    }
  }
  return [...found].sort().map((pair) => pair.split('|') as [string, string]);
}

function stackNodes(stack: string, template: CfnTemplate): Node[] {
  const nodes: Node[] = [];
  const counts = new Map<string, number>();
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (COUNTED_TYPES[resource.Type]) counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
    if (!shown(logicalId, resource.Type)) continue;
    nodes.push({ id: nodeId(stack, logicalId), label: `${shortName(constructPath(resource), logicalId)}<br/><i>${SHOWN_TYPES[resource.Type]}</i>` });
  }
  for (const [type, count] of [...counts].sort()) nodes.push({ id: nodeId(stack, `count_${type}`), label: `${count} × ${COUNTED_TYPES[type]}` });
  return nodes.sort((a, b) => a.id.localeCompare(b.id));
}

/** A Mermaid flowchart of one stage: a box per stack, its main resources, and what refers to what. */
export function stageDiagram(stacks: StackTemplates): string {
  const lines = ['flowchart LR'];
  for (const [stack, template] of Object.entries(stacks).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  subgraph ${nodeId(stack, '')}["${stack}"]`);
    for (const node of stackNodes(stack, template)) lines.push(`    ${node.id}["${node.label.replace(/"/g, "'")}"]`);
    lines.push('  end');
  }
  for (const [from, to] of edges(stacks)) lines.push(`  ${from} --> ${to}`);
  return lines.join('\n');
}
