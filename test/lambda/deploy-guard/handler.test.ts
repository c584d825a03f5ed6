import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/**
 * The guard's Lambda handler as CloudFormation calls it: the event in, the
 * response PUT to the presigned URL, and DescribeStacks asked whether the
 * stack is rolling back. One loopback server plays both CloudFormation's query
 * API and the response bucket.
 */
let server: Server;
let endpoint: string;
let stackStatus = 'UPDATE_IN_PROGRESS';
const responses: Record<string, unknown>[] = [];
/** SetStackPolicy calls the stand-in received (stack → body), and the error it answers with when set. */
const policies = new Map<string, string>();
let setStackPolicyError: string | undefined;

beforeAll(async () => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined); // the handler's one line per event
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.method === 'PUT') {
        responses.push(JSON.parse(body) as Record<string, unknown>);
        response.writeHead(200).end();
        return;
      }
      const query = new URLSearchParams(body);
      if (query.get('Action') === 'SetStackPolicy') {
        if (setStackPolicyError) {
          response.writeHead(400, { 'content-type': 'text/xml' }).end(
            `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code>` +
              `<Message>${setStackPolicyError}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
          );
          return;
        }
        policies.set(query.get('StackName') ?? '', query.get('StackPolicyBody') ?? '');
        response.writeHead(200, { 'content-type': 'text/xml' }).end(
          `<SetStackPolicyResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SetStackPolicyResponse>`,
        );
        return;
      }
      if (query.get('Action') === 'DescribeStacks') {
        response.writeHead(200, { 'content-type': 'text/xml' }).end(
          `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
            `<StackName>graminsta-Data</StackName><StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/graminsta-Data/1</StackId>` +
            `<StackStatus>${stackStatus}</StackStatus><CreationTime>2026-12-04T00:00:00Z</CreationTime></member></Stacks></DescribeStacksResult>` +
            `<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        );
        return;
      }
      response.writeHead(400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const properties = (stage: string, confirm = '') => ({
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:guard',
  StackLabel: 'graminsta-Data',
  Stage: stage,
  Confirm: confirm,
  Ladder: ['1', '10', '100', '1k', '10k', '100k', '1m'],
  RunbookSteps: [{ runbook: '1-to-10', from: '1', to: '10', file: 'docs/runbooks/1-to-10.md' }],
});

function update(from: string, to: string, confirm = ''): CloudFormationCustomResourceEvent {
  return {
    RequestType: 'Update',
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:guard',
    ResponseURL: `${endpoint}/response?X-Amz-Signature=x`,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/graminsta-Data/1',
    RequestId: 'request-1',
    LogicalResourceId: 'DeployGuard',
    PhysicalResourceId: 'graminsta-deploy-guard',
    ResourceType: 'Custom::DeployGuard',
    ResourceProperties: properties(to, confirm),
    OldResourceProperties: properties(from),
  };
}

async function run(event: CloudFormationCustomResourceEvent): Promise<Record<string, unknown>> {
  const { handler } = await import('../../../lambda/deploy-guard/index');
  responses.length = 0;
  await handler(event);
  expect(responses).toHaveLength(1);
  return responses[0];
}

test('a plain 1 → 10 fails the resource with the message cdk deploy prints', async () => {
  stackStatus = 'UPDATE_IN_PROGRESS';
  const response = await run(update('1', '10'));
  expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'graminsta-deploy-guard', RequestId: 'request-1', LogicalResourceId: 'DeployGuard' });
  expect(response.Reason).toMatch(/^graminsta-Data: stage 1 → 10 moves data that a plain deploy would lose\. Follow the runbook for 1 → 10 \(docs\/runbooks\/1-to-10\.md, -c confirm=1-to-10\)/);
});

test('with the runbook confirmation it succeeds, keeping its physical ID', async () => {
  stackStatus = 'UPDATE_IN_PROGRESS';
  expect(await run(update('1', '10', '1-to-10'))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'graminsta-deploy-guard' });
});

test('CloudFormation rolling back a failed 1 → 10 (an Update from 10 to 1 without a confirmation) succeeds', async () => {
  stackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
  expect(await run(update('10', '1'))).toMatchObject({ Status: 'SUCCESS' });
  stackStatus = 'UPDATE_IN_PROGRESS';
  expect(await run(update('10', '1'))).toMatchObject({ Status: 'FAILED' });
});

test('create and delete always succeed', async () => {
  const base = update('1', '10');
  const { OldResourceProperties: _old, PhysicalResourceId: _id, ...rest } = base as Extract<CloudFormationCustomResourceEvent, { RequestType: 'Update' }>;
  expect(await run({ ...rest, RequestType: 'Create' })).toMatchObject({ Status: 'SUCCESS' });
  expect(await run({ ...rest, RequestType: 'Delete', PhysicalResourceId: 'graminsta-deploy-guard' })).toMatchObject({ Status: 'SUCCESS' });
});

describe('the StackPolicy resource (served by the same function, in the Monitoring stack)', () => {
  /** The event's own stack: Monitoring, whose update is in progress; never the one whose policy is set. */
  const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/graminsta-Monitoring/1';
  const TARGET = 'graminsta-Data';
  const body = (ids: string[]) =>
    JSON.stringify({
      Statement: [
        { Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'Update:Replace', Principal: '*', Resource: ids.map((id) => `LogicalResourceId/${id}`) },
        { Effect: 'Deny', Action: 'Update:Delete', Principal: '*', Resource: ids.slice(0, 1).map((id) => `LogicalResourceId/${id}`) },
      ],
    });
  const policyEvent = (requestType: 'Create' | 'Update' | 'Delete', policyBody: string, oldBody?: string, stackName: unknown = TARGET): CloudFormationCustomResourceEvent => {
    const common = {
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:guard',
      ResponseURL: `${endpoint}/response?X-Amz-Signature=p`,
      StackId: STACK_ID,
      RequestId: 'request-2',
      LogicalResourceId: 'DataStackPolicy',
      ResourceType: 'Custom::StackPolicy',
      ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:guard', StackName: stackName, PolicyBody: policyBody },
    };
    if (requestType === 'Create') return { ...common, RequestType: 'Create' };
    if (requestType === 'Delete') return { ...common, RequestType: 'Delete', PhysicalResourceId: 'graminsta-stack-policy' };
    return { ...common, RequestType: 'Update', PhysicalResourceId: 'graminsta-stack-policy', OldResourceProperties: { ServiceToken: common.ServiceToken, StackName: TARGET, PolicyBody: oldBody ?? '' } };
  };

  beforeEach(() => {
    policies.clear();
    setStackPolicyError = undefined;
  });

  test('create sets the body on the stack its StackName names (not the event\'s own stack) and succeeds with a physical ID of its own', async () => {
    const response = await run(policyEvent('Create', body(['Database', 'Volume'])));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'graminsta-stack-policy', LogicalResourceId: 'DataStackPolicy', StackId: STACK_ID });
    expect(response.Reason).toBe('stack policy of graminsta-Data set: 2 resource(s) may not be replaced, 1 may not be deleted');
    expect([...policies]).toEqual([[TARGET, body(['Database', 'Volume'])]]);
  });

  test('an update (the set of stateful resources changed) sets the new body', async () => {
    expect(await run(policyEvent('Update', body(['Database']), body(['Database', 'Volume'])))).toMatchObject({ Status: 'SUCCESS' });
    expect([...policies]).toEqual([[TARGET, body(['Database'])]]);
  });

  test('without a stack name it fails naming StackName, without calling CloudFormation (it never falls back to its own stack)', async () => {
    for (const stackName of [null, '', STACK_ID]) {
      expect(await run(policyEvent('Create', body(['Database']), undefined, stackName))).toMatchObject({ Status: 'FAILED', Reason: 'stack policy: StackName: expected the name of the stack whose policy to set' });
    }
    expect(policies.size).toBe(0);
  });

  test('CloudFormation refusing the call fails the resource with its message; nothing is set', async () => {
    setStackPolicyError = 'User is not authorized to perform: cloudformation:SetStackPolicy';
    const response = await run(policyEvent('Update', body(['Database'])));
    expect(response).toMatchObject({ Status: 'FAILED', Reason: 'stack policy: User is not authorized to perform: cloudformation:SetStackPolicy' });
    expect(policies.size).toBe(0);
  });

  test('a body that is not a stack policy fails the resource naming PolicyBody, without calling CloudFormation', async () => {
    expect(await run(policyEvent('Create', '{"Statement": []}'))).toMatchObject({ Status: 'FAILED', Reason: 'stack policy: PolicyBody: expected an object with a non-empty Statement list' });
    expect(await run(policyEvent('Create', 'deny everything'))).toMatchObject({ Status: 'FAILED', Reason: 'stack policy: PolicyBody: not JSON' });
    expect(policies.size).toBe(0);
  });

  test('delete (the resource left Monitoring\'s template) leaves the policy as it is and succeeds', async () => {
    expect(await run(policyEvent('Delete', body(['Database'])))).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'graminsta-stack-policy',
      Reason: 'the stack policy of graminsta-Data stays as last set (a stack policy cannot be removed)',
    });
    expect(policies.size).toBe(0);
  });
});
