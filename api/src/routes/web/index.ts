import type { FastifyInstance } from 'fastify';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { notFound } from '../../lib/http-error';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The built web client at `/` (stages 1 and 10, and `npm run dev`), from
 * WEB_ROOT. Paths are resolved inside the root (no `..`, no dotfiles); a path
 * without an extension is a client-side route and gets index.html.
 */
export default async function webRoutes(app: FastifyInstance, options: { root: string }) {
  const root = resolve(options.root);
  app.get('/*', async (request, reply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0]);
    } catch {
      throw notFound('resource'); // malformed percent-encoding
    }
    if (path.startsWith('/api/') || path.includes('\0') || path.split('/').some((segment) => segment.startsWith('.'))) {
      throw notFound('resource');
    }
    let file = resolve(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) throw notFound('resource');
    let size = file === root ? undefined : await fileSize(file);
    if (size === undefined && (file === root || extname(file) === '')) {
      file = join(root, 'index.html');
      size = await fileSize(file);
    }
    if (size === undefined) throw notFound('resource');
    reply.header('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
    reply.header('content-length', size);
    reply.header('cache-control', cacheControl(root, file));
    reply.header('x-content-type-options', 'nosniff');
    return reply.send(createReadStream(file));
  });
}

/**
 * index.html must be revalidated so a new build shows at once; everything under
 * assets/ has a content hash in its name (build/web-client.ts), so it never changes and
 * may be cached for a year, as CloudFront does from stage 100.
 */
function cacheControl(root: string, file: string): string {
  if (extname(file) === '.html') return 'no-cache';
  if (file.startsWith(join(root, 'assets') + sep)) return 'public, max-age=31536000, immutable';
  return 'public, max-age=3600';
}
