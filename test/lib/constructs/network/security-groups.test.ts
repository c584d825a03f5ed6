import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SecurityGroups } from '../../../../lib/constructs/network/security-groups';

/** Rules of each group, from the construct tree (no synthesis needed). */
function build(props: Partial<ConstructorParameters<typeof SecurityGroups>[2]>) {
  const stack = new Stack(new App(), 'Test');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const groups = new SecurityGroups(stack, 'Groups', { vpc, apiPort: 80, ...props });
  // Inline rules plus separate ingress resources (CDK makes those when the peer is a token, e.g. the looked-up prefix list).
  const ingress = (g?: ec2.SecurityGroup): any[] => {
    if (!g) return [];
    const inline = stack.resolve((g.node.defaultChild as ec2.CfnSecurityGroup).securityGroupIngress) ?? [];
    const groupId = JSON.stringify(stack.resolve(g.securityGroupId));
    const separate = stack.node
      .findAll()
      .filter((c): c is ec2.CfnSecurityGroupIngress => c instanceof ec2.CfnSecurityGroupIngress)
      .filter((r) => JSON.stringify(stack.resolve(r.groupId)) === groupId)
      .map((r) => stack.resolve({ cidrIp: r.cidrIp, fromPort: r.fromPort, toPort: r.toPort, sourcePrefixListId: r.sourcePrefixListId, sourceSecurityGroupId: r.sourceSecurityGroupId }));
    return [...inline, ...separate];
  };
  return { groups, ingress, vpc };
}

function stackResolve(c: SecurityGroups, value: unknown): unknown {
  return Stack.of(c).resolve(value);
}

describe('SecurityGroups', () => {
  test('by default only the API group exists, and it admits only CloudFront\'s origin-facing prefix list: nothing is open to the internet', () => {
    const { groups, ingress } = build({});
    expect([groups.loadBalancer, groups.database, groups.cache]).toEqual([undefined, undefined, undefined]);
    const rules = ingress(groups.api);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ fromPort: 80, toPort: 80 });
    expect(rules[0].cidrIp).toBeUndefined();
    expect(rules[0].sourcePrefixListId).toBeDefined();
  });

  test('with a load balancer (internal, a CloudFront VPC origin) it admits only the VPC\'s range, and the API admits only it', () => {
    const { groups, ingress, vpc } = build({ loadBalancer: true });
    const lb = ingress(groups.loadBalancer);
    expect(lb).toHaveLength(1);
    expect(lb[0]).toMatchObject({ fromPort: 80, toPort: 80 });
    expect(lb[0].cidrIp).toEqual(stackResolve(groups, vpc.vpcCidrBlock));
    expect(lb[0].sourcePrefixListId).toBeUndefined();
    const api = ingress(groups.api);
    expect(api).toHaveLength(1);
    expect(api[0].sourceSecurityGroupId).toEqual(stackResolve(groups, groups.loadBalancer!.securityGroupId));
    expect(api[0].cidrIp).toBeUndefined();
  });

  test('the load balancer may send only to the API group on the API port: its group never gets EC2\'s default allow-all egress', () => {
    const { groups } = build({ loadBalancer: true, apiPort: 8080 });
    const stack = Stack.of(groups);
    const template = Template.fromStack(stack);
    const lb = stack.resolve(groups.loadBalancer!.securityGroupId);
    // A rule to another group is a separate resource; the group itself must still list an egress rule,
    // or EC2 creates it with allow-all. CDK's match-nothing rule (ICMP type 252 code 86 to 255.255.255.255/32) is that rule.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Graminsta Application Load Balancer',
      SecurityGroupEgress: [{ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 }],
    });
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupEgress', { GroupId: lb }, 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: lb,
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      DestinationSecurityGroupId: stack.resolve(groups.api.securityGroupId),
    });
    // The API group keeps its own allow-all egress (AWS APIs, packages, database, cache): only the load balancer is narrowed.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Graminsta API servers',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })],
    });
  });
});
