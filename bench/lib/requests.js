/**
 * The request bodies of the gateway benchmark: a realistic chat conversation of about 1 KB of messages, sent as a
 * whole (non-streaming) or streamed, optionally with a long document pasted into the last turn. Through the gateway
 * the model is `auto`; straight to the upstream it is the model id the gateway would send, as a client without a
 * router would.
 */
import {document} from './document.js'

/** A short support conversation: system prompt, two earlier turns, and a question with a small code excerpt. */
export const MESSAGES = [
  {
    role: 'system',
    content: 'You are a helpful assistant for an online bookshop. Answer briefly and politely; use bullet points for lists and never invent stock levels.',
  },
  {role: 'user', content: 'Hi, I ordered three books last week and only two arrived. The order number is 48213.'},
  {
    role: 'assistant',
    content:
      'I am sorry about that. I can see order 48213: two items were shipped from the main warehouse and one from a partner ' +
      'store, so they travel separately. The third parcel should arrive within two working days.',
  },
  {
    role: 'user',
    content:
      'Thanks. Could you also tell me whether the paperback edition of "The Left Hand of Darkness" is back in stock, and ' +
      'whether I can add it to the same delivery? If not, please suggest two similar novels that are available now, ' +
      'with one sentence on why each is a good match. Our store page shows this snippet, which looks wrong to me:\n' +
      '<span class="stock">in stock: {{ item.qty }}</span>\nShould it not say "available" instead?',
  },
]

/**
 * The conversation of the benchmark: `MESSAGES`, with a document of `documentKb` KB pasted before the last question
 * when `documentKb` is above 0 (a long-context request, as coding agents and document questions send).
 */
export function conversation(documentKb = 0) {
  if (documentKb <= 0) return MESSAGES
  const last = MESSAGES[MESSAGES.length - 1]
  return [...MESSAGES.slice(0, -1), {role: last.role, content: `${document(documentKb * 1024)}\n\n${last.content}`}]
}

/** The body sent through the gateway (`model: "auto"`) or straight to the upstream (`model` = the upstream id). */
export function chatBody(model, stream, messages = MESSAGES) {
  return JSON.stringify(stream ? {model, messages, stream: true} : {model, messages})
}

/** Size in bytes of a messages array as JSON (about 1 KB for `MESSAGES`). */
export function messagesBytes(messages = MESSAGES) {
  return Buffer.byteLength(JSON.stringify(messages))
}
