import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted reply of the stand-in server. */
export type StandInReply =
  /** A structured answer: the assistant message's content is this value as JSON. */
  | { output: unknown; usage?: { promptTokens: number; completionTokens: number } }
  | { text: string; usage?: { promptTokens: number; completionTokens: number } }
  | { toolCalls: Array<{ name: string; args?: Record<string, unknown> }>; usage?: { promptTokens: number; completionTokens: number } }
  /** An HTTP error with OpenAI's error body; `headers` e.g. `{ 'retry-after': '1' }`. */
  | { status: number; message: string; code?: string; headers?: Record<string, string> }
  | ((request: StandInRequest) => StandInReply);

/** A request the stand-in received. */
export interface StandInRequest {
  method: string;
  path: string;
  /** `authorization` and the other request headers, lower-cased. */
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (`model`, `messages`, `tools`, `response_format`...). */
  body: Record<string, unknown>;
  /** `Date.now()` when it arrived. */
  receivedAt: number;
}

/** A running stand-in server. */
export interface OpenAICompatibleStandIn {
  /** `http://127.0.0.1:<port>/v1`: the base URL to give `openai-compatible:` models. */
  readonly baseUrl: string;
  /** Every request so far, oldest first. */
  readonly requests: StandInRequest[];
  /** Appends replies to the script. */
  reply(...replies: StandInReply[]): void;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

let completions = 0;

function completion(reply: Exclude<StandInReply, { status: number } | ((request: StandInRequest) => StandInReply)>, request: StandInRequest) {
  completions += 1;
  const toolCalls =
    'toolCalls' in reply
      ? reply.toolCalls.map((call, n) => ({
          id: `call_${completions}_${n + 1}`,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
        }))
      : undefined;
  const content = 'toolCalls' in reply ? null : 'text' in reply ? reply.text : JSON.stringify(reply.output);
  // roughly four characters per token, when the script gives no usage
  const promptTokens = reply.usage?.promptTokens ?? Math.ceil(JSON.stringify(request.body['messages'] ?? '').length / 4);
  const completionTokens = reply.usage?.completionTokens ?? Math.ceil(JSON.stringify(content ?? toolCalls).length / 4);
  return {
    id: `chatcmpl-${completions}`,
    object: 'chat.completion',
    created: Math.floor(request.receivedAt / 1000),
    model: String(request.body['model'] ?? 'stand-in'),
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        finish_reason: toolCalls ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

/**
 * Starts a local HTTP server that speaks enough of OpenAI's Chat Completions
 * API (`POST /v1/chat/completions`: JSON answers, tool calls, usage, error
 * bodies with status and headers) for tests of model-backed agents over real
 * HTTP. Replies follow the script in order; an unscripted request gets a 500
 * that says so. It listens on a free port of 127.0.0.1.
 *
 * @example
 * const server = await startOpenAICompatibleStandIn();
 * server.reply({ status: 429, message: 'slow down', headers: { 'retry-after': '1' } }, { output: { summary: 'ok' } });
 * process.env.FLOCK_OPENAI_BASE_URL = server.baseUrl; // then model 'openai-compatible:any-model'
 * // ... run, then: server.requests.length === 2
 * await server.close();
 */
export async function startOpenAICompatibleStandIn(options: { replies?: StandInReply[] } = {}): Promise<OpenAICompatibleStandIn> {
  const script: StandInReply[] = [...(options.replies ?? [])];
  const requests: StandInRequest[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        send(res, 400, { error: { message: 'stand-in: the body is not JSON', type: 'invalid_request_error' } });
        return;
      }
      const request: StandInRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, receivedAt: Date.now() };
      requests.push(request);
      if (request.method !== 'POST' || !request.path.startsWith('/v1/chat/completions')) {
        send(res, 404, { error: { message: `stand-in: no route ${request.method} ${request.path}`, type: 'invalid_request_error' } });
        return;
      }
      let reply = script.shift();
      while (typeof reply === 'function') reply = reply(request);
      if (reply === undefined) {
        send(res, 500, { error: { message: `stand-in: no scripted reply for request ${requests.length}`, type: 'server_error' } });
      } else if ('status' in reply) {
        send(res, reply.status, { error: { message: reply.message, type: 'error', code: reply.code ?? null } }, reply.headers);
      } else {
        send(res, 200, completion(reply, request));
      }
    })().catch((error: unknown) => send(res, 500, { error: { message: `stand-in failed: ${String(error)}` } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    reply: (...replies) => void script.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
