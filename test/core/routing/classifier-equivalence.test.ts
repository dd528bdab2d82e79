/**
 * The classifier's decisions are frozen in a snapshot: for every request of the corpus (`classifier-corpus.ts`) the
 * JSON of its `Classification` must stay byte for byte what it was, so a change made for speed cannot move a task,
 * a tier, a score, a confidence, a signal (name, target, weight, detail, order) or a requirement.
 *
 * A deliberate change of behaviour (new lexicon terms, new weights) rewrites the snapshot:
 *   UPDATE_CLASSIFIER_SNAPSHOT=1 npx vitest run test/core/routing/classifier-equivalence.test.ts
 * and the commit that does so says why.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {gunzipSync, gzipSync} from 'node:zlib'

import {describe, expect, it} from 'vitest'

import {classifierCacheStats, classifyRequest, clearClassifierCache} from '../../../src/core/routing/classifier.js'
import {buildCorpus} from './classifier-corpus.js'

const SNAPSHOT = fileURLToPath(new URL('../../fixtures/classifier/classifications.jsonl.gz', import.meta.url))

/** One line per request: `[id, classification]`. `times` classifies each request that often and keeps the last. */
function classifyCorpus(times = 1): string[] {
  return buildCorpus().map(({id, endpoint, body}) => {
    let classification = classifyRequest(body, endpoint)
    for (let k = 1; k < times; k++) classification = classifyRequest(body, endpoint)
    return JSON.stringify([id, classification])
  })
}

describe('classifyRequest: equivalence snapshot', () => {
  clearClassifierCache()
  const lines = classifyCorpus()

  if (process.env.UPDATE_CLASSIFIER_SNAPSHOT === '1') {
    writeFileSync(SNAPSHOT, gzipSync(`${lines.join('\n')}\n`, {level: 9}))
  }

  it('covers thousands of requests of every shape', () => {
    expect(lines.length).toBeGreaterThan(3500)
    const kinds = new Set(lines.map((line) => (JSON.parse(line) as [string])[0].split('/')[0]))
    expect([...kinds].sort()).toEqual(['bench', 'budget', 'fixture', 'fuzz', 'shape', 'variant', 'window'])
  })

  it('classifies every request of the corpus exactly as the snapshot records', () => {
    expect(existsSync(SNAPSHOT), `no snapshot at ${SNAPSHOT}: run with UPDATE_CLASSIFIER_SNAPSHOT=1`).toBe(true)
    const expected = gunzipSync(readFileSync(SNAPSHOT)).toString('utf8').split('\n').filter(Boolean)
    expect(lines.map((line) => (JSON.parse(line) as [string])[0])).toEqual(
      expected.map((line) => (JSON.parse(line) as [string])[0]),
    )
    const differing = lines.filter((line, index) => line !== expected[index])
    // Show the first few differences in full, as a diff of parsed JSON.
    for (const line of differing.slice(0, 3)) {
      const [id] = JSON.parse(line) as [string]
      expect(JSON.parse(line)).toEqual(JSON.parse(expected.find((e) => e.startsWith(`[${JSON.stringify(id)},`))!))
    }
    expect(differing.length).toBe(0)
  })

  it('classifies the same from its cache of earlier texts (each request three times: read, kept, served)', () => {
    clearClassifierCache()
    const warm = classifyCorpus(3)
    expect(classifierCacheStats().texts).toBeGreaterThan(100)
    const differing = warm.filter((line, index) => line !== lines[index])
    for (const line of differing.slice(0, 3)) expect(line).toBe(lines[warm.indexOf(line)])
    expect(differing.length).toBe(0)
  })
})
