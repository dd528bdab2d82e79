/**
 * Phrase matching: the lexicon's terms in a trie over word ids, matched on whole tokens, longest phrase first. The
 * trie is flattened into typed arrays once at load: a node is a number, its children are found in one
 * open-addressing table keyed by (node, word id), and matching a text allocates only its hits.
 */
import {LEXICON, type Tag} from './lexicon.js'
import {PHRASES, VOCABULARY_SIZE, wordId} from './tokenizer.js'

/** A lexicon term as stored in the phrase trie. */
export interface TrieTerm {
  tag: Tag
  /** Index of the tag in `TAG_INDEX`, for allocation-free bookkeeping while matching. */
  tagId: number
  /** Index of the term in `TERMS`, to tell repeated terms apart without comparing strings. */
  termId: number
  term: string
  /** Multiplier of the tag's weight. */
  w: number
}

/** One lexicon match in a text: the term (shared with the trie) and where it lies, in tokens. */
export class Hit {
  constructor(
    private readonly ref: TrieTerm,
    /** Token index where the match starts, and one past where it ends. */
    readonly pos: number,
    readonly end: number,
    /** False when an earlier hit of the same tag in the same text has the same term. */
    readonly first: boolean,
  ) {}

  get tag(): Tag {
    return this.ref.tag
  }

  /** The lexicon term (not the prompt's text). */
  get term(): string {
    return this.ref.term
  }

  /** Multiplier of the tag's weight. */
  get w(): number {
    return this.ref.w
  }
}

const TAGS = Object.keys(LEXICON) as Tag[]
/**
 * The number of each tag (`TAG.lang`): what `TagHits` is indexed by. Callers name tags through it, so a lookup is a
 * constant property load, not a string-keyed one.
 */
export const TAG: Readonly<Record<Tag, number>> = Object.freeze(
  Object.fromEntries(TAGS.map((tag, index) => [tag, index])) as Record<Tag, number>,
)
const TAG_INDEX = TAG

/** Lexicon hits grouped by tag: an array indexed by tag (cheaper than a map for a few dozen tags). */
export class TagHits {
  private readonly lists: Array<Hit[] | undefined> = new Array(TAGS.length)
  /**
   * Matches of the count-only tags (`COUNT_TAGS`), which keep no hits, by tag; `null` while there are none. A plain
   * array: a typed one costs microseconds to allocate, and most texts have a match or two.
   */
  private tallies: number[] | null = null
  /** Per tag: the hits without repeated terms, where that differs from `lists` (built on first use). */
  private distinctLists: Array<Hit[] | undefined> | null = null
  /** Bit `tagId` set: the tag has a repeated term. Tags 31 and up share the last bit. */
  private repeats = 0

  push(tagId: number, hit: Hit): void {
    const list = this.lists[tagId]
    if (list) list.push(hit)
    else this.lists[tagId] = [hit]
    if (!hit.first) this.repeats |= 1 << Math.min(tagId, 31)
  }

  /** The hits of a tag (`TAG.x`), in text order. */
  get(tagId: number): Hit[] | undefined {
    return this.lists[tagId]
  }

  has(tagId: number): boolean {
    return this.lists[tagId] !== undefined
  }

  /** Counts a match of a count-only tag. */
  tally(tagId: number): void {
    this.tallies ??= []
    this.tallies[tagId] = (this.tallies[tagId] ?? 0) + 1
  }

  /** Number of hits of a tag (of matches, for a count-only tag). */
  count(tagId: number): number {
    return this.lists[tagId]?.length ?? this.tallies?.[tagId] ?? 0
  }

  /** The hits of a tag with repeated terms dropped (first occurrence kept): most often the hits themselves. */
  distinct(tagId: number): Hit[] | undefined {
    const hits = this.lists[tagId]
    if (!hits || (this.repeats & (1 << Math.min(tagId, 31))) === 0) return hits
    this.distinctLists ??= new Array(TAGS.length)
    let out = this.distinctLists[tagId]
    if (!out) {
      out = []
      for (let k = 0; k < hits.length; k++) if (hits[k].first) out.push(hits[k])
      this.distinctLists[tagId] = out
    }
    return out
  }
}

