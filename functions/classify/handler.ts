import { deps, lambdaHandler } from '../../lib/lambda';
import { authenticateManualRequest } from '../../lib/requests/authenticate';
import { classify, type ClassifyInput } from '../../lib/workflow/classify';

/** Classify Finding: normalize the event, triage it against the rules. */
export const handler = lambdaHandler(async (input: ClassifyInput) =>
  classify(input, {
    rules: deps.rules(),
    audit: deps.audit(),
    region: deps.settings().region,
    accountId: deps.settings().accountId,
    rescanWaitSeconds: deps.settings().rescanWaitSeconds,
    authenticate: (finding) => {
      const { region, accountId, localEndpoint } = deps.settings();
      return authenticateManualRequest(finding, { region, accountId, ...(localEndpoint ? { localEndpoint } : {}) });
    },
  }),
);
