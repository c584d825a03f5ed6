import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** An address to e-mail alarms to (it must confirm the subscription). @default no subscription */
  readonly email?: string;
  /**
   * Encrypts the topic's messages at rest. Its policy must let CloudWatch
   * (cloudwatch.amazonaws.com) use it, or alarms cannot publish (TelemetryKey).
   * @default SNS's unencrypted storage
   */
  readonly encryptionKey?: kms.IKey;
}

/** The SNS topic every alarm notifies; SSL-only publishing, encrypted with the stage's key. */
export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Resource', { displayName: 'Graminsta alarms', enforceSSL: true, masterKey: props.encryptionKey });
    if (props.email) this.topic.addSubscription(new subs.EmailSubscription(props.email));
  }
}