/** Every term of the trie, by `termId`. */
const TERMS: TrieTerm[] = []
/** Terms of each node (`null` when no phrase ends there), by node number. */
const NODE_TERMS: Array<readonly TrieTerm[] | null> = []
/** 1 when a node has children. */
let NODE_HAS_CHILDREN = new Uint8Array(0)
/** Node of each word id at the trie's first level, or -1 (the hottest lookup of the scan). */
const ROOT = new Int32Array(VOCABULARY_SIZE).fill(-1)
// Children of all nodes in one open-addressing table: the key is `node * VOCABULARY_SIZE + word`.
let childKey = new Int32Array(0)
let childNode = new Int32Array(0)
let childMask = 0

function childSlot(key: number): number {
  return (Math.imul(key, 0x9e3779b1) >>> 0) & childMask
}

/** The child of `node` for `word`, or -1. */
function childOf(node: number, word: number): number {
  if (word < 0) return -1
  const key = node * VOCABULARY_SIZE + word
  for (let slot = childSlot(key); childNode[slot] !== -1; slot = (slot + 1) & childMask) {
    if (childKey[slot] === key) return childNode[slot]
  }
  return -1
}

/** Builds the trie from the lexicon's phrases (when two terms of a tag end at the same node, the first stays). */
function buildTrie(): void {
  const children = new Map<number, number>()
  const newNode = (): number => {
    NODE_TERMS.push(null)
    return NODE_TERMS.length - 1
  }
  for (const {tag, term, w, words} of PHRASES) {
    let node = -1
    for (const word of words) {
      const id = wordId(word)
      const key = node * VOCABULARY_SIZE + id
      let next = node === -1 ? ROOT[id] : (children.get(key) ?? -1)
      if (next === -1) {
        next = newNode()
        if (node === -1) ROOT[id] = next
        else children.set(key, next)
      }
      node = next
    }
    const terms = (NODE_TERMS[node] ?? []) as TrieTerm[]
    if (!terms.some((t) => t.tag === tag)) {
      const entry = {tag, tagId: TAG_INDEX[tag], termId: TERMS.length, term, w}
      TERMS.push(entry)
      terms.push(entry)
    }
    NODE_TERMS[node] = terms
  }
  NODE_HAS_CHILDREN = new Uint8Array(NODE_TERMS.length)
  let size = 1
  while (size < children.size * 2) size *= 2
  childKey = new Int32Array(size)
  childNode = new Int32Array(size).fill(-1)
  childMask = size - 1
  for (const [key, node] of children) {
    let slot = childSlot(key)
    while (childNode[slot] !== -1) slot = (slot + 1) & childMask
    childKey[slot] = key
    childNode[slot] = node
    NODE_HAS_CHILDREN[Math.floor(key / VOCABULARY_SIZE)] = 1
  }
}

buildTrie()

const NOT_CODE_ID = TAG_INDEX.not_code
/** Gate tags whose presence is all that matters: a bit each instead of a hit per word. */
const GATE_TAGS = [
  'gate_punctuation',
  'gate_arithmetic',
  'gate_each',
  'gate_problem',
  'gate_quantifier',
  'gate_boolean',
  'gate_trace',
  'gate_trace_weak',
  'gate_letter',
  'gate_riddle',
  'gate_modal',
  'gate_let',
  'gate_fraction',
  'gate_claim',
] as const
/** A tag that gates a structural pattern. */
export type GateTag = (typeof GATE_TAGS)[number]
const GATE_BIT = new Int32Array(TAGS.length)
for (const [index, tag] of GATE_TAGS.entries()) GATE_BIT[TAG_INDEX[tag]] = 1 << index
/**
 * Tags whose matches are only counted (no `Hit` each): their words are common (`not`, `first`, `before`), and the
 * classifier needs only how many there are. `TagHits.count` reads them; `get`, `has` and `distinct` see none.
 */
