import { z } from '@hono/zod-openapi';
import type { ChatMessage } from '../../formats/chat-message.ts';

/** How prompts are sent: as chat messages (`/chat/completions`) or as raw text (`/completions`). */
export const PromptMode = z.enum(['chat', 'completions']);
export type PromptMode = z.infer<typeof PromptMode>;

/**
 * `n`: one request asks for all missing samples of a problem (vLLM and SGLang honour `n`);
 * `single`: one request per sample (for endpoints that ignore `n`).
 */
export const RequestMode = z.enum(['n', 'single']);
export type RequestMode = z.infer<typeof RequestMode>;

/** Where to send requests and how to sample. */
export const EndpointConfig = z
  .object({
    baseUrl: z
      .string()
      .url()
      .openapi({
        description:
          "The API root, e.g. http://127.0.0.1:8000/v1. Through the API it must be on the operator's " +
          'GRADUS_EVAL_ALLOWED_BASE_URLS (loopback by default); redirects are not followed.',
      }),
    model: z.string().min(1).openapi({ description: 'The `model` field of each request.' }),
    apiKey: z.string().optional().openapi({
      description:
        'Sent as a bearer token; kept in memory only, never stored (an eval job takes GRADUS_EVAL_API_KEY).',
    }),
    promptMode: PromptMode.default('chat'),
    requestMode: RequestMode.default('n'),
  })
  .openapi('EndpointConfig');
export type EndpointConfig = z.input<typeof EndpointConfig>;

export const SamplingParams = z
  .object({
    temperature: z.number().min(0).max(2),
    topP: z.number().gt(0).max(1),
    maxTokens: z.number().int().min(1),
    /** Sample j of a problem is requested with seed `seed + j` (in `n` mode: the seed of its first sample). */
    seed: z.number().int().min(0).optional(),
    stop: z.array(z.string()).optional(),
  })
  .openapi('SamplingParams');
export type SamplingParams = z.infer<typeof SamplingParams>;

/** Chat mode: one user message, or the whole conversation. Completions mode: the prompt text. */
export type Prompt = string | ChatMessage[];

/** One problem to sample: its id and the prompt as it will be sent. */
export interface PromptItem {
  id: string;
  prompt: Prompt;
}
