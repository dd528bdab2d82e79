import {describe, expect, it} from 'vitest'

import {getBuiltinProfile, getCatalog} from '../../../src/core/catalog/index.js'
import {builtinProfileConfig} from '../../../src/core/config/builtin-config.js'
import {ConfigError} from '../../../src/core/errors.js'

describe('builtinProfileConfig', () => {
  it('keeps every route, fallback and the default model of the profile, declares every catalog model, has no accounts', () => {
    for (const {name} of getCatalog().profiles) {
      const profile = getBuiltinProfile(name)!
      const config = builtinProfileConfig(name)
      expect(config.accounts).toEqual([])
      expect(config.default_model).toBe(profile.default_model)
      expect(config.fallback_models).toEqual(profile.fallback_models)
      expect(config.task_routes).toEqual(profile.task_routes)
      const coding = profile.task_routes.coding?.high ?? []
      for (const key of coding) expect(config.models[key]?.quality).toBeTypeOf('number')
      expect(Object.keys(config.models).sort()).toEqual(
        getCatalog()
          .models.map((model) => model.key)
          .sort(),
      )
    }
  })

  it('rejects an unknown profile name and lists the known ones', () => {
    expect(() => builtinProfileConfig('fastest')).toThrow(ConfigError)
    try {
      builtinProfileConfig('fastest')
    } catch (error) {
      expect((error as ConfigError).hint).toContain('auto')
    }
  })
})
