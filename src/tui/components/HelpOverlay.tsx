import {Box} from 'ink'

import {HEALTH_STYLE} from '../view-model.js'
import {Line} from './Line.js'

const KEYS: Array<[string, string]> = [
  ['q', 'quit'],
  ['p', 'pause or resume the decision log (metrics keep counting)'],
  ['/', 'filter by model, account, task, complexity, status or error; esc clears'],
  ['↑ ↓', 'select a request (↓ past the newest follows the stream again)'],
  ['PgUp PgDn', 'move a page'],
  ['enter', 'explain the selected request: signals, candidates, attempts'],
  ['esc', 'back, clear the selection'],
  ['?', 'this help'],
]

/** Keys and symbols. */
export function HelpOverlay({width}: {width?: number}) {
  return (
    <Box flexDirection="column">
      <Line segments={[{text: 'Keys', bold: true}]} width={width} />
      {KEYS.map(([key, what]) => (
        <Line
          key={key}
          segments={[{text: `  ${key.padEnd(10)}`, bold: true, color: 'cyan'}, {text: what}]}
          width={width}
        />
      ))}
      <Line segments={[]} width={width} />
      <Line segments={[{text: 'Health', bold: true}]} width={width} />
      {Object.values(HEALTH_STYLE).map((style) => (
        <Line
          key={style.label}
          segments={[
            {text: `  ${style.symbol} ${style.label.padEnd(9)}`, color: style.color},
            {text: HEALTH_TEXT[style.label] ?? ''},
          ]}
          width={width}
        />
      ))}
      <Line segments={[]} width={width} />
      <Line
        segments={[
          {
            text: 'Attempts: ✓ answered, ✗503 failed with a status, ✗timeout/✗reset/✗idle failed in transport; → fallback.',
            dim: true,
          },
        ]}
        width={width}
      />
      <Line
        segments={[
          {
            text: 'ewma = moving average of successful latency; fail = moving average of failed attempts; ~ = streamed.',
            dim: true,
          },
        ]}
        width={width}
      />
    </Box>
  )
}

const HEALTH_TEXT: Record<string, string> = {
  ok: 'answering',
  degraded: 'failure rate ≥ 20%, or some accounts have an open breaker',
  probing: 'breaker half-open: a few probe requests go through',
  open: 'breaker open: skipped until it recovers',
  idle: 'no attempts yet',
}
