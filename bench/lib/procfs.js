/**
 * CPU time and memory of another process, read from Linux's /proc: `utime + stime` from /proc/PID/stat (in clock
 * ticks) and VmRSS from /proc/PID/status. Where /proc is missing (macOS), the measured process must report its own
 * figures: see `ipcProbe`.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'

/** Whether /proc can be read for our own process. */
export const HAS_PROC = existsSync(`/proc/${process.pid}/stat`)

/** Clock ticks per second (`getconf CLK_TCK`), 100 on practically every Linux. */
export const CLOCK_TICKS = (() => {
  if (!HAS_PROC) return 100
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim())
    return Number.isFinite(value) && value > 0 ? value : 100
  } catch {
    return 100
  }
})()

/** CPU time of a process (all its threads) so far, in microseconds: `{user, system}`. */
export function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return {user: (Number(fields[11]) * 1e6) / CLOCK_TICKS, system: (Number(fields[12]) * 1e6) / CLOCK_TICKS}
}

/** Resident set size of a process, in bytes. */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status (has the process exited?)`)
  return Number(match[1]) * 1024
}

/**
 * CPU time (`{user, system}` in µs) and RSS (bytes) of one process, from /proc or, without it, from the process
 * itself over IPC.
 */
export function meterFor(child) {
  if (HAS_PROC) {
    return {source: '/proc', cpuUs: async () => cpuMicros(child.pid), rss: async () => rssBytes(child.pid)}
  }
  const probe = ipcProbe(child)
  return {
    source: 'ipc process.cpuUsage',
    cpuUs: async () => (await probe()).cpuUs,
    rss: async () => (await probe()).rss,
  }
}

/**
 * Samples RSS (through `read`, async) every `intervalMs` until stopped; `stop()` returns the samples as
 * `[ms since start, bytes]` pairs. A failed read (the process is gone) ends the sampling quietly: the harness notices
 * the exit itself.
 */
export function sampleRss(read, intervalMs) {
  const samples = []
  const start = performance.now()
  let stopped = false
  let timer
  const take = async () => {
    try {
      const at = performance.now() - start
      samples.push([at, await read()])
    } catch {
      stopped = true
    }
    if (!stopped) timer = setTimeout(take, Math.max(0, intervalMs - ((performance.now() - start) % intervalMs)))
  }
  void take()
  return {
    samples,
    async stop() {
      stopped = true
      clearTimeout(timer)
      try {
        samples.push([performance.now() - start, await read()])
      } catch {
        // The process is gone; keep what was sampled.
      }
      return samples
    },
  }
}

/**
 * The fallback probe when /proc is missing: the process runs with `--import bench/lib/ipc-probe.js` and an IPC
 * channel, and answers `{user_us, system_us, rss}` (its own `process.cpuUsage()` and `process.memoryUsage.rss()`) to each
 * `probe` message.
 */
function ipcProbe(child) {
  let next = 0
  const waiting = new Map()
  child.on('message', (message) => {
    if (message && message.type === 'probe-result') {
      waiting.get(message.id)?.(message)
      waiting.delete(message.id)
    }
  })
  return () =>
    new Promise((resolve, reject) => {
      const id = ++next
      const timer = setTimeout(() => {
        waiting.delete(id)
        reject(new Error('the gateway did not answer the CPU/memory probe'))
      }, 2000)
      waiting.set(id, (message) => {
        clearTimeout(timer)
        resolve({cpuUs: {user: message.user_us, system: message.system_us}, rss: message.rss})
      })
      child.send({type: 'probe', id})
    })
}
