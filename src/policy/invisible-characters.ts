/**
 * Characters that render as nothing or reorder text, as a regular-expression character class body: zero-width and
 * invisible format characters, bidi controls, soft hyphens, Hangul fillers, Unicode tag characters and the variation
 * selectors supplement. The poisoning scan counts them as hidden text; the approval prompt shows them as escapes.
 * Variation selectors 1-16 (`VARIATION_SELECTORS`) are apart: one after an emoji is how "⚠️" is written.
 */
export const HIDDEN_CHARACTERS =
  '\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F\\u3164\\uFEFF\\uFFA0' +
  '\\u{1D173}-\\u{1D17A}\\u{E0000}-\\u{E0FFF}';

export const VARIATION_SELECTORS = '\\uFE00-\\uFE0F';
