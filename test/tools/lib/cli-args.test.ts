import { ArgProblems, CliError, formatCliError, integerOption, parseCliArgs } from '../../../contracts/cli';
import { StageArgProblems } from '../../../tools/lib/cli-args';

const OPTIONS = { size: { type: 'string', default: '5' }, dry: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } as const;

describe('parseCliArgs', () => {
  test('returns typed values with defaults', () => {
    expect(parseCliArgs(['--dry'], OPTIONS, 'usage')).toEqual({ size: '5', dry: true });
  });

  test('an unknown flag or a positional is a CliError carrying the usage', () => {
    expect(() => parseCliArgs(['--nope'], OPTIONS, 'usage: tool')).toThrow(CliError);
    expect(() => parseCliArgs(['--nope'], OPTIONS, 'usage: tool')).toThrow(expect.objectContaining({ message: 'unknown option --nope', exitCode: 2, usage: 'usage: tool' }));
    expect(() => parseCliArgs(['stray'], OPTIONS, 'usage: tool')).toThrow('unexpected argument "stray"');
  });

  test('every problem is listed at once: unknown options (with the likely one), missing values, values to flags, stray arguments, and what the check finds', () => {
    const check = (values: { size?: string }, problems: ArgProblems) => void problems.integer('--size', values.size, 1, 9);
    let thrown: unknown;
    try {
      parseCliArgs(['--siz', '3', '--dry=yes', 'extra', '--size', '99', '--stage'], { ...OPTIONS, stage: { type: 'string' } }, 'usage: tool', check);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).message.split('\n')).toEqual([
      'unknown option --siz (did you mean --size?)',
      'unexpected argument "3"',
      '--dry takes no value',
      'unexpected argument "extra"',
      '--stage needs a value',
      '--size must be a whole number from 1 to 9, not "99"',
    ]);
    expect(formatCliError('tool', thrown).split('\n').slice(0, 2)).toEqual(['tool: unknown option --siz (did you mean --size?)', 'tool: unexpected argument "3"']);
    expect(formatCliError('tool', thrown).trimEnd().split('\n').pop()).toBe('usage: tool');
  });

  test('a string option followed by another option has no value', () => {
    expect(() => parseCliArgs(['--size', '--dry'], OPTIONS, 'usage')).toThrow('--size needs a value');
  });

  test('stage values: each bad one listed with the stage it likely meant', () => {
    const problems = new StageArgProblems();
    expect(problems.stage('--from', '100K')).toBeUndefined();
    expect(problems.stage('--to', '1M')).toBeUndefined();
    expect(problems.stage('--to', '1m')).toBe('1m');
    expect(problems.stages('--stage', '1,10K,2')).toEqual(['1']);
    expect(problems.lines).toEqual([
      '--from: unknown stage "100K" (did you mean 100k?); expected one of 1, 10, 100, 1k, 10k, 100k, 1m, 10m',
      '--to: unknown stage "1M" (did you mean 1m?); expected one of 1, 10, 100, 1k, 10k, 100k, 1m, 10m',
      '--stage: unknown stage "10K" (did you mean 10k?); expected one of 1, 10, 100, 1k, 10k, 100k, 1m, 10m',
      '--stage: unknown stage "2"; expected one of 1, 10, 100, 1k, 10k, 100k, 1m, 10m',
    ]);
  });

  test('--help (or -h), even beside bad arguments, prints the usage and returns undefined', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(parseCliArgs(['--nope', '--help'], OPTIONS, 'usage: tool')).toBeUndefined();
      expect(parseCliArgs(['-h'], OPTIONS, 'usage: tool')).toBeUndefined();
      expect(write).toHaveBeenCalledWith('usage: tool\n');
    } finally {
      write.mockRestore();
    }
  });
});

describe('integerOption', () => {
  test('accepts whole numbers within the range and names the option otherwise', () => {
    expect(integerOption('batch-size', '100', 1, 1000)).toBe(100);
    for (const raw of ['0', '1001', '2.5', 'x', undefined]) {
      expect(() => integerOption('batch-size', raw, 1, 1000)).toThrow(`--batch-size must be an integer from 1 to 1000, not "${raw}"`);
    }
  });
});
