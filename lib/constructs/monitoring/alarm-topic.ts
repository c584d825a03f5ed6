import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** An address to e-mail alarms to (it must confirm the subscription). @default no subscription */
  readonly email?: string;
}

/** The SNS topic every alarm notifies; SSL-only publishing. */
export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Resource', { displayName: 'Graminsta alarms', enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subs.EmailSubscription(props.email));
  }
}
