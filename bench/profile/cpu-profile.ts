/**
 * Where a process spent its CPU, from a V8 `.cpuprofile` (`node --cpu-prof`):
 * self time per function, grouped into what a reader can act on (a library, a
 * directory of ours, Node's internals, the garbage collector). The API runs as
 * a minified bundle, so every frame is located through the bundle's source
 * map (Node's own `SourceMap`) back to its original file and name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of V8's profile format read here (the DevTools protocol's `Profiler.Profile`). */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
    readonly children?: readonly number[];
  }>;
  readonly startTime: number;
  readonly endTime: number;
  /** The node ID on top of the stack at each sample. */
  readonly samples: readonly number[];
  /** Microseconds since the previous sample. */
  readonly timeDeltas: readonly number[];
}

export interface TimeShare {
  readonly name: string;
  /** CPU milliseconds spent in it (self time). */
  readonly ms: number;
  /** Of the profile's busy time (idle left out). */
  readonly share: number;
}

export interface FunctionTime extends TimeShare {
  /** `file:line` in the original sources (or the native/internal location). */
  readonly where: string;
  readonly category: string;
}

export interface ProfileSummary {
  /** Samples on the CPU (idle left out), in milliseconds. */
  readonly busyMs: number;
  readonly idleMs: number;
  readonly categories: readonly TimeShare[];
  readonly functions: readonly FunctionTime[];
}

interface Location {
  readonly category: string;
  readonly name: string;
  readonly where: string;
}

/** A library's name from a path inside node_modules (`@scope/name` or `name`). */
function packageOf(path: string): string | undefined {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1];
}

/** What a reader can act on: the library, or our directory (`api/src/cache`), or the part of Node. */
export function categoryOf(source: string): string {
  const library = packageOf(source);
  if (library) return library;
  // Ours: the directory under api/src (a file directly in it stands for itself), or the contracts file.
  const ours = /(?:^|\/)(api\/src|contracts)\/(.+)$/.exec(source);
  if (ours) return `${ours[1]}/${ours[2].split('/')[0].replace(/\.[cm]?[jt]s$/, '')}`;
  const internal = /^node:(?:internal\/)?([^/]+)/.exec(source);
  if (internal) return `node:${internal[1].replace(/\.js$/, '')}`;
  return source || 'native';
}

/**
 * Locates frames: a frame in a file with a source map (`<file>.map` beside
 * it, as esbuild writes it) is mapped to its original source and name.
 */
export function createLocator(): Locator {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (url: string): SourceMap | undefined => {
    if (!maps.has(url)) {
      let map: SourceMap | undefined;
      try {
        const file = url.startsWith('file://') ? fileURLToPath(url) : url;
        if (file.startsWith('/') && existsSync(`${file}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
      } catch {
        map = undefined;
      }
      maps.set(url, map);
    }
    return maps.get(url);
  };
  return ({ functionName, url, lineNumber, columnNumber }) => {
    if (!url) {
      const name = functionName || '(anonymous native)';
      // V8's pseudo-frames: the collector, code outside JS (the event loop, syscalls), unattributed ticks.
      const category = name === '(garbage collector)' ? 'V8: garbage collector' : name === '(program)' ? 'V8/libuv: outside JavaScript' : name.startsWith('(') ? name : 'native';
      return { category, name, where: 'native' };
    }
    const map = mapOf(url);
    const entry = map?.findEntry(lineNumber, columnNumber);
    if (entry && 'originalSource' in entry && entry.originalSource) {
      // Sources are relative to the bundle; shown relative to the working directory (the repository).
      const bundleDir = dirname(url.startsWith('file://') ? fileURLToPath(url) : url);
      const source = relative(process.cwd(), resolve(bundleDir, entry.originalSource));
      const name = ('name' in entry && typeof entry.name === 'string' && entry.name) || functionName || '(anonymous)';
      return { category: categoryOf(source), name, where: `${source}:${entry.originalLine + 1}` };
    }
    const file = url.replace(/^file:\/\//, '');
    return { category: categoryOf(file), name: functionName || '(anonymous)', where: `${file}:${lineNumber + 1}` };
  };
}

/**
 * Self time per category and per function, biggest first; `top` functions
 * kept. Each sample is charged the interval that follows it (the next
 * sample's delta), the way DevTools charges it. Several profiles (one per
 * thread of a process: `--cpu-prof` writes one for the main thread and one
 * for each worker thread, e.g. a logger's) add up.
 */
export function summarizeProfile(profiles: CpuProfile | readonly CpuProfile[], options: SummaryOptions = {}): ProfileSummary {
  const { top = 20, locate = createLocator(), window } = options;
  let idleUs = 0;
  const categories = new Map<string, number>();
  const functions = new Map<string, { location: Location; us: number }>();
  for (const profile of Array.isArray(profiles) ? profiles : [profiles]) {
    idleUs += addProfile(profile, categories, functions, locate, window);
  }
  const busyUs = [...categories.values()].reduce((sum, us) => sum + us, 0);
  const share = (us: number) => (busyUs > 0 ? us / busyUs : 0);
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    categories: [...categories].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map(({ location, us }) => ({ name: location.name, where: location.where, category: location.category, ms: us / 1000, share: share(us) })),
  };
}

export interface SummaryOptions {
  /** Functions kept, costliest first. @default 20 */
  readonly top?: number;
  readonly locate?: Locator;
  /**
   * Only samples taken in this span count, in microseconds of the monotonic
   * clock (`process.hrtime.bigint() / 1000n` in any process of this machine:
   * V8 stamps its samples on the same CLOCK_MONOTONIC), so a profile of a
   * whole process can leave out its start and warm-up.
   */
  readonly window?: { readonly fromUs: number; readonly toUs: number };
}

type Locator = (frame: CpuProfile['nodes'][number]['callFrame']) => Location;

/** Adds one profile's self time to the totals; returns its idle microseconds. */
function addProfile(
  profile: CpuProfile,
  categories: Map<string, number>,
  functions: Map<string, { location: Location; us: number }>,
  locate: Locator,
  window: SummaryOptions['window'],
): number {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const us = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + Math.max(0, us));
  }
  /** A native function's caller: the nearest frame with a source, whose category it is charged to. */
  const callerOf = (id: number): Location | undefined => {
    for (let parent = parents.get(id); parent !== undefined; parent = parents.get(parent)) {
      const frame = nodes.get(parent)?.callFrame;
      if (frame?.url) return locate(frame);
    }
    return undefined;
  };
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = nodes.get(id);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    let location = locate(node.callFrame);
    if (location.category === 'native') {
      // writev, writeUtf8String …: the C++ under a JS call; who called it is what a reader can act on.
      const caller = callerOf(id);
      if (caller) location = { ...location, category: `${caller.category} (native)`, where: `native, from ${caller.name} (${caller.where})` };
    }
    categories.set(location.category, (categories.get(location.category) ?? 0) + us);
    const key = `${location.name}@${location.where}`;
    const existing = functions.get(key);
    if (existing) existing.us += us;
    else functions.set(key, { location, us });
  }
  return idleUs;
}

/** Reads a `.cpuprofile` file. */
export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}
