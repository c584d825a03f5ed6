import { createHash } from 'node:crypto';
import { Fn, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { type ApiRuntimeConfig, envFileContent } from './api-environment';

export interface ApiEnvironmentParameterProps {
  readonly config: ApiRuntimeConfig;
}

/**
 * The API's env file (`/etc/graminsta/api.env`) as an SSM parameter of the App
 * stack, which the instances' cfn-init metadata reads with a same-stack
 * `Fn::GetAtt [<parameter>, Value]`.
 *
 * The file names other stacks' resources (the database secret, replica
 * endpoints, the cache, the queue), which this stack reads with CDK's weak
 * references, `Fn::GetStackOutput`. That function is documented (and tested by
 * cfn-lint's maintainers) in resource property values, not in resource
 * `Metadata`; a parameter's `Value` is a property, so the weak references sit
 * there and the metadata holds only a same-stack reference.
 *
 * `fileContent` starts with a comment line holding `version`, a fingerprint
 * of the parameter's template value with its references unresolved (systemd
 * ignores `#` lines in an EnvironmentFile). Any change to the file's text
 * therefore changes the metadata itself: the single instance's cfn-hup sees it
 * and rewrites the file in place, and the fleet's cfn-init fingerprint (in its
 * user data) changes, so the fleet rolls.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ssm-parameter.html#aws-resource-ssm-parameter-return-values
 */
export class ApiEnvironmentParameter extends Construct {
  public readonly parameter: ssm.StringParameter;
  /** The file's text as the parameter's value holds it (tokens unresolved). */
  public readonly value: string;
  /** Fingerprint of the file's template text. */
  public readonly version: string;
  /** What cfn-init writes: the version comment, then the parameter's value. */
  public readonly fileContent: string;

  constructor(scope: Construct, id: string, props: ApiEnvironmentParameterProps) {
    super(scope, id);
    this.value = envFileContent(props.config);
    this.version = createHash('sha256').update(JSON.stringify(Stack.of(this).resolve(this.value))).digest('hex').slice(0, 12);
    this.parameter = new ssm.StringParameter(this, 'Resource', {
      description: 'Graminsta API environment (/etc/graminsta/api.env), which cfn-init writes on the API instances',
      stringValue: this.value,
      tier: ssm.ParameterTier.STANDARD,
    });
    this.fileContent = Fn.join('', [`# configuration ${this.version}\n`, this.parameter.stringValue]);
  }
}
