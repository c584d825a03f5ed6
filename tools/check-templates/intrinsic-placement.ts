import type { CfnTemplate } from '../review/template';
import { dotted, type TemplateFinding } from './finding';

/**
 * Where CloudFormation accepts intrinsic functions, and which function may sit
 * inside which, as the CloudFormation Template Reference documents it (each
 * function's "Supported functions" section). `@aws/cloudformation-validate`
 * checks the shape of each function's arguments (E1017, E1018, E1022, ...) but
 * not these positions: it accepts `Fn::GetStackOutput` inside `Fn::Split`, in
 * resource `Metadata`, in an export name or inside `Fn::ImportValue`.
 *
 * `Fn::GetStackOutput` is new (2026) and its reference page documents no
 * "Supported functions" section. Its positions here are the ones aws-cloudformation/cfn-lint
 * confirmed by deploying test stacks, and its function schemas encode:
 * resource property values, output values, and inside `Fn::Join` (list items),
 * `Fn::Select` (list items), `Fn::If` (values), `Fn::Sub` (variable values)
 * and `Fn::Base64`; never in conditions, export names or `Fn::ImportValue`
 * (CloudFormation rejects those) nor inside `Fn::Split`, whose documented
 * source-string functions do not include it. Resource `Metadata` and
 * `UpdatePolicy` are not among the documented or tested positions, so they are
 * refused too.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html
 * @see https://github.com/aws-cloudformation/cfn-lint/pull/4495 (positions tested with create-stack)
 * @see https://github.com/aws-cloudformation/cfn-lint/pull/4519 (output values, Fn::Sub, Fn::Base64 added after CloudFormation began accepting them)
 * @see https://github.com/aws-cloudformation/cfn-lint/blob/main/src/cfnlint/data/schemas/other/functions/split.json
 */

const DOCS = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference';
const doc = (page: string) => `${DOCS}/${page}.html`;

const GET_STACK_OUTPUT = 'Fn::GetStackOutput';
const CONDITION_FUNCTIONS = new Set(['Fn::And', 'Fn::Equals', 'Fn::Not', 'Fn::Or']);
/**
 * Transforms that leave the template's own intrinsics where they are written:
 * the `AWS::SecretsManager` transform only generates, as a nested stack, the
 * rotation function of each rotation schedule's `HostedRotationLambda`, so
 * positions checked on the template as written hold for the processed one.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/transform-aws-secretsmanager.html
 */
const POSITION_PRESERVING_TRANSFORMS: ReadonlySet<unknown> = new Set(['AWS::SecretsManager-2020-07-23', 'AWS::SecretsManager-2024-09-16']);

/** Functions that need a transform (`AWS::LanguageExtensions`, macros); CDK never emits them here. */
const TRANSFORM_FUNCTIONS = new Set(['Fn::Transform', 'Fn::Length', 'Fn::ToJsonString']);
const KNOWN = new Set([
  'Ref',
  'Condition',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::FindInMap',
  'Fn::GetAtt',
  'Fn::GetAZs',
  'Fn::GetStackOutput',
  'Fn::If',
  'Fn::ImportValue',
  'Fn::Join',
  'Fn::Select',
  'Fn::Split',
  'Fn::Sub',
  ...CONDITION_FUNCTIONS,
]);

/** A position inside a function's arguments: which functions may sit there, and where the rule is written. */
interface Slot {
  /** e.g. 'the Fn::Split source string'. */
  readonly label: string;
  /** Functions allowed directly here; `none` when only a literal is. */
  readonly allowed: ReadonlySet<string> | 'none';
  readonly source: string;
}

const slot = (label: string, allowed: readonly string[] | 'none', source: string): Slot => ({
  label,
  allowed: allowed === 'none' ? 'none' : new Set(allowed),
  source,
});

