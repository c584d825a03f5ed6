import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { type AlarmDefinition, graph } from './stage-monitoring';

/** CloudFront publishes its metrics in this region only, with the dimension `Region: Global`. */
const CLOUDFRONT_METRICS_REGION = 'us-east-1';

export interface DistributionGraphsProps {
  readonly distributionId: string;
}

/**
 * The distribution's 5xx and 4xx error rates, graphed from us-east-1 on the
 * stage's dashboard. No alarms: an alarm must live in the region of its
 * metric, and the Monitoring stack deploys to the stage's region.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html
 */
export function distributionGraphs(props: DistributionGraphsProps): { alarms: AlarmDefinition[]; graphs: cloudwatch.IWidget[] } {
  const metric = (metricName: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/CloudFront',
      metricName,
      dimensionsMap: { DistributionId: props.distributionId, Region: 'Global' },
      statistic: 'Average',
      period: Duration.minutes(5),
      region: CLOUDFRONT_METRICS_REGION,
    });
  return {
    alarms: [],
    graphs: [graph(`CloudFront error rates % (${CLOUDFRONT_METRICS_REGION})`, [metric('5xxErrorRate'), metric('4xxErrorRate')], CLOUDFRONT_METRICS_REGION)],
  };
}
