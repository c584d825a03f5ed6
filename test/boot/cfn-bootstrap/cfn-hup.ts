import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cfnHupMinuteSeconds, describeStackResource } from './aws-stand-in';
import { LogFile, runProcess } from './process';

const STATE_DIR = '/var/lib/cfn-hup/data';
const STATE_FILE = join(STATE_DIR, 'metadata_db.json');

interface Hook {
  readonly name: string;
  readonly triggers: readonly string[];
  readonly path: string;
  readonly action: string;
  readonly runas?: string;
}

/** A minimal INI reader (Python's ConfigParser as cfn-hup uses it: sections, `key=value`, `#`/`;` comments). */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = sections[header[1]] ??= {};
      continue;
    }
    const eq = line.search(/[=:]/);
    if (!current || eq < 0) throw new Error(`cfn-hup: cannot parse configuration line: ${raw}`);
    current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return sections;
}

/** A canonical JSON text (sorted keys), so that comparing two metadata values ignores key order, as Python's == does. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

function loadHooks(configDir: string): { stack: string; interval: number; hooks: Hook[] } {
  const mainFile = join(configDir, 'cfn-hup.conf');
  if (!existsSync(mainFile)) throw new Error(`Could not find main configuration at ${mainFile}`);
  const main = parseIni(readFileSync(mainFile, 'utf8')).main ?? {};
  if (!main.stack) throw new Error('[main] section must contain stack option');
  const interval = main.interval === undefined ? 15 : Number(main.interval);
  if (!Number.isInteger(interval) || interval < 1) throw new Error(`Invalid interval (must be 1 minute or greater): ${main.interval}`);
  const hookFiles = [join(configDir, 'hooks.conf')];
  const hooksDir = join(configDir, 'hooks.d');
  if (existsSync(hooksDir)) for (const f of readdirSync(hooksDir)) if (statSync(join(hooksDir, f)).isFile()) hookFiles.push(join(hooksDir, f));
  const hooks: Hook[] = [];
  for (const file of hookFiles.filter(existsSync)) {
    for (const [name, section] of Object.entries(parseIni(readFileSync(file, 'utf8')))) {
      if (!section.triggers || !section.path || !section.action) continue;
      hooks.push({ name, triggers: section.triggers.split(',').map((t) => t.trim()), path: section.path, action: section.action, runas: section.runas });
    }
  }
  if (hooks.length === 0) throw new Error('No valid hooks found');
  return { stack: main.stack, interval, hooks };
}

/** `Resources.<LogicalId>.Metadata[.<key>]`: the value cfn-hup watches (undefined while the resource is being updated). */
function pathData(stack: string, path: string): { inFlight: boolean; data: unknown } {
  const parts = path.split('.');
  const [root, logicalId, part] = [parts[0], parts[1], parts[2]];
  if (root?.toLowerCase() !== 'resources' || !logicalId) throw new Error(`Unsupported path: ${path}`);
  if (part && part.toLowerCase() !== 'metadata') throw new Error(`Unsupported path (only Metadata is supported by the stand-in): ${path}`);
  const resource = describeStackResource(stack, logicalId);
  if (resource.status.endsWith('_IN_PROGRESS')) return { inFlight: true, data: undefined };
  let data: unknown = resource.metadata;
  const subpath = parts.slice(3).join('.');
  if (subpath) for (const key of subpath.split('.')) data = data && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
  return { inFlight: false, data };
}

/**
 * cfn-hup (in the foreground, as under systemd): every `interval` minutes it reads each hook's
 * path; the first reading is remembered, and a later one that differs runs the hook's action
 * (through `su <runas> -c`), remembering the new value only when the action succeeds.
 */
export async function cfnHup(args: readonly string[]): Promise<number> {
  const configDir = args.includes('-c') ? args[args.indexOf('-c') + 1] : '/etc/cfn';
  const log = new LogFile('/var/log/cfn-hup.log', false);
  let config: ReturnType<typeof loadHooks>;
  try {
    config = loadHooks(configDir);
  } catch (error) {
    log.error(`Error: ${(error as Error).message}`);
    process.stderr.write(`cfn-hup: ${(error as Error).message}\n`);
    return 1;
  }
  mkdirSync(STATE_DIR, { recursive: true });
  const state: Record<string, string> = existsSync(STATE_FILE) ? JSON.parse(readFileSync(STATE_FILE, 'utf8')) : {};
  const period = config.interval * cfnHupMinuteSeconds() * 1000;
  log.info(`cfn-hup processing is alive (every ${config.interval} minute(s); ${config.hooks.length} hook(s))`);
  for (;;) {
    for (const hook of config.hooks) {
      const key = `${hook.name}|${hook.path}`;
      try {
        const { inFlight, data } = pathData(config.stack, hook.path);
        if (inFlight) continue;
        const next = data === undefined || data === null ? undefined : canonical(data);
        const previous = state[key];
        const run =
          (hook.triggers.includes('post.add') && !previous && next) ||
          (hook.triggers.includes('post.remove') && previous && !next) ||
          (hook.triggers.includes('post.update') && previous && next && previous !== next);
        if (!run) {
          if (next) state[key] = next;
          else delete state[key];
          continue;
        }
        log.info(`Data has changed from previous state; action for ${hook.name} will be run`);
        const result = runProcess(hook.runas ? ['su', hook.runas, '-c', hook.action] : hook.action);
        if (result.returncode !== 0) {
          log.error(`Action for ${hook.name} exited with ${result.returncode}; will retry on next iteration`);
        } else {
          log.info(`Action for ${hook.name} succeeded`);
          if (next) state[key] = next;
          else delete state[key];
        }
        log.debug(`Action for ${hook.name} output: ${result.output}`);
      } catch (error) {
        log.error(`Exception caught while running hook ${hook.name}: ${(error as Error).message}`);
      }
    }
    writeFileSync(STATE_FILE, JSON.stringify(state));
    await new Promise((resolve) => setTimeout(resolve, period));
  }
}
