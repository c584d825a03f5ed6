/**
 * Readers for the API's environment variables, shared by the API's and the
 * worker's configuration (api/src/config) and by the database targets the API
 * and tools/reshard both read (database-targets.ts): each validates one
 * variable and throws a ConfigError naming it (never echoing its value when it
 * may hold a secret). Each takes a name from api-environment.ts, the list the
 * stacks and the tests share, so a variable read here that the stacks cannot
 * name fails the type check. Imports only that list.
 */
import type { ApiEnvironmentVariable } from './api-environment';

/** Raised when an environment variable is missing or malformed; names the variable, never echoes secrets. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export function text(env: Env, name: ApiEnvironmentVariable): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function integer(env: Env, name: ApiEnvironmentVariable, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function boolean(env: Env, name: ApiEnvironmentVariable, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

export function oneOf<T extends string>(env: Env, name: ApiEnvironmentVariable, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!allowed.includes(raw as T)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** Checks a connection URL's scheme without ever putting the URL (it may hold a password) in the error. */
export function url(env: Env, name: ApiEnvironmentVariable, schemes: readonly string[]): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  return checkUrl(name, raw, schemes);
}

export function checkUrl(name: ApiEnvironmentVariable, raw: string, schemes: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!schemes.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(name, `must use ${schemes.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

export function list(env: Env, name: ApiEnvironmentVariable): string[] {
  return (text(env, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export function hostPort(name: ApiEnvironmentVariable, value: string): string {
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(value)) throw new ConfigError(name, `entry "${value}" is not host:port`);
  return value;
}

export function arn(env: Env, name: ApiEnvironmentVariable, service: string): string | undefined {
  const raw = text(env, name);
  if (raw !== undefined && !raw.startsWith(`arn:`)) throw new ConfigError(name, `must be an ARN (arn:…:${service}:…)`);
  return raw;
}
