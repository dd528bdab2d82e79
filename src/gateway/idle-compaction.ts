/**
 * Gives memory back after a burst of traffic. Under load V8 grows its heap (the young generation to 32 MB, the old
 * generation by whatever survived), and an idle process never collects again, so the gateway would keep its peak
 * footprint until the next burst. Once the gateway has served no request for `idleMs` and its heap has grown by at
 * least `minGrowthBytes` since the last compaction, one full collection runs: the old generation shrinks to what is
 * live, and V8 usually shrinks the young generation back to 1–2 MB too (see `fullCollection`). The collection pauses
 * the event loop for a few tens of milliseconds, at a time when nothing is waiting.
 * The first quiet period after the start compacts too: it takes the start-up's garbage (loading modules and the
 * config) and sets the size later growth is measured from.
 */
import {getHeapStatistics, setFlagsFromString} from 'node:v8'
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
  /** Test seams: the clock, the heap size, the collection itself. */
  now?: () => number
  heapBytes?: () => number
  collect?: () => void
}

export interface CompactionResult {
  heapBefore: number
  heapAfter: number
  durationMs: number
}

/** V8's `gc`: a full collection, or a young one with `{type: 'minor'}`. */
type Gc = (options?: {type: 'minor'}) => void

/**
 * A full collection that also compacts every page of the old generation (V8's own full collections move objects off
 * the most fragmented pages only, leaving pages a quarter full), after a young one. V8 shrinks the young generation
 * only when the allocation rate it last measured is low, and it measures at collections: the young collection, coming
 * after the quiet period, records that rate. (After bench runs the young generation went back to 1–2 MB in 10
 * compactions of 12 with it, in 1 of 3 without; a gateway scraped every second allocates enough to keep it large.) V8 exposes collections only to scripts with `--expose-gc`, which applies to
 * contexts created later; the compaction flag is read by each collection.
 */
function fullCollection(): () => void {
  const exposed = (globalThis as {gc?: Gc}).gc
  let gc: Gc
  if (typeof exposed === 'function') {
    gc = exposed
  } else {
    setFlagsFromString('--expose-gc')
    gc = runInNewContext('gc') as Gc
  }
  return () => {
    gc({type: 'minor'})
    setFlagsFromString('--compact-on-every-full-gc')
    try {
      gc()
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc')
    }
  }
}

export class IdleCompactor {
  private readonly timer: NodeJS.Timeout
  private readonly now: () => number
  private readonly heapBytes: () => number
  private collect: (() => void) | undefined
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
    this.collect = options.collect
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
      return undefined
    }
    if (requests === this.compactedAt || now - this.lastActivity < this.options.idleMs || this.options.busy()) return undefined
    const heapBefore = this.heapBytes()
    // A few requests leave little behind; the next quiet period after real traffic will come.
    const {minGrowthBytes} = this.options
    if (minGrowthBytes > 0 && heapBefore - this.baseline < minGrowthBytes) return undefined
    const start = performance.now()
    try {
      this.collect ??= fullCollection()
      this.collect()
    } catch (error) {
      this.stop()
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)))
      return undefined
    }
    const result = {heapBefore, heapAfter: this.heapBytes(), durationMs: performance.now() - start}
    this.compactedAt = requests
    this.baseline = result.heapAfter
    this.options.onCompact?.(result)
    return result
  }

  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
  }
}
