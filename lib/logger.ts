/**
 * The one structured logger (Powertools), configured once and imported
 * everywhere. Keys: findingId, controlId, resourceArn, executionArn.
 * Never log secrets (task tokens, Slack secrets) or whole raw events at INFO.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({
  serviceName: 'remediator',
  logLevel: (process.env.REMEDIATOR_LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO') as 'INFO',
});
