/** Runs the load generator (`bench/load-worker.js`) as its own process, so that its CPU is never the gateway's. */
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import {ROOT} from './services.js'

const LOAD_WORKER = join(ROOT, 'bench', 'load-worker.js')

/** Runs one load-worker job; `onStarted` is called when the load begins. Resolves with the worker's result. */
export function runWorker(job, onStarted) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [LOAD_WORKER], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {...process.env, NODE_OPTIONS: ''},
    })
    child.stdin.end(JSON.stringify(job))
    let result
    let failure
    let stderr = ''
    let started = Promise.resolve()
    createInterface({input: child.stdout}).on('line', (line) => {
      let event
      try {
        event = JSON.parse(line)
      } catch {
        return
      }
      if (event.event === 'started') started = Promise.resolve(onStarted?.())
      else if (event.event === 'result') result = event
      else if (event.event === 'error') failure = event.message
    })
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)))
    child.on('close', (code) => {
      if (code === 0 && result) started.then(() => resolvePromise(result), reject)
      else reject(new Error(`load worker failed (exit ${code}): ${failure ?? (stderr.trim() || 'no result')}`))
    })
  })
}
