/**
 * Small numeric building blocks of the metrics: EWMA, nearest-rank percentiles, and a fixed-size log-bucket latency
 * histogram (bounded memory whatever the number of samples, percentiles within about 2%).
 */

/** `alpha * sample + (1 - alpha) * previous`; the first sample (previous null) seeds the average. */
export function ewma(previous: number | null, sample: number, alpha: number): number {
  return previous === null ? sample : alpha * sample + (1 - alpha) * previous
}

/** Nearest-rank percentile (p in 0–1) of an ascending sorted list; null when empty. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.max(1, Math.ceil(p * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1]
}

/** Each bucket is 4% wider than the previous: a value is reported within ±2% of its true value. */
const GROWTH = 1.04
const LOG_GROWTH = Math.log(GROWTH)
/** The smallest bucket ends at 10 µs: routing decisions take well under a millisecond. */
const BASE = 0.01
/** 520 buckets of 4% from 10 µs reach 7.3 million ms (2 hours); anything longer lands in the last bucket. */
export const HISTOGRAM_BUCKETS = 520

/** Index of the bucket that holds `value` ms: bucket 0 is [0, 0.01], bucket i is (0.01·1.04^(i-1), 0.01·1.04^i]. */
export function histogramBucket(value: number): number {
  if (!(value > BASE)) return 0
  return Math.min(HISTOGRAM_BUCKETS - 1, Math.ceil(Math.log(value / BASE) / LOG_GROWTH - 1e-9))
}

/** A latency histogram with exact count, sum, min and max. */
export class LatencyHistogram {
  readonly counts = new Uint32Array(HISTOGRAM_BUCKETS)
  count = 0
  sum = 0
  min = Number.POSITIVE_INFINITY
  max = Number.NEGATIVE_INFINITY

  add(value: number): void {
    const v = Number.isFinite(value) && value > 0 ? value : 0
    this.counts[histogramBucket(v)]++
    this.count++
    this.sum += v
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
  }

  /** Adds another histogram's samples to this one. */
  merge(other: LatencyHistogram): void {
    if (other.count === 0) return
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) this.counts[i] += other.counts[i]
    this.count += other.count
    this.sum += other.sum
    if (other.min < this.min) this.min = other.min
    if (other.max > this.max) this.max = other.max
  }

  reset(): void {
    this.counts.fill(0)
    this.count = 0
    this.sum = 0
    this.min = Number.POSITIVE_INFINITY
    this.max = Number.NEGATIVE_INFINITY
  }

  /** Nearest-rank percentile (p in 0–1): the geometric middle of the bucket, kept within the observed min and max. */
  percentile(p: number): number | null {
    if (this.count === 0) return null
    const rank = Math.max(1, Math.ceil(p * this.count))
    let seen = 0
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      seen += this.counts[i]
      if (seen >= rank) {
        const middle = i === 0 ? this.min : BASE * Math.pow(GROWTH, i - 0.5)
        return round(Math.min(this.max, Math.max(this.min, middle)))
      }
    }
    return round(this.max)
  }

  mean(): number | null {
    return this.count === 0 ? null : round(this.sum / this.count)
  }
}

/** Rounds a latency for output: to 0.1 ms, or to 0.01 ms below 1 ms (routing decisions). */
export function round(value: number): number {
  return Math.abs(value) < 1 ? Math.round(value * 100) / 100 : Math.round(value * 10) / 10
}
