import {Box, type Key, useApp, useInput, useStdin} from 'ink'
import React, {useCallback, useMemo, useRef, useState} from 'react'

import type {DashboardStore, DecisionRow} from '../dashboard-store.js'
import {useDashboardFrame} from '../hooks/use-dashboard-frame.js'
import {useSourceStatus} from '../hooks/use-source-status.js'
import {useTerminalSize} from '../hooks/use-terminal-size.js'
import {useThrottledValue} from '../hooks/use-throttled-value.js'
import type {TailSource} from '../sources/types.js'
import {type Segment, rowMatches, tableLines} from '../view-model.js'
import {DecisionLog} from './DecisionLog.js'
import {DetailView, detailLineCount} from './DetailView.js'
import {type DashboardInfo, Header, headerHeight} from './Header.js'
import {HelpOverlay} from './HelpOverlay.js'
import {Line} from './Line.js'
import {ModelTable} from './ModelTable.js'

export interface DashboardProps {
  store: DashboardStore
  info: DashboardInfo
  /** A file or SSE source, whose status the header shows. */
  source?: Partial<Pick<TailSource, 'status' | 'onStatus'>>
  /** Minimum time between frames; default 100 ms. */
  frameIntervalMs?: number
  /** Minimum time between updates of the header figures and the model table; default 1000 ms. */
  metricsIntervalMs?: number
}

type Mode = 'list' | 'filter' | 'detail' | 'help'

interface Paused {
  rows: readonly DecisionRow[]
  totalRows: number
}

