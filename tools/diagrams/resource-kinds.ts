/**
 * The resource types a stage diagram shows, with a short label. Everything
 * else (IAM, policies, CDK's own provider functions, rules, attachments) is
 * plumbing and left out so the picture reads like the ladder table.
 */
export const SHOWN_TYPES: Readonly<Record<string, string>> = {
  'AWS::EC2::VPC': 'VPC',
  'AWS::EC2::NatGateway': 'NAT gateway',
  'AWS::EC2::Instance': 'EC2 instance',
  'AWS::EC2::Volume': 'EBS volume',
  'AWS::EC2::EIP': 'Elastic IP',
  'AWS::EC2::SecurityGroup': 'security group',
  'AWS::RDS::DBInstance': 'RDS PostgreSQL',
  'AWS::RDS::DBSubnetGroup': 'DB subnet group',
  'AWS::SecretsManager::Secret': 'secret',
  'AWS::SecretsManager::RotationSchedule': 'secret rotation',
  'AWS::EC2::VPCEndpoint': 'VPC endpoint',
  'AWS::KMS::Key': 'KMS key',
  'AWS::WAFv2::WebACL': 'WAF web ACL',
  'AWS::ElastiCache::ReplicationGroup': 'ElastiCache Redis',
  'AWS::S3::Bucket': 'S3 bucket',
  'AWS::CloudFront::Distribution': 'CloudFront',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'ALB',
  'AWS::AutoScaling::AutoScalingGroup': 'Auto Scaling group',
  'AWS::Lambda::Function': 'Lambda',
  'AWS::SQS::Queue': 'SQS queue',
  'AWS::SNS::Topic': 'SNS topic',
  'AWS::SSM::Parameter': 'SSM parameter',
  'AWS::CloudWatch::Dashboard': 'dashboard',
  'AWS::Backup::BackupPlan': 'backup plan',
};

/** Types drawn as one node with a count, because there are many of them. */
export const COUNTED_TYPES: Readonly<Record<string, string>> = {
  'AWS::EC2::Subnet': 'subnets',
  'AWS::CloudWatch::Alarm': 'alarms',
  'AWS::Logs::LogGroup': 'log groups',
};

// CDK's own provider functions: deployment plumbing, not architecture.
const CDK_PLUMBING = /^(AWS679f53fac002430cb0da5b7982bd2287|LogRetention[0-9a-f]{32}|BucketNotificationsHandler[0-9a-f]{32}|CustomCDKBucketDeployment|CustomVpcRestrictDefaultSG|CustomS3AutoDeleteObjects)/;

export function isPlumbing(logicalId: string): boolean {
  return CDK_PLUMBING.test(logicalId);
}
