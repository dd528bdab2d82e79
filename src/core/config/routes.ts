/**
 * Route lookup: which models a runtime config names for a task and a complexity, with the fallbacks that make a
 * partial route table usable.
 *
 * Tier fallback (inside one task route): a request first climbs to more capable tiers, then takes the route's
 * `default`, and only then settles for a less capable tier that the route does set (the task match matters more
 * than the tier: the profile chose those models for this kind of work).
 *
 * | asked     | tried in order                          |
 * |-----------|-----------------------------------------|
 * | `low`     | low, medium, high, xhigh, default       |
 * | `medium`  | medium, high, xhigh, default, low       |
 * | `high`    | high, xhigh, default, medium, low       |
 * | `xhigh`   | xhigh, high, default, medium, low       |
 * | `default` | default, high, xhigh, medium, low       |
 *
 * Task fallback: a task with no route, or a route whose tiers are all empty, uses the `general` route with the same
 * tier order; when `general` has nothing either, the route is `default_model` alone (reported as `general/default`).
 */
import type {Complexity, RuntimeConfig, Task, TierKey} from './schema.js'

/** Tiers tried, in order, for each asked tier (see the table above). */
export const TIER_FALLBACKS: Readonly<Record<TierKey, readonly TierKey[]>> = {
  low: ['low', 'medium', 'high', 'xhigh', 'default'],
  medium: ['medium', 'high', 'xhigh', 'default', 'low'],
  high: ['high', 'xhigh', 'default', 'medium', 'low'],
  xhigh: ['xhigh', 'high', 'default', 'medium', 'low'],
  default: ['default', 'high', 'xhigh', 'medium', 'low'],
}

/** The route that serves a request: the task and tier actually used (after fallbacks) and their models. */
export interface ResolvedRoute {
  task: Task
  tier: TierKey
  models: string[]
}

/**
 * The route for `task` at `complexity`, after tier and task fallbacks. Never empty: the last resort is
 * `default_model`. The returned `models` array is the config's own; do not mutate it.
 */
export function routeFor(config: RuntimeConfig, task: Task, complexity: Complexity | 'default'): ResolvedRoute {
  const own = tierOf(config, task, complexity)
  if (own) return own
  if (task !== 'general') {
    const general = tierOf(config, 'general', complexity)
    if (general) return general
  }
  return {task: 'general', tier: 'default', models: [config.default_model]}
}

function tierOf(config: RuntimeConfig, task: Task, complexity: Complexity | 'default'): ResolvedRoute | undefined {
  const route = config.task_routes[task]
  if (!route) return undefined
  for (const tier of TIER_FALLBACKS[complexity]) {
    const models = route[tier]
    if (models && models.length > 0) return {task, tier, models}
  }
  return undefined
}
