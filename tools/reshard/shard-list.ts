import { LOGICAL_SHARDS } from '../../contracts/ids';
import { CliError } from '../../contracts/cli';

/**
 * Parses `--shards`: comma-separated shard numbers and inclusive ranges
 * (`5`, `1024-2047`, `1,2,10-20`). Returns them sorted, without duplicates.
 * Anything else (a shard past 4095, a reversed range, stray text) is a
 * CliError naming the bad item, so a typo can never move the wrong shards.
 */
export function parseShardList(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === '') throw new CliError('--shards is required (e.g. --shards 5, --shards 1024-2047, --shards 1,2,10-20)');
  const shards = new Set<number>();
  for (const item of raw.split(',').map((part) => part.trim())) {
    const match = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(item);
    if (!match) throw new CliError(`--shards: "${item}" is not a shard number or a range like 10-20`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    for (const value of [first, last]) {
      if (value >= LOGICAL_SHARDS) throw new CliError(`--shards: unknown logical shard ${value} (shards are 0-${LOGICAL_SHARDS - 1})`);
    }
    if (last < first) throw new CliError(`--shards: range "${item}" is reversed`);
    for (let shard = first; shard <= last; shard++) shards.add(shard);
  }
  return [...shards].sort((a, b) => a - b);
}

/** Sorted shard numbers as compact ranges: `[0, 1, 2, 7]` → `0-2,7`. */
export function formatShardList(shards: readonly number[]): string {
  const sorted = [...new Set(shards)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return parts.join(',');
}
