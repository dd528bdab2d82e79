import {describe, expect, it} from 'vitest'

import {configPath, resolveConfigFlag} from '../../src/cli/config-flag.js'

describe('resolveConfigFlag', () => {
  it('takes the flag, else ROUTING_CONFIG_PATH, else ./router.profile.yaml', () => {
    expect(configPath('a.yaml', {ROUTING_CONFIG_PATH: 'b.yaml'})).toBe('a.yaml')
    expect(configPath(undefined, {ROUTING_CONFIG_PATH: 'b.yaml'})).toBe('b.yaml')
    expect(configPath(undefined, {})).toBe('router.profile.yaml')
  })

  it('says whether the user named the file, so that a missing default can fall back to a built-in profile', () => {
    expect(resolveConfigFlag('a.yaml', {})).toEqual({path: 'a.yaml', named: true})
    expect(resolveConfigFlag(undefined, {ROUTING_CONFIG_PATH: 'b.yaml'})).toEqual({path: 'b.yaml', named: true})
    expect(resolveConfigFlag(undefined, {})).toEqual({path: 'router.profile.yaml', named: false})
  })
})
