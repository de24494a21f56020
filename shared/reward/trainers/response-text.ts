/**
 * The response part of a decoded "prompt + response" sequence, as OpenRLHF sends it in `query`
 * (special tokens kept), cleaned of chat-template tokens so the answer extractor sees only the response.
 */

/** Where the assistant turn starts in common chat templates (ChatML/Qwen, Llama 3, DeepSeek, Gemma, Mistral). */
const ASSISTANT_MARKERS = [
  '<|im_start|>assistant',
  '<|start_header_id|>assistant<|end_header_id|>',
  '<｜Assistant｜>',
  '<|assistant|>',
  '<start_of_turn>model',
  '[/INST]',
];

/**
 * Template and control tokens: `<|...|>` (ChatML, Llama 3, Phi), `<｜...｜>` (DeepSeek), and the
 * SentencePiece/Gemma ones. `<think>` and `</think>` are not among them: the extractor needs them.
 */
const SPECIAL_TOKEN =
  /<\|[A-Za-z0-9_]+\|>|<｜[^｜<>]{1,40}｜>|<\/?s>|<(?:eos|bos|pad|unk|end_of_turn|start_of_turn)>/g;

/**
 * `query` minus its prompt: after the prompt when `query` contains it (possibly after a BOS token),
 * else after the last assistant marker, else the whole query; special tokens removed, then trimmed.
 */
export function responseFromQuery(query: string, prompt: string | undefined): string {
  return stripSpecialTokens(afterPrompt(query, prompt)).trim();
}

function afterPrompt(query: string, prompt: string | undefined): string {
  if (prompt) {
    const at = query.indexOf(prompt);
    if (at >= 0) return query.slice(at + prompt.length);
  }
  let cut = -1;
  for (const marker of ASSISTANT_MARKERS) {
    const at = query.lastIndexOf(marker);
    if (at >= 0 && at + marker.length > cut) cut = at + marker.length;
  }
  return cut >= 0 ? query.slice(cut) : query;
}

export function stripSpecialTokens(text: string): string {
  return text.replace(SPECIAL_TOKEN, '');
}
