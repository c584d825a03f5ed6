import { integerOption, parseCliArgs } from '../../../tools/lib/cli-args';
import { CliError } from '../../../tools/lib/cli-error';

const OPTIONS = { size: { type: 'string', default: '5' }, dry: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } as const;

describe('parseCliArgs', () => {
  test('returns typed values with defaults', () => {
    expect(parseCliArgs(['--dry'], OPTIONS, 'usage')).toEqual({ size: '5', dry: true, help: false });
  });

  test('an unknown flag or a positional is a CliError carrying the usage', () => {
    expect(() => parseCliArgs(['--nope'], OPTIONS, 'usage: tool')).toThrow(CliError);
    expect(() => parseCliArgs(['--nope'], OPTIONS, 'usage: tool')).toThrow(/^Unknown option '--nope'.*\nusage: tool$/);
    expect(() => parseCliArgs(['stray'], OPTIONS, 'usage: tool')).toThrow(/usage: tool$/);
  });

  test('--help prints the usage and returns undefined', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(parseCliArgs(['--help'], OPTIONS, 'usage: tool')).toBeUndefined();
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
