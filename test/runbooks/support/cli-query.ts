/**
 * The AWS CLI's `--query` (JMESPath) and `--output`, for the subset runbooks use: fields, indexes,
 * `[]` and `[?…]` projections (comparisons with `==` / `!=` joined by `&&`), multi-select lists
 * `[a, b]`, pipes and `length()`. Anything else throws, naming what it could not read, so a runbook
 * cannot pass the rehearsal with a query this evaluates differently from the CLI.
 * @see https://jmespath.org/specification.html
 * @see https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-filter.html
 */

type Json = unknown;

type Node =
  | { readonly kind: 'current' }
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'flatten' }
  | { readonly kind: 'filter'; readonly condition: Condition }
  | { readonly kind: 'multiselect'; readonly items: readonly Node[] }
  | { readonly kind: 'length'; readonly argument: Node }
  | { readonly kind: 'chain'; readonly steps: readonly Node[] }
  | { readonly kind: 'pipe'; readonly left: Node; readonly right: Node };

interface Comparison {
  readonly left: Node;
  readonly operator: '==' | '!=';
  readonly right: Json;
}
type Condition = readonly Comparison[];

const TOKEN = /\s*(\[\?|\[\]|==|!=|&&|'(?:[^'\\]|\\.)*'|`[^`]*`|-?\d+|[A-Za-z_][A-Za-z0-9_]*|[.[\](),|@])/y;

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < query.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(query);
    if (!match) {
      if (query.slice(start).trim() === '') break;
      throw new Error(`--query ${query}: the rehearsal cannot read it from "${query.slice(start)}"`);
    }
    tokens.push(match[1]);
  }
  return tokens;
}

class Parser {
  private position = 0;

  public constructor(
    private readonly tokens: readonly string[],
    private readonly query: string,
  ) {}

  public parse(): Node {
    const node = this.pipe();
    if (this.position < this.tokens.length) this.fail(`unexpected "${this.tokens[this.position]}"`);
    return node;
  }

  private fail(problem: string): never {
    throw new Error(`--query ${this.query}: ${problem} (the rehearsal reads fields, indexes, [], [?a=='b' && …], [a, b], | and length())`);
  }

  private peek(): string | undefined {
    return this.tokens[this.position];
  }

  private take(expected?: string): string {
    const token = this.tokens[this.position++];
    if (token === undefined || (expected !== undefined && token !== expected)) this.fail(`expected ${expected ?? 'more'}, found ${token ?? 'the end'}`);
    return token;
  }

  private pipe(): Node {
    let node = this.chain();
    while (this.peek() === '|') {
      this.take('|');
      node = { kind: 'pipe', left: node, right: this.chain() };
    }
    return node;
  }

  private chain(): Node {
    const steps: Node[] = [this.first()];
    for (;;) {
      const token = this.peek();
      if (token === '.') {
        this.take('.');
        steps.push(this.peek() === '[' ? this.multiselect() : this.field());
      } else if (token === '[' || token === '[]' || token === '[?') steps.push(this.bracket());
      else return steps.length === 1 ? steps[0] : { kind: 'chain', steps };
    }
  }

  private first(): Node {
    const token = this.peek();
    if (token === '@') {
      this.take('@');
      return { kind: 'current' };
    }
    if (token === 'length' && this.tokens[this.position + 1] === '(') {
      this.take('length');
      this.take('(');
      const argument = this.pipe();
      this.take(')');
      return { kind: 'length', argument };
    }
    if (token === '[' && !/^-?\d+$/.test(this.tokens[this.position + 1] ?? '')) return this.multiselect();
    if (token === '[' || token === '[]' || token === '[?') return this.bracket();
    return this.field();
  }

  private field(): Node {
    const name = this.take();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.fail(`expected a field name, found "${name}"`);
    return { kind: 'field', name };
  }

