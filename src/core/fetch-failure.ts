/** Short words for why a `fetch` failed, for messages: `ECONNREFUSED`, `ENOTFOUND`, `no answer within 15 s`. */
export function fetchFailureReason(error: unknown, timeoutMs?: number): string {
  if (error instanceof Error && error.name === 'TimeoutError')
    return timeoutMs ? `no answer within ${Math.round(timeoutMs / 1000)} s` : 'timed out'
  // Node's fetch wraps the socket error: `TypeError: fetch failed` with the code on `cause`.
  const cause = (error as {cause?: {code?: string; message?: string}} | undefined)?.cause
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))
}
