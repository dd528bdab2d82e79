/** The status of a tail source (file or SSE), for the header; undefined for the in-process bus. */
import {useEffect, useState} from 'react'

import type {SourceStatus, TailSource} from '../sources/types.js'

export function useSourceStatus(
  source: Partial<Pick<TailSource, 'status' | 'onStatus'>> | undefined,
): SourceStatus | undefined {
  const [status, setStatus] = useState(() => source?.status?.())
  useEffect(() => {
    if (!source?.onStatus) return
    setStatus(source.status?.())
    return source.onStatus(setStatus)
  }, [source])
  return status
}
