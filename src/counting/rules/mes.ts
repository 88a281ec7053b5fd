import type { Rule } from '../types.js'

const notImplemented: Rule = () => {
  throw new Error('not implemented')
}

export const mesCost: Rule = notImplemented
export const mesCardinality: Rule = notImplemented
export const mesCardinal: Rule = notImplemented
export const mesBorda: Rule = notImplemented
export const mesCostAdd1: Rule = notImplemented
export const mesCostAdd1Greedy: Rule = notImplemented
