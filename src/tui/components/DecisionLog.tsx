import {Box} from 'ink'
import {memo, useMemo} from 'react'

import type {DecisionRow} from '../dashboard-store.js'
import {type LogColumns, logColumns, logHeader, logRowSegments} from '../view-model.js'
import {Line} from './Line.js'

export interface DecisionLogProps {
  /** The visible window of rows, oldest first (the newest at the bottom). */
  rows: readonly DecisionRow[]
  selectedSeq: number | null
  width: number
}

/** The stream of routing decisions, newest at the bottom, with the selected row highlighted. */
export function DecisionLog({rows, selectedSeq, width}: DecisionLogProps) {
  // One object per width: rows are memoised on their props, a new columns object would redraw them all.
  const columns = useMemo(() => logColumns(width), [width])
  return (
    <Box flexDirection="column">
      <Line segments={[{text: logHeader(columns), bold: true}]} width={width} />
      {rows.length === 0 ? <Line segments={[{text: 'waiting for requests…', dim: true}]} width={width} /> : null}
      {rows.map((row) => (
        <LogRow key={row.seq} row={row} columns={columns} selected={row.seq === selectedSeq} width={width} />
      ))}
    </Box>
  )
}

const LogRow = memo(function LogRow({
  row,
  columns,
  selected,
  width,
}: {
  row: DecisionRow
  columns: LogColumns
  selected: boolean
  width: number
}) {
  return <Line segments={logRowSegments(row, columns)} inverse={selected} width={width} />
})
