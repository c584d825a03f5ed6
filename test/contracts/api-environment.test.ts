import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ENVIRONMENT_VARIABLES } from '../../contracts/api-environment';

const DOCS = join(__dirname, '..', '..', 'docs');
/** Variables in the first column of a Markdown table row: "| `NAME` | ...". */
const tableVariables = (file: string) => [...readFileSync(join(DOCS, file), 'utf8').matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);

describe('API environment variable names', () => {
  test("docs/configuration.md's tables name only listed variables", () => {
    const listed = new Set<string>(API_ENVIRONMENT_VARIABLES);
    expect(tableVariables('configuration.md').filter((name) => !listed.has(name))).toEqual([]);
  });

  test('every listed variable is documented in a table under docs/', () => {
    const documented = new Set(readdirSync(DOCS).filter((file) => file.endsWith('.md')).flatMap(tableVariables));
    expect(API_ENVIRONMENT_VARIABLES.filter((name) => !documented.has(name))).toEqual([]);
  });

  test('are listed once each', () => {
    expect(new Set(API_ENVIRONMENT_VARIABLES).size).toBe(API_ENVIRONMENT_VARIABLES.length);
  });
});
