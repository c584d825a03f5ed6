import { synthStage } from '../../../lib/synth';
import { STAGE_NAMES } from '../../../stages/ladder';
import { checkTemplates, formatFinding } from '../../../tools/check-templates/check-templates';
import { main } from '../../../tools/check-templates/cli';
import { CliError } from '../../../contracts/cli';

/**
 * `npm run check:templates` as part of `npm test`: the same check over the
 * same seven synthesized stages (from the run's shared synth cache).
 */
describe('npm run check:templates', () => {
  test.each(STAGE_NAMES)('stage %s: every template passes the registry schemas and the intrinsic position rules', (stage) => {
    const templates = synthStage(stage);
    const result = checkTemplates(stage, templates);
    // The four stacks, and from stage 100 the us-east-1 Edge stack.
    expect(result.templates).toBe(Object.keys(templates).length);
    expect(result.templates).toBeGreaterThanOrEqual(4);
    expect(result.findings.filter((f) => f.severity === 'error').map(formatFinding)).toEqual([]);
  });

  test('every unknown stage is listed (with the likely one), exit code 2, before anything is synthesized', async () => {
    const failure = main(['--stage', '1,2k,1M']);
    await expect(failure).rejects.toThrow(CliError);
    await expect(failure).rejects.toMatchObject({ exitCode: 2 });
    await expect(failure).rejects.toThrow(
      [
        '--stage: unknown stage "2k"; expected one of 1, 10, 100, 1k, 10k, 100k, 1m, 10m',
        '--stage: unknown stage "1M" (did you mean 1m?); expected one of 1, 10, 100, 1k, 10k, 100k, 1m, 10m',
      ].join('\n'),
    );
  });

  test('an unknown flag names the likely one, exit code 2', async () => {
    const failure = main(['--stages', '1']);
    await expect(failure).rejects.toMatchObject({ exitCode: 2 });
    await expect(failure).rejects.toThrow('unknown option --stages (did you mean --stage?)\nunexpected argument "1"');
  });
});
