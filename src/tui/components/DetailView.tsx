import {Box} from 'ink'
import {useMemo} from 'react'

import type {DecisionRow} from '../dashboard-store.js'
import {detailLines} from '../view-model.js'
import {Line} from './Line.js'

export interface DetailViewProps {
  row: DecisionRow
  height: number
  /** First line shown (↑/↓ scroll). */
  scroll: number
  width?: number
}

/** Why a request went where it went: signals with weights, candidates with rank, score or exclusion, attempts. */
export function DetailView({row, height, scroll, width}: DetailViewProps) {
  const lines = useMemo(() => detailLines(row), [row])
  const first = Math.max(0, Math.min(scroll, lines.length - height))
  const shown = lines.slice(first, first + height)
  const more = lines.length - first - shown.length
  return (
    <Box flexDirection="column">
      {shown.map((segments, index) => (
        <Line
          key={first + index}
          segments={index === shown.length - 1 && more > 0 ? [{text: `… ${more} more lines (↓)`, dim: true}] : segments}
          width={width}
        />
      ))}
    </Box>
  )
}

/** Number of lines of a request's detail view, to bound scrolling. */
export function detailLineCount(row: DecisionRow): number {
  return detailLines(row).length
}
