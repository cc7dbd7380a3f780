/**
 * Splits text into token-like pieces (runs of letters and digits, of
 * spaces, of punctuation) that concatenate back to it: what the test model
 * and the stand-in stream, one piece per delta.
 *
 * @example
 * textChunks('{"summary":"Two words."}') // => ['{"', 'summary', '":"', 'Two', ' ', 'words', '."}']
 */
export function textChunks(text: string): string[] {
  return text.match(/[\p{L}\p{N}_]+|\s+|[^\p{L}\p{N}_\s]+/gu) ?? [];
}
