/** The image the simulator "generates": a valid 8×8 RGB PNG (74 bytes), the same every time. */

const SAMPLE_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR42mPI8pmMFTEMLQkAGWhSQQMcVIsAAAAASUVORK5CYII='
const SAMPLE_PNG = Buffer.from(SAMPLE_PNG_BASE64, 'base64')

/** The sample PNG as base64 (`b64_json`). */
export function samplePngBase64(): string {
  return SAMPLE_PNG_BASE64
}

/** The sample PNG bytes (served at `/_sim/image.png`). */
export function samplePng(): Buffer {
  return SAMPLE_PNG
}
