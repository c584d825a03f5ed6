import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { FirewallSpec } from '../../../stages/stage-spec';

/** The API paths whose POSTs are sign-up and log-in (password hashing on the API): the rate-limited ones. */
export const SIGN_IN_PATHS = ['/api/users', '/api/sessions'] as const;

/** A rate-based rule counts over this window (WAF's default; 60, 120, 300 or 600 s). */
const RATE_WINDOW_SECONDS = 300;

export interface DistributionFirewallProps {
  readonly spec: FirewallSpec;
}

/** `Statement` matching one exact value of a request part, after the given transformations. */
function exactly(fieldToMatch: wafv2.CfnWebACL.FieldToMatchProperty, value: string, transform = 'NONE'): wafv2.CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch,
      positionalConstraint: 'EXACTLY',
      searchString: value,
      textTransformations: [{ priority: 0, type: transform }],
    },
  };
}

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

function managedGroup(name: string, priority: number, mode: 'count' | 'block'): wafv2.CfnWebACL.RuleProperty {
  return {
    name: `Aws${name.replace(/^AWSManagedRules/, '')}`,
    priority,
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
    // `none` keeps the group's own actions (block); `count` only records its matches.
    overrideAction: mode === 'count' ? { count: {} } : { none: {} },
    visibilityConfig: visibility(`Aws${name.replace(/^AWSManagedRules/, '')}`),
  };
}

/**
 * The CloudFront distribution's AWS WAF web ACL (scope CLOUDFRONT, so it must
 * be created in us-east-1: `EdgeStack`). Requests that match nothing are
 * allowed. In order:
 *
 * 1. `SignInRateLimit` blocks a client IP that sends more than
 *    `signInRequestsPerFiveMinutes` POSTs to `/api/users` or `/api/sessions`
 *    in five minutes (the path URL-decoded first, as the API's router does).
 * 2. `AwsKnownBadInputsRuleSet` (AWS managed: Log4j and Java deserialization
 *    payloads, exploitable paths, a localhost Host header), blocking.
 * 3. `AwsCommonRuleSet` (AWS managed: the OWASP-style core rules), counting
 *    or blocking as the spec says.
 *
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based.html
 */
export class DistributionFirewall extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: DistributionFirewallProps) {
    super(scope, id);
    const limit = props.spec.signInRequestsPerFiveMinutes;
    if (!Number.isInteger(limit) || limit < 10) throw new Error(`signInRequestsPerFiveMinutes must be a whole number of at least 10 (WAF's minimum), got ${limit}`);
    this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      scope: 'CLOUDFRONT',
      description: 'Graminsta: AWS managed rules and a sign-up/log-in rate limit in front of CloudFront',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('Graminsta'),
      rules: [
        {
          name: 'SignInRateLimit',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
              scopeDownStatement: {
                andStatement: {
                  statements: [
                    exactly({ method: {} }, 'POST'),
                    { orStatement: { statements: SIGN_IN_PATHS.map((path) => exactly({ uriPath: {} }, path, 'URL_DECODE')) } },
                  ],
                },
              },
            },
          },
          visibilityConfig: visibility('SignInRateLimit'),
        },
        managedGroup('AWSManagedRulesKnownBadInputsRuleSet', 1, 'block'),
        managedGroup('AWSManagedRulesCommonRuleSet', 2, props.spec.commonRuleSet),
      ],
    });
  }

  /** Rules the web ACL is billed for (a managed rule group counts as one). */
  public static readonly BILLED_RULES = 3;
}
