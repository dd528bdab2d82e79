import {Text} from 'ink'
import React from 'react'

import type {Segment} from '../view-model.js'

/** One terminal line made of coloured segments; never wraps (a long line is cut at the terminal's edge). */
export function Line({segments, inverse = false}: {segments: readonly Segment[]; inverse?: boolean}) {
  return (
    <Text wrap="truncate-end" inverse={inverse}>
      {segments.length === 0
        ? ' '
        : segments.map((segment, index) => (
            <Text key={index} color={segment.color} bold={segment.bold} dimColor={segment.dim}>
              {segment.text}
            </Text>
          ))}
    </Text>
  )
}
