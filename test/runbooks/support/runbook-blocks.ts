import { readFileSync } from 'node:fs';

/** Where a runbook block runs: the operator's machine, or an SSM session on the API instance. */
export type Where = 'local' | 'instance';

export interface RunbookBlock {
  /** The headings above it, outermost first (`['Rollback', 'After step 4']`). */
  readonly headings: readonly string[];
  readonly where: Where;
  /** The block's text, its indentation (a list item's) removed. */
  readonly text: string;
  /** 1-based line of the opening fence, for messages. */
  readonly line: number;
}

const FENCE = /^(\s*)```sh (local|instance)\s*$/;

/**
 * The executable blocks of a runbook, in order: fenced blocks whose info
 * string is `sh local` or `sh instance` (GitHub renders them as shell; the
 * second word says where they run). Other code blocks are examples or
 * conditional paths and are not returned.
 */
export function runbookBlocks(file: string): RunbookBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: RunbookBlock[] = [];
  const headings: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const heading = /^(#{2,6}) (.+)$/.exec(lines[i]);
    if (heading) {
      headings.length = heading[1].length - 2;
      headings.push(heading[2].trim());
      continue;
    }
    const fence = FENCE.exec(lines[i]);
    if (!fence) continue;
    const indent = fence[1].length;
    const body: string[] = [];
    const start = i;
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i].slice(Math.min(indent, lines[i].length - lines[i].trimStart().length)));
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: the block is never closed`);
    blocks.push({ headings: [...headings], where: fence[2] as Where, text: body.join('\n'), line: start + 1 });
  }
  return blocks;
}

/** The blocks under a heading path (`['Rollback', 'After step 4']` matches that subsection and below). */
export function blocksUnder(blocks: readonly RunbookBlock[], ...path: string[]): RunbookBlock[] {
  const found = blocks.filter((block) => path.every((heading, i) => block.headings[i] === heading));
  if (found.length === 0) throw new Error(`the runbook has no runnable block under "${path.join(' > ')}"`);
  return found;
}

/** A local block's commands: one per line, backslash continuations joined, comments and blank lines dropped. */
export function commandsOf(text: string): string[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
