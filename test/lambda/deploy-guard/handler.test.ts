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
      if (new URLSearchParams(body).get('Action') === 'DescribeStacks') {
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
