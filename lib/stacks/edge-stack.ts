import { CfnOutput, Fn, LegacyStackSynthesizer } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { FirewallSpec } from '../../stages/stage-spec';
import { DistributionFirewall } from '../constructs/site/distribution-firewall';
import { StageStack, type StageStackProps } from './stage-stack';

/** CloudFront takes web ACLs (and certificates) only from this region. */
export const EDGE_REGION = 'us-east-1';

/** The output other stacks read the web ACL's ARN from. */
const WEB_ACL_OUTPUT = 'WebAclArn';

export interface EdgeStackProps extends StageStackProps {
  readonly firewall: FirewallSpec;
}

/**
 * `<app>-Edge`, in us-east-1 whatever region the other four stacks deploy to:
 * what CloudFront needs from that region, today the distribution's AWS WAF
 * web ACL (from stage 100). The App stack reads its ARN with
 * `Fn::GetStackOutput` naming this stack and region (`webAclArn()`), which
 * CloudFormation resolves across regions with the deploying role, so neither
 * stack needs its account or region known at synth.
 *
 * It has no assets and a template of a few KiB, sent inline (the CLI uploads
 * only templates over 50 KiB), so `LegacyStackSynthesizer` deploys it with the
 * CLI's own credentials: no `cdk bootstrap` in us-east-1, whose deploy and
 * execution roles the default synthesizer would name.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html
 */
export class EdgeStack extends StageStack {
  public readonly firewall: DistributionFirewall;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, { ...props, env: { account: props.env?.account, region: EDGE_REGION }, synthesizer: new LegacyStackSynthesizer() });
    this.firewall = new DistributionFirewall(this, 'Firewall', { spec: props.firewall });
    new CfnOutput(this, WEB_ACL_OUTPUT, { value: this.firewall.webAcl.attrArn, description: "The CloudFront distribution's web ACL (us-east-1)" });
  }

  /** The web ACL's ARN, for a stack in any region: a cross-region `Fn::GetStackOutput` of this stack. */
  public webAclArn(): string {
    return Fn.getStackOutput(this.stackName, WEB_ACL_OUTPUT, EDGE_REGION);
  }
}
