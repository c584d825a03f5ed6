import { describeStackResource } from './aws-stand-in';
import { configsToRun } from './init-model';
import { LogFile } from './process';
import { applyGroups, applyUsers } from './tools/accounts';
import { applyCommands } from './tools/commands';
import { applyFiles } from './tools/files';
import { applyPackages } from './tools/packages';
import type { ConfigChanges } from './tools/services';
import { applyServices } from './tools/services';
import { applySources } from './tools/sources';

export const CFN_INIT_LOG = '/var/log/cfn-init.log';
export const CFN_INIT_CMD_LOG = '/var/log/cfn-init-cmd.log';

interface InitOptions {
  stack?: string;
  resource?: string;
  configsets: string[];
  verbose: boolean;
}

/** cfn-init's options; those that only matter against real AWS (credentials, URL, role, region) are accepted and unused. */
function parseOptions(args: readonly string[]): InitOptions {
  const options: InitOptions = { configsets: ['default'], verbose: false };
  const takesValue = new Set(['-s', '--stack', '-r', '--resource', '-c', '--configsets', '--region', '-u', '--url', '--role', '--access-key', '--secret-key', '-f', '--credential-file', '--http-proxy', '--https-proxy']);
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith('--') && args[i].includes('=') ? [args[i].slice(0, args[i].indexOf('=')), args[i].slice(args[i].indexOf('=') + 1)] : [args[i], undefined];
    if (flag === '-v' || flag === '--verbose') {
      options.verbose = true;
      continue;
    }
    if (!takesValue.has(flag)) throw new Error(`cfn-init: error: no such option: ${flag}`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new Error(`cfn-init: error: ${flag} option requires an argument`);
    if (flag === '-s' || flag === '--stack') options.stack = value;
    else if (flag === '-r' || flag === '--resource') options.resource = value;
    else if (flag === '-c' || flag === '--configsets') options.configsets = value.split(',').map((s) => s.trim());
  }
  return options;
}

/**
 * cfn-init: reads the resource's `AWS::CloudFormation::Init` metadata and applies the requested
 * configSets, each config in cfn-init's order: packages, groups, users, sources, files, commands,
 * services. Logs to /var/log/cfn-init.log (commands' output to cfn-init-cmd.log); exits non-zero on
 * the first failure, naming it.
 */
export function cfnInit(args: readonly string[]): number {
  const options = parseOptions(args);
  const log = new LogFile(CFN_INIT_LOG, false);
  if (!options.stack || !options.resource) {
    process.stderr.write('cfn-init: error: you must specify both a stack name and a logical resource id\n');
    return 1;
  }
  log.info('-----------------------Starting build-----------------------');
  try {
    const resource = describeStackResource(options.stack, options.resource);
    const configs = configsToRun(resource.metadata, options.configsets);
    log.info(`Running configSets: ${options.configsets.join(', ')}`);
    for (const { name, config } of configs) {
      log.info(`Running config ${name}`);
      const changes: ConfigChanges = {
        packages: config.packages ? applyPackages(config.packages, log) : {},
        groups: config.groups ? applyGroups(config.groups, log) : [],
        users: config.users ? applyUsers(config.users, log) : [],
        sources: config.sources ? applySources(config.sources, log) : [],
        files: config.files ? applyFiles(config.files, log) : [],
        commands: config.commands ? applyCommands(config.commands, log, CFN_INIT_CMD_LOG) : [],
      };
      if (config.services) applyServices(config.services, changes, log);
    }
    log.info(`ConfigSets completed`);
    log.info('-----------------------Build complete-----------------------');
    return 0;
  } catch (error) {
    const message = (error as Error).message;
    log.error(`Error encountered during build: ${message}`);
    process.stderr.write(`Error occurred during build: ${message}\n`);
    return 1;
  }
}
