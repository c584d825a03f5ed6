import { runProcess, type LogFile } from '../process';

function lookup(database: 'group' | 'passwd', name: string): string[] | undefined {
  const result = runProcess(['getent', database, name]);
  return result.returncode === 0 ? result.output.trim().split(':') : undefined;
}

function gid(group: string): string {
  const entry = lookup('group', group);
  if (!entry) throw new Error(`${group} is not a valid group name`);
  return entry[2];
}

/** `groups`: `groupadd -r [-g gid] name` for each group that does not exist yet (sorted by name). */
export function applyGroups(groups: Record<string, { readonly gid?: string | number }>, log: LogFile): string[] {
  const created: string[] = [];
  for (const name of Object.keys(groups).sort()) {
    const wanted = groups[name].gid === undefined ? undefined : String(groups[name].gid);
    const existing = lookup('group', name);
    if (existing) {
      if (wanted && existing[2] !== wanted) throw new Error(`Group ${name} exists with gid ${existing[2]}, but gid ${wanted} was requested`);
      log.debug(`Group ${name} already exists`);
      continue;
    }
    const result = runProcess(['/usr/sbin/groupadd', '-r', ...(wanted ? ['-g', wanted] : []), name]);
    if (result.returncode !== 0) {
      log.error(`Failed to create group ${name}`);
      log.debug(`Groupadd output: ${result.output}`);
      throw new Error(`Failed to create group ${name}`);
    }
    log.info(`Created group ${name} successfully`);
    created.push(name);
  }
  return created;
}

/**
 * `users`: a new user is `useradd -M -r --shell /sbin/nologin [-d home] [-u uid] [-G gids] name`
 * (no `-g`: with USERGROUPS_ENAB, as on AL2023, useradd then creates a group of the user's name and
 * refuses when one exists); an existing one gets `usermod -G/-d` where they differ.
 */
export function applyUsers(users: Record<string, { readonly groups?: readonly string[]; readonly uid?: string | number; readonly homeDir?: string }>, log: LogFile): string[] {
  const changed: string[] = [];
  for (const name of Object.keys(users).sort()) {
    const spec = users[name];
    const uid = spec.uid === undefined ? undefined : String(spec.uid);
    const gids = (spec.groups ?? []).map(gid);
    const existing = lookup('passwd', name);
    let command: string[];
    if (existing) {
      if (uid && existing[2] !== uid) throw new Error(`User ${name} exists with uid ${existing[2]}, but uid ${uid} was requested`);
      command = ['/usr/sbin/usermod'];
      if (gids.length > 0) {
        const current = runProcess(['id', '-G', name]).output.trim().split(/\s+/).filter((g) => g !== existing[3]);
        const same = current.length === gids.length && gids.every((g) => current.includes(g));
        if (!same) command.push('-G', gids.join(','));
      }
      if (spec.homeDir && spec.homeDir !== existing[5]) command.push('-d', spec.homeDir);
      if (command.length === 1) {
        log.debug(`User ${name} does not need modification`);
        continue;
      }
    } else {
      command = ['/usr/sbin/useradd', '-M', '-r', '--shell', '/sbin/nologin'];
      if (spec.homeDir) command.push('-d', spec.homeDir);
      if (uid) command.push('-u', uid);
      if (gids.length > 0) command.push('-G', gids.join(','));
    }
    command.push(name);
    const result = runProcess(command);
    if (result.returncode !== 0) {
      log.error(`Failed to ${existing ? 'modify' : 'add'} user ${name}`);
      log.debug(`${existing ? 'Usermod' : 'Useradd'} output: ${result.output}`);
      throw new Error(`Failed to ${existing ? 'modify' : 'add'} user ${name}: ${command.join(' ')} exited with ${result.returncode}: ${result.output.trim()}`);
    }
    log.info(`${existing ? 'Modified' : 'Added'} user ${name} successfully`);
    changed.push(name);
  }
  return changed;
}
