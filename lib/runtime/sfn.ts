/** The Step Functions client of this process (resuming and ending waiting tasks). */
import { SFNClient } from '@aws-sdk/client-sfn';
import { perClients } from './memo';

export const sfnClient = perClients((clients) => clients.get(SFNClient));
