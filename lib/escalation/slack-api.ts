/**
 * The few Slack Web API methods Remediator calls (chat.postMessage, chat.update), on Node's
 * global fetch: POST {apiUrl}{method} with the bot token as a bearer token and a JSON body,
 * which Slack accepts for its write methods. The call shape is `@slack/web-api`'s
 * (`client.chat.postMessage({ channel, text, blocks })`) without its dependencies.
 *
 * Slack answers `{ ok, error, … }`. `ok: false` is a RemediatorError naming the method and
 * Slack's error. Rate limiting (HTTP 429 / `ratelimited`, with Retry-After), 5xx and network
 * errors are retried a bounded number of times; after that a TransientAwsError, which the
 * state machine retries later (STANDARD_RETRY in statemachines/definition.ts).
 */
import type { Block, KnownBlock } from '@slack/types';
import * as z from 'zod';
import { RemediatorError, TransientAwsError } from '../errors';

export const SLACK_API_URL = 'https://slack.com/api/';

export interface ChatPostMessageArguments {
  channel: string;
  /** The fallback text (notifications, screen readers); required with blocks too. */
  text: string;
  blocks?: (KnownBlock | Block)[];
  thread_ts?: string;
}

export interface ChatUpdateArguments {
  channel: string;
  ts: string;
  text: string;
  blocks?: (KnownBlock | Block)[];
}

/** What Slack answers with `ok: true` to chat.postMessage and chat.update; other fields are kept as they came. */
export interface ChatResponse {
  ok: true;
  channel?: string;
  ts?: string;
  [field: string]: unknown;
}

/** The Slack client the workflow uses: exactly the methods it calls. */
export interface SlackApi {
  chat: {
    postMessage(args: ChatPostMessageArguments): Promise<ChatResponse>;
    update(args: ChatUpdateArguments): Promise<ChatResponse>;
  };
}

export interface SlackApiOptions {
  /** Base URL ending in /api/ (SLACK_API_URL, e.g. the local stand-in); Slack's by default. */
  apiUrl?: string;
  /** Retries after a rate limit, 5xx or network error (as WebClient's `retryConfig: { retries: 2 }`). */
  retries?: number;
  /** A Retry-After longer than this is not waited for in the function: the error goes to the state machine's Retry. */
  maxRetryAfterSeconds?: number;
  /** Wait before the n-th retry of a 5xx or network error: `backoffMs * 2^(n-1)`. */
  backoffMs?: number;
  /** Per-attempt time limit. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULTS = { retries: 2, maxRetryAfterSeconds: 30, backoffMs: 500, timeoutMs: 10_000 } as const;

const EnvelopeSchema = z.looseObject({
  ok: z.boolean(),
  error: z.string().optional(),
  response_metadata: z.looseObject({ messages: z.array(z.string()).optional() }).optional(),
});

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One attempt's outcome: an answer to return, or a reason to try again and when: after Slack's Retry-After,
 * after the backoff, or not in this function (Slack asked for a longer wait than a function should spend).
 */
type Attempt = { done: ChatResponse } | { retry: string; wait: { ms: number } | 'backoff' | 'too-long' };

export class SlackWebApi implements SlackApi {
  private readonly apiUrl: string;
  private readonly settings: Required<Omit<SlackApiOptions, 'apiUrl'>>;

  constructor(
    private readonly token: string,
    options: SlackApiOptions = {},
  ) {
    if (!token) throw new RemediatorError('the Slack bot token is empty');
    const apiUrl = options.apiUrl ?? SLACK_API_URL;
    if (!/^https?:\/\//.test(apiUrl)) throw new RemediatorError(`the Slack API URL must be an http(s) URL, got ${JSON.stringify(apiUrl)}`);
    this.apiUrl = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
    this.settings = {
      retries: options.retries ?? DEFAULTS.retries,
      maxRetryAfterSeconds: options.maxRetryAfterSeconds ?? DEFAULTS.maxRetryAfterSeconds,
      backoffMs: options.backoffMs ?? DEFAULTS.backoffMs,
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      sleep: options.sleep ?? sleepFor,
    };
  }

  readonly chat = {
    postMessage: (args: ChatPostMessageArguments): Promise<ChatResponse> => this.call('chat.postMessage', args),
    update: (args: ChatUpdateArguments): Promise<ChatResponse> => this.call('chat.update', args),
  };

  /** POST one Web API method, retrying rate limits, 5xx and network errors at most `retries` times. */
  async call(method: string, args: object): Promise<ChatResponse> {
    const body = JSON.stringify(args);
    let lastReason = '';
    for (let attempt = 0; attempt <= this.settings.retries; attempt += 1) {
      const outcome = await this.attempt(method, body);
      if ('done' in outcome) return outcome.done;
      lastReason = outcome.retry;
      if (attempt === this.settings.retries || outcome.wait === 'too-long') break;
      await this.settings.sleep(outcome.wait === 'backoff' ? this.settings.backoffMs * 2 ** attempt : outcome.wait.ms);
    }
    throw new TransientAwsError(`Slack ${method} did not succeed, try again later: ${lastReason}`, { context: { method } });
  }

  private async attempt(method: string, body: string): Promise<Attempt> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.apiUrl}${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      // No answer, or an answer cut off (connection reset, time limit): a network error, worth another try.
      return { retry: `request failed: ${describeFetchError(error)}`, wait: 'backoff' };
    }
    if (response.status === 429) return this.rateLimited(response, 'HTTP 429');
    if (response.status >= 500) return { retry: `HTTP ${response.status}`, wait: 'backoff' };
    const envelope = parseEnvelope(text);
    if (!envelope) throw new RemediatorError(`Slack ${method} answered HTTP ${response.status} with a body that is not a Web API response: ${text.slice(0, 200)}`, { context: { method, status: response.status } });
    if (envelope.ok) return { done: envelope as ChatResponse };
    const error = envelope.error ?? 'unknown_error';
    if (error === 'ratelimited') return this.rateLimited(response, 'ratelimited');
    const details = envelope.response_metadata?.messages?.length ? ` (${envelope.response_metadata.messages.join('; ')})` : '';
    throw new RemediatorError(`Slack ${method} failed: ${error}${details}`, { context: { method, slackError: error } });
  }

  private rateLimited(response: Response, reason: string): Attempt {
    const seconds = Number(response.headers.get('retry-after') ?? '1');
    const wait = Number.isFinite(seconds) && seconds >= 0 ? seconds : 1;
    return { retry: `${reason}, Retry-After ${wait} s`, wait: wait > this.settings.maxRetryAfterSeconds ? 'too-long' : { ms: wait * 1000 } };
  }
}

function parseEnvelope(text: string): z.infer<typeof EnvelopeSchema> | null {
  try {
    const parsed = EnvelopeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : `${error.name}: ${error.message}`;
}
