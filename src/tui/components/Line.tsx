import {Text} from 'ink'
import {createElement} from 'react'

import type {Segment} from '../view-model.js'

export interface LineProps {
  segments: readonly Segment[]
  inverse?: boolean
  /**
   * The line's width in columns. With it, the line is laid out as a fixed 1-row box and Ink never measures its text:
   * Ink keeps every text it measures in a cache that is never emptied, which a dashboard drawing new lines ten times
   * a second would grow without end. Without it, the line is a plain `<Text>`.
   */
  width?: number
}

/** One terminal line made of coloured segments; never wraps (a long line is cut at the terminal's edge). */
export function Line({segments, inverse = false, width}: LineProps) {
  const merged = mergeSegments(segments)
  const content = (
    <Text wrap="truncate-end" inverse={inverse}>
      {merged.length === 0
        ? ' '
        : merged.map((segment, index) => (
            <Text key={index} color={segment.color} bold={segment.bold} dimColor={segment.dim}>
              {segment.text}
            </Text>
          ))}
    </Text>
  )
  if (width === undefined) return content
  // Ink's own text element with a definite width and height: Yoga takes the size as given instead of measuring.
  return createElement(
    'ink-text',
    {style: {flexGrow: 0, flexShrink: 0, flexDirection: 'row', textWrap: 'truncate-end', width, height: 1}} as never,
    content,
  )
}

/** Joins neighbours of the same style: fewer nodes for Ink to lay out and measure on every frame. */
export function mergeSegments(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = []
  for (const segment of segments) {
    if (segment.text === '') continue
    const last = out.at(-1)
    if (
      last &&
      last.color === segment.color &&
      Boolean(last.bold) === Boolean(segment.bold) &&
      Boolean(last.dim) === Boolean(segment.dim)
    ) {
      out[out.length - 1] = Object.assign({}, last, {text: last.text + segment.text})
    } else {
      out.push(segment)
    }
  }
  return out
}
