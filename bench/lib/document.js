/**
 * Synthetic texts for the benchmarks (and the classifier's equivalence corpus, which must see the same ones): prose of
 * a given size, as a report pasted into a chat would be, and a chat request of a given size with mixed content.
 */

const SENTENCES = [
  'The committee reviewed the quarterly figures and noted a steady rise in operating costs across all regions.',
  'Shipments to the northern warehouse were delayed twice in March because of a scheduling conflict with the carrier.',
  'Customer satisfaction scores improved after the support team introduced a callback option for long queues.',
  'The new pricing model bundles storage and bandwidth, which simplifies invoices for most small accounts.',
  'Engineering estimates that the migration will take six weeks, assuming the database freeze holds until May.',
  'Legal asked for the retention policy to be revised so that audit logs are kept for at least seven years.',
  'Two vendors submitted bids; the second was cheaper but could not commit to the required service levels.',
  'Several stores reported that the handheld scanners lose their network connection near the loading docks.',
  'Marketing plans a spring campaign focused on the loyalty programme and the refreshed mobile application.',
  'The board approved the hiring plan, with most new roles in data engineering and customer onboarding.',
]

/** Prose of exactly `chars` characters (the same text for the same size). */
export function document(chars) {
  let text = ''
  for (let i = 0; text.length < chars; i++) {
    text += SENTENCES[(i * 7) % SENTENCES.length] + (i % 5 === 4 ? '\n\n' : ' ')
    if (i % 23 === 0) text += `Section ${i / 23 + 1}: figures for week ${(i % 52) + 1} are in table ${i % 9}. `
  }
  return text.slice(0, chars)
}

/** Paragraphs of the mixed chat request: prose, code, counted constraints, a word problem. */
const PARAGRAPHS = [
  'We are migrating our billing service from a monolith to microservices and need to keep invoices consistent. ',
  'Here is the current handler:\n\n```python\ndef charge(customer_id, amount):\n    invoice = Invoice.create(customer_id, amount)\n    gateway.charge(invoice)\n    return invoice\n```\n\n',
  'The team asked for exactly three options, each under 50 words, and a recommendation at the end. ',
  'A train leaves at 9:45 and travels 210 km at 84 km/h; how many minutes does the trip take? ',
  'Please also explain the trade-offs between an outbox table and change data capture for the event stream. ',
]

/** A streamed chat request whose JSON body is about `bytes` long: a system prompt, a short exchange, a long last turn. */
export function mixedChat(bytes) {
  const messages = [
    {role: 'system', content: 'You are a careful senior engineer. Answer precisely.'},
    {role: 'user', content: 'Can you help me with our billing service?'},
    {role: 'assistant', content: 'Of course. What does the service look like today?'},
  ]
  let text = ''
  for (
    let i = 0;
    JSON.stringify({model: 'auto', messages: [...messages, {role: 'user', content: text}]}).length < bytes;
    i++
  ) {
    text += PARAGRAPHS[i % PARAGRAPHS.length]
  }
  return {model: 'auto', stream: true, messages: [...messages, {role: 'user', content: text}]}
}
