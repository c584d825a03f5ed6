import { createHash } from 'node:crypto';

/** One instance of the group as EC2 Auto Scaling lists it. */
export interface GroupInstance {
  readonly instanceId: string;
  readonly availabilityZone: string;
  /** Whether the harness boots it (one instance stands for the group, see AutoScalingGroupModel). */
  readonly booted: boolean;
}

export interface AutoScalingGroupModelProps {
  /** The group's name (its Ref). */
  readonly name: string;
  /** Its load balancer target group's ARN (TargetGroupARNs), if any. */
  readonly targetGroupArn?: string;
  /** The zones of its subnets (VPCZoneIdentifier), in order. */
  readonly zones: readonly string[];
  readonly minSize: number;
  /** The zone of the instance the harness boots. */
  readonly bootedZone: string;
}

/**
 * The fleet's Auto Scaling group as the runbooks see it: its minimum number of instances spread
 * over its subnets' zones (Auto Scaling balances them), of which the harness boots one — the one
 * in `bootedZone` — and lists the others without booting them (they run the same launch template;
 * a runbook command aimed at one of them fails the rehearsal, as nothing could answer it). Holds
 * what the operator's commands change: scale-in protection, and whether the group still
 * registers its instances with the target group.
 */
export class AutoScalingGroupModel {
  public readonly instances: readonly GroupInstance[];
  /** Instances protected from scale-in (`set-instance-protection`). */
  public readonly protectedFromScaleIn = new Set<string>();
  /** Target groups the group registers its instances with (`detach-traffic-sources` removes one). */
  public readonly trafficSources: Set<string>;

  public constructor(public readonly props: AutoScalingGroupModelProps) {
    if (!props.zones.includes(props.bootedZone)) throw new Error(`${props.name} has no subnet in ${props.bootedZone} (zones ${props.zones.join(', ')})`);
    const count = Math.max(props.minSize, props.zones.length);
    // Listed with the booted instance last: AWS lists a group's instances in no particular order, and
    // a runbook that takes the first one without looking at its zone should not pass by luck.
    const instances: GroupInstance[] = [];
    for (let i = 0; i < count; i++) {
      const zone = props.zones[i % props.zones.length];
      const id = `i-0${createHash('sha256').update(`${props.name}/${i}`).digest('hex').slice(0, 16)}`;
      instances.push({ instanceId: id, availabilityZone: zone, booted: false });
    }
    const bootedIndex = instances.findIndex((instance) => instance.availabilityZone === props.bootedZone);
    const booted = { ...instances[bootedIndex], booted: true };
    this.instances = [...instances.filter((_, i) => i !== bootedIndex), booted];
    this.trafficSources = new Set(props.targetGroupArn ? [props.targetGroupArn] : []);
  }

  public get name(): string {
    return this.props.name;
  }

  /** The one instance the harness boots. */
  public get bootedInstance(): GroupInstance {
    return this.instances.find((instance) => instance.booted)!;
  }

  /** The instance, or an error naming what the rehearsal can do instead. */
  public instance(instanceId: string): GroupInstance {
    const found = this.instances.find((instance) => instance.instanceId === instanceId);
    if (!found) throw new Error(`${instanceId} is not an instance of ${this.name} (${this.instances.map((i) => i.instanceId).join(', ')})`);
    return found;
  }

  /** Whether the load balancer sends requests to the group's instances. */
  public get registered(): boolean {
    return this.props.targetGroupArn !== undefined && this.trafficSources.has(this.props.targetGroupArn);
  }
}
