import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { REDIS_PORT } from '../../../contracts/redis';
import { POSTGRES_PORT } from '../database/postgres-database';
import { CloudFrontOriginPrefixList } from './cloudfront-origin-prefix-list';

export interface SecurityGroupsProps {
  readonly vpc: ec2.IVpc;
  /** TCP port the API listens on, on the instance or fleet. */
  readonly apiPort: number;
  /**
   * An Application Load Balancer sits in front of the API (the fleet). It is
   * internal, and CloudFront reaches it as a VPC origin, from network
   * interfaces CloudFront places in the VPC; without it CloudFront reaches the
   * instance over the internet, from its origin-facing addresses. @default false
   */
  readonly loadBalancer?: boolean;
  /** An RDS database exists. @default false */
  readonly database?: boolean;
  /** An ElastiCache Redis cluster exists. @default false */
  readonly cache?: boolean;
  /**
   * The credential rotation function's and the Secrets Manager endpoint's
   * groups, with the database. The second region (10m) has neither: its
   * replicas' credentials are the home primaries', rotated there.
   * @default true (with `database`)
   */
  readonly credentialRotation?: boolean;
  /**
   * The other region's VPC range (10m): its API forwards writes to this
   * region's internal load balancer over the VPC peering.
   * @default none
   */
  readonly peerVpcCidr?: string;
}

/**
 * CDK's inline rule for a group that may send nothing (ICMP type 252 code 86 to
 * 255.255.255.255/32 matches no traffic); CDK drops it once any other egress
 * rule is added, even one that becomes a separate resource.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html (a group created without egress rules gets allow-all)
 */
const MATCH_NO_TRAFFIC: ec2.CfnSecurityGroup.EgressProperty = {
  cidrIp: '255.255.255.255/32',
  description: 'Disallow all traffic',
  ipProtocol: 'icmp',
  fromPort: 252,
  toPort: 86,
};

/**
 * Every security group of the app, in one place so other stacks only reference
 * them and group IDs never move between stacks. Groups appear when the stage
 * first needs them and keep their construct IDs (and descriptions, which would
 * force replacement if changed) from then on. Nothing is open unless a prop
 * says so.
 */
