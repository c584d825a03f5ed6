import { newerRegionConfig, type RegionConfig, type RegionEntry, regionEntry } from '../../../contracts/region-config';

/** Where the state reports what it sees (a pino logger fits). */
export interface RegionLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface RegionStateOptions {
  /** This API's region, one of the configuration's. */
  readonly name: string;
  /** The configuration read at start. */
  readonly initial: RegionConfig;
  /** Reads it again (the SSM parameter); absent: the configuration never changes (a REGION_CONFIG literal). */
  readonly reread?: () => Promise<RegionConfig>;
  /** How often `reread` is called. */
  readonly refreshMs: number;
  readonly log: RegionLog;
}

/**
 * Which region is home, as this API last read it: the configuration read at
 * start, then re-read every `refreshMs`, keeping the higher epoch (a stale
 * copy in a region a failover could not reach never moves home back). A
 * failed or unusable read keeps the configuration in hand and is logged: a
 * refresh never ends the process. A move of home is logged and takes effect
 * for the next request, with no restart.
 */
export class RegionState {
  private current: RegionConfig;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private lastProblem = '';

  constructor(private readonly options: RegionStateOptions) {
    this.current = options.initial;
  }

  get name(): string {
    return this.options.name;
  }

  get config(): RegionConfig {
    return this.current;
  }

  get epoch(): number {
    return this.current.epoch;
  }

  /** Whether this region takes writes now. */
  get isHome(): boolean {
    return this.current.home === this.options.name;
  }

  /** The home region's entry (its API URL is where writes are forwarded). */
  get home(): RegionEntry {
    return regionEntry(this.current, this.current.home);
  }

  /** Starts the periodic re-read (a timer that never holds the process open). */
  start(): void {
    if (!this.options.reread || this.timer) return;
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
  }

  /** Reads the configuration once now (concurrent calls share one read). */
  refresh(): Promise<void> {
    this.refreshing ??= this.read().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async read(): Promise<void> {
    const reread = this.options.reread;
    if (!reread) return;
    let read: RegionConfig;
    try {
      read = await reread();
      regionEntry(read, this.options.name);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      // Once per distinct problem, not every refresh.
      if (problem !== this.lastProblem) this.options.log.warn({ problem, epoch: this.current.epoch, home: this.current.home }, 'region configuration not refreshed; keeping the one in hand');
      this.lastProblem = problem;
      return;
    }
    this.lastProblem = '';
    const kept = newerRegionConfig(this.current, read);
    if (kept === this.current) return;
    const before = this.current;
    this.current = kept;
    if (before.home !== kept.home) this.options.log.info({ from: before.home, to: kept.home, epoch: kept.epoch, region: this.options.name, isHome: this.isHome }, 'home region moved');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing;
  }
}
