import type { CfnTemplate } from '../../../tools/review/template';
import { checkIntrinsicPlacement } from '../../../tools/check-templates/intrinsic-placement';

const stackOutput = (output: string) => ({ 'Fn::GetStackOutput': { StackName: 'app-Network', Region: { Ref: 'AWS::Region' }, OutputName: output } });

/** A topic whose display name is `value`, plus whatever else the template needs. */
function topic(value: unknown, rest: Partial<CfnTemplate> = {}, resource: Record<string, unknown> = {}): CfnTemplate {
  return { ...rest, Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: value }, ...resource }, ...(rest.Resources ?? {}) } };
}

function found(template: CfnTemplate): string[] {
  return checkIntrinsicPlacement('app-Test', template).map((f) => `${f.rule} ${f.path}`);
}

describe('intrinsic function positions (CloudFormation Template Reference, "Supported functions")', () => {
  test('a template with the AWS::SecretsManager transform (hosted rotation) is checked as written; any other transform cannot be', () => {
    for (const transform of ['AWS::SecretsManager-2024-09-16', ['AWS::SecretsManager-2020-07-23']]) {
      expect(found(topic(stackOutput('A'), { Transform: transform } as Partial<CfnTemplate>))).toEqual([]);
      expect(found(topic('x', { Transform: transform } as Partial<CfnTemplate>, { Metadata: { M: stackOutput('A') } }))).toEqual(['intrinsic-position Resources.Topic.Metadata.M.Fn::GetStackOutput']);
    }
    for (const transform of ['AWS::Serverless-2016-10-31', ['AWS::SecretsManager-2024-09-16', 'AWS::LanguageExtensions']]) {
      expect(found(topic('x', { Transform: transform } as Partial<CfnTemplate>))).toEqual(['intrinsic-position Transform']);
    }
  });

  test('documented positions pass: GetStackOutput in a property, in Fn::Join items, Fn::Select items, Fn::If values, Fn::Sub variables and outputs', () => {
    const template = topic(
      {
        'Fn::Join': [
          '-',
          [
            stackOutput('A'),
            { 'Fn::Select': [0, [stackOutput('B')]] },
            { 'Fn::If': ['IsProd', stackOutput('C'), 'x'] },
            { 'Fn::Sub': ['${V}', { V: stackOutput('D') }] },
            { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Queue', 'Arn'] }] }] },
          ],
        ],
      },
      {
        Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } },
        Outputs: { Direct: { Value: stackOutput('E') } },
        Resources: { Queue: { Type: 'AWS::SQS::Queue' } },
      },
      { Metadata: { config: { 'Fn::Join': ['', ['a', { Ref: 'Queue' }]] } } },
    );
    expect(found(template)).toEqual([]);
  });

  test('GetStackOutput inside Fn::Split fails (not among the source-string functions Fn::Split documents)', () => {
    expect(found(topic({ 'Fn::Select': [1, { 'Fn::Split': ['/', stackOutput('ListenerArn')] }] }))).toEqual([
      'intrinsic-nesting Resources.Topic.Properties.DisplayName.Fn::Select.1.Fn::Split.1.Fn::GetStackOutput',
    ]);
  });

  test('GetStackOutput in resource Metadata fails, however deep', () => {
    const init = { 'AWS::CloudFormation::Init': { config: { files: { '/etc/app.env': { content: { 'Fn::Join': ['', ['DB=', stackOutput('Db'), '\n']] } } } } } };
    expect(found(topic('t', {}, { Metadata: init }))).toEqual([
      'intrinsic-position Resources.Topic.Metadata.AWS::CloudFormation::Init.config.files./etc/app.env.content.Fn::Join.1.1.Fn::GetStackOutput',
    ]);
  });

  test('GetStackOutput in an UpdatePolicy, a condition, an export name or an Fn::ImportValue fails', () => {
    const template = topic(
      { 'Fn::ImportValue': stackOutput('Name') },
      {
        Conditions: { Same: { 'Fn::Equals': [stackOutput('X'), 'a'] } },
        Outputs: { Out: { Value: 'v', Export: { Name: stackOutput('Y') } } },
      },
      { UpdatePolicy: { AutoScalingRollingUpdate: { MaxBatchSize: stackOutput('Z') } } },
    );
    expect(found(template).sort()).toEqual(
      [
        'intrinsic-nesting Resources.Topic.Properties.DisplayName.Fn::ImportValue.Fn::GetStackOutput',
        'intrinsic-position Resources.Topic.UpdatePolicy.AutoScalingRollingUpdate.MaxBatchSize.Fn::GetStackOutput',
        'intrinsic-position Conditions.Same.Fn::Equals.0.Fn::GetStackOutput',
        'intrinsic-dependency Outputs.Out.Export.Name.Fn::GetStackOutput',
      ].sort(),
    );
  });

  test('an intrinsic function outside the parts that take them fails (DeletionPolicy, Type, Parameters)', () => {
    const template: CfnTemplate = {
      Parameters: { Size: { Type: 'Number', Default: { Ref: 'AWS::NoValue' } } },
      Resources: { Queue: { Type: 'AWS::SQS::Queue', DeletionPolicy: { 'Fn::If': ['C', 'Retain', 'Delete'] } as unknown as string } },
    };
    expect(found(template)).toEqual(['intrinsic-position Parameters.Size.Default.Ref', 'intrinsic-position Resources.Queue.DeletionPolicy.Fn::If']);
  });

  test('a function nested where its host does not list it fails (Fn::Sub in a Fn::Select list, a function as a Join delimiter, GetAtt in GetAZs)', () => {
    expect(found(topic({ 'Fn::Select': [0, { 'Fn::Sub': 'a,b' }] }))).toEqual(['intrinsic-nesting Resources.Topic.Properties.DisplayName.Fn::Select.1.Fn::Sub']);
    expect(found(topic({ 'Fn::Join': [{ Ref: 'AWS::Region' }, ['a', 'b']] }))).toEqual(['intrinsic-nesting Resources.Topic.Properties.DisplayName.Fn::Join.0.Ref']);
    expect(found(topic({ 'Fn::Select': [0, { 'Fn::GetAZs': { 'Fn::GetAtt': ['Vpc', 'Region'] } }] }))).toEqual([
      'intrinsic-nesting Resources.Topic.Properties.DisplayName.Fn::Select.1.Fn::GetAZs.Fn::GetAtt',
    ]);
  });

  test('a condition function in a property, and an unknown function, fail', () => {
    expect(found(topic({ 'Fn::Equals': ['a', 'b'] }))).toEqual(['intrinsic-position Resources.Topic.Properties.DisplayName.Fn::Equals']);
    expect(found(topic({ 'Fn::Concat': ['a', 'b'] }))).toEqual(['intrinsic-unknown Resources.Topic.Properties.DisplayName.Fn::Concat']);
  });

  test('an Fn::ImportValue name that depends on a resource fails', () => {
    const template = topic({ 'Fn::ImportValue': { 'Fn::Sub': '${Queue}-name' } }, { Resources: { Queue: { Type: 'AWS::SQS::Queue' } } });
    expect(found(template)).toEqual(['intrinsic-dependency Resources.Topic.Properties.DisplayName.Fn::ImportValue']);
  });
});
