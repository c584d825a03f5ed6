import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_KINDS, stackName } from '../../lib/app-options';
import { STAGE_NAMES } from '../../stages/ladder';
import { US_EAST_1 } from '../../tools/plan/price-table';

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** Table rows that start with a stage name in backticks: stage → cells. */
function stageRows(markdown: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of markdown.split('\n')) {
    const match = /^\| `([^`]+)` \|(.*)\|$/.exec(line);
    if (match && !rows.has(match[1])) rows.set(match[1], match[2].split(' | ').map((cell) => cell.trim()));
  }
  return rows;
}

describe('README', () => {
  const readme = read('README.md');

  test('shows the set-up and test commands first, exactly as CI runs them', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1];
    expect(firstBlock.trim().split('\n')).toEqual(['npm ci && npx cdk synth -c stage=100k', 'npm test']);
    expect(read('.ci/run')).toMatch(/npm ci[^\n]*\nnpm test\n/);
  });

  test("stage table carries the capacity plan's provisions, cost, users, first limit and when to climb for every stage (docs/capacity.md, npm run plan)", () => {
    const plan = stageRows(read('docs/capacity.md'));
    const table = stageRows(readme);
    for (const stage of STAGE_NAMES) {
      const [provisions, cost, , users, firstLimit] = plan.get(stage)!;
      expect(table.get(stage)!.slice(1)).toEqual([provisions, cost, users, firstLimit]);
    }
  });

  test("the prices stand beside the price table's date and the caveat to check them against the pages", () => {
    const lead = readme.slice(readme.indexOf('## The ladder'), readme.indexOf('| stage |'));
    expect(lead).toContain(`The table of ${US_EAST_1.asOf}`);
    expect(lead).toMatch(/\*\*The prices are estimates: check the pages\.\*\*/);
    expect(lead).toContain('tools/plan/prices-us-east-1.json');
  });

  test('quotes no test counts or run times (they go stale with every test), and counts the upward stage pairs right', () => {
    expect(readme.match(/\b\d+ (tests|suites)\b|\b\d+ min \d+ s\b/g) ?? []).toEqual([]);
    const pairs = (STAGE_NAMES.length * (STAGE_NAMES.length - 1)) / 2;
    expect([...readme.matchAll(/all (\d+) upward stage\s+pairs/g)].map((m) => Number(m[1]))).toEqual([pairs]);
  });

  test('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]).filter((href) => !/^https?:/.test(href));
    expect(links.length).toBeGreaterThan(5);
    expect(links.filter((href) => !existsSync(join(root, href)))).toEqual([]);
  });

  test('"Removing the app" lifts termination protection on every protected stack, the last deployed first, before cdk destroy', () => {
    const section = readme.slice(readme.indexOf('### Removing the app'));
    const lines = /```sh\n([\s\S]*?)```/.exec(section)![1].trim().split('\n');
    expect(lines[0]).toBe(`for stack in ${[...STACK_KINDS].reverse().map((kind) => stackName('graminsta', kind)).join(' ')}; do`);
    expect(lines[1].trim()).toBe('aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name "$stack"');
    expect(lines.at(-1)).toBe('npx cdk destroy --all');
  });
});
