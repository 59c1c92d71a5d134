/** The audit table of this process, built on first use. */
import { AuditStore } from '../audit/store';
import { runtimeSettings } from '../config';
import { perClients } from './memo';

export const auditStore = perClients((clients) => new AuditStore(runtimeSettings().auditTable, clients));
