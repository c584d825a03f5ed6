import { chmodSync, existsSync, lchownSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { isDirectory, objectPath } from '../aws-stand-in';
import type { FileSpec } from '../init-model';
import { runProcess, type LogFile } from '../process';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Python's json.dump: `", "` and `": "` separators, no indentation, non-ASCII escaped. */
export function pythonJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  return `{${Object.entries(value).map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(', ')}}`;
}

function idOf(database: 'passwd' | 'group', name: string): number {
  const result = runProcess(['getent', database, name]);
  if (result.returncode !== 0) throw new Error(`${name} is not a valid ${database === 'passwd' ? 'user' : 'group'} name`);
  return Number(result.output.split(':')[2]);
}

function contentOf(path: string, spec: FileSpec): Buffer {
  if (spec.context !== undefined) throw new Error(`${path}: mustache "context" is not supported by the stand-in`);
  if (spec.content !== undefined && spec.content !== '') {
    if (typeof spec.content !== 'string') return Buffer.from(pythonJson(spec.content));
    return spec.encoding === 'base64' ? Buffer.from(spec.content.trim(), 'base64') : Buffer.from(spec.content);
  }
  if (!spec.source) throw new Error('File specified without source or content');
  const object = objectPath(spec.source);
  if (isDirectory(object)) throw new Error(`Failed to retrieve ${spec.source}: not a file`);
  return readFileSync(object);
}

/**
 * `files`: writes each file (sorted by path) with its mode, owner and group, keeping the previous
 * version as `<file>.bak` like cfn-init; a mode of 120xxx makes a symlink to `content`. Returns the
 * files whose content changed (what restarts a service).
 */
export function applyFiles(files: Record<string, FileSpec>, log: LogFile): string[] {
  const changed: string[] = [];
  for (const path of Object.keys(files).sort()) {
    const spec = files[path];
    if (!isAbsolute(path)) throw new Error(`File specified with non-absolute path: ${path}`);
    const mode = spec.mode === undefined ? undefined : parseInt(spec.mode, 8);
    const isLink = mode !== undefined && (mode & S_IFMT) === S_IFLNK;
    if (isLink) {
      if (typeof spec.content !== 'string') throw new Error('Symbolic link specified without a destination');
      if (existsSync(path) && realpathSync(path) === spec.content) {
        log.info(`Symbolic link ${path} already exists`);
        continue;
      }
    }
    const parent = dirname(path);
    if (!existsSync(parent)) mkdirSync(parent, { recursive: true });
    else if (!isDirectory(parent)) throw new Error(`Parent directory ${parent} exists and is a file`);

    const backup = `${path}.bak`;
    const previous = existsSync(path) || (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false);
    if (previous) {
      rmSync(backup, { force: true });
      renameSync(path, backup);
    }
    try {
      if (isLink) symlinkSync(spec.content as string, path);
      else writeFileSync(path, contentOf(path, spec));
      if (mode !== undefined && !isLink) chmodSync(path, mode & 0o7777);
      const uid = spec.owner ? idOf('passwd', spec.owner) : -1;
      const gid = spec.group ? idOf('group', spec.group) : -1;
      if (uid !== -1 || gid !== -1) lchownSync(path, uid, gid);
    } catch (error) {
      rmSync(path, { force: true });
      if (previous) renameSync(backup, path);
      throw error;
    }
    const same = previous && !isLink && !lstatSync(backup).isSymbolicLink() && readFileSync(backup).equals(readFileSync(path));
    if (!same) changed.push(path);
    log.debug(`Wrote ${path}${same ? ' (unchanged)' : ''}`);
  }
  return changed;
}

