/**
 * Gives memory back after a burst of traffic. Under load V8 grows its heap (the young generation to 32 MB, the old
 * generation by whatever survived), and an idle process never collects again, so the gateway would keep its peak
 * footprint until the next burst. Once the gateway has served no request for `idleMs` and its heap has grown by at
 * least `minGrowthBytes` since the last compaction, one full collection runs: the old generation shrinks to what is
 * live, and V8 shrinks the young generation back to 1–2 MB, at once or after a few young collections a second apart
 * (see `V8Collections`). The full collection pauses the event loop for a few tens of milliseconds, a young one for
 * about one, at times when nothing is waiting.
 * The first quiet period after the start compacts too: it takes the start-up's garbage (loading modules and the
 * config) and sets the size later growth is measured from.
 */
import {getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'

export interface IdleCompactorOptions {
  /** Time without a new request before the heap is compacted. */
  idleMs: number
  /**
   * Heap growth since the last compaction (or the start) below which a quiet period is left alone; 0 compacts after
   * every quiet period that follows traffic.
   */
  minGrowthBytes: number
  /** Requests started so far: a change means traffic. */
  requests: () => number
  /** True while a request or stream is still in progress. */
  busy: () => boolean
  /** Called after each compaction. */
  onCompact?: (result: CompactionResult) => void
  /** Called when a collection fails (a Node without the V8 hooks it needs); the compactor then stops for good. */
  onError?: (error: Error) => void
  /** Test seams: the clock, the heap size, the collections. */
  now?: () => number
  heapBytes?: () => number
  collections?: Collections
}

export interface CompactionResult {
  heapBefore: number
  heapAfter: number
  durationMs: number
}

/** V8's `gc`: a full collection, or a young one with `{type: 'minor'}`. */
type Gc = (options?: {type: 'minor'}) => void

/** The collections the compactor runs. */
export interface Collections {
  /** A full collection that compacts the old generation. */
  full(): void
  /** A young collection. */
  young(): void
  /** Size of the young generation. */
  youngBytes(): number
}

/**
 * V8's collections. The full one compacts every page of the old generation (V8's own full collections move objects
 * off the most fragmented pages only, leaving pages a quarter full) and comes after a young one. V8 shrinks the young
 * generation only when the allocation rate it measured last is low, and it measures at collections: the young
 * collection, after the quiet period, records that rate. That is not always enough (V8 averages over the last few
 * seconds of collections): in 8 runs of 16 the young generation kept its 32 MB after the full collection, and every
 * time it went back to 1–2 MB after one to four more young collections a second apart. V8 exposes collections only to
 * scripts with `--expose-gc`, which applies to contexts created later; the compaction flag is read by each collection.
 */
class V8Collections implements Collections {
  private readonly gc: Gc

  constructor() {
    const exposed = (globalThis as {gc?: Gc}).gc
    if (typeof exposed === 'function') {
      this.gc = exposed
    } else {
      setFlagsFromString('--expose-gc')
      this.gc = runInNewContext('gc') as Gc
    }
  }

  full(): void {
    this.gc({type: 'minor'})
    setFlagsFromString('--compact-on-every-full-gc')
    try {
      this.gc()
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc')
    }
  }

  young(): void {
    this.gc({type: 'minor'})
  }

  youngBytes(): number {
    return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0
  }
}

/** A young generation at most this large has been shrunk (V8's smallest is 1 MB, and a young collection may double it). */
const YOUNG_FLOOR_BYTES = 4 * 1024 * 1024
/** Young collections tried, a check apart, when the full collection left the young generation large. */
const YOUNG_RETRIES = 5

export class IdleCompactor {
  private readonly timer: NodeJS.Timeout
  private readonly now: () => number
  private readonly heapBytes: () => number
  private collections: Collections | undefined
  /** Young collections still to try in this quiet period, to get the young generation back (see `V8Collections`). */
  private youngRetries = 0
  /** Requests seen at the last check, and when that count last changed. */
  private seen: number
  private lastActivity: number
  /** Requests seen when the heap was last compacted (nothing new since: nothing to give back); -1 before the first. */
  private compactedAt = -1
  /** Heap size after the last compaction; 0 before the first, which takes the start-up's garbage. */
  private baseline = 0
  private stopped = false

  constructor(private readonly options: IdleCompactorOptions) {
    this.now = options.now ?? Date.now
    this.heapBytes = options.heapBytes ?? (() => getHeapStatistics().total_heap_size)
    this.collections = options.collections
    this.seen = options.requests()
    this.lastActivity = this.now()
    this.timer = setInterval(() => this.check(), Math.max(50, Math.min(1000, options.idleMs / 4)))
    this.timer.unref()
  }

  /** One look at the gateway; compacts when it has been quiet long enough after traffic that grew the heap. */
  check(): CompactionResult | undefined {
    if (this.stopped) return undefined
    const now = this.now()
    const requests = this.options.requests()
    if (requests !== this.seen) {
      this.seen = requests
      this.lastActivity = now
      this.youngRetries = 0
      return undefined
    }
    if (this.options.busy()) return undefined
    if (this.youngRetries > 0) {
      this.youngRetries--
      this.run((collections) => {
        collections.young()
        if (collections.youngBytes() <= YOUNG_FLOOR_BYTES) this.youngRetries = 0
      })
      this.baseline = this.heapBytes()
      return undefined
    }
    if (requests === this.compactedAt || now - this.lastActivity < this.options.idleMs) return undefined
    const heapBefore = this.heapBytes()
    // A few requests leave little behind; the next quiet period after real traffic will come.
    const {minGrowthBytes} = this.options
    if (minGrowthBytes > 0 && heapBefore - this.baseline < minGrowthBytes) return undefined
    const start = performance.now()
    const ok = this.run((collections) => {
      collections.full()
      if (collections.youngBytes() > YOUNG_FLOOR_BYTES) this.youngRetries = YOUNG_RETRIES
    })
    if (!ok) return undefined
    const result = {heapBefore, heapAfter: this.heapBytes(), durationMs: performance.now() - start}
    this.compactedAt = requests
    this.baseline = result.heapAfter
    this.options.onCompact?.(result)
    return result
  }

  /** Runs collections; a failure stops the compactor for good (false). */
  private run(work: (collections: Collections) => void): boolean {
    try {
      this.collections ??= new V8Collections()
      work(this.collections)
      return true
    } catch (error) {
      this.stop()
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)))
      return false
    }
  }

  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
  }
}