/** The live dashboard: header, model table, decision log, and the detail, help and filter modes. */
export function Dashboard({store, info, source, frameIntervalMs = 100, metricsIntervalMs = 1000}: DashboardProps) {
  const {exit} = useApp()
  const {isRawModeSupported} = useStdin()
  const {columns, rows: terminalRows} = useTerminalSize()
  const frame = useDashboardFrame(store, frameIntervalMs)
  const status = useSourceStatus(source)
  // The decision log moves at the frame rate; the figures change on every event and are read better (and drawn
  // cheaper: Ink measures, and keeps, every distinct line it lays out) once a second.
  const metrics = useThrottledValue(frame.metrics, metricsIntervalMs)

  const [mode, setMode] = useState<Mode>('list')
  const [filter, setFilter] = useState('')
  const [paused, setPaused] = useState<Paused | null>(null)
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null)
  const [topSeq, setTopSeq] = useState<number | null>(null)
  const [detailScroll, setDetailScroll] = useState(0)
  const detailRow = useRef<DecisionRow | null>(null)

  // One line less than the terminal: a frame as tall as the screen makes Ink clear the whole screen each time.
  const height = Math.max(8, terminalRows - 1)
  const width = Math.max(40, columns)
  // The header grows a line for sessions once a session's turn is routed, and one for the spend per key once
  // requests carry a principal; the footer takes one.
  const body = height - headerHeight(metrics) - 1
  const tableCap = Math.max(3, Math.floor(body * 0.4))
  const withTargets = tableLines(metrics.models, metrics.targets, true).length
  // Account rows are shown only when they all fit (see ModelTable): size the table for what it will show.
  const coolingLine = metrics.cooldowns.length > 0 ? 1 : 0
  const tableHeight = Math.min(
    tableCap,
    1 + coolingLine + Math.max(1, withTargets <= tableCap - 1 - coolingLine ? withTargets : metrics.models.length),
  )
  const logRows = Math.max(1, body - tableHeight - 1)

  const sourceRows = paused ? paused.rows : frame.rows
  const visible = useMemo(
    () => (filter ? sourceRows.filter((row) => rowMatches(row, filter)) : sourceRows),
    [sourceRows, filter],
  )

  const selectedIndex = selectedSeq === null ? -1 : visible.findIndex((row) => row.seq === selectedSeq)
  let top: number
  if (selectedIndex === -1) {
    top = Math.max(0, visible.length - logRows)
  } else {
    const anchored = topSeq === null ? -1 : visible.findIndex((row) => row.seq === topSeq)
    top = anchored === -1 ? selectedIndex - logRows + 1 : anchored
    if (selectedIndex < top) top = selectedIndex
    if (selectedIndex >= top + logRows) top = selectedIndex - logRows + 1
    top = Math.max(0, Math.min(top, Math.max(0, visible.length - logRows)))
  }
  const windowRows = visible.slice(top, top + logRows)

  const select = (index: number | null) => {
    if (index === null || visible.length === 0) {
      setSelectedSeq(null)
      setTopSeq(null)
      return
    }
    const clamped = Math.max(0, Math.min(index, visible.length - 1))
    let newTop = top
    if (selectedIndex === -1) newTop = Math.max(0, visible.length - logRows)
    if (clamped < newTop) newTop = clamped
    if (clamped >= newTop + logRows) newTop = clamped - logRows + 1
    setSelectedSeq(visible[clamped].seq)
    setTopSeq(visible[newTop]?.seq ?? null)
  }

  const currentDetail = (): DecisionRow | null => {
    const seq = detailRow.current?.seq
    return frame.rows.find((row) => row.seq === seq) ?? detailRow.current
  }

  const onKey = (input: string, key: Key) => {
    if (mode === 'filter') {
      if (key.escape) {
        setFilter('')
        setMode('list')
      } else if (key.return) {
        setMode('list')
      } else if (key.backspace || key.delete) {
        setFilter((text) => text.slice(0, -1))
      } else if (input && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow) {
        setFilter((text) => text + input)
      }
      return
    }
    if (input === 'q') {
      exit()
      return
    }
    if (mode === 'help') {
      if (input === '?' || key.escape || key.return) setMode('list')
      return
    }
    if (input === '?') {
      setMode('help')
      return
    }
    if (mode === 'detail') {
      const row = currentDetail()
      const maxScroll = row ? Math.max(0, detailLineCount(row) - body) : 0
      if (key.escape || key.return || key.backspace || key.leftArrow) setMode('list')
      else if (key.upArrow) setDetailScroll((s) => Math.max(0, Math.min(s, maxScroll) - 1))
      else if (key.downArrow) setDetailScroll((s) => Math.min(maxScroll, s + 1))
      else if (key.pageUp) setDetailScroll((s) => Math.max(0, Math.min(s, maxScroll) - body))
      else if (key.pageDown) setDetailScroll((s) => Math.min(maxScroll, s + body))
      return
    }
    if (input === 'p') {
      setPaused((current) => (current ? null : {rows: frame.rows, totalRows: frame.totalRows}))
    } else if (input === '/') {
      setMode('filter')
    } else if (key.upArrow) {
      select(selectedIndex === -1 ? visible.length - 1 : selectedIndex - 1)
    } else if (key.downArrow) {
      if (selectedIndex !== -1) select(selectedIndex === visible.length - 1 ? null : selectedIndex + 1)
    } else if (key.pageUp) {
      select(Math.max(0, (selectedIndex === -1 ? visible.length : selectedIndex) - logRows))
    } else if (key.pageDown) {
      if (selectedIndex !== -1) select(selectedIndex + logRows >= visible.length ? null : selectedIndex + logRows)
    } else if (key.end) {
      select(null)
    } else if (key.return) {
      if (selectedIndex !== -1) {
        detailRow.current = visible[selectedIndex]
        setDetailScroll(0)
        setMode('detail')
      }
    } else if (key.escape) {
      if (selectedSeq !== null) select(null)
      else if (filter) setFilter('')
    }
  }
  // Keys can come faster than React re-subscribes a new handler: always call the one from the latest render.
  const latestOnKey = useRef(onKey)
  latestOnKey.current = onKey
  const stableOnKey = useCallback((input: string, key: Key) => latestOnKey.current(input, key), [])
  useInput(stableOnKey, {isActive: isRawModeSupported === true})

  let content: React.ReactNode
  if (mode === 'help') {
    content = <HelpOverlay width={width} />
  } else if (mode === 'detail' && currentDetail()) {
    content = <DetailView row={currentDetail()!} height={body} scroll={detailScroll} width={width} />
  } else {
    content = (
      <>
        <ModelTable metrics={metrics} width={width} height={tableHeight} />
        <DecisionLog rows={windowRows} selectedSeq={selectedIndex === -1 ? null : selectedSeq} width={width} />
      </>
    )
  }

  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Header
        info={info}
        metrics={metrics}
        now={Date.parse(metrics.generated_at)}
        paused={paused !== null}
        newWhilePaused={paused ? frame.totalRows - paused.totalRows : 0}
        status={status}
        width={width}
      />
      <Box flexDirection="column" height={body} overflow="hidden">
        {content}
      </Box>
      <Footer
        mode={mode}
        filter={filter}
        older={mode === 'list' ? top : 0}
        newer={mode === 'list' ? Math.max(0, visible.length - top - windowRows.length) : 0}
        filteredOut={sourceRows.length - visible.length}
        width={width}
      />
    </Box>
  )
}

interface FooterProps {
  mode: Mode
  filter: string
  /** Matching rows above and below the decision log's window, and rows hidden by the filter. */
  older: number
  newer: number
  filteredOut: number
  width: number
}

/** The key hints, or the filter being typed; with where the log window sits. */
function Footer({mode, filter, older, newer, filteredOut, width}: FooterProps) {
  const notes: string[] = []
  if (older > 0) notes.push(`↑${older} older`)
  if (newer > 0) notes.push(`↓${newer} newer`)
  if (filteredOut > 0) notes.push(`${filteredOut} filtered out`)
  const position: Segment = {text: notes.length > 0 ? `${notes.join(' · ')}  ` : '', color: 'cyan'}
  if (mode === 'filter') {
    return (
      <Line
        segments={[
          {text: '/', bold: true, color: 'cyan'},
          {text: filter},
          {text: '█  ', color: 'cyan'},
          position,
          {text: 'enter apply · esc clear', dim: true},
        ]}
        width={width}
      />
    )
  }
  const hint =
    mode === 'detail'
      ? 'esc back · ↑↓ scroll · ? help · q quit'
      : mode === 'help'
        ? 'esc back · q quit'
        : 'q quit · p pause · / filter · ↑↓ select · enter explain · ? help'
  return (
    <Line
      segments={[
        filter ? {text: `filter: ${filter}  `, color: 'cyan', bold: true} : {text: ''},
        position,
        {text: hint, dim: true},
      ]}
      width={width}
    />
  )
}
