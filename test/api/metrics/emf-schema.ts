import Ajv from 'ajv';

/**
 * The CloudWatch Embedded Metric Format, as a JSON schema written from the
 * published specification's rules:
 * - the root is an object with `_aws`, which holds an integer `Timestamp`
 *   (milliseconds since the epoch) and a `CloudWatchMetrics` array of metric
 *   directives;
 * - a directive has exactly `Namespace` (1-255 characters), `Dimensions` (an
 *   array of dimension sets, each an array of at most 9 dimension names; a set
 *   may be empty) and `Metrics` (at most 100 definitions);
 * - a definition has `Name` (1-255 characters), optionally a CloudWatch `Unit`
 *   and a `StorageResolution` of 1 or 60;
 * - objects the specification defines carry no other members;
 * - 256 KB per log event (checked on the line, see `emfProblems`).
 * Where two published versions of the page differ (9 or 30 dimensions; 256 KB
 * or 1 MB) the stricter one is taken, so what passes here passes both.
 * The rules that tie the directive to the root's members (every referenced
 * member present; dimensions strings; metrics numbers or arrays of at most 100
 * numbers) are not expressible in a plain schema: `emfProblems` checks them.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const EMF_SCHEMA = {
  type: 'object',
  required: ['_aws'],
  properties: {
    _aws: {
      type: 'object',
      required: ['Timestamp', 'CloudWatchMetrics'],
      properties: {
        Timestamp: { type: 'integer', minimum: 0 },
        CloudWatchMetrics: {
          type: 'array',
          items: {
            type: 'object',
            required: ['Namespace', 'Dimensions', 'Metrics'],
            additionalProperties: false,
            properties: {
              Namespace: { type: 'string', minLength: 1, maxLength: 255 },
              Dimensions: {
                type: 'array',
                minItems: 1,
                items: { type: 'array', maxItems: 9, items: { type: 'string', minLength: 1, maxLength: 255 } },
              },
              Metrics: {
                type: 'array',
                maxItems: 100,
                items: {
                  type: 'object',
                  required: ['Name'],
                  additionalProperties: false,
                  properties: {
                    Name: { type: 'string', minLength: 1, maxLength: 255 },
                    Unit: {
                      enum: [
                        'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
                        'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count',
                        'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second',
                        'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
                      ],
                    },
                    StorageResolution: { enum: [1, 60] },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile(EMF_SCHEMA);

/** The specification's limit on one log event. */
const MAX_EVENT_BYTES = 256 * 1024;

/** Everything wrong with one log line as an EMF document; empty when it is valid. */
export function emfProblems(line: string): string[] {
  const problems: string[] = [];
  if (Buffer.byteLength(line) > MAX_EVENT_BYTES) problems.push(`the line has ${Buffer.byteLength(line)} bytes, over 256 KB`);
  let root: Record<string, unknown>;
  try {
    root = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return [...problems, 'not JSON'];
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return [...problems, 'not a JSON object'];
  if (!validate(root)) return [...problems, ...(validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`)];
  const directives = (root._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] }).CloudWatchMetrics;
  for (const directive of directives) {
    for (const name of directive.Dimensions.flat()) {
      if (typeof root[name] !== 'string') problems.push(`dimension ${name} is not a string member of the root`);
    }
    for (const { Name } of directive.Metrics) {
      const value = root[Name];
      const numbers = Array.isArray(value) ? value : [value];
      if (Array.isArray(value) && value.length > 100) problems.push(`metric ${Name} has ${value.length} values, over 100`);
      if (numbers.some((n) => typeof n !== 'number' || !Number.isFinite(n))) problems.push(`metric ${Name} is not a number or an array of numbers`);
    }
  }
  return problems;
}
