import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function npm(args: readonly string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout }));
  });
}

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Markdown and workflow files that show commands. */
function documents(): string[] {
  const docs = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? docs(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
    );
  let workflows: string[] = [];
  try {
    workflows = readdirSync(join(ROOT, '.github', 'workflows')).map((f) => join('.github', 'workflows', f));
  } catch {
    // no workflows directory
  }
  return ['README.md', ...docs('docs'), ...workflows];
}

/**
 * `--json` through `npm run`: npm prints its banner ("> scaling-stages@… review")
 * on stdout before the command's own output, so JSON is machine-readable only
 * with `npm run -s` (silent) or written to a file with `--output`.
 */
describe('machine-readable output through npm run', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'graminsta-machine-output-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('review --json is JSON with npm run -s or --output, and not through plain npm run', async () => {
    const file = join(dir, 'review.json');
    const review = ['review', '--', '--from', '10', '--to', '100', '--json'];
    const [plain, silent, output] = await Promise.all([npm(['run', ...review]), npm(['run', '-s', ...review]), npm(['run', ...review, '--output', file])]);
    expect([plain.status, silent.status, output.status]).toEqual([0, 0, 0]);
    expect(plain.stdout).toMatch(/^\s*> scaling-stages@/);
    expect(parses(plain.stdout)).toBe(false);
    expect(JSON.parse(silent.stdout)).toMatchObject({ from: '10', to: '100', safe: true });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(silent.stdout));
  }, 300_000);

  test('every documented review --json on stdout runs npm silently (or writes --output)', () => {
    const offending: string[] = [];
    for (const file of documents()) {
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/npm run (?!-s\b|--silent\b)\S*\s*review -- .*--json\b/.test(line) && !/--output\b/.test(line)) offending.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offending).toEqual([]);
  });
});
