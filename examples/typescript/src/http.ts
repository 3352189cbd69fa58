// GraphQL over HTTP with Node's global fetch: one POST per operation, typed by the document.
import type { TypedDocumentString } from './gql/graphql';

export class GraphQLError extends Error {}

interface Response<TResult> {
  data?: TResult | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export class HttpClient {
  token: string | null = null;

  constructor(
    readonly endpoint: string,
    readonly timeoutMs: number,
  ) {}

  async execute<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    };
    if (this.token !== null) headers.authorization = `Bearer ${this.token}`;
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: document.toString(), variables }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    let body: Response<TResult>;
    try {
      body = JSON.parse(text) as Response<TResult>;
    } catch {
      throw new GraphQLError(`HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (body.errors !== undefined && body.errors.length > 0) {
      const messages = body.errors.map((error) => `${error.extensions?.code ?? '?'}: ${error.message}`);
      throw new GraphQLError(`HTTP ${response.status}: ${messages.join('; ')}`);
    }
    if (!response.ok || body.data == null) {
      throw new GraphQLError(`HTTP ${response.status} without data`);
    }
    return body.data;
  }
}
