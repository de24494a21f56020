import { z } from 'zod';

/**
 * One chat message of a prompt: what verl's chat templates and `/chat/completions` take. Other fields
 * (`name`, ...) are kept as they are.
 */
export const ChatMessage = z.looseObject({ role: z.string().min(1), content: z.string() });
export type ChatMessage = z.infer<typeof ChatMessage>;
