/**
 * `AWS::CloudFormation::Init` as cfn-init reads it: configs, and configSets
 * that list config names or `{"ConfigSet": name}` references, flattened in
 * order. Without `configSets`, the only set is `default` = [`config`].
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-init.html
 */
export type InitConfig = {
  readonly packages?: Record<string, Record<string, unknown>>;
  readonly groups?: Record<string, { readonly gid?: string | number }>;
  readonly users?: Record<string, { readonly groups?: readonly string[]; readonly uid?: string | number; readonly homeDir?: string }>;
  readonly sources?: Record<string, string>;
  readonly files?: Record<string, FileSpec>;
  readonly commands?: Record<string, CommandSpec>;
  readonly services?: Record<string, Record<string, ServiceSpec>>;
};

export interface FileSpec {
  readonly content?: unknown;
  readonly source?: string;
  readonly encoding?: 'plain' | 'base64';
  readonly mode?: string;
  readonly owner?: string;
  readonly group?: string;
  readonly context?: unknown;
  readonly authentication?: string;
}

export interface CommandSpec {
  readonly command?: string | readonly string[];
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly test?: string | readonly string[];
  readonly ignoreErrors?: boolean | string;
  readonly waitAfterCompletion?: number | string;
}

export interface ServiceSpec {
  readonly enabled?: boolean | string;
  readonly ensureRunning?: boolean | string;
  readonly files?: readonly string[];
  readonly sources?: readonly string[];
  readonly packages?: Record<string, readonly string[]>;
  readonly commands?: readonly string[];
  readonly users?: readonly string[];
  readonly groups?: readonly string[];
}

export interface NamedConfig {
  readonly name: string;
  readonly config: InitConfig;
}

const INIT_KEY = 'AWS::CloudFormation::Init';

/** cfn-bootstrap's interpret_boolean: true, "true" (any case) and 1 are true. */
export function interpretBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

/** The configs each requested configSet runs, in order; errors as cfn-init words them. */
export function configsToRun(metadata: Record<string, unknown> | null, requested: readonly string[]): NamedConfig[] {
  const init = metadata?.[INIT_KEY] as Record<string, unknown> | undefined;
  if (!init) throw new Error(`Metadata does not contain '${INIT_KEY}'`);
  const declaredSets = init.configSets as Record<string, unknown> | undefined;
  const sets = declaredSets ?? { default: ['config'] };
  const expand = (setName: string, seen: readonly string[]): NamedConfig[] => {
    if (seen.includes(setName)) throw new Error(`At least one circular dependency detected; this is not allowed. Culprits: ${setName}`);
    if (!(setName in sets)) throw new Error(`Error: no ConfigSet named ${setName} exists`);
    const list = sets[setName];
    const entries = typeof list === 'string' || (typeof list === 'object' && list !== null && !Array.isArray(list)) ? [list] : (list as unknown[]);
    return entries.flatMap((entry) => {
      if (typeof entry === 'string') {
        // Without configSets a missing `config` is an empty one; a set naming a missing config is an error.
        if (!(entry in init) && declaredSets) throw new Error(`No configuration found with name: ${entry}`);
        return [{ name: entry, config: (init[entry] ?? {}) as InitConfig }];
      }
      if (typeof entry === 'object' && entry !== null && 'ConfigSet' in entry) return expand(String((entry as { ConfigSet: unknown }).ConfigSet), [...seen, setName]);
      throw new Error("Config definitions must be either a config name or a reference in the format {'ConfigSet':<config set name>}");
    });
  };
  return requested.flatMap((name) => expand(name, []));
}
