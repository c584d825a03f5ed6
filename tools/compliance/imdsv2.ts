import type { StackTemplates } from '../review/template';

export interface ImdsFinding {
  readonly stack: string;
  readonly logicalId: string;
  readonly message: string;
}

function tokensOf(launchTemplate: Record<string, unknown> | undefined): unknown {
  const data = launchTemplate?.LaunchTemplateData as { MetadataOptions?: { HttpTokens?: unknown } } | undefined;
  return data?.MetadataOptions?.HttpTokens;
}

/**
 * Every launch template must require IMDSv2 tokens, and every instance must
 * either set them itself or use such a launch template (CDK's
 * `requireImdsv2` does the latter). AwsSolutions has no rule for this.
 */
export function checkImdsv2(stacks: StackTemplates): ImdsFinding[] {
  const findings: ImdsFinding[] = [];
  for (const [stack, template] of Object.entries(stacks)) {
    const resources = template.Resources ?? {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      const props = (resource.Properties ?? {}) as Record<string, unknown>;
      if (resource.Type === 'AWS::EC2::LaunchTemplate' && tokensOf(props) !== 'required') {
        findings.push({ stack, logicalId, message: `launch template ${logicalId} does not set MetadataOptions.HttpTokens to required` });
      }
      if (resource.Type === 'AWS::EC2::Instance') {
        const reference = (props.LaunchTemplate as { LaunchTemplateId?: unknown; LaunchTemplateName?: unknown } | undefined) ?? {};
        const target = JSON.stringify(reference).match(/"(?:Ref|Fn::GetAtt)":\s*\[?"([^"]+)"/)?.[1];
        const launchTemplate = target ? (resources[target]?.Properties as Record<string, unknown> | undefined) : undefined;
        if (tokensOf(launchTemplate) !== 'required') {
          findings.push({ stack, logicalId, message: `instance ${logicalId} does not use a launch template that requires IMDSv2` });
        }
      }
    }
  }
  return findings;
}