// "Supported functions" of each function's reference page.
const SPLIT_SOURCE = slot(
  'the Fn::Split source string',
  ['Fn::Base64', 'Fn::FindInMap', 'Fn::GetAtt', 'Fn::GetAZs', 'Fn::If', 'Fn::ImportValue', 'Fn::Join', 'Fn::Select', 'Fn::Sub', 'Ref'],
  doc('intrinsic-function-reference-split'),
);
const JOIN_VALUES = ['Fn::Base64', 'Fn::FindInMap', 'Fn::GetAtt', 'Fn::GetAZs', 'Fn::If', 'Fn::ImportValue', 'Fn::Join', 'Fn::Split', 'Fn::Select', 'Fn::Sub', 'Ref'];
const JOIN_LIST = slot('the Fn::Join list of values', JOIN_VALUES, doc('intrinsic-function-reference-join'));
const JOIN_ITEM = slot('an item of the Fn::Join list', [...JOIN_VALUES, GET_STACK_OUTPUT], doc('intrinsic-function-reference-join'));
const SELECT_VALUES = ['Fn::FindInMap', 'Fn::GetAtt', 'Fn::GetAZs', 'Fn::If', 'Fn::Split', 'Ref'];
const SELECT_INDEX = slot('the Fn::Select index', ['Ref', 'Fn::FindInMap'], doc('intrinsic-function-reference-select'));
const SELECT_LIST = slot('the Fn::Select list of objects', SELECT_VALUES, doc('intrinsic-function-reference-select'));
const SELECT_ITEM = slot('an item of the Fn::Select list', [...SELECT_VALUES, GET_STACK_OUTPUT], doc('intrinsic-function-reference-select'));
const SUB_VARIABLE = slot(
  'an Fn::Sub variable value',
  ['Fn::Base64', 'Fn::FindInMap', 'Fn::GetAtt', 'Fn::GetAZs', 'Fn::If', 'Fn::ImportValue', 'Fn::Join', 'Fn::Select', 'Ref', GET_STACK_OUTPUT],
  doc('intrinsic-function-reference-sub'),
);
const IF_VALUE = slot(
  'an Fn::If value',
  ['Fn::Base64', 'Fn::FindInMap', 'Fn::GetAtt', 'Fn::GetAZs', 'Fn::If', 'Fn::Join', 'Fn::Select', 'Fn::Sub', 'Ref', GET_STACK_OUTPUT],
  doc('intrinsic-function-reference-conditions'),
);
const CONDITION_ARGUMENT = slot('a condition function argument', ['Fn::FindInMap', 'Ref', 'Condition', ...CONDITION_FUNCTIONS], doc('intrinsic-function-reference-conditions'));
// "You can use any function that returns a string inside the Fn::Base64 function."
const BASE64_VALUE = slot(
  'the Fn::Base64 value',
  ['Fn::Base64', 'Fn::FindInMap', 'Fn::GetAtt', 'Fn::If', 'Fn::ImportValue', 'Fn::Join', 'Fn::Select', 'Fn::Sub', 'Ref', GET_STACK_OUTPUT],
  doc('intrinsic-function-reference-base64'),
);
const CIDR_ARGUMENT = slot('an Fn::Cidr argument', ['Fn::Select', 'Ref'], doc('intrinsic-function-reference-cidr'));
const FIND_IN_MAP_ARGUMENT = slot('an Fn::FindInMap key', ['Fn::FindInMap', 'Ref'], doc('intrinsic-function-reference-findinmap'));
const GET_ATT_RESOURCE = slot('the Fn::GetAtt logical resource name', 'none', doc('intrinsic-function-reference-getatt'));
const GET_ATT_ATTRIBUTE = slot('the Fn::GetAtt attribute name', ['Ref'], doc('intrinsic-function-reference-getatt'));
const GET_AZS_REGION = slot('the Fn::GetAZs region', ['Ref'], doc('intrinsic-function-reference-getavailabilityzones'));
const IMPORT_VALUE = slot(
  'the Fn::ImportValue name',
  ['Fn::Base64', 'Fn::FindInMap', 'Fn::If', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::Sub', 'Ref'],
  doc('intrinsic-function-reference-importvalue'),
);
// cfn-lint's schema for the function (src/cfnlint/data/schemas/other/functions/getstackoutput.json).
const GET_STACK_OUTPUT_ARGUMENT = slot(
  'an Fn::GetStackOutput argument',
  ['Fn::Base64', 'Fn::FindInMap', 'Fn::GetAtt', 'Fn::If', 'Fn::ImportValue', 'Fn::Join', 'Fn::Select', 'Fn::Sub', 'Ref'],
  doc('intrinsic-function-reference-getstackoutput'),
);
const LITERAL = (label: string, page: string) => slot(label, 'none', doc(page));

/** A function argument to visit: its value, the slot it fills, and the slot of its items when it is a literal list. */
interface Argument {
  readonly value: unknown;
  readonly at: readonly (string | number)[];
  readonly slot: Slot;
  readonly items?: Slot;
}

/** The arguments of one function call, by its documented declaration. Malformed calls yield what can be read (the validator reports their shape). */
function argumentsOf(fn: string, arg: unknown): Argument[] {
  const list = Array.isArray(arg) ? arg : undefined;
  const at = (i: number, value: unknown, s: Slot, items?: Slot): Argument => ({ value, at: [i], slot: s, items });
  switch (fn) {
    case 'Fn::Base64':
      return [{ value: arg, at: [], slot: BASE64_VALUE }];
    case 'Fn::Cidr':
      return (list ?? []).map((v, i) => at(i, v, CIDR_ARGUMENT));
    case 'Fn::FindInMap':
      return (list ?? []).slice(0, 3).map((v, i) => at(i, v, FIND_IN_MAP_ARGUMENT));
    case 'Fn::GetAtt':
      return list ? [at(0, list[0], GET_ATT_RESOURCE), ...list.slice(1).map((v, i) => at(i + 1, v, GET_ATT_ATTRIBUTE))] : [];
    case 'Fn::GetAZs':
      return [{ value: arg, at: [], slot: GET_AZS_REGION }];
    case 'Fn::ImportValue':
      return [{ value: arg, at: [], slot: IMPORT_VALUE }];
    case 'Fn::Join':
      return list ? [at(0, list[0], LITERAL('the Fn::Join delimiter', 'intrinsic-function-reference-join')), at(1, list[1], JOIN_LIST, JOIN_ITEM)] : [];
    case 'Fn::Select':
      return list ? [at(0, list[0], SELECT_INDEX), at(1, list[1], SELECT_LIST, SELECT_ITEM)] : [];
    case 'Fn::Split':
      return list ? [at(0, list[0], LITERAL('the Fn::Split delimiter', 'intrinsic-function-reference-split')), at(1, list[1], SPLIT_SOURCE)] : [];
    case 'Fn::Sub': {
      if (!list) return [{ value: arg, at: [], slot: LITERAL('the Fn::Sub string', 'intrinsic-function-reference-sub') }];
      const variables = list[1] !== null && typeof list[1] === 'object' && !Array.isArray(list[1]) ? Object.entries(list[1] as Record<string, unknown>) : [];
      return [at(0, list[0], LITERAL('the Fn::Sub string', 'intrinsic-function-reference-sub')), ...variables.map(([name, v]) => ({ value: v, at: [1, name], slot: SUB_VARIABLE }))];
    }
    case 'Fn::If':
      return list ? [at(0, list[0], LITERAL('the Fn::If condition name', 'intrinsic-function-reference-conditions')), at(1, list[1], IF_VALUE), at(2, list[2], IF_VALUE)] : [];
    case 'Fn::And':
    case 'Fn::Or':
    case 'Fn::Not':
    case 'Fn::Equals':
      return (list ?? []).map((v, i) => at(i, v, CONDITION_ARGUMENT));
    case 'Fn::GetStackOutput':
      return arg !== null && typeof arg === 'object' && !Array.isArray(arg)
        ? Object.entries(arg as Record<string, unknown>).map(([name, v]) => ({ value: v, at: [name], slot: GET_STACK_OUTPUT_ARGUMENT }))
        : [];
    case 'Ref':
      return [{ value: arg, at: [], slot: LITERAL('the Ref target', 'intrinsic-function-reference-ref') }];
    case 'Condition':
      return [{ value: arg, at: [], slot: LITERAL('a condition name', 'intrinsic-function-reference-conditions') }];
    default:
      return [];
  }
}

/** The parts of a template where intrinsic functions may appear, each with what it accepts. */
interface Section {
  /** e.g. 'resource Metadata'. */
  readonly name: string;
  /** Functions this part accepts at any depth (before the slots' own rules). */
  readonly accepts: (fn: string) => boolean;
  readonly source: string;
}

const WHERE = doc('intrinsic-function-reference');
const notCondition = (fn: string) => !CONDITION_FUNCTIONS.has(fn) && fn !== 'Condition';
const SECTIONS = {
  properties: { name: 'resource properties', accepts: notCondition, source: WHERE },
  // "metadata attributes" and "update policy attributes" take intrinsics, but no documented or tested
  // position of Fn::GetStackOutput is there (cfn-lint pull requests 4495 and 4519).
  metadata: { name: 'resource Metadata', accepts: (fn: string) => notCondition(fn) && fn !== GET_STACK_OUTPUT, source: doc('intrinsic-function-reference-getstackoutput') },
  updatePolicy: { name: 'a resource UpdatePolicy', accepts: (fn: string) => notCondition(fn) && fn !== GET_STACK_OUTPUT, source: doc('intrinsic-function-reference-getstackoutput') },
  outputValue: { name: 'an output value', accepts: notCondition, source: WHERE },
  // What an export name may not depend on is checked separately (mustNotDepend).
  exportName: { name: 'an export name', accepts: notCondition, source: doc('intrinsic-function-reference-importvalue') },
  // Conditions hold condition functions, Ref and Fn::FindInMap ("Supported functions" of the condition functions).
  conditions: { name: 'the Conditions section', accepts: (fn: string) => CONDITION_ARGUMENT.allowed !== 'none' && CONDITION_ARGUMENT.allowed.has(fn), source: doc('intrinsic-function-reference-conditions') },
  elsewhere: { name: '', accepts: () => false, source: WHERE },
} satisfies Record<string, Section>;

/** Logical IDs of the template's resources (a `Ref` to one of them depends on a resource; to a parameter it does not). */
function resourceIds(template: CfnTemplate): ReadonlySet<string> {
  return new Set(Object.keys(template.Resources ?? {}));
}

function functionCall(value: unknown): [string, unknown] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0];
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? [key, (value as Record<string, unknown>)[key]] : undefined;
}

