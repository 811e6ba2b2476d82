import { stemmer } from 'stemmer';
import { identifierWords } from './document.js';

/**
 * Words too common to tell tools apart. BM25 already gives them a low IDF, but the index multiplies a
 * document's score by how many distinct query terms it matched, so a stop word matching would still count.
 * The second line is the filler of requests and tool descriptions ("I want to use ...", "Use this tool to ..."):
 * dropping it raised BM25 recall@5 on eight of the nine eval suites and left Seal-Tools level (mean 0.584 to
 * 0.592; docs/retrieval.md), and shortens the posting lists a query walks by a tenth.
 */
const STOP_WORDS = new Set(
  ('a an and are as at be by can could do does for from has have how i if in into is it its me my of on or our ' +
    'please should so than that the their them then there these this those to us was we were what when where which ' +
    'who will with would you your ' +
    'about all also any help just like need needs some use used using very want wants wanted').split(' '),
);

/**
 * Index and query terms alike: identifier-aware word split, lower case, stop words dropped, Porter stems
 * ("files" and "file" meet). Stemming raised BM25 recall@5 on MetaTool from 0.355 to 0.483 and on BFCL from
 * 0.823 to 0.856, and cost 0.015 on Seal-Tools and 0.021 on StableToolBench (docs/retrieval.md).
 */
export function searchTerms(text: string): string[] {
  return identifierWords(text)
    .filter((word) => !STOP_WORDS.has(word))
    .map(stem);
}

/** Stems remembered: tool texts repeat their words; stemming was a third of building the BM25 index on a restart. */
const stems = new Map<string, string>();
/** Requests bring new words for as long as toolscope serves: emptied at this many (10,000 tools hold about 21,000 words). */
const MAX_REMEMBERED_STEMS = 50_000;

function stem(word: string): string {
  let stemmed = stems.get(word);
  if (stemmed === undefined) {
    if (stems.size >= MAX_REMEMBERED_STEMS) stems.clear();
    stems.set(word, (stemmed = stemmer(word)));
  }
  return stemmed;
}

/**
 * A query's terms: its search terms, then each two adjacent words written as one, stemmed, where that is not already
 * one of them: "on call" -> "oncal" meets `list_oncalls`, "sign up" meets "signup", "set up" "setup". One of the two
 * may be a stop word ("on"), not both: "of a" would meet "ofa" and "in it" "init". A joined pair only matters where a
 * tool's text holds it as a word (elsewhere it matches nothing).
 */
export function queryTerms(text: string): string[] {
  const words = identifierWords(text);
  const own = words.filter((word) => !STOP_WORDS.has(word)).map(stem);
  const asked = new Set(own);
  const joined = words
    .slice(1)
    .flatMap((word, index) => (STOP_WORDS.has(word) && STOP_WORDS.has(words[index]!) ? [] : [stem(`${words[index]}${word}`)]));
  return [...own, ...joined.filter((term) => !asked.has(term))];
}
