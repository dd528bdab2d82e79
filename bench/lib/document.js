/**
 * Synthetic pasted documents for the benchmarks: prose of a given size with varied sentences, paragraph breaks and
 * section lines, as a report pasted into a chat would be.
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
