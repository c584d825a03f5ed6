import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import pino from 'pino';
import type { AppConfig } from './config/resolve-config';
import errorShape from './plugins/external/error-shape';
import requestId from './plugins/external/request-id';
import abortedRequests from './plugins/external/aborted-requests';
import openapi, { OPENAPI_PATH } from './plugins/external/openapi';
import { answerClientError } from './lib/client-error';
import { RequestLog, requestIdOf } from './lib/request-log';
import originVerify from './origin/origin-verify';
import configPlugin from './plugins/app/config';
import regions from './plugins/app/regions';
import writeForwarding from './plugins/app/write-forwarding';
import crossRegionReads from './plugins/app/cross-region-reads';
import database from './plugins/app/database';
import cache from './plugins/app/cache';
import metrics from './plugins/app/metrics';
import sessionsPlugin from './plugins/app/sessions';
import passwords from './plugins/app/passwords';
import storage from './plugins/app/storage';
import repositories from './plugins/app/repositories';
import feed from './plugins/app/feed';
import services from './plugins/app/services';
import uploadSweeper from './plugins/app/upload-sweeper';
import type { JobQueue } from './queue/job-queue';
import healthRoutes from './routes/health';
import userRoutes from './routes/users';
import sessionRoutes from './routes/sessions';
import photoRoutes from './routes/photos';
import feedRoutes from './routes/feed';
import webRoutes from './routes/web';

export interface BuildAppOptions {
  /** Replaces the pino logger options (tests pass `false`). */
  readonly logger?: FastifyServerOptions['logger'];
  /** Where the (redacting) production logger writes. @default stdout, in batches */
  readonly logStream?: NodeJS.WritableStream;
  /** Replaces the work queue (tests). @default the queue QUEUE / WORK_QUEUE_URL names, if any */
  readonly workQueue?: JobQueue;
}

/** Largest JSON body: the biggest valid request (a 2200-character caption) is far below it. */
const JSON_BODY_LIMIT = 16 * 1024;

/** Request headers must be complete within this (or the request timeout, if shorter). */
const HEADERS_TIMEOUT_MS = 15_000;
/** The coarsest interval at which Node enforces the request and headers timeouts. */
const MAX_TIMEOUT_CHECK_MS = 5_000;

/**
 * The production log goes to stdout in batches: one write per ~12 KiB of lines
 * (many requests' worth under load; sonic-boom requires less than its 16 KiB
 * maxWrite) instead of a synchronous write per line, which cost more than
 * building the line. Lines wait at most a second;
 * pino writes what is left when the process exits (not after a SIGKILL).
 */
const LOG_BATCH_BYTES = 12 * 1024;
const LOG_FLUSH_MS = 1000;

/**
 * Builds the Graminsta API (not listening yet): external plugins, then app
 * plugins (config, database pools, cache, sessions, storage, repositories,
 * the feed's queue, the services that own every write), then encapsulated routes. `server.ts` and the tests call this.
 */
export async function buildApp(config: AppConfig, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      // Never log credentials: bearer tokens, cookies. Bodies are not logged at all. The
      // request line carries no headers; this covers any line that logs a request's (a `req` key).
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-amz-security-token"]'], censor: '[redacted]' },
      stream: options.logStream ?? pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS }),
    },
    bodyLimit: JSON_BODY_LIMIT,
    // A request (headers and body) must arrive within REQUEST_TIMEOUT_MS: without
    // a bound, clients trickling bodies hold connections (and upload files) open
    // indefinitely. Node checks open requests every `connectionsCheckingInterval`
    // (30 s by default, too coarse for the bound), and headers must come sooner.
    requestTimeout: config.requestTimeoutMs,
    http: {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(MAX_TIMEOUT_CHECK_MS, Math.max(250, Math.floor(config.requestTimeoutMs / 4))),
    },
    clientErrorHandler: answerClientError,
    // Hop-count trust as a function: Fastify 5.12 treats a number as "trust
    // nothing" (it cannot vouch for the immediate peer). `hop` 0 is the socket's
    // peer, 1 the last X-Forwarded-For entry, and so on; trusting the first N
    // makes `request.ip` the address the outermost proxy saw.
    trustProxy: config.trustProxyHops > 0 ? (_address: string, hop: number) => hop < config.trustProxyHops : false,
    // The inbound X-Request-Id is checked before it becomes the ID (lib/request-log.ts), so Fastify's own reading is off.
    requestIdHeader: false,
    genReqId: requestIdOf,
    // At most one line per request, when it is answered (docs/api.md, "Request logging").
    logController: new RequestLog({ mode: config.requestLog, slowMs: config.requestLogSlowMs }),
    ajv: {
      // Reject rather than silently fix: extra fields and wrong types are 400s.
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false },
    },
    // Rolling replacement: refuse new requests with 503 while draining in-flight ones.
    return503OnClosing: true,
    // Errors the router raises before any route or error handler runs (a malformed
    // percent-escape, an over-long path parameter) get the contract's error shape too.
    frameworkErrors: (error, _request, reply) => {
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      void (reply as FastifyReply).code(status).send({ error: { code: status === 414 ? 'uri_too_long' : 'bad_url', message: error.message } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(errorShape);
  await app.register(requestId);
  await app.register(abortedRequests);
  // Before any route: it collects them as they are added.
  await app.register(openapi);
  // Before anything else answers: only requests through CloudFront (where a secret is configured).
  await app.register(originVerify, { secretArn: config.originVerifySecretArn, region: config.awsRegion, refreshMs: config.originVerifyRefreshMs });
  await app.register(configPlugin, { config });
  await app.register(regions);
  await app.register(database);
  await app.register(cache);
  // Before every route: its onResponse hook measures them all (docs/metrics.md).
  await app.register(metrics);
  await app.register(sessionsPlugin);
  await app.register(passwords);
  await app.register(storage);
  await app.register(repositories);
  await app.register(feed, { workQueue: options.workQueue });
  await app.register(services);
  await app.register(uploadSweeper);
  // Before the routes: outside the home region their writes go home instead (stage 10m).
  await app.register(writeForwarding);
  await app.register(crossRegionReads);

  await app.register(healthRoutes);
  await app.register(userRoutes, { prefix: '/api' });
  await app.register(sessionRoutes, { prefix: '/api' });
  await app.register(photoRoutes, { prefix: '/api' });
  await app.register(feedRoutes, { prefix: '/api' });
  app.get(OPENAPI_PATH, async (_request, reply) => {
    reply.header('cache-control', 'no-cache');
    return app.swagger();
  });
  if (config.webRoot) await app.register(webRoutes, { root: config.webRoot });
  return app;
}
