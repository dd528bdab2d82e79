/** The latest `value`, but changing at most once per `intervalMs` (the last change always shows, late at most that). */
import {useEffect, useRef, useState} from 'react'

export function useThrottledValue<T>(value: T, intervalMs: number): T {
  const [shown, setShown] = useState(value)
  const shownAt = useRef(0)
  useEffect(() => {
    const wait = shownAt.current + intervalMs - Date.now()
    const show = () => {
      shownAt.current = Date.now()
      setShown(value)
    }
    if (wait <= 0) {
      show()
      return
    }
    const timer = setTimeout(show, wait)
    return () => clearTimeout(timer)
  }, [value, intervalMs])
  return shown
}
