/**
 * `GET /metrics?scope=fleet`: the fleet's merged live metrics (core/metrics/fleet.ts) as a few Prometheus series
 * named `router_fleet_*`, for a dashboard that scrapes one address behind a load balancer. Where Prometheus scrapes
 * every replica, summing the per-replica series in PromQL is exact and better; these are as fresh as the replicas'
 * last publication. Names and labels are documented in docs/gateway.md ("Prometheus").
 */
import type {LiveMetricsSnapshot} from '../core/metrics/schema.js'

interface Family {
  name: string
  help: string
  type: 'counter' | 'gauge'
  samples: Array<[Record<string, string>, number]>
}

/** The fleet series of `snapshot`, in Prometheus text format 0.0.4. */
export function renderFleetPrometheus(snapshot: LiveMetricsSnapshot): string {
  const {totals} = snapshot
  const families: Family[] = [
    {
      name: 'router_fleet_replicas',
      help: 'Replicas whose live metrics the fleet view merged.',
      type: 'gauge',
      samples: [[{}, snapshot.fleet?.replicas.length ?? 1]],
    },
    {
      name: 'router_fleet_requests_total',
      help: 'Requests finished, by every replica since it started.',
      type: 'counter',
      samples: [[{}, totals.requests_total]],
    },
    {
      name: 'router_fleet_successes_total',
      help: 'Requests that succeeded, by every replica since it started.',
      type: 'counter',
      samples: [[{}, totals.successes_total]],
    },
    {
      name: 'router_fleet_in_flight_requests',
      help: 'Requests in flight on every replica.',
      type: 'gauge',
      samples: [[{}, totals.in_flight]],
    },
    {
      name: 'router_fleet_requests_per_second',
      help: 'Requests per second over the live metrics window, every replica.',
      type: 'gauge',
      samples: [[{}, totals.rps]],
    },
    {
      name: 'router_fleet_tokens_total',
      help: 'Tokens the upstreams reported, every replica, by kind.',
      type: 'counter',
      samples: [
        [{kind: 'prompt'}, totals.usage.prompt_tokens],
        [{kind: 'completion'}, totals.usage.completion_tokens],
        [{kind: 'cached'}, totals.usage.cached_tokens],
      ],
    },
    {
      name: 'router_fleet_cost_usd_total',
      help: 'Estimated USD of the answers, every replica.',
      type: 'counter',
      samples: [[{}, totals.usage.cost_usd]],
    },
    {
      name: 'router_fleet_model_attempts_total',
      help: 'Upstream attempts per model, every replica, by result.',
      type: 'counter',
      samples: snapshot.models.flatMap((m): Array<[Record<string, string>, number]> => [
        [{model: m.model, result: 'success'}, m.successes],
        [{model: m.model, result: 'failure'}, m.failures],
      ]),
    },
    {
      name: 'router_fleet_model_cost_usd_total',
      help: 'Estimated USD of the answers per model, every replica.',
      type: 'counter',
      samples: snapshot.models.map((m) => [{model: m.model}, m.usage.cost_usd]),
    },
    {
      name: 'router_fleet_key_cost_usd_total',
      help: 'Estimated USD of the answers per ingress principal, every replica.',
      type: 'counter',
      samples: snapshot.keys.map((k) => [{principal: k.principal}, k.usage.cost_usd]),
    },
    {
      name: 'router_fleet_sessions_active',
      help: 'Sessions with a turn in the sessions window, summed over the replicas.',
      type: 'gauge',
      samples: snapshot.sessions ? [[{}, snapshot.sessions.active]] : [],
    },
  ]
  const lines: string[] = []
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`)
    for (const [labels, value] of family.samples) lines.push(`${family.name}${labelText(labels)} ${value}`)
  }
  return lines.join('\n') + '\n'
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([name, value]) => `${name}="${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`,
  )
  return parts.length === 0 ? '' : `{${parts.join(',')}}`
}
