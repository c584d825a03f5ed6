import { MIN_VISIBILITY_FACTOR, VISIBILITY_TIMEOUT_FACTOR } from '../../contracts/work-queue';
import { loadQueueConfig } from '../../api/src/config/queue-config';

describe('visibility timeout against job timeout', () => {
  test('what the stacks provision is at least what the worker accepts', () => {
    expect(VISIBILITY_TIMEOUT_FACTOR).toBeGreaterThanOrEqual(MIN_VISIBILITY_FACTOR);
  });

  test('the worker accepts the provisioned factor and refuses less than its minimum', () => {
    const env = (factor: number) => ({ QUEUE_VISIBILITY_TIMEOUT_MS: String(20_000 * factor), WORKER_JOB_TIMEOUT_MS: '20000' });
    expect(loadQueueConfig(env(VISIBILITY_TIMEOUT_FACTOR)).queueVisibilityTimeoutMs).toBe(20_000 * VISIBILITY_TIMEOUT_FACTOR);
    expect(() => loadQueueConfig(env(MIN_VISIBILITY_FACTOR - 0.5))).toThrow(/QUEUE_VISIBILITY_TIMEOUT_MS/);
  });
});
