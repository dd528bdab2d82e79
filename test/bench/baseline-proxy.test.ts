/**
 * The minimal proxy that `npm run bench -- --baseline` measures beside the gateway: it must really proxy (the upstream's
 * key, the answer relayed whole or as a stream), or its figures would be the floor of nothing.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {fileURLToPath} from 'node:url'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSimProcess, type SimProcess} from '../helpers/sim-process.js'

const BASELINE_JS = fileURLToPath(new URL('../../bench/lib/baseline-proxy.js', import.meta.url))
const KEY = 'sk-baseline-test'

let sim: SimProcess
let proxy: ChildProcess
let url: string

beforeAll(async () => {
  sim = await startSimProcess(['--fast', '--quiet', '--host', '127.0.0.1', '--port', '0', '--api-key', KEY])
  proxy = spawn(process.execPath, [BASELINE_JS, sim.url, KEY], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {PATH: process.env.PATH, NODE_OPTIONS: ''},
  })
  let stderr = ''
  url = await new Promise<string>((resolve, reject) => {
    proxy.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(stderr)
      if (match) resolve(match[1])
    })
    proxy.once('exit', (code) => reject(new Error(`baseline proxy exited with ${code}: ${stderr}`)))
  })
}, 30_000)

afterAll(async () => {
  if (proxy && proxy.exitCode === null) {
    proxy.kill('SIGTERM')
    await once(proxy, 'exit')
  }
  await sim?.close()
})

function chat(body: unknown): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify(body),
  })
}

describe('bench baseline proxy', () => {
  it('forwards a chat completion with the upstream key and relays the answer whole', async () => {
    const response = await chat({model: 'gpt-5-mini', messages: [{role: 'user', content: 'hello'}]})
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    const body = (await response.json()) as {object: string; choices: Array<{message: {content: string}}>}
    expect(body.object).toBe('chat.completion')
    expect(body.choices[0].message.content).toContain('[sim:')
  })

  it('relays a streamed answer to its [DONE]', async () => {
    const response = await chat({model: 'gpt-5-mini', stream: true, messages: [{role: 'user', content: 'hello'}]})
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const text = await response.text()
    expect(text.split('\n\n').filter((frame) => frame.startsWith('data: {')).length).toBeGreaterThan(10)
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true)
  })

  it('answers malformed JSON with a 400 instead of forwarding it', async () => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: '{"model":',
    })
    expect(response.status).toBe(400)
  })
})
