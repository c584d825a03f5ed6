import { Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct, IConstruct } from 'constructs';

/**
 * Amazon Linux 2023 for the instance type's architecture (Graviton types get
 * arm64), resolved by CloudFormation at deploy time from the public SSM
 * parameter. The template only holds the `{{resolve:ssm:...}}` reference, so a
 * newly published AMI never changes the template and never replaces an
 * instance; the fleet picks it up on its next rolling replacement.
 */
export function amazonLinux2023(instanceType: ec2.InstanceType): ec2.IMachineImage {
  const arch = instanceType.architecture === ec2.InstanceArchitecture.ARM_64 ? 'arm64' : 'x86_64';
  return ec2.MachineImage.resolveSsmParameterAtLaunch(`/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`, {
    os: ec2.OperatingSystemType.LINUX,
  });
}

/**
 * CloudFormation's template check wants an `ami-...` ID, but EC2 itself
 * accepts `resolve:ssm:<parameter>` as an image ID and resolves it at launch;
 * that is the point here, so the check is acknowledged on these resources only
 * (also by `npm run check:templates`, for an ImageId of that form).
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/finding-an-ami-parameter-store.html
 */
export const RESOLVED_AT_LAUNCH_IMAGE_ID = {
  rule: 'E1152',
  reason: 'ImageId is resolve:ssm:<public AL2023 parameter>, which EC2 resolves at launch so a new AMI never changes the template',
} as const;

export function imageIdResolvedAtLaunch(resource: IConstruct): void {
  Validations.of(resource).acknowledge({ id: `CloudFormation-Validate::${RESOLVED_AT_LAUNCH_IMAGE_ID.rule}`, reason: RESOLVED_AT_LAUNCH_IMAGE_ID.reason });
}

/** The encrypted gp3 root volume of every API instance. */
export function encryptedRootVolume(sizeGiB: number): ec2.BlockDevice {
  return {
    deviceName: '/dev/xvda',
    volume: ec2.BlockDeviceVolume.ebs(sizeGiB, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3, deleteOnTermination: true }),
  };
}

/** The same root volume for the fleet's launch template (the autoscaling module has its own types). */
export function encryptedFleetRootVolume(sizeGiB: number): autoscaling.BlockDevice {
  return {
    deviceName: '/dev/xvda',
    volume: autoscaling.BlockDeviceVolume.ebs(sizeGiB, {
      encrypted: true,
      volumeType: autoscaling.EbsDeviceVolumeType.GP3,
      deleteOnTermination: true,
    }),
  };
}

/** User data that makes sure cfn-init exists before CDK's cfn-init call runs; identical for every bundle. */
export function bootstrapUserData(): ec2.UserData {
  const userData = ec2.UserData.forLinux();
  userData.addCommands('dnf install -y aws-cfn-bootstrap');
  return userData;
}

/** Role of API instances: Session Manager access (no SSH) and the CloudWatch agent. */
export function apiInstanceRole(scope: Construct, id: string): iam.Role {
  return new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: 'Graminsta API instances',
    managedPolicies: [
      iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
      iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'),
    ],
  });
}