export class SecurityGroups extends Construct {
  /** The API instance (stages 1-100) or fleet instances (1k+). */
  public readonly api: ec2.SecurityGroup;
  public readonly loadBalancer?: ec2.SecurityGroup;
  public readonly database?: ec2.SecurityGroup;
  /** The function that rotates the database credentials (with the database). */
  public readonly databaseRotation?: ec2.SecurityGroup;
  /** The Secrets Manager interface endpoint (with the database). */
  public readonly secretsManagerEndpoint?: ec2.SecurityGroup;
  public readonly cache?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: SecurityGroupsProps) {
    super(scope, id);
    const { vpc } = props;
    const apiPort = ec2.Port.tcp(props.apiPort);

    // The API reaches AWS APIs, the OS package repositories, the database and the cache.
    this.api = new ec2.SecurityGroup(this, 'Api', { vpc, description: 'Graminsta API servers', allowAllOutbound: true });

    // CloudFront is the only way in, at every stage. Its VPC origin connects from network interfaces in the
    // VPC whose security group CloudFront creates and names itself (not known at synth), so the internal load
    // balancer admits the VPC's own range; the instance of stages 1-100 is reached over the internet, so it
    // admits only CloudFront's origin-facing prefix list. Either way the API also rejects a request that
    // lacks the origin secret CloudFront adds (see OriginVerifySecret).
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html

    if (props.loadBalancer) {
      this.loadBalancer = new ec2.SecurityGroup(this, 'LoadBalancer', {
        vpc,
        description: 'Graminsta Application Load Balancer',
        allowAllOutbound: false,
      });
      this.loadBalancer.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(80), 'HTTP from CloudFront VPC origin interfaces');
      if (props.peerVpcCidr) {
        this.loadBalancer.addIngressRule(ec2.Peer.ipv4(props.peerVpcCidr), ec2.Port.tcp(80), "HTTP from the other region's API (forwarded writes, VPC peering)");
      }
      // The one egress rule the load balancer needs (requests and health checks to the fleet). A rule to another
      // group is a separate AWS::EC2::SecurityGroupEgress, so the group itself would list no egress, and a group
      // created without any gets EC2's allow-all rule. Listing CDK's match-nothing rule inline (as the database and
      // cache groups do) prevents that, and on a deployed group it is an in-place update that leaves the separate
      // rule alone (moving that rule inline instead would revoke it when its old resource is deleted).
      // The App stack imports this group immutable, so the listener's targets add no rule of their own.
      this.loadBalancer.addEgressRule(this.api, apiPort, 'HTTP to the API fleet');
      (this.loadBalancer.node.defaultChild as ec2.CfnSecurityGroup).securityGroupEgress = [MATCH_NO_TRAFFIC];
      this.api.addIngressRule(this.loadBalancer, apiPort, 'HTTP from the load balancer');
    } else {
      const cloudFront = new CloudFrontOriginPrefixList(this, 'CloudFrontOrigins');
      this.api.addIngressRule(ec2.Peer.prefixList(cloudFront.prefixListId), apiPort, 'HTTP from CloudFront origin-facing servers');
    }

    if (props.database) {
      this.database = new ec2.SecurityGroup(this, 'Database', { vpc, description: 'Graminsta PostgreSQL', allowAllOutbound: false });
      this.database.addIngressRule(this.api, ec2.Port.tcp(POSTGRES_PORT), 'PostgreSQL from the API');
      if (props.peerVpcCidr) {
        // npm run failover runs in the region it makes home (docs/runbooks/failover.md): it measures the lag
        // against this region's primaries and fences them over the peering. Without this rule a planned move
        // would see home as lost and promote without catching up, losing the replication lag.
        this.database.addIngressRule(ec2.Peer.ipv4(props.peerVpcCidr), ec2.Port.tcp(POSTGRES_PORT), "PostgreSQL from the other region (npm run failover's lag check and fence, VPC peering)");
      }
    }
    if (props.database && (props.credentialRotation ?? true)) {
      if (!this.database) throw new Error('SecurityGroups: no database group');

      // Secrets Manager's rotation function for the database credentials runs in the isolated subnets: it
      // logs in to PostgreSQL and calls Secrets Manager through the interface endpoint (no NAT at 10 and 100).
      this.databaseRotation = new ec2.SecurityGroup(this, 'DatabaseRotation', {
        vpc,
        description: 'Graminsta database credential rotation',
        allowAllOutbound: false,
      });
      this.secretsManagerEndpoint = new ec2.SecurityGroup(this, 'SecretsManagerEndpoint', {
        vpc,
        description: 'Graminsta Secrets Manager endpoint',
        allowAllOutbound: false,
      });
      this.database.addIngressRule(this.databaseRotation, ec2.Port.tcp(POSTGRES_PORT), 'PostgreSQL from the credential rotation');
      this.databaseRotation.addEgressRule(this.database, ec2.Port.tcp(POSTGRES_PORT), 'PostgreSQL, to rotate the password');
      // The endpoint has private DNS: the API instances' Secrets Manager calls go through it too.
      for (const [client, who] of [[this.databaseRotation, 'the credential rotation'], [this.api, 'the API']] as const) {
        this.secretsManagerEndpoint.addIngressRule(client, ec2.Port.tcp(443), `HTTPS from ${who}`);
      }
      this.databaseRotation.addEgressRule(this.secretsManagerEndpoint, ec2.Port.tcp(443), 'HTTPS to Secrets Manager');
      // Its rules are separate resources (they name other groups); this keeps EC2's allow-all off it (see MATCH_NO_TRAFFIC).
      (this.databaseRotation.node.defaultChild as ec2.CfnSecurityGroup).securityGroupEgress = [MATCH_NO_TRAFFIC];
    }
    if (props.cache) {
      this.cache = new ec2.SecurityGroup(this, 'Cache', { vpc, description: 'Graminsta Redis', allowAllOutbound: false });
      this.cache.addIngressRule(this.api, ec2.Port.tcp(REDIS_PORT), 'Redis from the API');
    }
  }
}
