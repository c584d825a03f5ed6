import { CloudFormationClient, DescribeStacksCommand, SetStackPolicyCommand } from '@aws-sdk/client-cloudformation';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { decide, type RunbookStep } from './decision';
import { stackPolicyAction } from './stack-policy';

/** The guard resource's properties, as lib/ writes them (CloudFormation passes every value as a string or list). */
interface GuardProperties {
  readonly StackLabel: string;
  readonly Stage: string;
  readonly Confirm?: string;
  readonly Ladder: readonly string[];
  readonly RunbookSteps: readonly RunbookStep[];
}

/** One physical ID per resource type for the life of the resource: a new one would make CloudFormation delete the old. */
const PHYSICAL_ID = 'graminsta-deploy-guard';
const STACK_POLICY_PHYSICAL_ID = 'graminsta-stack-policy';

const cloudFormation = new CloudFormationClient({});

/**
 * The deploy guard's custom resource: on Create and Update, decide (decision.ts)
 * whether the stack may go from the stage in the old properties to the new
 * one, and answer SUCCESS or FAILED with the decision's one-line message,
 * which CloudFormation shows as the reason and `cdk deploy` prints. Every
 * other resource of the stack depends on this one, so a refusal fails the
 * update before anything else changes. Delete always succeeds.
 */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<void> {
  if (event.ResourceType === 'Custom::StackPolicy') return setStackPolicy(event);
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = 'deleted';
  try {
    if (event.RequestType !== 'Delete') {
      const next = event.ResourceProperties as unknown as GuardProperties;
      const previous = event.RequestType === 'Update' ? (event.OldResourceProperties as unknown as GuardProperties) : undefined;
      const decision = decide({
        stack: next.StackLabel,
        from: previous?.Stage,
        to: next.Stage,
        confirm: next.Confirm || undefined,
        ladder: next.Ladder,
        runbookSteps: next.RunbookSteps,
        rollingBack: event.RequestType === 'Update' && (await rollingBack(event.StackId)),
      });
      status = decision.allowed ? 'SUCCESS' : 'FAILED';
      reason = decision.allowed ? decision.why : decision.message;
    }
  } catch (error) {
    status = 'FAILED';
    reason = `deploy guard: ${error instanceof Error ? error.message : String(error)}`;
  }
  console.log(JSON.stringify({ requestType: event.RequestType, status, reason }));
  await respond(event, status, reason, PHYSICAL_ID);
}

/**
 * The StackPolicy resource (lib/constructs/deploy-guard/stack-policy.ts), served by the same
 * function: SetStackPolicy on the stack its StackName property names (another stack of the app,
 * whose update is complete), with the body its properties carry (stack-policy.ts says when).
 * A failure fails the resource, and with it this stack's update.
 */
async function setStackPolicy(event: CloudFormationCustomResourceEvent): Promise<void> {
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason: string;
  try {
    const action = stackPolicyAction(event.RequestType, event.ResourceProperties.StackName, event.ResourceProperties.PolicyBody);
    if (action.set !== undefined) await cloudFormation.send(new SetStackPolicyCommand({ StackName: action.stackName, StackPolicyBody: action.set }));
    reason = action.why;
  } catch (error) {
    status = 'FAILED';
    reason = `stack policy: ${error instanceof Error ? error.message : String(error)}`;
  }
  console.log(JSON.stringify({ requestType: event.RequestType, resourceType: event.ResourceType, status, reason }));
  await respond(event, status, reason, STACK_POLICY_PHYSICAL_ID);
}

/** True while CloudFormation undoes a failed update of the stack (it sends the old properties as an Update). */
async function rollingBack(stackId: string): Promise<boolean> {
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }));
  return (Stacks?.[0]?.StackStatus ?? '').includes('ROLLBACK');
}

/** The custom resource response: a PUT of JSON to the presigned S3 URL CloudFormation gave. */
function respond(event: CloudFormationCustomResourceEvent, status: 'SUCCESS' | 'FAILED', reason: string, physicalId: string): Promise<void> {
  const body = JSON.stringify({
    Status: status,
    // CloudFormation keeps at most 4 KiB of the response; the reason is one line.
    Reason: reason.slice(0, 1000),
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: {},
  });
  return new Promise((resolve, reject) => {
    const url = new URL(event.ResponseURL);
    // https in AWS; http only for a loopback stand-in in tests.
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const put = send(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`response upload failed: HTTP ${response.statusCode}`))));
    });
    put.on('error', reject);
    put.end(body);
  });
}
