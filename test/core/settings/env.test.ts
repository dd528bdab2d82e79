import {describe, expect, it} from 'vitest'

import {ConfigError} from '../../../src/core/errors.js'
import {settingsFromEnv} from '../../../src/core/settings/env.js'

describe('settingsFromEnv: the classifier cache', () => {
  it('defaults to 1 024 texts and 1 000 000 characters, and reads both variables', () => {
    expect(settingsFromEnv({})).toMatchObject({classifier_cache_texts: 1024, classifier_cache_chars: 1_000_000})
    const settings = settingsFromEnv({ROUTER_CLASSIFIER_CACHE_TEXTS: '64', ROUTER_CLASSIFIER_CACHE_CHARS: '0'})
    expect(settings).toMatchObject({classifier_cache_texts: 64, classifier_cache_chars: 0})
  })

  it('names the variable and the fix when a bound is negative or not a whole number', () => {
    let error: unknown
    try {
      settingsFromEnv({ROUTER_CLASSIFIER_CACHE_TEXTS: '-1', ROUTER_CLASSIFIER_CACHE_CHARS: '2.5'})
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems
    expect(problems.map((p) => p.path).sort()).toEqual([
      'ROUTER_CLASSIFIER_CACHE_CHARS',
      'ROUTER_CLASSIFIER_CACHE_TEXTS',
    ])
    expect(problems.map((p) => p.hint)).toContain('fix or unset ROUTER_CLASSIFIER_CACHE_TEXTS')
  })
})
