import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { CliError } from '../../contracts/cli';
import type { CfnTemplate, StackTemplates } from './template';

function isMissingStack(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'ValidationError' && /does not exist/i.test(e.message ?? '');
}

function isAccessDenied(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return /AccessDenied|UnauthorizedOperation|ExpiredToken|InvalidClientTokenId|SignatureDoesNotMatch/.test(e?.name ?? '') || e?.$metadata?.httpStatusCode === 403;
}

function isMissingCredentials(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'CredentialsProviderError' || /credential/i.test(e?.message ?? '') || /region is missing/i.test(e?.message ?? '');
}

/**
 * The templates CloudFormation holds for the given stacks ("Original": as
 * deployed, before transforms). A stack that does not exist yet is left out,
 * so the review reports its resources as new. Missing credentials or access
 * denied become a one-line CliError.
 */
export async function fetchDeployedTemplates(stackNames: readonly string[], client: CloudFormationClient = new CloudFormationClient({})): Promise<StackTemplates> {
  const templates: Record<string, CfnTemplate> = {};
  for (const stackName of stackNames) {
    let body: string | undefined;
    try {
      const response = await client.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }));
      body = response.TemplateBody;
    } catch (error) {
      if (isMissingStack(error)) continue;
      const message = (error as Error).message?.split('\n')[0] ?? String(error);
      if (isAccessDenied(error)) throw new CliError(`access denied reading the deployed template of ${stackName} (cloudformation:GetTemplate): ${message}`);
      if (isMissingCredentials(error)) throw new CliError(`no usable AWS credentials or region for --deployed: ${message}`);
      throw new CliError(`cannot read the deployed template of ${stackName}: ${message}`);
    }
    if (!body) continue;
    try {
      templates[stackName] = JSON.parse(body) as CfnTemplate;
    } catch {
      throw new CliError(`the deployed template of ${stackName} is not JSON (YAML templates are not supported)`);
    }
  }
  return templates;
}
