import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_POLICY_BODY, stackPolicyBody, stackPolicyDocument } from '../../../../lib/constructs/deploy-guard/stack-policy-document';

describe('stack policy document', () => {
  test('allows every update, then denies Update:Replace and Update:Delete on their logical IDs (sorted, once each)', () => {
    expect(stackPolicyDocument({ noReplace: ['Volume', 'Cache', 'Volume'], noDelete: ['Cache'] })).toEqual({
      Statement: [
        { Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'Update:Replace', Principal: '*', Resource: ['LogicalResourceId/Cache', 'LogicalResourceId/Volume'] },
        { Effect: 'Deny', Action: 'Update:Delete', Principal: '*', Resource: ['LogicalResourceId/Cache'] },
      ],
    });
  });

  test('with nothing to protect it only allows (once set, a policy denies whatever it does not allow)', () => {
    expect(stackPolicyDocument({ noReplace: [], noDelete: [] })).toEqual({ Statement: [{ Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' }] });
  });

  test('a body over SetStackPolicy\'s limit is a one-line error naming the stack', () => {
    const ids = Array.from({ length: 400 }, (_, i) => `Primary${i}DatabaseResourceABCDEF12`);
    expect(() => stackPolicyBody('graminsta-Data', { noReplace: ids, noDelete: [] })).toThrow(new RegExp(`^graminsta-Data: its stack policy is \\d+ characters, over SetStackPolicy's ${MAX_POLICY_BODY}`));
  });
});

test('docs/stack-policy-lifted.json, the body an operator lifts the policy with, allows everything and denies nothing', () => {
  const lifted: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'stack-policy-lifted.json'), 'utf8'));
  expect(lifted).toEqual(stackPolicyDocument({ noReplace: [], noDelete: [] }));
});
