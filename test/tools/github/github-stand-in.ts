import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback server speaking the few GitHub REST calls the tools make
 * (issue comments with Link-header pagination, check runs, deployments and
 * their statuses), so that the real Octokit client is tested over HTTP.
 * @see https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
 */
export interface StandInComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
}

export interface StandInDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  payload: unknown;
  statuses: { state: string }[];
}

export interface RecordedRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  readonly body: unknown;
}

export interface GitHubStandInOptions {
  /** The token requests must carry. */
  readonly token: string;
  /** Every write answers 403 as for a fork's read-only GITHUB_TOKEN. */
  readonly readOnly?: boolean;
  /** Every request answers 403 with an exhausted rate limit. */
  readonly rateLimited?: boolean;
}

export class GitHubStandIn {
  readonly comments = new Map<number, StandInComment[]>();
  readonly checkRuns: Record<string, unknown>[] = [];
  readonly deployments: StandInDeployment[] = [];
  readonly requests: RecordedRequest[] = [];
  private nextId = 1000;
  private server?: Server;
  url = '';

  constructor(private readonly options: GitHubStandInOptions) {}

  /** Adds comments to an issue, with bodies as given, from a user. */
  seedComments(issue: number, bodies: readonly string[], user = 'someone'): StandInComment[] {
    const list = this.comments.get(issue) ?? [];
    const added = bodies.map((body) => ({ id: this.nextId++, body, user: { login: user, type: 'User' }, html_url: '' }));
    for (const comment of added) comment.html_url = `https://github.example/o/r/pull/${issue}#issuecomment-${comment.id}`;
    list.push(...added);
    this.comments.set(issue, list);
    return added;
  }

  seedDeployment(deployment: Omit<StandInDeployment, 'id'>): StandInDeployment {
    const made = { ...deployment, id: this.nextId++ };
    this.deployments.unshift(made); // GitHub lists deployments newest first.
    return made;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    const method = req.method ?? 'GET';
    this.requests.push({ method, url: req.url ?? '', body });
    const url = new URL(req.url ?? '/', this.url);
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(data));
    };
    if (req.headers.authorization !== `token ${this.options.token}` && req.headers.authorization !== `Bearer ${this.options.token}`) {
      return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    }
    if (this.options.rateLimited) {
      return send(403, { message: 'API rate limit exceeded for installation.' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' });
    }
    if (this.options.readOnly && method !== 'GET') {
      return send(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' });
    }
    const path = url.pathname.split('/').filter(Boolean);
    const [root, , , kind, id, sub] = path;
    if (root !== 'repos') return send(404, { message: 'Not Found' });

    if (kind === 'issues' && sub === 'comments' && method === 'GET') return this.page(res, url, this.comments.get(Number(id)) ?? []);
    if (kind === 'issues' && sub === 'comments' && method === 'POST') {
      const [comment] = this.seedComments(Number(id), [String(body?.body)], 'github-actions[bot]');
      comment.user.type = 'Bot';
      return send(201, comment);
    }
    if (kind === 'issues' && id === 'comments' && sub && method === 'PATCH') {
      const comment = [...this.comments.values()].flat().find((c) => c.id === Number(sub));
      if (!comment) return send(404, { message: 'Not Found' });
      comment.body = String(body?.body);
      return send(200, comment);
    }
    if (kind === 'check-runs' && method === 'POST') {
      const run = { id: this.nextId++, html_url: `https://github.example/o/r/runs/${this.nextId}`, ...body };
      this.checkRuns.push(run);
      return send(201, run);
    }
    if (kind === 'deployments' && !id && method === 'GET') {
      const matching = this.deployments.filter(
        (d) => (!url.searchParams.get('environment') || d.environment === url.searchParams.get('environment')) && (!url.searchParams.get('task') || d.task === url.searchParams.get('task')),
      );
      return this.page(res, url, matching.map(({ statuses, ...d }) => d));
    }
    if (kind === 'deployments' && !id && method === 'POST') {
      const made = this.seedDeployment({ sha: String(body?.ref), ref: String(body?.ref), task: String(body?.task ?? 'deploy'), environment: String(body?.environment), payload: body?.payload ?? {}, statuses: [] });
      const { statuses, ...data } = made;
      return send(201, data);
    }
    if (kind === 'deployments' && id && sub === 'statuses') {
      const deployment = this.deployments.find((d) => d.id === Number(id));
      if (!deployment) return send(404, { message: 'Not Found' });
      if (method === 'POST') {
        deployment.statuses.unshift({ state: String(body?.state) });
        return send(201, { id: this.nextId++, state: body?.state });
      }
      return this.page(res, url, deployment.statuses);
    }
    return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }

  /** One page of a list, with GitHub's Link header (first, prev, next, last). */
  private page(res: ServerResponse, url: URL, items: readonly unknown[]): void {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
    const page = Number(url.searchParams.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number, rel: string) => {
      const target = new URL(url.toString());
      target.searchParams.set('page', String(n));
      target.searchParams.set('per_page', String(perPage));
      return `<${target.toString()}>; rel="${rel}"`;
    };
    const links = [
      ...(page > 1 ? [link(page - 1, 'prev'), link(1, 'first')] : []),
      ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ];
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...(links.length ? { link: links.join(', ') } : {}) });
    res.end(JSON.stringify(items.slice((page - 1) * perPage, page * perPage)));
  }
}
