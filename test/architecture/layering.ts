import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

/**
 * The package layering (docs/architecture.md), as data: what each top-level
 * folder may import. Every import is read with TypeScript's own parser
 * (`preProcessFile`: static imports and exports, `import type`, `require()`,
 * dynamic `import()`), never with a regular expression.
 */
export const PACKAGES = ['contracts', 'stages', 'api', 'web', 'lambda', 'build', 'lib', 'tools', 'scripts', 'bin', 'bench', 'test'] as const;
export type Package = (typeof PACKAGES)[number];

interface Rule {
  /** Other packages it may import (its own always). */
  readonly packages: readonly Package[];
  /** npm packages. */
  readonly npm: boolean;
  /** Node's built-in modules. */
  readonly node: boolean;
  /** Why, for the failure message. */
  readonly why: string;
}

const HARNESSES: readonly Package[] = ['scripts', 'bin', 'bench', 'test'];
const RUNTIME: Rule = { packages: ['contracts'], npm: true, node: true, why: 'runtime code imports contracts/ only (plus npm packages)' };

export const RULES: Readonly<Record<Package, Rule>> = {
  contracts: { packages: [], npm: false, node: true, why: 'contracts/ imports nothing outside contracts/ and no npm package' },
  stages: { packages: ['contracts'], npm: false, node: false, why: 'stage specs are data: they import contracts/ only' },
  api: RUNTIME,
  web: RUNTIME,
  lambda: RUNTIME,
  build: { packages: ['contracts'], npm: true, node: true, why: "build/ imports contracts/ only: it names the packages' entry files, it does not import their code" },
  lib: { packages: ['contracts', 'stages', 'build'], npm: true, node: true, why: 'the CDK app imports contracts/, stages/ and build/' },
  tools: { packages: ['contracts', 'stages', 'build', 'lib'], npm: true, node: true, why: 'tools import contracts/, stages/, build/, and lib/ only through lib/index.ts' },
  // Harnesses may import anything; only test/ and bench/ may import a harness.
  scripts: { packages: PACKAGES.filter((p) => !HARNESSES.includes(p)), npm: true, node: true, why: 'only test/ and bench/ import a harness' },
  bin: { packages: PACKAGES.filter((p) => !HARNESSES.includes(p)), npm: true, node: true, why: 'only test/ and bench/ import a harness' },
  bench: { packages: [...PACKAGES], npm: true, node: true, why: '' },
  test: { packages: [...PACKAGES], npm: true, node: true, why: '' },
};

/**
 * Forbidden edges still in the tree, each named with why it is there and what
 * removes it; none is left. Nothing may be added here: the test fails on any
 * forbidden edge not listed, and fails too when a listed one is gone.
 */
export const KNOWN_EXCEPTIONS: readonly { readonly file: string; readonly target: string; readonly why: string }[] = [];

/** lib/'s one public entry for tools/. */
const LIB_ENTRY = ['lib', 'lib/index'];

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'cdk.out', '.data', 'results', '__snapshots__']);

/** Every source file of the packages, as paths relative to `root`. */
export function sourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(join(dir, entry.name));
      } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push(relative(root, join(dir, entry.name)).split(sep).join('/'));
      }
    }
  };
  for (const pkg of PACKAGES) {
    try {
      walk(join(root, pkg));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return files.sort();
}

/** The module specifiers a file imports, by TypeScript's parser. */
export function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return [...info.importedFiles, ...info.referencedFiles].map((ref) => ref.fileName);
}

export interface Violation {
  readonly file: string;
  readonly specifier: string;
  /** The file or package imported, as a repository path or `npm:<name>`. */
  readonly target: string;
  readonly edge: string;
  readonly why: string;
}

const packageOf = (path: string): Package | undefined => PACKAGES.find((p) => path === p || path.startsWith(`${p}/`));

/** The forbidden edges of one file, given its repository path and text. */
export function checkFile(file: string, text: string): Violation[] {
  const from = packageOf(file);
  if (!from) return [];
  const rule = RULES[from];
  const violations: Violation[] = [];
  for (const specifier of importsOf(text)) {
    const target = specifier.startsWith('.') ? relative('/', resolve('/', dirname(file), specifier)).split(sep).join('/') : specifier;
    const fail = (edge: string, why = rule.why) => violations.push({ file, specifier, target, edge, why });
    if (specifier.startsWith('.')) {
      const to = packageOf(target);
      if (!to) {
        fail(`${from} -> ${target}`, 'imports a file outside the packages');
      } else if (to !== from && !rule.packages.includes(to)) {
        fail(`${from} -> ${to} (${target})`);
      } else if (from === 'tools' && to === 'lib' && !LIB_ENTRY.includes(target.replace(/\.(ts|js)$/, ''))) {
        fail(`tools -> ${target}`, 'tools import lib/ only through lib/index.ts');
      }
    } else if (isBuiltin(specifier)) {
      if (!rule.node) fail(`${from} -> ${specifier}`);
    } else if (!rule.npm) {
      fail(`${from} -> npm:${specifier}`);
    }
  }
  return violations;
}

/** Every forbidden edge under `root`. */
export function checkTree(root: string): Violation[] {
  return sourceFiles(root).flatMap((file) => checkFile(file, readFileSync(join(root, file), 'utf8')));
}

export function describe(violation: Violation): string {
  return `${violation.file}: imports '${violation.specifier}' (${violation.edge}): ${violation.why}`;
}
