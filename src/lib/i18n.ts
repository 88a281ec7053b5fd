import { z } from 'zod'
import { LanguageCodeSchema } from '../modules/organizations/organizations.schemas.js'
import { invalidField } from './problems.js'

/** Text shown to residents: a map from language code to text. */
export const localizedText = (maxLength: number) =>
  z
    .record(LanguageCodeSchema, z.string().trim().min(1).max(maxLength))
    .describe('Language code → text; the organization default language is required')

export const LocalizedTextSchema = localizedText(10_000).meta({ id: 'LocalizedText' })

export interface LanguageSettings {
  defaultLanguage: string
  languages: readonly string[]
}

/**
 * Checks a localized text against the organization's languages: only supported languages,
 * and the default one present (unless the text is optional and empty).
 */
export function checkLocalizedText(
  pointer: string,
  text: Record<string, string> | undefined,
  settings: LanguageSettings,
  { required = true }: { required?: boolean } = {},
): void {
  if (!text) return
  for (const language of Object.keys(text)) {
    if (!settings.languages.includes(language)) {
      throw invalidField(
        `${pointer}/${language}`,
        `language is not supported by the organization (${settings.languages.join(', ')})`,
      )
    }
  }
  const empty = Object.keys(text).length === 0
  if ((required || !empty) && !(settings.defaultLanguage in text)) {
    throw invalidField(`${pointer}/${settings.defaultLanguage}`, 'the default language is required')
  }
}

/**
 * The language to render for an Accept-Language header (RFC 9110 §12.5.4): the highest-weighted
 * supported language, else the organization's default.
 */
export function negotiateLanguage(header: string | undefined, settings: LanguageSettings): string {
  if (!header) return settings.defaultLanguage
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((param) => /^\s*q=([0-9.]+)\s*$/.exec(param)?.[1]).find(Boolean)
      return { language: tag.trim().toLowerCase().split('-')[0]!, q: q === undefined ? 1 : Number(q), index }
    })
    .filter((entry) => entry.q > 0 && entry.language !== '')
    .sort((a, b) => b.q - a.q || a.index - b.index)
  return (
    ranked.find((entry) => settings.languages.includes(entry.language))?.language ?? settings.defaultLanguage
  )
}

/** One text in the chosen language, falling back to the default language, then to any. */
export function pickText(text: Record<string, string>, language: string, defaultLanguage: string): string {
  return text[language] ?? text[defaultLanguage] ?? Object.values(text)[0] ?? ''
}
