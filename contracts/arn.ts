/**
 * What an ARN says of itself: `arn:<partition>:<service>:<region>:<account>:<resource>`.
 * Imports nothing.
 */

/**
 * The region an ARN names, or undefined when it names none (a global
 * resource, or not an ARN). A client reading the resource must call that
 * region: at stage 10m the second region reads its own replicas of the home
 * secrets, and a home secret only from home (docs/region-routing.md).
 */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return parts[3] || undefined;
}
