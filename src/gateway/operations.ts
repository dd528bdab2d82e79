/**
 * The operations endpoints: `GET /v1/router/live-metrics` (the live metrics snapshot), `GET /v1/router/policy` (the
 * runtime-adjusted priors and the updater's status), `POST /v1/router/feedback` (a client's verdict on an answer),
 * `GET /v1/router/keys` (managed keys' spend and limits), `GET /v1/router/events` (the audit event stream, SSE) and
 * `GET /metrics` (Prometheus). `?scope=fleet` on the live metrics and Prometheus asks for every replica's, merged.
 * Payloads are documented in docs/gateway.md; their schemas are
 * `LiveMetricsSnapshotSchema`, `PolicyStatusSchema` and `KeysReportSchema`.
 */
import type {FastifyInstance} from 'fastify'

import {effectiveModel} from '../core/config/models.js'
import type {PolicyStatus} from '../core/policy/schema.js'
import {ERRORS} from './errors.js'
import {renderFleetPrometheus} from './prometheus-fleet.js'
import {fleetSnapshot} from './shared-state/index.js'
import type {GatewayState} from './state.js'

/** Registers the five routes on `app`. */
export function registerOperations(app: FastifyInstance, state: GatewayState): void {
  app.get('/v1/router/live-metrics', async (request, reply) => {
    if (!state.metrics)
      throw ERRORS.featureDisabled('Live metrics are off (LIVE_METRICS_ENABLED=false).', 'live_metrics_disabled')
    const fleet = scopeOf(request.query) === 'fleet'
    const snapshot = fleet ? await fleetSnapshot(state.shared, state.metrics) : state.metrics.snapshot()
    return reply.header('cache-control', 'no-store').header('x-router-request-id', request.routerId).send(snapshot)
  })

  app.get('/v1/router/policy', async (request, reply) => {
    const config = state.config.config
    const payload = state.policy ? state.policy.status(config) : disabledPolicy(state)
    return reply.header('cache-control', 'no-store').header('x-router-request-id', request.routerId).send(payload)
  })

  app.post('/v1/router/feedback', async (request, reply) => {
    const body = request.body as {request_id?: unknown; verdict?: unknown; comment?: unknown} | undefined
    if (typeof body !== 'object' || body === null || typeof body.request_id !== 'string' || body.request_id === '') {
      throw ERRORS.invalidValue(
        'request_id',
        '`request_id` is required: the x-router-request-id of the answer you judge.',
      )
    }
    if (body.verdict !== 'good' && body.verdict !== 'bad') {
      throw ERRORS.invalidValue('verdict', '`verdict` must be "good" or "bad".')
    }
    if (body.comment !== undefined && body.comment !== null && typeof body.comment !== 'string') {
      throw ERRORS.invalidValue('comment', '`comment` must be a string.')
    }
    const result =
      state.feedback?.judge(body.request_id, body.verdict, typeof body.comment === 'string' ? body.comment : null) ??
      'unknown'
    if (result === 'unknown') {
      throw ERRORS.unknownRequestId(body.request_id)
    }
    if (result === 'judged') {
      throw ERRORS.alreadyJudged(body.request_id)
    }
    return reply.header('x-router-request-id', request.routerId).send({
      request_id: result.request_id,
      verdict: result.verdict,
      task: result.task,
      complexity: result.complexity,
      model: result.model,
    })
  })

  app.get('/v1/router/keys', async (request, reply) => {
    if (!state.limits) throw ERRORS.featureDisabled('Managed keys are not available.', 'keys_disabled')
    const report = await state.limits.report()
    // A managed key (a user's) sees its own figures; operators (INGRESS_API_KEYS, tokens, no ingress auth) see all.
    const principal = request.principal
    if (principal !== undefined && report.keys.some((k) => k.name === principal))
      report.keys = report.keys.filter((k) => k.name === principal)
    return reply.header('cache-control', 'no-store').header('x-router-request-id', request.routerId).send(report)
  })

  app.get('/v1/router/events', (request, reply) => {
    if (!state.events) throw ERRORS.featureDisabled('The event stream is not available.', 'events_disabled')
    state.events.serve(request, reply)
  })

  app.get('/metrics', async (request, reply) => {
    if (!state.prometheus) throw ERRORS.featureDisabled('Prometheus metrics are not available.', 'metrics_disabled')
    if (scopeOf(request.query) === 'fleet') {
      if (!state.metrics)
        throw ERRORS.featureDisabled(
          'The fleet view needs live metrics (LIVE_METRICS_ENABLED=false).',
          'live_metrics_disabled',
        )
      const text = renderFleetPrometheus(await fleetSnapshot(state.shared, state.metrics))
      return reply.header('content-type', state.prometheus.contentType).header('cache-control', 'no-store').send(text)
    }
    const text = await state.prometheus.render()
    return reply.header('content-type', state.prometheus.contentType).header('cache-control', 'no-store').send(text)
  })
}

/** `?scope=replica` (the default: this replica) or `?scope=fleet` (every replica, merged). */
function scopeOf(query: unknown): 'replica' | 'fleet' {
  const scope = (query as {scope?: unknown} | undefined)?.scope
  if (scope === undefined || scope === 'replica') return 'replica'
  if (scope === 'fleet') return 'fleet'
  throw ERRORS.invalidValue(
    'scope',
    '`scope` must be "replica" (this replica, the default) or "fleet" (every replica, merged).',
  )
}

/** The policy payload when live metrics (and so the policy) are off: the configured priors, unchanged. */
function disabledPolicy(state: GatewayState): PolicyStatus {
  const {settings} = state
  const config = state.config.config
  return {
    schema_version: 1,
    enabled: false,
    settings: {
      update_interval_seconds: settings.live_metrics_update_interval_seconds,
      min_samples: settings.live_metrics_min_samples,
      max_adjustment_ratio: settings.runtime_policy_max_adjustment_ratio,
    },
    status: {
      started_at: new Date(state.startedAt).toISOString(),
      last_update_at: null,
      next_update_at: null,
      updates: 0,
      adjustments_total: 0,
      last_adjustments: [],
      persistence: {path: settings.runtime_overrides_path, last_written_at: null, last_error: null},
      load: {models: 0, warning: null},
    },
    escalations: [],
    models: Object.keys(config.models)
      .sort()
      .map((model) => {
        const {latency_ms, failure_rate} = effectiveModel(config, model)
        return {
          model,
          source: 'config' as const,
          samples: 0,
          latency_ms: {configured: latency_ms, current: latency_ms, observed: null},
          failure_rate: {configured: failure_rate, current: failure_rate, observed: null},
          updated_at: null,
        }
      }),
  }
}
