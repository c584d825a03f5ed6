import { chmodSync, cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDirectory, objectPath } from '../aws-stand-in';
import type { LogFile } from '../process';

/** Python's zipfile writes files 0644 and directories 0755 (umask 022) and keeps no modes: so does the copy. */
function normaliseModes(path: string): void {
  for (const entry of readdirSync(path)) {
    const child = join(path, entry);
    if (statSync(child).isDirectory()) {
      chmodSync(child, 0o755);
      normaliseModes(child);
    } else {
      chmodSync(child, 0o644);
    }
  }
}

/**
 * `sources`: downloads each archive and unpacks it over its directory (sorted by path), never
 * removing files already there; every directory counts as changed. The stand-in holds S3 assets
 * already unpacked (see aws-stand-in.ts), so unpacking is a copy.
 */
export function applySources(sources: Record<string, string>, log: LogFile): string[] {
  const changed: string[] = [];
  for (const dir of Object.keys(sources).sort()) {
    const url = sources[dir];
    log.debug(`Retrieving ${url} into ${dir}`);
    const object = objectPath(url);
    if (!isDirectory(object)) throw new Error(`Unsupported source file (not zip or tarball): ${url} (the stand-in serves sources as unpacked directories)`);
    mkdirSync(dir, { recursive: true });
    cpSync(object, dir, { recursive: true, force: true });
    normaliseModes(dir);
    log.info(`Expanded ${url} into ${dir}`);
    changed.push(dir);
  }
  return changed;
}
