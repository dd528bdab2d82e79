/**
 * Reads a frame from the dashboard store at most once per `intervalMs` (default 100 ms: ten frames a second) and
 * only when something changed, or once a second so that windows and the uptime move without events.
 */
import {useEffect, useState} from 'react'

import type {DashboardFrame, DashboardStore} from '../dashboard-store.js'

export function useDashboardFrame(store: DashboardStore, intervalMs = 100): DashboardFrame {
  const [frame, setFrame] = useState(() => store.frame())
  useEffect(() => {
    let seen = store.version
    let renderedAt = Date.now()
    const timer = setInterval(() => {
      const now = Date.now()
      if (store.version === seen && now - renderedAt < 1000) return
      seen = store.version
      renderedAt = now
      setFrame(store.frame())
    }, intervalMs)
    return () => clearInterval(timer)
  }, [store, intervalMs])
  return frame
}
