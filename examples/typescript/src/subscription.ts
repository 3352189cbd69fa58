// Subscriptions over WebSocket with graphql-ws (protocol graphql-transport-ws) at
// ws://HOST/graphql/ws. Node 20 has no global WebSocket: the `ws` package provides it, and
// sends no Origin header, which the server allows (it checks the origins of browsers).
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { TypedDocumentString } from './gql/graphql';

/** What a subscription delivered: its data, or why it ended. */
type Delivery<TResult> = { data: TResult } | { error: Error };

/**
 * One subscription, its results kept in arrival order until `next` takes them.
 * `close` ends it and the connection.
 */
export class Subscription<TResult> {
  private readonly queue: Delivery<TResult>[] = [];
  private waiter: (() => void) | null = null;
  private readonly client: Client;
  private readonly unsubscribe: () => void;

  constructor(url: string, accessToken: string, query: string, variables: Record<string, unknown>) {
    const push = (delivery: Delivery<TResult>) => {
      this.queue.push(delivery);
      this.waiter?.();
    };
    this.client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${accessToken}` },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: (error) => push({ error: describe('the connection failed', error) }),
      on: {
        closed: (event) => {
          const { code, reason } = event as { code?: number; reason?: string };
          if (code !== 1000) push({ error: new Error(`the WebSocket closed: ${code ?? '?'} ${reason ?? ''}`) });
        },
      },
    });
    this.unsubscribe = this.client.subscribe<TResult>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors !== undefined && result.errors.length > 0) {
            push({ error: new Error(`the subscription answered errors: ${JSON.stringify(result.errors)}`) });
          } else if (result.data != null) {
            push({ data: result.data });
          }
        },
        error: (error) => push({ error: describe('the subscription failed', error) }),
        complete: () => push({ error: new Error('the server ended the subscription') }),
      },
    );
  }

  /** The next result, or null when none arrives within `timeoutMs`; throws if it ended. */
  async next(timeoutMs: number): Promise<TResult | null> {
    if (this.queue.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    const delivery = this.queue.shift();
    if (delivery === undefined) return null;
    if ('error' in delivery) throw delivery.error;
    return delivery.data;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.client.dispose();
  }
}

function describe(what: string, error: unknown): Error {
  if (error instanceof Error) return new Error(`${what}: ${error.message}`);
  const event = error as { code?: number; reason?: string; message?: string };
  return new Error(`${what}: ${event.message ?? `${event.code ?? ''} ${event.reason ?? ''}`}`);
}

/** Subscribes to a typed subscription document. */
export function subscribe<TResult, TVariables extends Record<string, unknown>>(
  url: string,
  accessToken: string,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Subscription<TResult> {
  return new Subscription<TResult>(url, accessToken, document.toString(), variables);
}
