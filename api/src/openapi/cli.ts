import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, parseCliArgs, runCli } from '../../../contracts/cli';

const ROOT = join(__dirname, '..', '..', '..');
export const DOCUMENT_FILE = join(ROOT, 'docs', 'openapi.json');
export const TYPES_FILE = join(ROOT, 'web', 'src', 'api', 'openapi.ts');

const USAGE = `usage: npm run openapi [-- --check]
Writes the API's OpenAPI 3.1 document, generated from the route schemas as the API serves it at /api/openapi.json,
to docs/openapi.json, and its TypeScript types (openapi-typescript) to web/src/api/openapi.ts, which the web client's
types derive from.
  --check   write nothing; exit 1 when either file is out of date
exit codes: 0 written (or up to date), 1 out of date (--check), 2 bad arguments`;

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(argv, { check: { type: 'boolean', default: false } }, USAGE);
  if (!args) return 0;
  // Loaded here so --help and bad arguments stay instant.
  const { documentText, documentTypes, openapiDocument } = await import('./document');
  const document = await openapiDocument();
  const files: [string, string][] = [
    [DOCUMENT_FILE, documentText(document)],
    [TYPES_FILE, await documentTypes(document)],
  ];
  if (args.check) {
    const stale = files.filter(([file, text]) => readFileSync(file, 'utf8') !== text).map(([file]) => file);
    if (stale.length > 0) throw new CliError(`out of date (run npm run openapi): ${stale.join(', ')}`, 1);
    process.stderr.write('openapi: docs/openapi.json and web/src/api/openapi.ts are up to date\n');
    return 0;
  }
  for (const [file, text] of files) writeFileSync(file, text);
  process.stderr.write('openapi: wrote docs/openapi.json and web/src/api/openapi.ts\n');
  return 0;
}

if (require.main === module) runCli('openapi', () => main(process.argv.slice(2)));
