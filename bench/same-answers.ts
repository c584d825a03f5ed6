import type { BenchEnvironment } from './environment';
import type { Scenario } from './scenarios';

/** One request of a scenario, as the load generator would send it. */
async function fetchBody(url: string, scenario: Scenario, request: ReturnType<Scenario['next']>): Promise<string> {
  const response = await fetch(`${url}${request.path}`, { method: scenario.method, headers: request.headers, body: request.body });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${scenario.id}: ${request.path} answered ${response.status} ${body.slice(0, 200)}`);
  return body;
}

/**
 * Before anything is measured: each shard-layout scenario must answer exactly what its one-server
 * twin answers for the same request (same path; each with its own session), and the fan-out feed
 * what the pull feed answers, or the ratios would compare different work. `samples` requests per
 * pair; throws on the first difference. Returns the number of pairs checked.
 */
export async function checkSameAnswers(env: BenchEnvironment, scenarios: readonly Scenario[], samples = 5): Promise<number> {
  const byId = new Map(scenarios.map((s) => [s.id, s]));
  const pairs: Array<[Scenario, Scenario]> = [];
  for (const s of scenarios) {
    if (s.method !== 'GET') continue;
    const one = s.comparesWith ? byId.get(s.comparesWith) : undefined;
    if (one) pairs.push([one, s]);
    // The fan-out feed against the pull feed at the same connection count.
    const pull = s.id.startsWith('api-feed-fanout-c') && !s.comparesWith ? byId.get(s.id.replace('api-feed-fanout-', 'api-feed-')) : undefined;
    if (pull) pairs.push([pull, s]);
  }
  for (const [one, other] of pairs) {
    for (let i = 0; i < samples; i++) {
      const request = one.next();
      const otherRequest = { ...other.next(), path: request.path };
      const [a, b] = await Promise.all([fetchBody(env.servers[one.server]!.url, one, request), fetchBody(env.servers[other.server]!.url, other, otherRequest)]);
      if (a !== b) throw new Error(`${other.id} answered ${request.path} differently from ${one.id}:\n  ${a.slice(0, 300)}\n  ${b.slice(0, 300)}`);
    }
  }
  return pairs.length;
}
