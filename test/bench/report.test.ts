import {describe, expect, it} from 'vitest'

import {evaluateTargets, table} from '../../bench/lib/report.js'
import {linearFit} from '../../bench/lib/stats.js'

describe('benchmark targets', () => {
  it('checks each measured figure against its target and leaves out figures that were not measured', () => {
    const checks = evaluateTargets({
      json_cpu_us: 140,
      stream_cpu_us: 300,
      json_rps_ratio: 0.25,
      rss_idle_mb: 50,
      rss_after_mb: 75,
      soak_errors: null,
    })
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]))
    expect(byId.json_cpu_us).toMatchObject({ok: true, target: '≤ 150 µs'})
    expect(byId.stream_cpu_us).toMatchObject({ok: false, value: 300})
    // Ratios are shown as percentages.
    expect(byId.json_rps_ratio).toMatchObject({ok: true, value: 25, target: '≥ 20 %'})
    // "30 s after" is judged against the idle figure of the same run.
    expect(byId.rss_after_mb).toMatchObject({ok: false, target: '≤ idle + 20 MB'})
    expect(byId.soak_errors).toBeUndefined()
    expect(byId.stream_rps_ratio).toBeUndefined()
  })

  it('aligns table columns: the first to the left, the others to the right', () => {
    expect(
      table(
        [
          ['', 'direct', 'gateway'],
          ['requests/s', '12 000', '900'],
        ],
        '',
      ),
    ).toBe(['             direct   gateway', 'requests/s   12 000       900'].join('\n'))
  })
})

describe('soak trend', () => {
  it('fits a line through RSS samples', () => {
    const fit = linearFit([
      [0, 100],
      [60, 101],
      [120, 102],
      [180, 103],
    ])
    expect(fit?.slope).toBeCloseTo(1 / 60, 10)
    expect(fit?.r2).toBeCloseTo(1, 10)
    expect(linearFit([[5, 1]])).toBeNull()
    expect(
      linearFit([
        [5, 1],
        [5, 2],
      ]),
    ).toBeNull()
  })
})
