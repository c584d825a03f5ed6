import { writeFileSync } from 'node:fs';
import { parseCliArgs } from '../lib/cli-args';
import { runCli } from '../../contracts/cli';
import { stageSpec } from '../../stages/ladder';

const USAGE = `usage: npm run review -- --to <stage> (--from <stage> | --from-template <file|dir> [--from <stage>] | --deployed [--from <stage>])
                        [--json] [--output <file>] [--allow-downgrade] [--app-name <name>]
                        [--regions <home>,<second> --domain-name <name> --hosted-zone-id <Z…>]   (10m; default: the example values)
exit codes: 0 safe, 1 unsafe change without a runbook, 2 bad arguments or unreadable input`;

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(
    argv,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      'from-template': { type: 'string' },
      deployed: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      output: { type: 'string' },
      'allow-downgrade': { type: 'boolean', default: false },
      'app-name': { type: 'string' },
      regions: { type: 'string' },
      'domain-name': { type: 'string' },
      'hosted-zone-id': { type: 'string' },
    },
    USAGE,
    (values, problems) => {
      // Every bad stage at once, each with its likely meaning; stage-change.ts re-checks them.
      problems.stage('--from', values.from);
      problems.stage('--to', values.to);
      if (values.to === undefined) problems.add('--to <stage> is required');
    },
  );
  if (!args) return 0;
  // Loaded here so `--help` and argument errors stay instant: the review reads lib/index.ts, which loads the CDK app.
  const { EXAMPLE_REGION_OPTIONS, synthStage } = await import('../../lib');
  const { reviewStageChange } = await import('./stage-change');
  const { toJson } = await import('./report-json');
  const { toMarkdown } = await import('./report-markdown');
  const appName = args['app-name'];
  const report = await reviewStageChange({
    from: args.from,
    to: args.to!,
    fromTemplate: args['from-template'],
    deployed: args.deployed,
    allowDowngrade: args['allow-downgrade'],
    appName,
    synth: (stage) => synthStage(stage, { ...(appName ? { appName } : {}), ...(stageSpec(stage).regions ? twoRegionOptions(args, EXAMPLE_REGION_OPTIONS.certificateArn) : {}) }),
  });
  const text = args.json ? `${JSON.stringify(toJson(report), null, 2)}\n` : toMarkdown(report);
  if (args.output) {
    writeFileSync(args.output, text);
    process.stderr.write(`review: ${report.safe ? 'safe' : 'UNSAFE'}; report written to ${args.output}\n`);
  } else {
    process.stdout.write(text);
  }
  return report.safe ? 0 : 1;
}

/**
 * Stage 10m's regions, domain and zone, as `cdk deploy` gets them; the second
 * region's stack names follow `--regions`. Without them the review uses the
 * example values (lib/app-options.ts, EXAMPLE_REGION_OPTIONS); the app checks
 * whatever is given, with its one-line errors. The certificate's ARN (the
 * example's) changes nothing the review reports.
 */
function twoRegionOptions(args: { regions?: string; 'domain-name'?: string; 'hosted-zone-id'?: string }, certificateArn: string): Record<string, string> {
  if (args.regions === undefined && args['domain-name'] === undefined && args['hosted-zone-id'] === undefined) return {};
  return {
    ...(args.regions !== undefined ? { regions: args.regions } : {}),
    ...(args['domain-name'] !== undefined ? { domainName: args['domain-name'], certificateArn } : {}),
    ...(args['hosted-zone-id'] !== undefined ? { hostedZoneId: args['hosted-zone-id'] } : {}),
  };
}

if (require.main === module) runCli('review', () => main(process.argv.slice(2)));
