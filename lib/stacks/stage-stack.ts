import { Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageSpec } from '../../stages/ladder';
import { type RendersTemplate, type Template, templateOfStack, withReferenceFingerprints, withRenderCache } from '../weak-references';

export interface StageStackProps extends StackProps {
  /** The stage this stack is synthesized for. */
  readonly spec: StageSpec;
}

/**
 * Base of every stack of a stage (Network, Data, App, Monitoring, and Edge
 * from stage 100). It pins the availability zones to the first two of
 * the region as CloudFormation expressions, so that a stack with an explicit
 * account/region still synthesizes without the credentials a context lookup of
 * the zone names would need, and the zones never change between synths. Its
 * template carries a fingerprint of every other stack's resource it reads
 * (lib/weak-references.ts), so a replacement there redeploys this stack.
 */
export abstract class StageStack extends Stack implements RendersTemplate {
  public readonly spec: StageSpec;

  protected constructor(scope: Construct, id: string, props: StageStackProps) {
    super(scope, id, props);
    this.spec = props.spec;
  }

  public override get availabilityZones(): string[] {
    return [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }

  /** This stack's template, for the fingerprints of a stack that reads it. Only meaningful during synthesis. */
  public renderTemplate(): Template {
    return this._toCloudFormation();
  }

  protected override _toCloudFormation(): any {
    return withRenderCache(() => withReferenceFingerprints(super._toCloudFormation(), (name) => templateOfStack(this, name)));
  }
}
