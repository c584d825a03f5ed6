import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** A command a workflow runs that does not exist in the repository. */
export interface CommandFinding {
  readonly job: string;
  readonly step: string;
  readonly message: string;
}

interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
}

/** Paths from the repository root that a run script may name. */
const REPO_PATH = /(?:^|[\s'"=(])(\.?\/?(?:\.ci|\.github|tools|scripts|bin|docs|test)\/[\w./-]*[\w-])/g;

/**
 * What the workflows' `run:` scripts and local `uses:` name, checked against
 * the repository: every `npm run <script>` is a script in package.json,
 * every `npx <command>` a binary the lockfile installs (never fetched on the
 * fly), every repository path (`.ci/…`, `tools/…`, `./.github/actions/…`)
 * a file or directory that exists.
 */
export function checkWorkflowCommands(workflowYaml: string, root: string): CommandFinding[] {
  const workflow = parse(workflowYaml) as { jobs?: Record<string, { steps?: Step[] }> } | null;
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  const findings: CommandFinding[] = [];
  for (const [job, definition] of Object.entries(workflow?.jobs ?? {})) {
    for (const [index, step] of (definition?.steps ?? []).entries()) {
      const name = step.name ?? `step ${index + 1}`;
      const add = (message: string) => findings.push({ job, step: name, message });
      if (step.uses?.startsWith('./') && !existsSync(join(root, step.uses))) add(`uses ${step.uses}, which does not exist`);
      if (!step.run) continue;
      for (const match of step.run.matchAll(/\bnpm\s+(?:run|run-script)\s+(?:-s\s+|--silent\s+)?([\w:.-]+)/g)) {
        if (!(match[1] in scripts)) add(`runs "npm run ${match[1]}", but package.json has no script "${match[1]}"`);
      }
      for (const match of step.run.matchAll(/\bnpm\s+(test|start)\b/g)) {
        if (!(match[1] in scripts)) add(`runs "npm ${match[1]}", but package.json has no script "${match[1]}"`);
      }
      for (const match of step.run.matchAll(/\bnpx\s+(?:--no-install\s+)?([\w@/.-]+)/g)) {
        if (!existsSync(join(root, 'node_modules', '.bin', match[1]))) add(`runs "npx ${match[1]}", which no installed package provides (npx would download it)`);
      }
      for (const match of step.run.matchAll(REPO_PATH)) {
        const path = match[1].replace(/^\.\//, '');
        if (!existsSync(join(root, path))) add(`names ${path}, which does not exist`);
      }
    }
  }
  return findings;
}
