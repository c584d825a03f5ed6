/**
 * Where a client's last writes sit in each home primary's write-ahead log,
 * carried in a cookie so that a read in another region can tell whether that
 * region's replicas have replayed them (docs/region-routing.md): set by home
 * on every write response, `<epoch>|<primary>=<LSN>|…`, e.g.
 * `4|primary-0=0/16B3748|primary-1=1/2F00A0`. Only meaningful in the epoch
 * it was written in: a failover starts a new one.
 */
export const WAL_COOKIE = 'graminsta_wal';

/**
 * How long the cookie lives: a region whose replicas lag further behind than
 * this may show the writer an older state once it has expired. Lag is seconds
 * at worst in normal operation; this leaves a wide margin.
 */
export const WAL_COOKIE_SECONDS = 300;

export interface WalPositions {
  /** The region configuration's epoch when home wrote them. */
  readonly epoch: number;
  /** Per primary (shard-map name): the WAL position just after the client's last write there. */
  readonly positions: ReadonlyMap<string, bigint>;
}

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;
const PRIMARY = /^[a-z0-9-]{1,40}$/;
/** More entries than any shard map has primaries (8) is not a cookie home wrote. */
const MAX_ENTRIES = 16;

/** `16/B374D848` as a number (PostgreSQL's pg_lsn: high and low 32 bits in hex). */
export function parseLsn(text: string): bigint | undefined {
  const match = LSN.exec(text);
  return match ? (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`) : undefined;
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** The positions in a request's Cookie header, or undefined (absent or not what home writes: ignored, never an error). */
export function readWalCookie(cookieHeader: string | undefined): WalPositions | undefined {
  if (!cookieHeader) return undefined;
  const pair = cookieHeader
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${WAL_COOKIE}=`));
  if (!pair) return undefined;
  const [epochText, ...entries] = pair.slice(WAL_COOKIE.length + 1).split('|');
  if (!/^\d{1,9}$/.test(epochText) || entries.length === 0 || entries.length > MAX_ENTRIES) return undefined;
  const positions = new Map<string, bigint>();
  for (const entry of entries) {
    const [name, text, extra] = entry.split('=');
    const lsn = text === undefined || extra !== undefined ? undefined : parseLsn(text);
    if (!PRIMARY.test(name) || lsn === undefined) return undefined;
    positions.set(name, lsn);
  }
  return { epoch: Number(epochText), positions };
}

/** The cookie's value. */
export function formatWalCookie(wal: WalPositions): string {
  return [String(wal.epoch), ...[...wal.positions].map(([name, lsn]) => `${name}=${formatLsn(lsn)}`)].join('|');
}

/** The new positions, plus the earlier ones of the same epoch for primaries this write did not touch. */
export function mergeWalPositions(earlier: WalPositions | undefined, now: WalPositions): WalPositions {
  if (!earlier || earlier.epoch !== now.epoch) return now;
  const positions = new Map(earlier.positions);
  for (const [name, lsn] of now.positions) if ((positions.get(name) ?? -1n) < lsn) positions.set(name, lsn);
  return { epoch: now.epoch, positions };
}
