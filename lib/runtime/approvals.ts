/** The approvals table of this process, built on first use. */
import { runtimeSettings } from '../config';
import { ApprovalStore } from '../escalation/approval-store';
import { perClients } from './memo';

export const approvalStore = perClients((clients) => new ApprovalStore(runtimeSettings().approvalsTable, clients));
