import type { ScryptOptions } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { HttpError } from '../lib/http-error';
import type { DeriveKey } from './passwords';

/**
 * The scrypt worker: one derivation at a time, synchronously, on its own
 * thread. Given as source (`eval`) so the API stays one bundled file; a pool
 * library such as piscina loads its workers from files of its own.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
parentPort.on('message', ({ id, password, salt, keyLength, options }) => {
  try {
    parentPort.postMessage({ id, key: scryptSync(password, Buffer.from(salt), keyLength, options) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Job {
  readonly id: number;
  readonly message: { id: number; password: string; salt: Buffer; keyLength: number; options: ScryptOptions };
  resolve(key: Buffer): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

export interface PasswordHasherOptions {
  /** Worker threads, each hashing one password at a time. */
  readonly threads: number;
  /** Hashes that may wait for a thread; one more is refused with 503 `busy`. */
  readonly queue: number;
}

/** How long a hash takes before any was measured (the production cost on a slow core). */
const FIRST_ESTIMATE_MS = 500;

/**
 * Password hashing off the libuv threadpool, bounded. node:crypto's async
 * scrypt runs on the libuv threadpool (4 threads), which file reads and
 * writes share: 20 concurrent log-ins kept photo reads from local disk
 * waiting for seconds. Here each hash runs in a worker thread of its own
 * pool (`threads` of them), so hashing cannot hold up file I/O, and at most
 * `queue` more wait; past that a log-in or sign-up gets 503 `busy` with a
 * Retry-After from the measured hash time, instead of queueing without end.
 */
export class PasswordHasher {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private nextId = 0;
  private averageMs = FIRST_ESTIMATE_MS;
  private closed = false;

  constructor(private readonly options: PasswordHasherOptions) {
    for (let i = 0; i < options.threads; i++) this.slots.push({ worker: this.spawn() });
  }

  /** The `DeriveKey` for hashPassword / verifyPassword. */
  readonly derive: DeriveKey = (password, salt, keyLength, options) => {
    if (this.closed) return Promise.reject(new Error('password hasher is closed'));
    const idle = this.slots.find((slot) => slot.job === undefined);
    if (!idle && this.waiting.length >= this.options.queue) {
      const seconds = Math.max(1, Math.ceil(((this.waiting.length + 1) * this.averageMs) / this.options.threads / 1000));
      return Promise.reject(new HttpError(503, 'busy', 'too many log-ins and sign-ups in progress, retry shortly', { 'retry-after': String(seconds) }));
    }
    return new Promise<Buffer>((resolve, reject) => {
      const id = this.nextId++;
      const job: Job = { id, message: { id, password, salt, keyLength, options }, resolve, reject };
      if (idle) this.run(idle, job);
      else this.waiting.push(job);
    });
  };

  /** Hashes waiting for a thread (for tests and /readyz-style reporting). */
  get queued(): number {
    return this.waiting.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.reject(new Error('password hasher closed'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    // Idle workers must not keep the process alive after the server closes.
    worker.unref();
    worker.on('message', (reply: { id: number; key?: Uint8Array; error?: string }) => this.finish(worker, reply));
    worker.on('error', (error) => this.fail(worker, error));
    worker.on('exit', () => this.fail(worker, new Error('password hashing worker exited')));
    return worker;
  }

  private run(slot: Slot, job: Job): void {
    const started = Date.now();
    slot.job = {
      ...job,
      resolve: (key) => {
        // A moving average of hash times, for the Retry-After of a refusal.
        this.averageMs = this.averageMs * 0.8 + (Date.now() - started) * 0.2;
        job.resolve(key);
      },
    };
    // A running hash keeps the process alive; an idle worker does not.
    slot.worker.ref();
    slot.worker.postMessage(job.message);
  }

  private finish(worker: Worker, reply: { id: number; key?: Uint8Array; error?: string }): void {
    const slot = this.slots.find((s) => s.worker === worker);
    const job = slot?.job;
    if (!slot || !job || job.id !== reply.id) return;
    slot.job = undefined;
    worker.unref();
    if (reply.key) job.resolve(Buffer.from(reply.key));
    else job.reject(new Error(reply.error ?? 'scrypt failed'));
    this.next(slot);
  }

  /** A worker died: its job fails, a new worker takes its place and the queue moves on. */
  private fail(worker: Worker, error: Error): void {
    const slot = this.slots.find((s) => s.worker === worker);
    if (!slot) return;
    const job = slot.job;
    slot.job = undefined;
    job?.reject(error);
    if (this.closed) return;
    worker.removeAllListeners();
    void worker.terminate();
    slot.worker = this.spawn();
    this.next(slot);
  }

  private next(slot: Slot): void {
    const job = this.waiting.shift();
    if (job) this.run(slot, job);
  }
}
