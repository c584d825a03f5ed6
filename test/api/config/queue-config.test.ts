import { ConfigError } from '../../../api/src/config/env-config';
import { loadQueueConfig } from '../../../api/src/config/queue-config';

describe('loadQueueConfig', () => {
  test('defaults: no queue; celebrity threshold 10000, its set re-read every 30 s; 120 s visibility (the 1m queue’s) for 30 s jobs; 5 attempts; 4 jobs at once', () => {
    expect(loadQueueConfig({})).toEqual({
      queue: undefined,
      feedCelebrityFollowers: 10_000,
      feedCelebrityRefreshMs: 30_000,
      queueVisibilityTimeoutMs: 120_000,
      queueMaxAttempts: 5,
      queuePollMs: 500,
      workerConcurrency: 4,
      workerJobTimeoutMs: 30_000,
    });
  });

  test('WORK_QUEUE_URL alone means SQS (what the 1m stack sets); QUEUE=postgres needs no URL', () => {
    expect(loadQueueConfig({ WORK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/work' }).queue).toBe('sqs');
    expect(loadQueueConfig({ QUEUE: 'postgres' }).queue).toBe('postgres');
  });

  test.each([
    [{ QUEUE: 'kafka' }, 'invalid configuration: QUEUE must be one of postgres, sqs, got "kafka"'],
    [{ QUEUE: 'sqs' }, 'invalid configuration: WORK_QUEUE_URL is not set (QUEUE=sqs needs the queue URL)'],
    [{ FEED_CELEBRITY_FOLLOWERS: '-1' }, 'invalid configuration: FEED_CELEBRITY_FOLLOWERS must be a whole number, got "-1"'],
    [{ FEED_CELEBRITY_REFRESH_MS: '3600001' }, 'invalid configuration: FEED_CELEBRITY_REFRESH_MS must be between 0 and 3600000, got 3600001'],
    [{ WORKER_CONCURRENCY: '0' }, 'invalid configuration: WORKER_CONCURRENCY must be between 1 and 256, got 0'],
    [{ WORKER_JOB_TIMEOUT_MS: '61000' }, 'invalid configuration: QUEUE_VISIBILITY_TIMEOUT_MS must be at least 2 × WORKER_JOB_TIMEOUT_MS (122000), got 120000'],
  ])('refuses %j', (env, message) => {
    expect(() => loadQueueConfig(env)).toThrow(ConfigError);
    expect(() => loadQueueConfig(env)).toThrow(message);
  });
});