const COUNT_TAGS: readonly Tag[] = ['relation', 'kinship', 'arrangement']
const COUNT_ONLY = new Uint8Array(TAGS.length)
for (const tag of COUNT_TAGS) COUNT_ONLY[TAG_INDEX[tag]] = 1
/** The bit of each gate tag in `matchTokens(...).gates`. */
export const GATE = Object.fromEntries(GATE_TAGS.map((tag, index) => [tag, 1 << index])) as Record<GateTag, number>

/** Longest phrase in the lexicon, in tokens (bounds the scratch arrays below). */
const MAX_PHRASE = 16
const foundNodes = new Int32Array(MAX_PHRASE)
const foundEnds = new Int32Array(MAX_PHRASE)
const coveredUntil = new Int32Array(TAGS.length)
const seenAt = new Int32Array(TAGS.length)
/** Per tag term: the number of the `matchTokens` call that last saw it (a generation count: no clearing). */
const termSeenIn = new Int32Array(TERMS.length)
let generation = 0

/** The result of `matchTokens`. */
export interface Matches {
  byTag: TagHits
  /** Bits of `GATE`: the gate tags present. */
  gates: number
}

function hit(byTag: TagHits, term: TrieTerm, pos: number, end: number): void {
  const first = termSeenIn[term.termId] !== generation
  termSeenIn[term.termId] = generation
  byTag.push(term.tagId, new Hit(term, pos, end, first))
}

/**
 * Finds lexicon terms in a token list. At each position, the longest term of each tag counts, and shorter terms of
 * other tags too (`find the number of` yields `find` as a verb and the phrase as competition maths); a phrase nested
 * in an earlier one of the same tag is not counted twice. A `not_code` phrase hides everything inside it, so
 * `dress code` hides `code` and `go to` hides `go`. Gate tags come back as bits, not hits.
 */
export function matchTokens(ids: Int32Array): Matches {
  const byTag = new TagHits()
  let gates = 0
  coveredUntil.fill(0)
  seenAt.fill(-1)
  // A new generation for this text; on the (far) wrap-around, forget every mark.
  if (++generation === 0x7fffffff) {
    termSeenIn.fill(0)
    generation = 1
  }
  const n = ids.length
  let i = 0
  while (i < n) {
    let node = ids[i] >= 0 ? ROOT[ids[i]] : -1
    if (node === -1) {
      i++
      continue
    }
    let found = 0
    let j = i
    for (;;) {
      if (NODE_TERMS[node] !== null && found < MAX_PHRASE) {
        foundNodes[found] = node
        foundEnds[found] = j + 1
        found++
      }
      j++
      if (j >= n || NODE_HAS_CHILDREN[node] === 0) break
      node = childOf(node, ids[j])
      if (node === -1) break
    }
    if (found === 0) {
      i++
      continue
    }
    const longest = NODE_TERMS[foundNodes[found - 1]]!
    const longestEnd = foundEnds[found - 1]
    let override = false
    for (let t = 0; t < longest.length; t++) if (longest[t].tagId === NOT_CODE_ID) override = true
    if (override) {
      for (let t = 0; t < longest.length; t++) hit(byTag, longest[t], i, longestEnd)
      i = longestEnd
      continue
    }
    for (let k = found - 1; k >= 0; k--) {
      const end = foundEnds[k]
      const terms = NODE_TERMS[foundNodes[k]]!
      for (let t = 0; t < terms.length; t++) {
        const term = terms[t]
        const tagId = term.tagId
        if (GATE_BIT[tagId] !== 0) {
          gates |= GATE_BIT[tagId]
          continue
        }
        if (seenAt[tagId] === i || coveredUntil[tagId] > i) continue
        seenAt[tagId] = i
        coveredUntil[tagId] = end
        if (COUNT_ONLY[tagId] === 1) byTag.tally(tagId)
        else hit(byTag, term, i, end)
      }
    }
    i++
  }
  return {byTag, gates}
}
