import {describe, expect, it} from 'vitest'

import {AuditEventBus} from '../../src/core/audit/event-bus.js'
import {PrometheusMetrics} from '../../src/gateway/prometheus.js'

describe('PrometheusMetrics', () => {
  it('spells a figure with no samples yet as NaN, as the text format does (prom-client writes "Nan")', async () => {
    const metrics = new PrometheusMetrics(new AuditEventBus())
    try {
      // Right after start the event-loop delay monitor has no sample: its mean is not a number.
      const text = await metrics.render()
      expect(text).toMatch(/^nodejs_eventloop_lag_mean_seconds NaN$/m)
      expect(text).not.toMatch(/ Nan$/m)
    } finally {
      metrics.close()
    }
  })

  it('counts config reloads and audit write errors from the bus', async () => {
    const bus = new AuditEventBus()
    const metrics = new PrometheusMetrics(bus, {defaultMetrics: false})
    try {
      bus.publish({ts: '2026-11-24T06:00:00.000Z', event: 'config_reload', path: '/etc/router.yaml', ok: false, message: 'bad'})
      metrics.auditWriteError()
      const text = await metrics.render()
      expect(text).toMatch(/^router_config_reloads_total\{result="error"\} 1$/m)
      expect(text).toMatch(/^router_audit_log_write_errors_total 1$/m)
    } finally {
      metrics.close()
    }
  })
})
