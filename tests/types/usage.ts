// Compiled (not run) by `npm test`: the public types must accept idiomatic code and reject misuse.
import {
  completion, createClient, version, Stream, UnillmError, RateLimitError, AuthenticationError,
  getModelInfo, completionCost, supportsVision, ModelRegistry, tokenize, countTokens, clearTokenCache, supportedProviders,
  type ChatCompletion, type ChatCompletionChunk, type ChatMessage, type Tool,
} from '../.work/app/node_modules/unillm/dist/index.js';

async function main(): Promise<void> {
  const v: string = version();
  const messages: ChatMessage[] = [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] },
  ];
  const tools: Tool[] = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
  const r: ChatCompletion = await completion({ model: 'gpt-4o', messages, tools, apiKey: 'x', timeout: 1000, numRetries: 2 });
  const text: string | null = r.choices[0].message.content;
  const s: Stream<ChatCompletionChunk> = await completion({ model: 'mock/x', messages, stream: true });
  for await (const c of s) {
    const d: string | undefined = c.choices[0]?.delta.content;
    void d;
  }
  const full: ChatCompletion = await s.response();
  const rs: ReadableStream<ChatCompletionChunk> = s.toReadableStream();
  const client = createClient({ env: { OPENAI_API_KEY: 'x' }, defaults: { numRetries: 1 } });
  await client.completion({ model: 'gpt-4o', messages, fallbacks: ['mock/backup', { model: 'gpt-4o-mini', apiKey: 'y' }] });
  try {
    await completion({ model: 'gpt-4o', messages });
  } catch (e) {
    if (e instanceof RateLimitError) { const after: number | undefined = e.retryAfter; void after; }
    if (e instanceof UnillmError) { const st: number | undefined = e.status; const p: string | undefined = e.provider; void st; void p; }
    if (e instanceof AuthenticationError) { const retry: boolean = e.retryable; void retry; }
  }
  const info = getModelInfo('gpt-4o');
  const ctx: number | null = info.max_input_tokens;
  const cost: number = completionCost({ model: 'gpt-4o', usage: { prompt_tokens: 1, completion_tokens: 1 } });
  const priced: number = completionCost({ response: r });
  const vision: boolean = supportsVision('gpt-4o');
  const reg = new ModelRegistry();
  reg.registerModel({ 'my-model': { input_cost_per_token: 1e-6 } });
  await createClient({ models: reg }).completion({ model: 'openai/my-model', messages });
  const { ids, ends }: { ids: Uint32Array; ends: Uint32Array } = tokenize('hi', { model: 'gpt-4o' });
  const n: number = countTokens('hi', { encoding: 'cl100k_base' });
  const forgotten: number = clearTokenCache();
  void forgotten;
  const providers: string[] = supportedProviders();
  void providers;
  void ctx; void cost; void priced; void vision; void ids; void ends; void n;
  // @ts-expect-error: messages is required
  await completion({ model: 'gpt-4o' });
  // @ts-expect-error: roles are checked
  await completion({ model: 'gpt-4o', messages: [{ role: 'wizard', content: 'x' }] });
  void v; void text; void full; void rs;
}
void main;
