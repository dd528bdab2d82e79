/**
 * The request bodies of the gateway benchmark: a realistic chat conversation of about 1 KB of messages (or a coding
 * agent's turn of about 18 KB), sent as a whole (non-streaming) or streamed, optionally with a long document pasted
 * into the last turn. Through the gateway the model is `auto`; straight to the upstream it is the model id the
 * gateway would send, as a client without a router would.
 */
import {document} from './document.js'

/** A short support conversation: system prompt, two earlier turns, and a question with a small code excerpt. */
export const MESSAGES = [
  {
    role: 'system',
    content:
      'You are a helpful assistant for an online bookshop. Answer briefly and politely; use bullet points for lists and never invent stock levels.',
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
 * A coding agent's turn: an 8 KB system prompt, ten earlier turns (about 9 KB, code included) and a new, short
 * question. Agents resend all of it with every turn.
 */
export function agentMessages() {
  const system =
    "You are a coding agent working in the user's repository. Use the tools to read files before editing them, keep " +
    'changes small, run the tests after each change, and explain what you changed in one short paragraph. '
  const messages = [{role: 'system', content: ''}]
  while (messages[0].content.length < 8 * 1024) messages[0].content += system + document(400) + '\n'
  for (let turn = 0; turn < 5; turn++) {
    messages.push({
      role: 'user',
      content: `Step ${turn + 1}: ${document(300 + 100 * turn)} What should change in src/billing/invoice.ts?`,
    })
    messages.push({
      role: 'assistant',
      content:
        'I read the file. The function `charge(customerId, amount)` creates the invoice before the payment:\n\n' +
        '```ts\nexport async function charge(customerId: string, amount: number) {\n  const invoice = await invoices.create(customerId, amount)\n' +
        '  await gateway.charge(invoice)\n  return invoice\n}\n```\n\n' +
        document(800 + 50 * turn),
    })
  }
  messages.push({
    role: 'user',
    content: 'Good. Now make the charge idempotent with a key per invoice, and add a test for a retried request.',
  })
  return messages
}

/** The conversations `--conversation` can pick. */
export const CONVERSATIONS = ['chat', 'agent']

/**
 * The conversation of the benchmark: `MESSAGES` (`chat`) or `agentMessages()` (`agent`), with a document of
 * `documentKb` KB pasted before the last question when `documentKb` is above 0 (a long-context request, as coding
 * agents and document questions send).
 */
export function conversation(documentKb = 0, kind = 'chat') {
  const messages = kind === 'agent' ? agentMessages() : MESSAGES
  if (documentKb <= 0) return messages
  const last = messages[messages.length - 1]
  return [...messages.slice(0, -1), {role: last.role, content: `${document(documentKb * 1024)}\n\n${last.content}`}]
}

/**
 * The mark that the load generator replaces with a fresh id in every request it sends (autocannon's `idReplacement`,
 * and the sequential runs' counter).
 */
export const REQUEST_ID_MARK = '[<id>]'

/**
 * `messages` with the last turn ending in `REQUEST_ID_MARK`, so that no two requests are the same question. Real
 * traffic does not repeat a conversation byte for byte: to the gateway, the same last user turn of the same conversation
 * again within `feedback_retry_window_seconds` is a client retrying an answer it did not like (a `quality_feedback`
 * verdict, and after enough of them a raised tier), so a benchmark sending one request over and over would measure that
 * path on every request instead of the one real requests take.
 */
export function distinctRequests(messages) {
  const last = messages[messages.length - 1]
  return [...messages.slice(0, -1), {role: last.role, content: `${last.content}\n(ref ${REQUEST_ID_MARK})`}]
}

/** The body sent through the gateway (`model: "auto"`) or straight to the upstream (`model` = the upstream id). */
export function chatBody(model, stream, messages = MESSAGES) {
  return JSON.stringify(stream ? {model, messages, stream: true} : {model, messages})
}

/**
 * The same conversation in Anthropic's Messages API (`--api messages`): the system prompt at the top, the turns as they
 * are, and the `max_tokens` that the API requires.
 */
export function messagesApiBody(model, stream, messages = MESSAGES) {
  const system = messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n')
  const turns = messages.filter((m) => m.role !== 'system')
  const body = {model, max_tokens: 1024, ...(system ? {system} : {}), messages: turns}
  return JSON.stringify(stream ? {...body, stream: true} : body)
}

/** The APIs `--api` can send through the gateway (straight to the upstream, requests are always chat completions). */
export const APIS = ['chat', 'messages']

/** Size in bytes of a messages array as JSON (about 1 KB for `MESSAGES`). */
export function messagesBytes(messages = MESSAGES) {
  return Buffer.byteLength(JSON.stringify(messages))
}
