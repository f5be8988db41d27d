/** The eight 16-bit words of an IPv6 address (with `::` and a dotted IPv4 tail expanded). */
export function ipv6Words(address: string): number[] | undefined {
  let text = address
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const parse = (part: string) => (part ? part.split(':').map((w) => Number.parseInt(w, 16)) : [])
  const front = parse(head)
  const back = tail === undefined ? [] : parse(tail)
  const words = tail === undefined ? front : [...front, ...Array(8 - front.length - back.length).fill(0), ...back]
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined
}
