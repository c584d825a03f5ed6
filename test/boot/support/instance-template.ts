import type { CloudFormationStandIn } from './cloudformation-stand-in';

/** What one kind of instance is told to do, read from a synthesized stack and resolved. */
export interface InstanceBootstrap {
  readonly stack: string;
  /** The resource whose metadata cfn-init reads (the instance, or the Auto Scaling group). */
  readonly metadataResource: string;
  readonly resourceType: 'AWS::EC2::Instance' | 'AWS::AutoScaling::AutoScalingGroup';
  /** The user data as EC2 hands it to cloud-init (Fn::Base64 decoded). */
  readonly userData: string;
  /** The resource's Metadata, resolved as DescribeStackResource returns it. */
  readonly metadata: Record<string, unknown>;
}

const INIT = 'AWS::CloudFormation::Init';

/**
 * Finds the stack's one resource with `AWS::CloudFormation::Init` metadata (the single API
 * instance of stages 1–100, or the fleet's Auto Scaling group from 1k) and returns its user data
 * (from the instance, or from the group's launch template) and metadata, resolved by the stand-in.
 */
export function instanceBootstrap(cloudformation: CloudFormationStandIn, stack: string): InstanceBootstrap {
  const resources = cloudformation.template(stack).Resources as Record<string, { Type: string; Properties?: any; Metadata?: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const withInit = Object.entries(resources).filter(([, r]) => r.Metadata?.[INIT]);
  if (withInit.length !== 1) throw new Error(`${stack} should have exactly one resource with ${INIT}, found ${withInit.map(([id]) => id).join(', ') || 'none'}`);
  const [logicalId, resource] = withInit[0];
  let userData: unknown;
  if (resource.Type === 'AWS::EC2::Instance') {
    userData = resource.Properties?.UserData;
  } else if (resource.Type === 'AWS::AutoScaling::AutoScalingGroup') {
    const launchTemplateRef = resource.Properties?.LaunchTemplate?.LaunchTemplateId;
    const launchTemplateId = launchTemplateRef?.Ref;
    if (!launchTemplateId) throw new Error(`${logicalId} has no launch template reference`);
    userData = resources[launchTemplateId]?.Properties?.LaunchTemplateData?.UserData;
  } else {
    throw new Error(`${logicalId} is a ${resource.Type}: not an instance the boot test knows`);
  }
  if (userData === undefined) throw new Error(`${logicalId} has no user data`);
  const encoded = cloudformation.resolve(stack, userData);
  return {
    stack,
    metadataResource: logicalId,
    resourceType: resource.Type,
    userData: Buffer.from(String(encoded), 'base64').toString('utf8'),
    metadata: cloudformation.resolve(stack, resource.Metadata) as Record<string, unknown>,
  };
}
