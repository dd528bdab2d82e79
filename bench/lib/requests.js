/**
 * The request bodies of the gateway benchmark: a realistic chat conversation of about 1 KB of messages, sent as a
 * whole (non-streaming) or streamed. Through the gateway the model is `auto`; straight to the upstream it is the model
 * id the gateway would send, as a client without a router would.
 */

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

/** The body sent through the gateway (`model: "auto"`) or straight to the upstream (`model` = the upstream id). */
export function chatBody(model, stream) {
  return JSON.stringify(stream ? {model, messages: MESSAGES, stream: true} : {model, messages: MESSAGES})
}

/** Size in bytes of the messages array as JSON (about 1 KB). */
export const MESSAGES_BYTES = Buffer.byteLength(JSON.stringify(MESSAGES))
