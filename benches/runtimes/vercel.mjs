// The Vercel AI SDK as the scenarios use it (installed by benches/run.mjs from benches/package.json).
// Node, Bun and Deno import this file; for workerd and Chromium, benches/runtimes.mjs bundles it.
export { generateText, streamText } from 'ai';
export { createOpenAI } from '@ai-sdk/openai';
export { createAnthropic } from '@ai-sdk/anthropic';
