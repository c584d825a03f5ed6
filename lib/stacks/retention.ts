import * as logs from 'aws-cdk-lib/aws-logs';

/** The CloudWatch Logs retention enum value for a number of days from a stage spec. */
export function retentionDays(days: number): logs.RetentionDays {
  const valid = Object.values(logs.RetentionDays).filter((v): v is logs.RetentionDays => typeof v === 'number');
  if (!valid.includes(days as logs.RetentionDays)) {
    throw new Error(`log retention of ${days} days is not one CloudWatch Logs accepts (${valid.join(', ')})`);
  }
  return days as logs.RetentionDays;
}
