/** Types of `document.js` (plain JavaScript, so that `npm run bench` needs no build step of its own). */

/** Prose of exactly `chars` characters (the same text for the same size). */
export function document(chars: number): string

/** A streamed chat request whose JSON body is about `bytes` long: a system prompt, a short exchange, a long last turn. */
export function mixedChat(bytes: number): {
  model: string
  stream: boolean
  messages: Array<{role: string; content: string}>
}
