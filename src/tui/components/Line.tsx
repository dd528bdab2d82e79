import {Text} from 'ink'

import type {Segment} from '../view-model.js'

/** One terminal line made of coloured segments; never wraps (a long line is cut at the terminal's edge). */
export function Line({segments, inverse = false}: {segments: readonly Segment[]; inverse?: boolean}) {
  const merged = mergeSegments(segments)
  return (
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
}

/** Joins neighbours of the same style: fewer nodes for Ink to lay out and measure on every frame. */
export function mergeSegments(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = []
  for (const segment of segments) {
    if (segment.text === '') continue
    const last = out.at(-1)
    if (last && last.color === segment.color && Boolean(last.bold) === Boolean(segment.bold) && Boolean(last.dim) === Boolean(segment.dim)) {
      out[out.length - 1] = {...last, text: last.text + segment.text}
    } else {
      out.push(segment)
    }
  }
  return out
}
