import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { textChunks } from './text-chunks';

/** Tokens a scripted reply reports (absent: about four characters per token). */
export interface StandInUsage {
  promptTokens: number;
  completionTokens: number;
}

/**
 * Makes a reply fail the way providers fail mid-answer: a streamed request
 * gets `afterChunks` content chunks (default 1), then an SSE `data:
 * {"error": {...}}` event, and the stream ends without `[DONE]`; a request
 * without `stream` gets a 500 with the same error body.
 */
export interface StandInStreamError {
  message: string;
  /** OpenAI's error `type`; default `server_error`. */
  type?: string;
  code?: string;
  afterChunks?: number;
}

/** When a scripted reply is sent: `delayMs` after the request arrived (default at once), to act while a model call is in flight. */
export interface StandInTiming {
  delayMs?: number;
}

/** One scripted reply of the stand-in server. */
export type StandInReply =
  /** A structured answer: the assistant message's content is this value as JSON. */
  | ({ output: unknown; usage?: StandInUsage; streamError?: StandInStreamError } & StandInTiming)
  /** Any text as the assistant's content: JSON in code fences, prose, broken JSON. */
  | ({ text: string; usage?: StandInUsage; streamError?: StandInStreamError } & StandInTiming)
  | ({ toolCalls: Array<{ name: string; args?: Record<string, unknown> }>; usage?: StandInUsage } & StandInTiming)
  /** An HTTP error with OpenAI's error body; `headers` e.g. `{ 'retry-after': '1' }`. */
  | ({ status: number; message: string; code?: string; headers?: Record<string, string> } & StandInTiming)
  | ((request: StandInRequest) => StandInReply);

/** How a streamed answer went (`stream: true` requests), updated as it is written. */
export interface StandInStream {
  /** `data:` events written so far (`[DONE]` excluded). */
  chunks: number;
  /** The stream ended with `data: [DONE]`. */
  done: boolean;
  /** The client went away (an aborted call) before the stream ended. */
  clientClosed: boolean;
}

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
  /** Set for `stream: true` requests that got an answer. */
  stream?: StandInStream;
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

/** Options of {@link startOpenAICompatibleStandIn}. */
export interface OpenAICompatibleStandInOptions {
  /** The first replies of the script (more with `reply()`). */
  replies?: StandInReply[];
  /** Milliseconds between two chunks of a streamed answer (default 0), to watch deltas arrive in demos and benchmarks. */
  chunkDelayMs?: number;
}

type AnswerReply = Exclude<StandInReply, { status: number } | ((request: StandInRequest) => StandInReply)>;

let completions = 0;

function completion(reply: AnswerReply, request: StandInRequest) {
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

function errorBody(error: StandInStreamError) {
  return { error: { message: error.message, type: error.type ?? 'server_error', code: error.code ?? null } };
}

/** The `data:` events of a streamed answer, in OpenAI's chunk format: content (or tool calls) in several pieces, the finish reason, the usage. */
function streamEvents(reply: AnswerReply, request: StandInRequest): unknown[] {
  const answer = completion(reply, request);
  const [{ message, finish_reason }] = answer.choices;
  const head = { id: answer.id, object: 'chat.completion.chunk', created: answer.created, model: answer.model };
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    ...head,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  const events: unknown[] = [chunk({ role: 'assistant', content: message.tool_calls ? null : '' })];
  if (message.tool_calls) {
    message.tool_calls.forEach((call, index) => {
      events.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
      for (const piece of textChunks(call.function.arguments)) events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    });
  } else {
    const pieces = textChunks(message.content ?? '');
    const failure = 'streamError' in reply ? reply.streamError : undefined;
    if (failure) {
      const kept = Math.min(pieces.length, Math.max(0, failure.afterChunks ?? 1));
      return [...events, ...pieces.slice(0, kept).map((content) => chunk({ content })), errorBody(failure)];
    }
    events.push(...pieces.map((content) => chunk({ content })));
  }
  events.push(chunk({}, finish_reason));
  const streamOptions = request.body['stream_options'] as { include_usage?: unknown } | undefined;
  if (streamOptions?.include_usage === true) events.push({ ...head, choices: [], usage: answer.usage });
  return events;
}

/** Writes a streamed answer as Server-Sent Events, one event per `chunkDelayMs`; stops when the client goes away. */
async function sendStream(response: ServerResponse, events: unknown[], state: StandInStream, chunkDelayMs: number): Promise<void> {
  response.on('close', () => {
    if (!state.done && !response.writableEnded) state.clientClosed = true;
  });
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const last = events[events.length - 1] as { error?: unknown };
  for (const event of events) {
    if (state.chunks > 0 && chunkDelayMs > 0) await sleep(chunkDelayMs);
    if (state.clientClosed || response.destroyed) return;
    response.write(`data: ${JSON.stringify(event)}\n\n`);
    state.chunks += 1;
  }
  if (last.error === undefined) {
    response.write('data: [DONE]\n\n');
    state.done = true;
  }
  response.end();
}

/**
 * Starts a local HTTP server that speaks enough of OpenAI's Chat Completions
 * API (`POST /v1/chat/completions`: JSON answers, tool calls, usage, error
 * bodies with status and headers) for tests of model-backed agents over real
 * HTTP. Replies follow the script in order; an unscripted request gets a 500
 * that says so. It listens on a free port of 127.0.0.1.
 *
 * Requests with `stream: true` get the answer as Server-Sent Events in
 * OpenAI's format: `chat.completion.chunk` events with the content (or the
 * tool calls' arguments) split into token-like pieces, a last chunk with the
 * `finish_reason`, the usage in a chunk of its own when
 * `stream_options.include_usage` is set, then `data: [DONE]`; errors before
 * the stream are plain HTTP errors, as with OpenAI.
 *
 * @example
 * const server = await startOpenAICompatibleStandIn();
 * server.reply({ status: 429, message: 'slow down', headers: { 'retry-after': '1' } }, { output: { summary: 'ok' } });
 * process.env.FLOCK_OPENAI_BASE_URL = server.baseUrl; // then model 'openai-compatible:any-model'
 * // ... run, then: server.requests.length === 2
 * await server.close();
 * // slow streams, to watch deltas arrive: await startOpenAICompatibleStandIn({ chunkDelayMs: 50 })
 */
export async function startOpenAICompatibleStandIn(options: OpenAICompatibleStandInOptions = {}): Promise<OpenAICompatibleStandIn> {
  const chunkDelayMs = options.chunkDelayMs ?? 0;
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
      if (reply?.delayMs) await sleep(reply.delayMs);
      if (reply === undefined) {
        send(res, 500, { error: { message: `stand-in: no scripted reply for request ${requests.length}`, type: 'server_error' } });
      } else if ('status' in reply) {
        send(res, reply.status, { error: { message: reply.message, type: 'error', code: reply.code ?? null } }, reply.headers);
      } else if (request.body['stream'] === true) {
        request.stream = { chunks: 0, done: false, clientClosed: false };
        await sendStream(res, streamEvents(reply, request), request.stream, chunkDelayMs);
      } else if ('streamError' in reply && reply.streamError) {
        send(res, 500, errorBody(reply.streamError));
      } else {
        send(res, 200, completion(reply, request));
      }
    })().catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else send(res, 500, { error: { message: `stand-in failed: ${String(error)}` } });
    });
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
