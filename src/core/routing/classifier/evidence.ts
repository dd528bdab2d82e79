/**
 * Accumulates weighted evidence as named signals. Each signal has a cap on its total (so ten maths words do not
 * outweigh a code fence tenfold) and keeps a short detail built from lexicon terms and counts, never prompt text.
 */
import type {Task} from '../../config/schema.js'
import type {Signal} from '../schema.js'

type Target = Signal['target']

interface Entry {
  name: string
  target: Target
  weight: number
  cap: number
  /** Up to `MAX_DETAIL_ITEMS` details; lexicon terms are kept bare and quoted when the signal is written out. */
  details: string[] | null
  /** Bit i set: detail i is a lexicon term. */
  quoted: number
}

/** Longest detail kept for a signal, in characters. */
const MAX_DETAIL = 60
const MAX_DETAIL_ITEMS = 3

/** The details of a signal joined, lexicon terms in quotes, cut at `MAX_DETAIL` characters ('' when none). */
function detailOf(entry: Entry): string {
  const details = entry.details
  if (details === null) return ''
  let detail = ''
  for (let i = 0; i < details.length; i++) {
    if (i > 0) detail += ', '
    detail += entry.quoted & (1 << i) ? `"${details[i]}"` : details[i]
  }
  return detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL - 1)}…` : detail
}

function strongestFirst(a: Signal, b: Signal): number {
  return Math.abs(b.weight) - Math.abs(a.weight) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

/** A bag of signals keyed by name (a few dozen at most, so a list beats a map). */
export class Evidence {
  private readonly entries: Entry[] = []

  /**
   * Adds `weight` to the signal `name` (capped in absolute value at `cap`), remembering `detail` (a few words).
   * Returns the weight actually added.
   */
  add(name: string, target: Target, weight: number, cap: number, detail?: string): number {
    return this.addDetail(name, target, weight, cap, detail, false)
  }

  /** Like `add`, for a lexicon term: the detail is the term, in quotes. */
  addTerm(name: string, target: Target, weight: number, cap: number, term: string): number {
    return this.addDetail(name, target, weight, cap, term, true)
  }

  /** Sum of signal weights per task. */
  taskScores(): Record<Task, number> {
    const scores: Record<Task, number> = {general: 0, coding: 0, thinking: 0, instruction_following: 0, image: 0}
    for (const entry of this.entries) if (entry.target !== 'complexity') scores[entry.target] += entry.weight
    return scores
  }

  /** Sum of the complexity signals. */
  complexityScore(): number {
    let total = 0
    for (const entry of this.entries) if (entry.target === 'complexity') total += entry.weight
    return total
  }

  /** Signals with a non-zero weight, strongest first (ties by name, so the order is deterministic). */
  signals(): Signal[] {
    const out: Signal[] = []
    for (const entry of this.entries) {
      const weight = Math.round(entry.weight * 100) / 100
      if (weight === 0) continue
      const detail = detailOf(entry)
      out.push(
        detail
          ? {name: entry.name, target: entry.target, weight, detail}
          : {name: entry.name, target: entry.target, weight},
      )
    }
    return out.sort(strongestFirst)
  }

  private addDetail(
    name: string,
    target: Target,
    weight: number,
    cap: number,
    detail: string | undefined,
    quoted: boolean,
  ): number {
    if (weight === 0) return 0
    let entry: Entry | undefined
    for (const candidate of this.entries) {
      if (candidate.name === name) {
        entry = candidate
        break
      }
    }
    if (!entry) {
      entry = {name, target, weight: 0, cap, details: null, quoted: 0}
      this.entries.push(entry)
    }
    const before = entry.weight
    entry.weight = Math.max(-cap, Math.min(cap, before + weight))
    if (detail) {
      entry.details ??= []
      if (entry.details.length < MAX_DETAIL_ITEMS && !entry.details.includes(detail)) {
        if (quoted) entry.quoted |= 1 << entry.details.length
        entry.details.push(detail)
      }
    }
    return entry.weight - before
  }
}
