import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { parseRegionConfig, type RegionConfig } from '../../../contracts/region-config';

export interface RegionConfigParameterProps {
  /**
   * The parameter's name, the same in every region (`/<app>/region-config`):
   * `npm run failover` writes every region's copy under the one name it is
   * given (REGION_CONFIG_PARAMETER), so a name CloudFormation generated per
   * stack would have it write a stray parameter in the other region, which
   * that region's API never reads.
   */
  readonly parameterName: string;
  /** The home region (`-c regions=<home>,…`): home at the first deploy. */
  readonly home: string;
  /** Every region, home included, with the URL another region's API forwards a write to. */
  readonly regions: RegionConfig['regions'];
}

/**
 * Stage 10m's run-time region configuration (contracts/region-config.ts):
 * which region takes writes and where each region's API is, as an SSM
 * parameter in this stack's region (`REGION_CONFIG_PARAMETER`), one copy per
 * region. The template holds only its first value, epoch 0, built from the
 * app's options alone (no other stack's value), so it never changes on a
 * later deploy: CloudFormation writes a parameter only when its template
 * value changes, so `npm run failover`'s rewrite (a higher epoch) stays. The
 * API keeps the highest epoch it has seen, so even a stale copy never moves
 * home back (docs/infrastructure.md, "Two regions").
 */
export class RegionConfigParameter extends Construct {
  public readonly parameter: ssm.StringParameter;
  public readonly config: RegionConfig;

  constructor(scope: Construct, id: string, props: RegionConfigParameterProps) {
    super(scope, id);
    // Validated as the API will read it: a bad value fails the synth, not the fleet.
    this.config = parseRegionConfig(JSON.stringify({ home: props.home, epoch: 0, regions: props.regions }));
    this.parameter = new ssm.StringParameter(this, 'Resource', {
      description: 'Graminsta region configuration: the home region (writes), its epoch, each region API URL; npm run failover rewrites it',
      parameterName: props.parameterName,
      stringValue: JSON.stringify(this.config),
      tier: ssm.ParameterTier.STANDARD,
    });
  }
}