/**
 * Every intrinsic function in the wrong place, per the rules above: outside
 * the parts of a template that accept intrinsics, a function a part does not
 * accept (`Fn::GetStackOutput` in Metadata), a function nested where its host
 * does not list it (`Fn::GetStackOutput` inside `Fn::Split`), an unknown
 * function, and an `Fn::ImportValue` name or export name that depends on a
 * resource.
 */
export function checkIntrinsicPlacement(stack: string, template: CfnTemplate): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  const resources = resourceIds(template);
  const report = (path: readonly (string | number)[], rule: string, message: string) =>
    findings.push({ stack, path: dotted(path), rule, severity: 'error', message });

  if (template.Transform !== undefined && ![template.Transform].flat().every((t) => POSITION_PRESERVING_TRANSFORMS.has(t))) {
    report(['Transform'], 'intrinsic-position', 'the template declares a transform; intrinsic positions can only be checked on the processed template');
    return findings;
  }

  /**
   * "The value of these functions can't depend on a resource" (Fn::ImportValue), and CloudFormation's
   * own error for an export name: "must not depend on any resources, imported values, or Fn::GetAZs".
   */
  const mustNotDepend = (value: unknown, path: readonly (string | number)[], what: string, source: string): void => {
    const call = functionCall(value);
    if (call) {
      const [fn, arg] = call;
      const dependent = (fn === 'Ref' && typeof arg === 'string' && resources.has(arg)) || ['Fn::GetAtt', GET_STACK_OUTPUT, 'Fn::ImportValue', 'Fn::GetAZs'].includes(fn);
      if (dependent) {
        report([...path, fn], 'intrinsic-dependency', `${what} must not depend on a resource, an imported value, another stack's output or Fn::GetAZs, but holds ${fn} (see ${source})`);
        return;
      }
      if (fn === 'Fn::Sub') {
        const text = Array.isArray(arg) ? arg[0] : arg;
        const local = Array.isArray(arg) && arg[1] && typeof arg[1] === 'object' ? Object.keys(arg[1] as object) : [];
        for (const match of typeof text === 'string' ? text.matchAll(/\$\{([^!}][^}]*)\}/g) : []) {
          const id = match[1].split('.')[0];
          if (!local.includes(id) && (resources.has(id) || match[1].includes('.'))) {
            report(path, 'intrinsic-dependency', `${what} must not depend on a resource, but its Fn::Sub names \${${match[1]}} (see ${source})`);
          }
        }
      }
      mustNotDepend(arg, [...path, fn], what, source);
    } else if (Array.isArray(value)) value.forEach((item, i) => mustNotDepend(item, [...path, i], what, source));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) mustNotDepend(v, [...path, k], what, source);
  };

  const visit = (value: unknown, path: readonly (string | number)[], section: Section, here?: Slot, items?: Slot): void => {
    const call = functionCall(value);
    if (!call) {
      // A literal list fills its host's list slot item by item; other literals sit back in the section.
      if (Array.isArray(value)) value.forEach((item, i) => visit(item, [...path, i], section, items));
      else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, [...path, k], section);
      return;
    }
    const [fn, arg] = call;
    const at = [...path, fn];
    if (TRANSFORM_FUNCTIONS.has(fn) || fn.startsWith('Fn::ForEach::')) {
      report(at, 'intrinsic-position', `${fn} needs a transform this template does not declare`);
      return;
    }
    if (!KNOWN.has(fn)) {
      report(at, 'intrinsic-unknown', `${fn} is not a CloudFormation intrinsic function (see ${WHERE})`);
      return;
    }
    if (section === SECTIONS.elsewhere) {
      report(at, 'intrinsic-position', `${fn} is not allowed here: intrinsic functions work only in resource properties, resource metadata, update policies, outputs and conditions (see ${WHERE})`);
      return;
    }
    if (!section.accepts(fn)) {
      report(at, 'intrinsic-position', `${fn} is not supported in ${section.name} (see ${section.source})`);
    } else if (here && (here.allowed === 'none' || !here.allowed.has(fn))) {
      const supported = here.allowed === 'none' ? 'no function, only a literal' : [...here.allowed].join(', ');
      report(at, 'intrinsic-nesting', `${fn} is not supported in ${here.label}, which takes ${supported} (see ${here.source})`);
    }
    for (const a of argumentsOf(fn, arg)) visit(a.value, [...at, ...a.at], section, a.slot, a.items);
    if (fn === 'Fn::ImportValue') mustNotDepend(arg, at, 'the Fn::ImportValue name', doc('intrinsic-function-reference-importvalue'));
  };

  for (const [key, value] of Object.entries(template)) {
    // The Rules section has its own rule-specific functions, which the validator checks (F8611).
    if (['Resources', 'Outputs', 'Conditions', 'Rules'].includes(key)) continue;
    visit(value, [key], SECTIONS.elsewhere);
  }
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    for (const [attribute, value] of Object.entries(resource)) {
      const section =
        attribute === 'Properties' ? SECTIONS.properties : attribute === 'Metadata' ? SECTIONS.metadata : attribute === 'UpdatePolicy' ? SECTIONS.updatePolicy : SECTIONS.elsewhere;
      visit(value, ['Resources', id, attribute], section);
    }
  }
  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    for (const [field, value] of Object.entries(output)) {
      if (field === 'Value') visit(value, ['Outputs', id, field], SECTIONS.outputValue);
      else if (field === 'Export') {
        const name = (value as { Name?: unknown } | undefined)?.Name;
        visit(name, ['Outputs', id, 'Export', 'Name'], SECTIONS.exportName);
        mustNotDepend(name, ['Outputs', id, 'Export', 'Name'], 'an export name', doc('intrinsic-function-reference-importvalue'));
      } else visit(value, ['Outputs', id, field], SECTIONS.elsewhere);
    }
  }
  for (const [id, condition] of Object.entries((template.Conditions ?? {}) as Record<string, unknown>)) {
    visit(condition, ['Conditions', id], SECTIONS.conditions);
  }
  // One finding per place: a function both misplaced and depending on a resource is reported once.
  return findings.filter((f, i) => findings.findIndex((g) => g.path === f.path) === i);
}
