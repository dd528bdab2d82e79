import {describe, expect, it} from 'vitest'

import {routeFor, TIER_FALLBACKS} from '../../../src/core/config/routes.js'
import {RawConfigSchema, type RawConfigInput} from '../../../src/core/config/schema.js'

function config(input: Partial<RawConfigInput>) {
  return RawConfigSchema.parse({default_model: 'p/default', ...input})
}

describe('routeFor', () => {
  it('returns the exact tier when the route sets it', () => {
    const c = config({task_routes: {coding: {low: 'p/a', high: ['p/b', 'p/c']}}})
    expect(routeFor(c, 'coding', 'low')).toEqual({task: 'coding', tier: 'low', models: ['p/a']})
    expect(routeFor(c, 'coding', 'high')).toEqual({task: 'coding', tier: 'high', models: ['p/b', 'p/c']})
  })

  it('climbs low → medium → high → xhigh → default', () => {
    expect(routeFor(config({task_routes: {coding: {medium: 'p/m', high: 'p/h'}}}), 'coding', 'low').tier).toBe('medium')
    expect(routeFor(config({task_routes: {coding: {high: 'p/h', xhigh: 'p/x'}}}), 'coding', 'low').tier).toBe('high')
    expect(routeFor(config({task_routes: {coding: {xhigh: 'p/x', default: 'p/d'}}}), 'coding', 'low').tier).toBe(
      'xhigh',
    )
    expect(routeFor(config({task_routes: {coding: {default: 'p/d'}}}), 'coding', 'low').tier).toBe('default')
  })

  it('climbs medium → high → xhigh → default before settling for low', () => {
    expect(routeFor(config({task_routes: {coding: {low: 'p/l', high: 'p/h'}}}), 'coding', 'medium').tier).toBe('high')
    expect(routeFor(config({task_routes: {coding: {low: 'p/l', xhigh: 'p/x'}}}), 'coding', 'medium').tier).toBe('xhigh')
    expect(routeFor(config({task_routes: {coding: {low: 'p/l', default: 'p/d'}}}), 'coding', 'medium').tier).toBe(
      'default',
    )
    expect(routeFor(config({task_routes: {coding: {low: 'p/l'}}}), 'coding', 'medium')).toEqual({
      task: 'coding',
      tier: 'low',
      models: ['p/l'],
    })
  })

  it('falls back high → xhigh → default → medium → low', () => {
    expect(routeFor(config({task_routes: {thinking: {xhigh: 'p/x', medium: 'p/m'}}}), 'thinking', 'high').tier).toBe(
      'xhigh',
    )
    expect(routeFor(config({task_routes: {thinking: {default: 'p/d', medium: 'p/m'}}}), 'thinking', 'high').tier).toBe(
      'default',
    )
    expect(routeFor(config({task_routes: {thinking: {low: 'p/l', medium: 'p/m'}}}), 'thinking', 'high').tier).toBe(
      'medium',
    )
  })

  it('falls back xhigh → high → default (the seed example routes general only up to high)', () => {
    const c = config({
      task_routes: {general: {low: ['p/g'], medium: ['p/g'], high: ['p/gh']}, coding: {high: 'p/ch', default: 'p/cd'}},
    })
    expect(routeFor(c, 'general', 'xhigh')).toEqual({task: 'general', tier: 'high', models: ['p/gh']})
    expect(routeFor(c, 'coding', 'xhigh')).toEqual({task: 'coding', tier: 'high', models: ['p/ch']})
    expect(routeFor(config({task_routes: {coding: {default: 'p/cd', medium: 'p/m'}}}), 'coding', 'xhigh').tier).toBe(
      'default',
    )
  })

  it('uses default, then high, then xhigh for the default tier', () => {
    expect(routeFor(config({task_routes: {image: {default: 'p/d', high: 'p/h'}}}), 'image', 'default').tier).toBe(
      'default',
    )
    expect(routeFor(config({task_routes: {image: {high: 'p/h', xhigh: 'p/x'}}}), 'image', 'default').tier).toBe('high')
    expect(routeFor(config({task_routes: {image: {xhigh: 'p/x', low: 'p/l'}}}), 'image', 'default').tier).toBe('xhigh')
  })

  it('skips tiers whose model list is empty', () => {
    const c = config({task_routes: {coding: {low: [], medium: ['p/m']}}})
    expect(routeFor(c, 'coding', 'low')).toEqual({task: 'coding', tier: 'medium', models: ['p/m']})
  })

  it('uses the general route when the task has no route', () => {
    const c = config({task_routes: {general: {high: 'p/gh', low: 'p/gl'}}})
    expect(routeFor(c, 'thinking', 'high')).toEqual({task: 'general', tier: 'high', models: ['p/gh']})
    expect(routeFor(c, 'image', 'default')).toEqual({task: 'general', tier: 'high', models: ['p/gh']})
  })

  it('uses the general route when every tier of the task route is empty', () => {
    const c = config({task_routes: {coding: {low: [], high: []}, general: {medium: 'p/gm'}}})
    expect(routeFor(c, 'coding', 'medium')).toEqual({task: 'general', tier: 'medium', models: ['p/gm']})
  })

  it('uses default_model when neither the task nor general has a route', () => {
    expect(routeFor(config({}), 'coding', 'high')).toEqual({task: 'general', tier: 'default', models: ['p/default']})
    expect(routeFor(config({task_routes: {general: {}}}), 'general', 'low')).toEqual({
      task: 'general',
      tier: 'default',
      models: ['p/default'],
    })
  })

  it('documents a complete order for every tier', () => {
    for (const order of Object.values(TIER_FALLBACKS)) {
      expect([...order].sort()).toEqual(['default', 'high', 'low', 'medium', 'xhigh'])
    }
  })
})