  private bracket(): Node {
    const token = this.take();
    if (token === '[]') return { kind: 'flatten' };
    if (token === '[?') {
      const condition: Comparison[] = [this.comparison()];
      while (this.peek() === '&&') {
        this.take('&&');
        condition.push(this.comparison());
      }
      this.take(']');
      return { kind: 'filter', condition };
    }
    const index = Number(this.take());
    if (!Number.isInteger(index)) this.fail('expected an index');
    this.take(']');
    return { kind: 'index', index };
  }

  private multiselect(): Node {
    this.take('[');
    const items: Node[] = [this.pipe()];
    while (this.peek() === ',') {
      this.take(',');
      items.push(this.pipe());
    }
    this.take(']');
    return { kind: 'multiselect', items };
  }

  private comparison(): Comparison {
    const left = this.chain();
    const operator = this.take();
    if (operator !== '==' && operator !== '!=') this.fail(`expected == or !=, found "${operator}"`);
    const literal = this.take();
    let right: Json;
    if (literal.startsWith("'")) right = literal.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (literal.startsWith('`')) right = JSON.parse(literal.slice(1, -1));
    else this.fail(`compare with a 'string' or a \`literal\`, not ${literal}`);
    return { left, operator, right };
  }
}

function evaluate(node: Node, value: Json): Json {
  switch (node.kind) {
    case 'current':
      return value;
    case 'field':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? ((value as Record<string, Json>)[node.name] ?? null) : null;
    case 'index': {
      if (!Array.isArray(value)) return null;
      return value[node.index < 0 ? value.length + node.index : node.index] ?? null;
    }
    case 'multiselect':
      return value === null ? null : node.items.map((item) => evaluate(item, value));
    case 'length': {
      const argument = evaluate(node.argument, value);
      if (typeof argument === 'string' || Array.isArray(argument)) return argument.length;
      if (argument !== null && typeof argument === 'object') return Object.keys(argument).length;
      throw new Error(`length() of ${JSON.stringify(argument)}: invalid-type`);
    }
    case 'pipe':
      return evaluate(node.right, evaluate(node.left, value));
    case 'chain':
      return evaluateSteps(node.steps, value);
    case 'flatten':
    case 'filter':
      return evaluateSteps([node], value);
  }
}

/** A chain of steps; `[]` and `[?…]` project the rest of the chain over each element (nulls dropped). */
function evaluateSteps(steps: readonly Node[], value: Json): Json {
  let current = value;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step.kind === 'flatten' || step.kind === 'filter') {
      if (!Array.isArray(current)) return null;
      const elements =
        step.kind === 'flatten'
          ? current.flatMap((element) => (Array.isArray(element) ? element : [element]))
          : current.filter((element) => step.condition.every((c) => (JSON.stringify(evaluate(c.left, element)) === JSON.stringify(c.right)) === (c.operator === '==')));
      const rest = steps.slice(i + 1);
      return elements.map((element) => evaluateSteps(rest, element)).filter((element) => element !== null);
    }
    current = evaluate(step, current);
  }
  return current;
}

/** The value `--query` selects from a response. */
export function applyQuery(response: Json, query: string | undefined): Json {
  if (query === undefined) return response;
  return evaluate(new Parser(tokenize(query), query).parse(), response);
}

/** The response as the CLI prints it: `--output json` (the default here) or `text` (scalars and lists of them, one row per inner list). */
export function formatOutput(value: Json, output: string | undefined): string {
  if (output === undefined || output === 'json') return `${JSON.stringify(value, null, 4)}\n`;
  if (output !== 'text') throw new Error(`--output ${output}: the rehearsal prints json and text`);
  const scalar = (v: Json): string => {
    if (v === null) return 'None';
    // The CLI is Python: booleans print as True and False.
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    if (typeof v === 'object') throw new Error(`--output text of ${JSON.stringify(v)}: the rehearsal prints scalars and lists of them; select fields with --query`);
    return String(v);
  };
  if (!Array.isArray(value)) return `${scalar(value)}\n`;
  if (value.some(Array.isArray)) return value.map((row) => (Array.isArray(row) ? row.map(scalar).join('\t') : scalar(row))).join('\n') + (value.length ? '\n' : '');
  return value.length ? `${value.map(scalar).join('\t')}\n` : '';
}
