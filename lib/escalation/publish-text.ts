/** The plain-text deliveries of the SNS fallback (requests with signed links, escalations, outcomes) go out here. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { toRemediatorError } from '../aws/errors';
import type { TextMessage } from './text-message';

export interface Topic {
  topicArn: string;
  sns: () => SNSClient;
}

/** Publish a plain-text message to the topic; a failure names what was being published (a throttle stays retryable). */
export async function publishToTopic(topic: Topic, message: TextMessage, what: string): Promise<void> {
  try {
    await topic.sns().send(new PublishCommand({ TopicArn: topic.topicArn, Subject: message.subject, Message: message.body }));
  } catch (error) {
    throw toRemediatorError(error, `publishing ${what} to ${topic.topicArn}`);
  }
}
